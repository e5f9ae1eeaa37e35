"""Folded blocks: solutions, the cite box and ``:class: dropdown`` blocks fold in the HTML.

In the built pages they are native ``<details>`` elements, so they are folded before the
first paint with JavaScript off, on, or still loading, and nothing jumps when scripts run.
In Chromium, with JavaScript disabled and enabled: a click anywhere on a solution's bar
opens it (the bar holds no link that would scroll away), Enter opens it from the
keyboard, and the page is as tall when its scripts have run as before.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_book_build import MiniBook, chapter
from test_book_build import mini as mini_book  # noqa: F401  (a fixture)

from book import DOCS, chapter_docnames

CHAPTERS = chapter_docnames()
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def article(html_dir: Path, docname: str):
    page = BeautifulSoup((html_dir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
    return page.select_one("article.bd-article")


@pytest.mark.site
@pytest.mark.parametrize("docname", CHAPTERS)
def test_solutions_and_cite_box_are_details_without_links_in_their_bars(html_dir, docname):
    body = article(html_dir, docname)
    exercises = body.select("div.exercise")
    solutions = body.select("details.solution")
    assert len(solutions) == len(exercises) > 0
    raw = (html_dir / f"{docname}.html").read_text(encoding="utf-8")
    assert raw.count("<details") == raw.count("</details>"), "a fold left unclosed"
    assert not body.select("div.solution, div.dropdown"), "a dropdown left as a <div>"
    for block in [*solutions, *body.select("details.cite-chapter")]:
        summary = block.find("summary", recursive=False)
        assert summary is not None and not block.has_attr("open")
        assert not summary.find("a"), "a link in the bar scrolls away instead of opening it"
    title = solutions[0].summary.get_text(" ", strip=True)
    assert title.startswith("Solution to Exercise")
    cite = body.select_one("details.cite-chapter")
    assert cite is not None and cite.find_previous_sibling("h1") is not None, (
        "the cite box comes right under the chapter's title"
    )


def _fold(html: str) -> str:
    sys.path.insert(0, str(DOCS / "_ext"))
    from bookext.folding import fold

    return fold(html)


def test_a_figure_inside_a_solution_leaves_every_fold_closed_where_it_ends():
    """``<img ... />`` once unwound the scanner's stack: the fold's end stayed a ``</div>``."""
    solution = (
        '<div class="solution dropdown admonition" id="s">\n'
        '<p class="admonition-title">Solution to <a href="#e">Exercise 1</a></p>\n'
        '<section><figure><img alt="a" src="a.png" /><br/>'
        "<figcaption><p>Figure</p></figcaption></figure></section>\n</div>\n"
    )
    folded = _fold(solution + "<p>after</p>\n" + solution.replace('id="s"', 'id="t"'))
    assert folded.count("<details") == folded.count("</details>") == 2
    assert "</div>" not in folded and folded.count("</summary>") == 2
    page = BeautifulSoup(folded, "html.parser")
    assert [p.get_text() for p in page.find_all("p", recursive=False)] == ["after"]


@pytest.mark.slow
def test_any_dropdown_admonition_or_proof_folds(mini_book: MiniBook):  # noqa: F811
    """What other chapters write (a proof or a 'Going deeper' block with :class: dropdown)."""
    book = mini_book
    book.index(["part1/folds"])
    body = (
        "```{prf:proposition} A fact\n:label: folds-prop\n\nIt holds.\n```\n\n"
        "```{prf:proof}\n:class: dropdown\n\nBecause it does.\n```\n\n"
        ":::{admonition} Going deeper: why\n:class: dropdown\n\nDepth here.\n:::\n"
    )
    book.write("part1/folds.md", chapter("ch-folds", "Folds", body))
    result = book.build()
    assert result.returncode == 0, result.output
    page = BeautifulSoup((book.html / "part1" / "folds.html").read_text(), "html.parser")
    proof = page.select_one("details.proof")
    deeper = page.select_one("details.admonition.dropdown:not(.cite-chapter):not(.proof)")
    assert proof is not None and proof.summary.get_text(strip=True).startswith("Proof")
    assert deeper is not None and "Going deeper: why" in deeper.summary.get_text()
    assert "Depth here." in deeper.get_text() and not deeper.has_attr("open")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(html_dir: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(html_dir))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    thread.join()
    httpd.server_close()


@pytest.fixture(scope="module", params=[False, True], ids=["javascript-off", "javascript-on"])
def context(request, tmp_path_factory):
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("GDBOOK_CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail("Chromium not found: install it or set GDBOOK_CHROMIUM (nox -s tests does).")
    with playwright_api.sync_playwright() as playwright:
        browser_context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),
            executable_path=executable,
            args=FLAGS,
            headless=True,
            java_script_enabled=request.param,
            viewport={"width": 1280, "height": 900},
        )
        browser_context.javascript = request.param
        browser_context.set_default_timeout(120_000)
        yield browser_context
        browser_context.close()


@pytest.mark.browser
def test_solution_opens_by_click_anywhere_on_its_bar_and_by_keyboard(context, server):
    page = context.new_page()
    page.goto(server + CHAPTERS[0] + ".html", wait_until="load")
    solutions = page.locator("details.solution")
    count = solutions.count()
    assert count > 0
    first = solutions.first
    body = first.locator("summary ~ *").first
    assert not body.is_visible(), "a solution is folded when the page is shown"
    assert not page.locator("details.cite-chapter summary ~ p").first.is_visible()

    url = page.url
    summary = first.locator("summary")
    summary.scroll_into_view_if_needed()
    box = summary.bounding_box()
    for x in (0.5, 0.15, 0.9):  # the middle (where the exercise's title is), left, right
        page.mouse.click(box["x"] + x * box["width"], box["y"] + box["height"] / 2)
        assert body.is_visible(), f"a click at {x:.0%} of the bar opens the solution"
        assert page.url == url, "the click stays on the solution"
        page.mouse.click(box["x"] + x * box["width"], box["y"] + box["height"] / 2)
        assert not body.is_visible()

    summary.focus()
    page.keyboard.press("Enter")
    assert body.is_visible(), "Enter on the focused bar opens the solution"
    page.keyboard.press("Space")
    assert not body.is_visible()
    page.close()


@pytest.mark.browser
def test_nothing_is_open_before_scripts_run_and_nothing_jumps_after(context, server):
    if not context.javascript:
        pytest.skip("with JavaScript off there are no scripts to wait for")
    page = context.new_page()
    # The height of the article when the HTML is parsed (before deferred scripts run) and
    # once everything has loaded; and whether a solution was open at the first moment.
    page.add_init_script(
        """document.addEventListener('readystatechange', () => {
             if (document.readyState !== 'interactive') return;
             const a = document.querySelector('article');
             window.__early = {height: a.getBoundingClientRect().height,
               open: Array.from(document.querySelectorAll('.solution, .cite-chapter'))
                 .filter(b => b.tagName !== 'DETAILS' || b.open).length};
           });"""
    )
    page.goto(server + CHAPTERS[0] + ".html", wait_until="load")
    page.wait_for_timeout(1000)  # deferred scripts have run; let them finish their work
    early = page.evaluate("window.__early")
    late = page.evaluate("document.querySelector('article').getBoundingClientRect().height")
    page.close()
    assert early["open"] == 0, "solutions and the cite box are folded from the first paint"
    assert abs(late - early["height"]) < 2, f"the article went from {early} to {late} px"
