"""The built book in a real browser: Chromium, driven by Playwright, with no network.

The site is served from 127.0.0.1 with gzip, as a static host serves it; every request to
any other host is blocked and counted. Each page must load with no console error and no
failed request, show no raw TeX, and display every image. At phone (320 and 390 px),
tablet (900 px) and desktop (1366 px) widths the reader must be able to open the table of
contents, the page's contents, the home page and the search by clicking them; nothing may
be wider than a phone's screen except inside a box that visibly scrolls; a chapter's first
view must weigh at most 400 KB; axe-core must find no serious or critical violation; and
the search must put the chapter a query is about first (``tests/search_queries.txt``).
"""

from __future__ import annotations

import functools
import gzip
import mimetypes
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote_plus, unquote, urlsplit

import pytest

from book import ROOT, chapter_docnames

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Raw TeX that pre-rendering would have turned into math: $...$, \( \), \[ \], \frac, ...
RAW_TEX = re.compile(r"\$[^$\s][^$]*\$|\\\(|\\\[|\\(?:frac|hat|sum|theta|mathbf|overline)\b")
FIRST_VIEW_LIMIT = 400_000  # bytes transferred, images included


@dataclass(frozen=True)
class Screen:
    name: str
    width: int
    height: int
    mobile: bool = False

    def context_options(self) -> dict[str, object]:
        options: dict[str, object] = {"viewport": {"width": self.width, "height": self.height}}
        if self.mobile:
            options.update(device_scale_factor=3, is_mobile=True, has_touch=True)
        return options


PHONE_SMALL = Screen("phone-320", 320, 640, mobile=True)
PHONE = Screen("phone-390", 390, 844, mobile=True)
TABLET = Screen("tablet-900", 900, 1200)
DESKTOP = Screen("desktop-1366", 1366, 900)
NARROW = (PHONE_SMALL, PHONE, TABLET)  # below the theme's 992 px breakpoint: drawers


# -- Serving the site as a static host does -------------------------------------------------

COMPRESSED = ("text/", "application/javascript", "application/json", "image/svg+xml")


class GzipHandler(SimpleHTTPRequestHandler):
    """Files of the site, text compressed with gzip when the browser accepts it."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        headers = {"Content-Type": kind}
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if accepts and kind.startswith(COMPRESSED):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            headers["Content-Encoding"] = "gzip"
        headers["Content-Length"] = str(len(body))
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(html_dir: Path) -> Iterator[str]:
    handler = functools.partial(GzipHandler, directory=str(html_dir))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    """Chromium with a fresh profile; every visit gets its own context (and empty cache)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("GDBOOK_CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail("Chromium not found: install it or set GDBOOK_CHROMIUM (nox -s tests does).")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS, headless=True
        )
        yield chromium
        chromium.close()


