"""Print the built book to PDF with Chromium: the whole book and every chapter, each with
and without the solutions.

``python -m bookext.pdf HTML_DIR OUT_DIR`` (run by ``nox -s pdf`` and ``nox -s course``)
serves the built site on 127.0.0.1 and prints it with the same Chromium, driven by
Playwright, that the browser tests use (``GDBOOK_CHROMIUM`` or ``chromium`` on the PATH;
never a browser Playwright downloads). The page's print style sheet does the layout (see
:mod:`bookext.printing`). Every PDF has page numbers, a PDF outline (bookmarks) from the
headings, tagged text, embedded fonts, and working links: a link within the PDF jumps
there, any other link goes to the page of the published book of this version.

The whole book is one document made of the pages of the table of contents: a title page,
a table of contents with page numbers (a first printing finds on which page each part
starts, a second prints the numbers), then each page starting on a new sheet. Its
identifiers are prefixed with the page they come from, so that every cross-reference,
equation or figure link lands in the PDF itself. Files written::

    OUT_DIR/<slug>-<version>.pdf                     the whole book, with solutions
    OUT_DIR/<slug>-<version>-no-solutions.pdf        ... without them
    OUT_DIR/chapters/NN-<name>.pdf                   each chapter, with solutions
    OUT_DIR/chapters/NN-<name>-no-solutions.pdf      ... without them
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import os
import posixpath
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CONTENTS = "_static/book-contents.json"
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
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}
FOOTER = (
    '<div style="width:100%;font-size:8pt;color:#555;text-align:center;'
    'font-family:sans-serif;">{label}<span class="pageNumber"></span>'
    ' / <span class="totalPages"></span></div>'
)

# Run in each page before printing: solutions opened or closed, every other folded block
# opened, images loaded now (not lazily), links to other pages sent to the published site.
PREPARE = """
async ({site, page, solutions}) => {
  for (const d of document.querySelectorAll('details')) {
    d.open = d.classList.contains('solution') ? solutions : true;
  }
  for (const img of document.images) { img.loading = 'eager'; }
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
    new Promise(done => { img.onload = img.onerror = done; })));
  const here = new URL(location.href);
  for (const a of document.querySelectorAll('a[href]')) {
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.origin !== here.origin) continue;
    if (url.pathname === here.pathname && url.hash) { a.setAttribute('href', url.hash); continue; }
    a.setAttribute('href', site + url.pathname.replace(/^\\//, '') + url.hash);
  }
  await document.fonts.ready;
}
"""


@dataclass(frozen=True)
class Page:
    docname: str
    title: str
    chapter: int | None

    @property
    def key(self) -> str:
        return self.docname.replace("/", "-")

    @property
    def pdf_name(self) -> str:
        return f"{self.chapter:02d}-{self.docname.rsplit('/', 1)[-1]}"


@dataclass(frozen=True)
class Book:
    title: str
    authors: str
    year: int
    version: str
    site: str
    root: str
    pages: tuple[Page, ...]

    @classmethod
    def read(cls, html: Path) -> Book:
        data = json.loads((html / CONTENTS).read_text(encoding="utf-8"))
        pages = tuple(Page(p["docname"], p["title"], p["chapter"]) for p in data["pages"])
        return cls(
            data["title"],
            data["authors"],
            data["year"],
            data["version"],
            data["site"],
            data["root"],
            pages,
        )

    @property
    def chapters(self) -> list[Page]:
        return [p for p in self.pages if p.chapter is not None]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """The folder on an HTTP server of 127.0.0.1, for as long as the block runs."""
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()


def chromium_path() -> str:
    found = os.environ.get("GDBOOK_CHROMIUM") or shutil.which("chromium")
    if not found:
        raise SystemExit("Chromium not found: install it or set GDBOOK_CHROMIUM.")
    return found


@contextmanager
def browser(profile: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True
        )
        context.set_default_timeout(600_000)  # a whole book on a busy two-core machine
        # Nothing but the local server: the PDFs must not depend on the network.
        context.route(
            re.compile(r"^(?!http://127\.0\.0\.1[:/]|data:|about:).*"),
            lambda route: route.abort(),
        )
        try:
            yield context
        finally:
            context.close()


def print_pdf(page: Any, path: Path, title: str, label: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.emulate_media(media="print")
    page.evaluate("title => { document.title = title; }", title)
    page.pdf(
        path=str(path),
        format="A4",
        margin=MARGIN,
        print_background=True,
        display_header_footer=True,
        header_template="<div></div>",
        footer_template=FOOTER.format(label=_html_escape(label)),
        outline=True,
        tagged=True,
    )


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- One chapter ---------------------------------------------------------------------------
def print_chapter(
    context: Any, base: str, book: Book, page: Page, path: Path, solutions: bool
) -> None:
    tab = context.new_page()
    try:
        tab.goto(base + page.docname + ".html", wait_until="load")
        tab.evaluate(PREPARE, {"site": book.site, "page": page.docname, "solutions": solutions})
        title = f"{page.chapter}. {page.title} — {book.title} {book.version}"
        label = f"{book.title} {book.version} · Chapter {page.chapter} · "
        print_pdf(tab, path, title, label)
    finally:
        tab.close()


# -- The whole book ------------------------------------------------------------------------
def book_document(
    html: Path,
    book: Book,
    pages: list[Page],
    solutions: bool,
    page_numbers: dict[str, int] | None = None,
    subtitle: str = "",
) -> str:
    """One HTML document holding every page, with identifiers and links made unique."""
    from bs4 import BeautifulSoup

    first = BeautifulSoup((html / f"{book.root}.html").read_text(encoding="utf-8"), "html.parser")
    head = first.head
    for script in head.find_all("script"):
        script.decompose()
    inside = {p.docname: p for p in pages}
    parts = []
    for page in pages:
        soup = BeautifulSoup(
            (html / f"{page.docname}.html").read_text(encoding="utf-8"), "html.parser"
        )
        article = soup.select_one("article.bd-article")
        for link in article.select("a.headerlink"):
            link.decompose()
        folder = posixpath.dirname(page.docname)
        for tag in article.find_all(id=True):
            tag["id"] = f"{page.key}--{tag['id']}"
        for tag in article.find_all(["img", "source"], src=True):
            tag["src"] = _from_root(folder, tag["src"])
        for tag in article.find_all("a", href=True):
            tag["href"] = _book_link(tag["href"], page, inside, book.site)
        for details in article.find_all("details"):
            if "solution" in details.get("class", []):
                if solutions:
                    details["open"] = ""
                elif details.has_attr("open"):
                    del details["open"]
            else:
                details["open"] = ""
        article["id"] = f"{page.key}--"
        article["class"] = [*article.get("class", []), "book-part"]
        parts.append(str(article))
    contents = []
    for page in pages:
        number = f"{page.chapter}.&nbsp;" if page.chapter is not None else ""
        where = str(page_numbers.get(page.docname, "")) if page_numbers else "000"
        contents.append(
            f'<li class="{"toc-chapter" if page.chapter is not None else "toc-page"}">'
            f'<a href="#{page.key}--"><span class="toc-title">{number}{_html_escape(page.title)}'
            f'</span><span class="toc-page-number">{where}</span></a></li>'
        )
    variant = "with solutions" if solutions else "without solutions"
    return f"""<!DOCTYPE html>
