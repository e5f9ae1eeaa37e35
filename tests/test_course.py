"""Course editions (``nox -s course -- 2 5 6``): chosen chapters, the full book's numbers.

The real book's chapters 2, 5 and 6 are built as a course edition (reusing the execution
cache) and printed to PDF. Their chapter, equation and figure numbers must be those of the
full book; references to chapters left out must lead to the full book's pages; every link
inside the edition must resolve; a chapter the book does not have stops the build with a
message that says which chapters it has.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from book import DOCS, chapter_docnames

pytestmark = [pytest.mark.slow, pytest.mark.site]

CHAPTERS = chapter_docnames()
KEEP = (2, 5, 6)  # chapter 2 comes first; chapter 6 cites equations of chapter 1


def build_course(html_dir: Path, out: Path, chapters: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-W",
        "--keep-going",
        "-n",
        "-d",
        str(out / "doctrees"),
        "-D",
        f"book_course={chapters}",
        "-D",
        f"book_full_html={html_dir}",
        str(DOCS),
        str(out / "html"),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def course(html_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("course")
    result = build_course(html_dir, out, ",".join(map(str, KEEP)))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return out / "html"


def article(html: Path, docname: str):
    page = BeautifulSoup((html / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
    return page.select_one("article.bd-article")


def test_only_the_chosen_chapters_with_the_full_books_numbers(course, html_dir):
    for number, docname in enumerate(CHAPTERS, start=1):
        if number not in KEEP:
            assert not (course / f"{docname}.html").exists(), docname
            continue
        full, mine = article(html_dir, docname), article(course, docname)

        def numbers(body):
            return (
                body.find("h1").get_text(" ", strip=True),
                [e.get_text(strip=True) for e in body.select(".eqno, .caption-number")],
                [
                    e.select_one(".admonition-title").get_text(" ", strip=True)
                    for e in body.select("div.exercise")
                ],
            )

        assert numbers(mine) == numbers(full)
        assert f"Chapter {number} in" in mine.select_one(".cite-chapter").get_text(" ")
    contents = json.loads((course / "_static" / "book-contents.json").read_text())
    assert [p["chapter"] for p in contents["pages"] if p["chapter"]] == list(KEEP)
    sidebar = BeautifulSoup((course / "index.html").read_text(), "html.parser")
    assert "chapters 2, 5, 6" in sidebar.get_text(" ")


def test_references_to_chapters_left_out_lead_to_the_full_book(course, version):
    site = f"https://gdbook.github.io/gdbook/{version}/"
    left_out = [d for n, d in enumerate(CHAPTERS, start=1) if n not in KEEP]
    outside = []
    for path in course.rglob("*.html"):
        for a in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select("a[href]"):
            if any(a["href"].startswith(site + d + ".html") for d in left_out):
                outside.append(a)
    assert outside, "chapters 2, 5 and 6 refer to chapters left out"
    assert all(
        "full-book" in a.get("class", [])
        for a in outside
        if "reference" in a.get("class", []) or "full-book" in a.get("class", [])
    )
    texts = {a.get_text(strip=True) for a in outside}
    assert any(t.startswith("(") and t.endswith(")") for t in texts), "equation numbers"


def test_every_link_inside_the_course_resolves(course):
    broken = []
    ids: dict[Path, set[str]] = {}
    for path in course.rglob("*.html"):
        if "_static" in path.parts:
            continue
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for a in page.select("a[href]"):
            parts = urlsplit(a["href"])
            if parts.scheme or a["href"].startswith(("//", "mailto:", "javascript:")):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.exists():
                broken.append(f"{path.relative_to(course)} -> {a['href']}")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = {
                        e["id"]
                        for e in BeautifulSoup(
                            target.read_text(encoding="utf-8"), "html.parser"
                        ).select("[id]")
                    }
                if unquote(parts.fragment) not in ids[target]:
                    broken.append(f"{path.relative_to(course)} -> {a['href']}")
    assert not broken, broken[:10]


def test_a_chapter_the_book_does_not_have_stops_the_build_clearly(html_dir, tmp_path):
    result = build_course(html_dir, tmp_path, "2,42")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"The book has no chapter 42: its chapters are 1–{len(CHAPTERS)}" in output


@pytest.mark.browser
def test_the_course_prints_to_pdf(course, tmp_path):
    pytest.importorskip("playwright")
    sys.path.insert(0, str(DOCS / "_ext"))
    from bookext import pdf

    if not (os.environ.get("GDBOOK_CHROMIUM") or pdf.shutil.which("chromium")):
        pytest.fail("Chromium not found")
    [path] = pdf.print_all(course, tmp_path, chapters=False, solutions=(True,), slug="course")
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    outline = [str(i.title).replace(" ", "") for i in reader.outline if not isinstance(i, list)]
    chapters = [t.split(".", 1)[0] for t in outline if t[:1].isdigit()]
    assert chapters == [str(n) for n in KEEP]