class Visit:
    """One page load in a fresh context, with everything that went wrong on the way."""

    def __init__(
        self,
        browser,
        base: str,
        path: str,
        screen: Screen = DESKTOP,
        *,
        abort: tuple[str, ...] = (),
        **context_options: object,
    ) -> None:
        self.local = urlsplit(base).netloc
        self.abort = abort
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []
        self.transferred: dict[str, int] = {}
        self.context = browser.new_context(**{**screen.context_options(), **context_options})
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on("requestfinished", self._finished)
        self.page.on("response", self._response)
        self.page.goto(f"{base}/{path}", wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def _route(self, route, request) -> None:
        if any(name in request.url for name in self.abort):
            route.abort()
        elif urlsplit(request.url).netloc == self.local or request.url.startswith("data:"):
            route.continue_()
        else:
            self.blocked.append(request.url)
            route.abort()

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _response(self, response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def _finished(self, request) -> None:
        if request.url.startswith("data:"):
            return
        try:
            sizes = request.sizes()
        except Exception:  # the visit was closed before the request ended
            return
        self.transferred[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]

    def prose(self) -> str:
        """The visible text outside code blocks and API signatures."""
        return self.page.evaluate(
            """() => {
                const body = document.querySelector('article') || document.body;
                const copy = body.cloneNode(true);
                copy.querySelectorAll(
                    'pre, code, .highlight, .sig, script, style, .katex-mathml')
                    .forEach(n => n.remove());
                return copy.innerText;
            }"""
        )

    def broken_images(self) -> list[str]:
        return self.page.evaluate(
            """() => Array.from(document.images)
                .filter(img => img.loading !== 'lazy' || img.complete)
                .filter(img => !(img.complete && img.naturalWidth > 0))
                .map(img => img.src)"""
        )

    def close(self) -> None:
        self.context.close()


def site_pages(html_dir: Path) -> list[str]:
    return sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if "_static" not in p.parts
    )


def chapters() -> list[str]:
    return [f"{docname}.html" for docname in chapter_docnames()]


# -- Every page loads, offline, and shows its math and images --------------------------------


def test_every_page_loads_offline_and_renders(browser, server, html_dir):
    problems = {}
    for path in site_pages(html_dir):
        visit = Visit(browser, server, path)
        visit.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        visit.page.wait_for_load_state("networkidle")
        found = {
            "requests to other hosts": visit.blocked,
            "failed requests": visit.failed,
            "console errors": visit.console_errors,
            "images not shown": visit.broken_images(),
            "raw TeX": RAW_TEX.findall(visit.prose()),
        }
        visit.close()
        found = {kind: items for kind, items in found.items() if items}
        if found:
            problems[path] = found
    assert not problems


def test_chapter_math_is_rendered_as_katex(browser, server):
    visit = Visit(browser, server, chapters()[0])
    rendered = visit.page.locator(".katex-html").count()
    visible = visit.page.locator(".math .katex-display").first.is_visible()
    visit.close()
    assert rendered > 20 and visible


# -- Navigation: clicked, at every width ------------------------------------------------------


def _open_drawer(page, toggle: str, dialog: str):
    page.locator(f".bd-header-article {toggle}").click()
    drawer = page.locator(dialog)
    drawer.wait_for(state="visible", timeout=5_000)
    assert page.evaluate(f"document.querySelector('{dialog}').open")
    return drawer


@pytest.mark.parametrize("screen", NARROW, ids=lambda s: s.name)
def test_the_menu_button_opens_the_table_of_contents(browser, server, screen):
    """☰ opens the drawer with every chapter; a chapter in it is one tap away."""
    start, target = chapters()[0], chapters()[-1]
    visit = Visit(browser, server, start, screen)
    drawer = _open_drawer(visit.page, ".primary-toggle", "#pst-primary-sidebar-modal")
    for docname in chapter_docnames()[1:]:  # the first is the page itself: href="#"
        assert drawer.locator(f'a[href$="{docname.rsplit("/", 1)[-1]}.html"]').count(), docname
    link = drawer.locator(f'nav.bd-docs-nav a[href$="{target.rsplit("/", 1)[-1]}"]').first
    link.scroll_into_view_if_needed()
    link.click()
    visit.page.wait_for_url(f"**/{target}")
    assert not visit.console_errors
    visit.close()


@pytest.mark.parametrize("screen", NARROW, ids=lambda s: s.name)
def test_the_home_link_is_in_the_menu(browser, server, screen):
    visit = Visit(browser, server, chapters()[1], screen)
    drawer = _open_drawer(visit.page, ".primary-toggle", "#pst-primary-sidebar-modal")
    drawer.locator("a.navbar-brand").click()
    visit.page.wait_for_url("**/index.html")
    visit.close()


@pytest.mark.parametrize("screen", NARROW, ids=lambda s: s.name)
def test_the_contents_button_opens_the_page_contents(browser, server, screen):
    visit = Visit(browser, server, chapters()[0], screen)
    drawer = _open_drawer(visit.page, ".secondary-toggle", "#pst-secondary-sidebar-modal")
    entry = drawer.locator("#pst-page-toc-nav a.nav-link").nth(2)
    anchor = entry.get_attribute("href")
    entry.click()
    visit.page.wait_for_function(f"window.location.hash === {anchor!r}")
    heading = visit.page.locator(f"[id='{anchor.lstrip('#')}']")
    box = heading.bounding_box()
    assert box is not None and 0 <= box["y"] < screen.height
    visit.close()


def test_desktop_sidebars_work(browser, server):
    """At 1366 px both sidebars are on the page; ☰ hides and shows the chapter list."""
    visit = Visit(browser, server, chapters()[0], DESKTOP)
    page = visit.page
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    assert page.locator("#pst-primary-sidebar a.navbar-brand").is_visible()
    toc = page.locator(".bd-sidebar-secondary #pst-page-toc-nav a.nav-link").nth(2)
    anchor = toc.get_attribute("href")
    toc.click()
    page.wait_for_function(f"window.location.hash === {anchor!r}")
    page.locator(".bd-header-article .primary-toggle").click()
    page.wait_for_function(
        "document.querySelector('#pst-primary-sidebar').getBoundingClientRect().width < 10"
        " || getComputedStyle(document.querySelector('#pst-primary-sidebar')).visibility"
        " === 'hidden'"
    )
    page.locator(".bd-header-article .primary-toggle").click()
    sidebar.locator(f'a[href$="{chapters()[1].rsplit("/", 1)[-1]}"]').first.click()
    page.wait_for_url(f"**/{chapters()[1]}")
    visit.close()


@pytest.mark.parametrize("screen", (*NARROW, DESKTOP), ids=lambda s: s.name)
def test_the_search_button_searches(browser, server, screen):
    visit = Visit(browser, server, chapters()[0], screen)
    page = visit.page
    page.locator(".search-button__button:visible").first.click()
    field = page.locator("#pst-search-dialog input[name='q']")
    field.wait_for(state="visible", timeout=5_000)
    field.fill("chain rule")
    field.press("Enter")
    page.wait_for_url("**/search.html?q=chain+rule*")
    first = page.locator("#search-results ul.search li a").first
    first.wait_for(timeout=15_000)
    assert "chain-rule" in (first.get_attribute("href") or "")
    visit.close()


# -- Nothing wider than a phone, except in a box that visibly scrolls --------------------------

OVERFLOW_CHECK = """(width) => {
  const problems = [];
  if (document.documentElement.scrollWidth > width + 1)
    problems.push(`page is ${document.documentElement.scrollWidth} px wide`);
  const scroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return p;
    }
    return null;
  };
  const describe = (el) => {
    const id = el.closest('[id]');
    return `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} near #${id ? id.id : ''}`;
  };
  const seen = new Set();
  for (const el of document.querySelectorAll('.bd-article *')) {
    if (el.closest('.katex-mathml')) continue;  // for screen readers, clipped by design
    // Drawn inside an SVG, which clips it to its viewBox (and matplotlib to its axes):
    // an explorable's path can run far outside while the drawing itself fits.
    if (el.ownerSVGElement) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const style = getComputedStyle(el);
    const spill = el.scrollWidth - el.clientWidth;
    if (style.overflowX === 'visible' && el.clientWidth > 0 && !el.closest('.katex, pre')
        && spill > 1 && r.right + spill > width + 1) {
      problems.push(`text runs out of its box: ${describe(el)}`);
      continue;
    }
    if (r.right <= width + 1 && r.left >= -1) continue;
    const box = scroller(el);
    if (box && box.closest('.katex')) continue;  // KaTeX clips its stretchy glyphs by design
    if (!box || !box.contains(el)) { problems.push(`cut off: ${describe(el)}`); continue; }
    const x = getComputedStyle(box).overflowX;
    if (x !== 'auto' && x !== 'scroll') { problems.push(`clipped: ${describe(el)}`); continue; }
    if (seen.has(box)) continue;
    seen.add(box);
    const b = box.getBoundingClientRect();
    if (b.right > width + 1 || b.left < -1) {
      problems.push(`box too wide: ${describe(box)}`);
      continue;
    }
    if (box.scrollWidth > box.clientWidth + 1) {
      const mask = getComputedStyle(box).maskImage || getComputedStyle(box).webkitMaskImage;
      if (!box.classList.contains('gd-overflows') || !mask || mask === 'none')
        problems.push(`scrolls without a cue: ${describe(box)}`);
    }
  }
  for (const eqno of document.querySelectorAll('div.math > .eqno')) {
    const r = eqno.getBoundingClientRect();
    if (r.width === 0) continue;
    if (r.right > width + 1 || r.left < 0)
      problems.push(`equation number out of sight: ${eqno.textContent}`);
    const display = eqno.parentElement.querySelector('.katex-display');
    if (display && r.left < display.getBoundingClientRect().right - 1)
      problems.push(`equation number not after its equation: ${eqno.textContent}`);
  }
  return problems;
}"""


@pytest.mark.parametrize("screen", (PHONE_SMALL, PHONE), ids=lambda s: s.name)
def test_nothing_is_wider_than_a_phone(browser, server, html_dir, screen):
    problems = {}
    for path in site_pages(html_dir):
        visit = Visit(browser, server, path, screen)
        found = visit.page.evaluate(OVERFLOW_CHECK, screen.width)
        visit.close()
        if found:
            problems[path] = sorted(set(found))[:10]
    assert not problems


def test_a_wide_equation_scrolls_with_its_number_in_sight(browser, server):
    """The cue is on the boxes that need it and goes once the reader reaches the end."""
    visit = Visit(browser, server, chapters()[0], PHONE_SMALL)
    page = visit.page
    wide = page.locator(".katex-display.gd-overflows")
    assert wide.count() > 0, "a chapter at 320 px has at least one equation wider than a phone"
    first = wide.first
    first.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    page.wait_for_function("box => box.classList.contains('gd-at-end')", arg=first.element_handle())
    visit.close()


# -- A light first view ------------------------------------------------------------------------


@pytest.mark.parametrize("screen", (PHONE, DESKTOP), ids=lambda s: s.name)
def test_a_chapters_first_view_is_light(browser, server, screen):
    heavy = {}
    for path in chapters():
        visit = Visit(browser, server, path, screen)
        total = sum(visit.transferred.values())
        names = [urlsplit(url).path.rsplit("/", 1)[-1] for url in visit.transferred]
        visit.close()
        assert not [n for n in names if n in ("fontawesome.js", "searchindex.js")], names
        if total > FIRST_VIEW_LIMIT:
            heavy[path] = total
    assert not heavy


# -- Colour modes --------------------------------------------------------------------------------


def _background(page) -> tuple[int, ...]:
    colour = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return tuple(int(v) for v in re.findall(r"\d+", colour)[:3])


def test_dark_mode_is_set_before_the_theme_scripts_run(browser, server):
    """With the system in dark mode, the page is dark even if the theme's scripts never run."""
    visit = Visit(
        browser, server, chapters()[0], abort=("pydata-sphinx-theme.js",), color_scheme="dark"
    )
    assert visit.page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert sum(_background(visit.page)) < 3 * 80
    visit.close()


def test_without_javascript_the_page_has_its_colours(browser, server):
    visit = Visit(browser, server, chapters()[0], java_script_enabled=False)
    assert visit.page.evaluate("document.documentElement.dataset.theme") == "light"
    link = visit.page.locator("article a.reference.internal").first
    colour = link.evaluate("a => getComputedStyle(a).color")
    assert colour not in ("rgb(0, 0, 0)", "rgb(33, 37, 41)"), colour
    visit.close()


# -- Accessibility -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_axe_finds_no_serious_violation(browser, server, html_dir, mode):
    """Every page in light mode, and the first and last chapters in dark mode.

    KaTeX's HTML is left out of the check: it is hidden from assistive technology (which
    reads the MathML copy beside it), it is drawn in the colour of the text around it,
    which axe checks, and its tens of thousands of boxes would make each page take minutes.
    """
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    axe = axe_module.Axe()
    pages = site_pages(html_dir) if mode == "light" else [chapters()[0], chapters()[-1]]
    problems = {}
    for path in pages:
        visit = Visit(browser, server, path, color_scheme=mode)
        errors_before_axe = list(visit.console_errors)  # axe itself fetches style sheets
        results = axe.run(visit.page, context={"exclude": [[".katex-html"]]})
        visit.close()
        serious = [
            f"{v['id']} ({v['impact']}): {len(v['nodes'])}× e.g. {v['nodes'][0]['target']}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious or errors_before_axe:
            problems[path] = serious + errors_before_axe
    assert not problems


# -- Search ---------------------------------------------------------------------------------------

QUERIES_FILE = ROOT / "tests" / "search_queries.txt"


def search_queries() -> list[tuple[str, str]]:
    """(query, the page it must find first, or "pending: ..." until that chapter exists)."""
    entries = []
    for line in QUERIES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, _, expected = (part.strip() for part in line.partition("|"))
            entries.append((query, expected))
    return entries


def search(browser, server, query: str) -> tuple[list[str], list[str], Visit]:
    visit = Visit(browser, server, f"search.html?q={quote_plus(query)}")
    visit.page.wait_for_function(
        "() => (document.querySelector('#search-results .search-summary') || {}).textContent"
    )
    pages: list[str] = []
    for href in visit.page.locator("#search-results ul.search li > a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    ):
        docname = unquote(href.split("#")[0]).removesuffix(".html")
        if docname not in pages:
            pages.append(docname)
    excerpts = visit.page.locator("#search-results p.context").all_inner_texts()
    return pages, excerpts, visit


@pytest.mark.parametrize(("query", "expected"), search_queries())
def test_the_search_finds_the_chapter_first(browser, server, query, expected):
    if expected.startswith("pending"):
        pytest.skip(f"{query!r}: {expected}")
    assert expected in chapter_docnames()
    pages, _, visit = search(browser, server, query)
    assert not visit.blocked and not visit.console_errors
    visit.close()
    assert pages and pages[0] == expected, pages


def test_search_excerpts_are_clean_text(browser, server):
    _, excerpts, visit = search(browser, server, "central difference")
    visit.page.wait_for_function(
        "() => document.querySelectorAll('#search-results p.context').length >= 3"
    )
    excerpts = visit.page.locator("#search-results p.context").all_inner_texts()
    visit.close()
    text = " ".join(excerpts)
    assert excerpts
    for theme_text in ("System Settings", "Light Dark", "Cite this chapter", ".ipynb"):
        assert theme_text not in text
    assert not re.search(r"\\(?:frac|mathrm|theta|left|right)\b", text), text


# -- Explorable figures ---------------------------------------------------------------------------

#: Page -> the figure (label) whose static image has an explorable version (gdbook.explore).
EXPLORABLES = {
    "part2/gradient-descent.html": "gd-fig-three-rates",
    "part2/learning-rate.html": "lr-fig-ceiling",
    "part2/feature-scaling.html": "scale-fig-common-lr",
    "part3/sgd.html": "sgd-fig-noise-ball",
    "part3/momentum.html": "mom-fig-eta-beta",
}
EXPLORABLE_LIMIT = 30_000  # bytes gzipped per figure, its data included
EXPLORABLE_STATE = """(box) => {
  const data = JSON.parse(box.querySelector("script[type='application/json']").textContent);
  const lines = [];
  for (let k = 0; ; k++) {
    const g = document.getElementById(`gd${data.key}-l${k}`);
    if (!g) break;
    const path = g.querySelector(':scope > path');
    const marks = Array.from(g.querySelectorAll(':scope > g > use'))
      .map(u => [Number(u.getAttribute('x')), Number(u.getAttribute('y'))]);
    lines.push({d: path ? path.getAttribute('d') : null, marks});
  }
  return {
    run: Number(box.dataset.run), status: box.querySelector('.gd-explore-status').textContent,
    values: Array.from(box.querySelectorAll('input[type=range]')).map(i => Number(i.value)),
    lines,
  };
}"""


def _explorable_html(html_dir: Path, page: str) -> str:
    text = (html_dir / page).read_text(encoding="utf-8")
    found = re.search(r'<div class="gd-explore".*?</script></div>', text, re.S)
    assert found, f"{page} has no explorable figure"
    return found.group(0)


def _explorable_data(html_dir: Path, page: str) -> dict:
    import json

    payload = re.search(
        r'<script type="application/json">(.*?)</script>', _explorable_html(html_dir, page), re.S
    )
    assert payload
    return json.loads(payload.group(1).replace("<\\/", "</"))


def _points(numbers: list[int]) -> list[tuple[float, float]]:
    x = y = 0
    points = []
    for i in range(0, len(numbers) - 1, 2):
        x, y = x + numbers[i], y + numbers[i + 1]
        points.append((x / 10, y / 10))
    return points


def _check_drawn(state: dict, data: dict) -> None:
    """The drawing shows the run the sliders choose: its lines and its status."""
    index = 0
    for slider, value in zip(data["sliders"], state["values"], strict=True):
        index = index * len(slider["values"]) + value
    assert state["run"] == index
    run = data["runs"][index]
    assert state["status"] == run["status"]
    for line, drawn in zip(run["lines"], state["lines"], strict=True):
        want = _points(data["lines"][line])
        if drawn["d"] is not None and len(want) > 1:
            got = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", drawn["d"])]
            assert got == pytest.approx([c for p in want for c in p], abs=0.01)
        if drawn["marks"]:
            got = [c for mark in drawn["marks"] for c in mark]
            assert got == pytest.approx([c for p in want for c in p], abs=0.01)


@pytest.mark.parametrize("screen", (PHONE, DESKTOP), ids=lambda s: s.name)
@pytest.mark.parametrize("page", sorted(EXPLORABLES))
def test_explorable_figures_follow_their_sliders(browser, server, html_dir, page, screen):
    """Mouse (or finger) and keyboard move each slider; the path and verdict follow."""
    data = _explorable_data(html_dir, page)
    visit = Visit(browser, server, page, screen)
    figure = visit.page.locator(f"figure#{EXPLORABLES[page]}")
    box = figure.locator(".gd-explore")
    box.scroll_into_view_if_needed()
    assert box.is_visible() and not figure.locator("img").first.is_visible()
    assert figure.locator(".caption-number").count() == 1
    state = box.evaluate(EXPLORABLE_STATE)
    _check_drawn(state, data)
    seen = {state["run"]}
    for j, slider in enumerate(data["sliders"]):
        control = box.locator("input[type=range]").nth(j)
        label = box.locator(f"label[for='{control.get_attribute('id')}']")
        assert label.inner_text() == slider["label"]
        last = len(slider["values"]) - 1
        # Keyboard: End, Home, then one step right.
        control.focus()
        for key, want in (("End", last), ("Home", 0), ("ArrowRight", min(1, last))):
            control.press(key)
            state = box.evaluate(EXPLORABLE_STATE)
            assert state["values"][j] == want, (key, state["values"])
            assert control.get_attribute("aria-valuetext") == slider["values"][want]
            _check_drawn(state, data)
            seen.add(state["run"])
        # Mouse (a tap on a phone) near the right end of the track.
        bounds = control.bounding_box()
        assert bounds and bounds["height"] >= 24  # big enough for a finger
        position = {"x": bounds["width"] * 0.97, "y": bounds["height"] / 2}
        if screen.mobile:
            control.tap(position=position)
        else:
            control.click(position=position)
        state = box.evaluate(EXPLORABLE_STATE)
        assert state["values"][j] >= last - 1, state["values"]
        _check_drawn(state, data)
        seen.add(state["run"])
    assert len(seen) >= 3  # the drawing did change
    assert box.locator("[aria-live=polite]").count() == 1
    assert not visit.console_errors and not visit.failed and not visit.blocked
    visit.close()


@pytest.mark.parametrize("page", sorted(EXPLORABLES))
def test_explorable_figures_are_within_budget_and_static_elsewhere(browser, server, html_dir, page):
    html = _explorable_html(html_dir, page)
    assert len(gzip.compress(html.encode("utf-8"), compresslevel=9, mtime=0)) <= EXPLORABLE_LIMIT
    for options, media in (({"java_script_enabled": False}, "screen"), ({}, "print")):
        visit = Visit(browser, server, page, **options)
        visit.page.emulate_media(media=media)
        figure = visit.page.locator(f"figure#{EXPLORABLES[page]}")
        # As the PDF is printed (bookext/pdf.py): every image loaded first.
        figure.locator("img").first.evaluate(
            "img => { img.loading = 'eager'; return img.decode(); }"
        )
        assert figure.locator("img").first.is_visible(), (options, media)
        assert not figure.locator(".gd-explore").is_visible(), (options, media)
        visit.close()


def test_explorable_scripts_load_only_where_needed(html_dir):
    for path in site_pages(html_dir):
        text = (html_dir / path).read_text(encoding="utf-8")
        has = '<div class="gd-explore"' in text
        script = re.search(r'<script [^>]*src="[^"]*_static/explore\.js', text)
        sheet = re.search(r'<link [^>]*href="[^"]*_static/explore\.css', text)
        assert bool(script) == has and bool(sheet) == has, path
    assert sorted(EXPLORABLES) == sorted(
        p for p in site_pages(html_dir) if '<div class="gd-explore"' in (html_dir / p).read_text()
    )


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_axe_passes_on_explorable_figures(browser, server, mode):
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    problems = {}
    for page, label in sorted(EXPLORABLES.items()):
        visit = Visit(browser, server, page, PHONE, color_scheme=mode)
        errors = list(visit.console_errors)
        results = axe.run(visit.page, context={"include": [[f"figure#{label}"]]})
        visit.close()
        serious = [
            f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious or errors:
            problems[page] = serious + errors
    assert not problems
