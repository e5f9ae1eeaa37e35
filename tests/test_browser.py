"""The built book in a real browser: Chromium, driven by Playwright, with no network.

The site is served from 127.0.0.1; every request to any other host is blocked and counted.
Each page must load with no console error and no failed request, show no raw TeX, and
display every image; the site's search must find the chapters it is asked for.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from book import chapter_docnames

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


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(html_dir: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(html_dir))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    thread.join()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("GDBOOK_CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail("Chromium not found: install it or set GDBOOK_CHROMIUM (nox -s tests does).")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with playwright_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, args=CHROMIUM_FLAGS, headless=True
        )
        yield context
        context.close()


class Visit:
    """One page load with everything that went wrong on the way."""

    def __init__(self, context, base: str, path: str) -> None:
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []
        self.page = context.new_page()
        self.page.route("**/*", functools.partial(self._route, urlsplit(base).netloc))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on("response", self._response)
        self.page.goto(f"{base}/{path}", wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def _route(self, local: str, route, request) -> None:
        if urlsplit(request.url).netloc == local or request.url.startswith("data:"):
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
                .filter(img => !(img.complete && img.naturalWidth > 0))
                .map(img => img.src)"""
        )

    def close(self) -> None:
        self.page.close()


def site_pages(html_dir: Path) -> list[str]:
    return sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if "_static" not in p.parts
    )


def test_every_page_loads_offline_and_renders(browser, server, html_dir):
    problems = {}
    for path in site_pages(html_dir):
        visit = Visit(browser, server, path)
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
    visit = Visit(browser, server, f"{chapter_docnames()[0]}.html")
    rendered = visit.page.locator(".katex-html").count()
    visible = visit.page.locator(".math .katex-display").first.is_visible()
    visit.close()
    assert rendered > 20 and visible


@pytest.mark.parametrize(
    ("query", "chapter"),
    [("squared error", "part1/fitting-a-line"), ("chain rule", "part1/chain-rule")],
)
def test_the_sites_search_finds_the_chapter(browser, server, query, chapter):
    assert chapter in chapter_docnames()
    visit = Visit(browser, server, f"search.html?q={query.replace(' ', '+')}")
    results = visit.page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    visit.close()
    assert any(chapter in (href or "") for href in hrefs), hrefs
    assert not visit.blocked and not visit.console_errors