<html lang="en" data-theme="light" data-mode="light">
{head}
<body class="book-print">
<style>
  .book-print .book-part {{ break-before: page; }}
  .book-title-page {{ text-align: center; padding-top: 30%; break-after: page; }}
  .book-title-page .book-title {{ font-size: 2.4em; font-weight: 600; margin-bottom: .5em; }}
  .book-title-page p {{ margin: .4em 0; }}
  .book-contents ol {{ list-style: none; padding: 0; }}
  .book-contents li a {{ display: flex; gap: .5em; color: inherit; text-decoration: none;
                         padding: .15em 0; }}
  .book-contents li.toc-chapter {{ font-weight: 600; }}
  .book-contents .toc-title {{ flex: 1; border-bottom: 1px dotted #999; }}
  .book-contents .toc-page-number {{ min-width: 2.5em; text-align: right; }}
</style>
<main class="bd-main"><div class="bd-content"><div class="bd-article-container">
<section class="book-title-page">
  <div class="book-title">{_html_escape(book.title)}</div>
  {f"<p>{_html_escape(subtitle)}</p>" if subtitle else ""}
  <p>{_html_escape(book.authors)} · {book.year}</p>
  <p>Version {_html_escape(book.version)} · {variant}</p>
  <p><a href="{book.site}">{book.site}</a></p>
</section>
<nav class="book-contents" aria-label="Contents">
  <h1>Contents</h1>
  <ol>{"".join(contents)}</ol>
</nav>
{"".join(parts)}
</div></div></main>
</body>
</html>
"""


def _from_root(folder: str, src: str) -> str:
    if urlsplit(src).scheme or src.startswith(("/", "data:")):
        return src
    return posixpath.normpath(posixpath.join(folder, src))


def _book_link(href: str, page: Page, inside: dict[str, Page], site: str) -> str:
    parts = urlsplit(href)
    if parts.scheme or href.startswith("//"):
        return href
    if not parts.path:  # an anchor on the same page
        return f"#{page.key}--{parts.fragment}" if parts.fragment else f"#{page.key}--"
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page.docname), parts.path))
    docname = target[: -len(".html")] if target.endswith(".html") else None
    if docname in inside:
        anchor = parts.fragment
        return f"#{inside[docname].key}--{anchor}"
    return site + target + (f"#{parts.fragment}" if parts.fragment else "")


def print_book(
    context: Any, base: str, html: Path, book: Book, path: Path, solutions: bool, subtitle: str = ""
) -> None:
    pages = [p for p in book.pages if p.docname != book.root]
    url = base + "__book__.html"
    label = f"{book.title} {book.version} · "
    title = f"{book.title}, version {book.version}"
    numbers: dict[str, int] | None = None
    for _ in range(2):  # the first printing finds the page numbers for the contents
        document = book_document(html, book, pages, solutions, numbers, subtitle)
        tab = context.new_page()
        try:
            tab.route(url, functools.partial(_fulfil, body=document))
            tab.goto(url, wait_until="load")
            tab.evaluate(PREPARE, {"site": book.site, "page": "", "solutions": solutions})
            print_pdf(tab, path, title, label)
        finally:
            tab.close()
        numbers = first_pages(path, pages)


def _fulfil(route: Any, *, body: str) -> None:
    route.fulfill(body=body, content_type="text/html; charset=utf-8")


def first_pages(path: Path, pages: list[Page]) -> dict[str, int]:
    """On which page of the PDF each part of the book starts (from the PDF's outline)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(path.read_bytes()))
    found: dict[str, int] = {}
    outline = [item for item in reader.outline if not isinstance(item, list)]
    titles = [
        (_norm(str(item.title)), reader.get_destination_page_number(item) + 1) for item in outline
    ]
    for page in pages:
        want = _norm((f"{page.chapter}. " if page.chapter is not None else "") + page.title)
        for title, number in titles:
            if title.startswith(want) and page.docname not in found:
                found[page.docname] = number
                break
    return found


def _norm(text: str) -> str:
    """A heading's text without its spaces (an outline entry loses those of line breaks)."""
    return re.sub(r"\s+", "", text).rstrip("#")


# -- Everything ----------------------------------------------------------------------------
def print_all(
    html: Path,
    out: Path,
    *,
    whole_book: bool = True,
    chapters: bool = True,
    solutions: tuple[bool, ...] = (True, False),
    subtitle: str = "",
    slug: str = "gdbook",
) -> list[Path]:
    """Print the book in ``html`` into ``out``; the paths of the PDFs written."""
    book = Book.read(html)
    written = []
    start = time.perf_counter()
    profile = out / ".chromium-profile"
    shutil.rmtree(profile, ignore_errors=True)
    with serve(html) as base, browser(profile) as context:
        for with_solutions in solutions:
            suffix = "" if with_solutions else "-no-solutions"
            if whole_book:
                path = out / f"{slug}-{book.version}{suffix}.pdf"
                print_book(context, base, html, book, path, with_solutions, subtitle)
                written.append(path)
            for page in book.chapters if chapters else []:
                path = out / "chapters" / f"{page.pdf_name}{suffix}.pdf"
                print_chapter(context, base, book, page, path, with_solutions)
                written.append(path)
    shutil.rmtree(profile, ignore_errors=True)
    for path in written:
        print(f"{path.relative_to(out)}: {path.stat().st_size:,} bytes", flush=True)
    print(f"{len(written)} PDFs in {time.perf_counter() - start:.0f} s", flush=True)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("html", type=Path, help="the built HTML book")
    parser.add_argument("out", type=Path, help="the folder to write the PDFs into")
    parser.add_argument("--subtitle", default="", help="a line for the title page")
    parser.add_argument("--slug", default="gdbook", help="the whole book's file name")
    args = parser.parse_args(argv)
    if not (args.html / CONTENTS).is_file():
        parser.error(f"{args.html} is not a built book (no {CONTENTS}): build it first")
    print_all(args.html, args.out, subtitle=args.subtitle, slug=args.slug)
    return 0


if __name__ == "__main__":
    sys.exit(main())
