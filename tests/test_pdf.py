"""The book printed to PDF by Chromium (``nox -s pdf``), checked by reading the PDFs back.

The built site is printed once per test session, as ``nox -s pdf`` prints it: the whole
book and every chapter, with and without solutions. Each PDF must have page numbers, the
chapter's number in its title, every equation and figure number of the page, embedded
fonts, working links (within the PDF, or to the published book; never to the local
server), and no text past the right margin (code that is cut rather than wrapped).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from book import DOCS, chapter_docnames

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHAPTERS = chapter_docnames()
A4_WIDTH = 595.28  # points
MARGIN = 16 / 25.4 * 72  # the printer's left and right margins, 16 mm


@pytest.fixture(scope="module")
def pdfs(html_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("playwright")
    sys.path.insert(0, str(DOCS / "_ext"))
    from bookext import pdf

    if not (os.environ.get("GDBOOK_CHROMIUM") or pdf.shutil.which("chromium")):
        pytest.fail("Chromium not found: install it or set GDBOOK_CHROMIUM (nox does).")
    out = tmp_path_factory.mktemp("pdf")
    pdf.print_all(html_dir, out)
    return out


def text_of(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def squash(text: str) -> str:
    """Text without whitespace or hyphens: a PDF's text breaks lines (and words) where it
    likes, and pdfium reports a hyphen at a line's end as U+FFFE ("cross-entropy" in a
    title that wraps there comes back as "cross\ufffeentropy")."""
    return re.sub(r"[\s\u00ad\ufffe-]+", "", text)


def chapter_pdf(pdfs: Path, docname: str, solutions: bool = True) -> Path:
    number = CHAPTERS.index(docname) + 1
    suffix = "" if solutions else "-no-solutions"
    return pdfs / "chapters" / f"{number:02d}-{docname.rsplit('/', 1)[-1]}{suffix}.pdf"


def page_facts(html_dir: Path, docname: str) -> dict:
    page = BeautifulSoup((html_dir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
    article = page.select_one("article.bd-article")
    solutions = []
    for solution in article.select(".solution"):
        # The longest run of plain words in the solution's prose (math comes out of a PDF
        # in its own order).
        runs = [
            " ".join(str(text).split())
            for p in solution.select("p")
            for text in p.find_all(string=True)
            if not text.find_parent(class_=["math", "katex", "pasted-text"])
        ]
        runs = [r for r in runs if len(r) >= 25]
        if runs:
            solutions.append(max(runs, key=len)[:60])
    return {
        "title": article.find("h1").get_text(" ", strip=True).rstrip("#").strip(),
        "equations": [e.get_text(" ", strip=True).strip("# ") for e in article.select(".eqno")],
        "figures": [
            c.get_text(strip=True).rstrip(".: ")
            for c in article.select("figcaption .caption-number")
        ],
        "exercises": len(article.select(".exercise")),
        "solutions": solutions,
    }


def test_every_pdf_is_printed(pdfs, version):
    names = {p.relative_to(pdfs).as_posix() for p in pdfs.rglob("*.pdf")}
    expected = {f"gdbook-{version}.pdf", f"gdbook-{version}-no-solutions.pdf"}
    for docname in CHAPTERS:
        for solutions in (True, False):
            expected.add(chapter_pdf(pdfs, docname, solutions).relative_to(pdfs).as_posix())
    assert names == expected


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_pdf_has_its_numbers_and_no_cut_lines(pdfs, html_dir, docname):
    facts = page_facts(html_dir, docname)
    with_solutions = text_of(chapter_pdf(pdfs, docname))
    without = text_of(chapter_pdf(pdfs, docname, solutions=False))
    text = squash("".join(with_solutions))
    number = CHAPTERS.index(docname) + 1

    assert squash(with_solutions[0]).startswith(squash(facts["title"])), "the numbered title"
    assert facts["title"].startswith(f"{number}.")
    assert all(squash(eq) in text for eq in facts["equations"]), "every equation's number"
    assert all(squash(fig) in text for fig in facts["figures"]), "every figure's number"
    assert text.count(squash(f"Exercise {number}.")) >= facts["exercises"]
    assert f"Chapter{number}in" in text, "the one-line citation"
    assert "@incollection" not in text and "Clicktoshow" not in text.replace(" ", "")
    assert re.search(rf"Chapter{number}·1/{len(with_solutions)}", squash(with_solutions[0]))

    # With solutions, their text; without, none of it, but every exercise.
    bare = squash("".join(without))
    assert facts["solutions"], "the chapter's solutions have text"
    for solution in facts["solutions"]:
        assert squash(solution) in text
        assert squash(solution) not in bare
    assert "Solutionto" in text and "Solutionto" not in bare
    assert bare.count(squash(f"Exercise {number}.")) >= facts["exercises"]
    assert len(without) < len(with_solutions)

    assert not text_past_margin(chapter_pdf(pdfs, docname))


def text_past_margin(path: Path) -> list[str]:
    """Characters drawn outside the page's left and right margins (1 pt of slack)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    outside = []
    try:
        for number, page in enumerate(document, start=1):
            width = page.get_width()
            textpage = page.get_textpage()
            for i in range(textpage.count_chars()):
                left, _, right, _ = textpage.get_charbox(i)
                if right > width - MARGIN + 1 or left < MARGIN - 1:
                    char = textpage.get_text_range(i, 1)
                    if char.strip():
                        around = textpage.get_text_range(max(0, i - 30), 40)
                        outside.append(f"page {number}: {around!r}")
                        break
    finally:
        document.close()
    return outside


def test_whole_book_has_contents_outline_links_and_fonts(pdfs, html_dir, version):
    from pypdf import PdfReader

    path = pdfs / f"gdbook-{version}.pdf"
    reader = PdfReader(str(path))
    pages = text_of(path)
    assert len(pages) > 100

    # The outline holds every chapter, and the printed contents give the same pages.
    outline = {
        squash(str(item.title)): reader.get_destination_page_number(item) + 1
        for item in reader.outline
        if not isinstance(item, list)
    }
    contents = squash(pages[1])
    for docname in CHAPTERS:
        title = squash(page_facts(html_dir, docname)["title"])
        page = next((n for t, n in outline.items() if t.startswith(title)), None)
        assert page is not None, f"{title} is not in the outline"
        assert f"{title}{page}" in contents, f"{title} should be listed on page {page}"
        assert squash(pages[page - 1]).startswith(title), f"{title} starts page {page}"

    # Links: within the PDF, or to this version of the published book.
    internal, external = 0, []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            link = annotation.get_object()
            action = link.get("/A")
            if link.get("/Dest") is not None or (action and action.get("/S") == "/GoTo"):
                internal += 1
            elif action and action.get("/URI"):
                external.append(str(action["/URI"]))
    assert internal > 500, "cross-references jump within the PDF"
    assert not [u for u in external if "127.0.0.1" in u or "localhost" in u]
    site = f"https://gdbook.github.io/gdbook/{version}/"
    assert any(u.startswith(site) for u in external)

    assert not unembedded_fonts(reader)
    assert not text_past_margin(path)


def unembedded_fonts(reader) -> set[str]:
    missing = set()
    for page in reader.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for font in fonts.values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":
                continue  # glyphs drawn by the PDF's own procedures: nothing to embed
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.add(str(font.get("/BaseFont")))
    return missing


def test_book_without_solutions_has_every_exercise_and_no_solution(pdfs, version, html_dir):
    text = squash("".join(text_of(pdfs / f"gdbook-{version}-no-solutions.pdf")))
    assert "Solutionto" not in text
    for docname in CHAPTERS:
        facts = page_facts(html_dir, docname)
        number = CHAPTERS.index(docname) + 1
        assert text.count(squash(f"Exercise {number}.")) >= facts["exercises"]
        assert not [s for s in facts["solutions"] if squash(s) in text]
