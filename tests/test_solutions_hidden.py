"""The book without solutions, for teachers: ``nox -s docs -- -D hide_solutions=1``.

The real book is built with that option (into a folder of its own, reusing the execution
cache), as README and the page for teachers tell a teacher to build it. Every exercise
must be there with its number, label and links as in the full book; no solution's text,
code or heading may appear anywhere in the output: pages, search index, downloadable
notebooks and Markdown sources.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from book import DOCS, chapter_docnames

pytestmark = [pytest.mark.slow, pytest.mark.site]

CHAPTERS = chapter_docnames()


@pytest.fixture(scope="module")
def hidden(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("no-solutions")
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
        "hide_solutions=1",
        str(DOCS),
        str(out / "html"),
    ]
    log = out / "build.log"
    with log.open("w") as output:
        process = subprocess.run(command, stdout=output, stderr=subprocess.STDOUT, timeout=1800)
    assert process.returncode == 0, log.read_text()[-5000:]
    return out / "html"


def article(html: Path, docname: str):
    page = BeautifulSoup((html / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
    return page.select_one("article.bd-article")


def solution_texts(html_dir: Path) -> list[str]:
    """A distinctive line of each solution of the full book: prose or code."""
    found = []
    for docname in CHAPTERS:
        for solution in article(html_dir, docname).select(".solution"):
            lines = [
                line.strip()
                for block in solution.select("p, pre")
                for line in block.get_text().splitlines()
            ]
            lines = [ln for ln in lines if len(ln) > 30 and not ln.startswith(("import", "#"))]
            assert lines, "a solution with some text"
            found.append(max(lines, key=len)[:50])
    return found


def test_every_exercise_stays_with_its_number_label_and_links(hidden, html_dir):
    for docname in CHAPTERS:
        full, bare = article(html_dir, docname), article(hidden, docname)
        assert not bare.select(".solution"), docname

        def exercises(body):
            return [
                (e["id"], e.select_one(".admonition-title").get_text(" ", strip=True))
                for e in body.select("div.exercise")
            ]

        def numbers(body):
            # Outside solutions: a figure or equation inside one (chapter 6 draws a figure in
            # a solution) is rightly gone from the book without solutions; every number
            # outside them must stay as it is.
            return [
                e.get_text(strip=True)
                for e in body.select(".eqno, .caption-number")
                if e.find_parent(class_="solution") is None
            ]

        def links(body):
            for solution in body.select(".solution"):
                solution.decompose()
            return [a["href"] for a in body.select("a.reference.internal[href]")]

        assert exercises(bare) == exercises(full) and exercises(full)
        assert numbers(bare) == numbers(full)
        assert links(bare) == links(full)


def test_no_solution_text_anywhere_in_the_output(hidden, html_dir):
    texts = solution_texts(html_dir)
    assert len(texts) >= len(CHAPTERS) * 3
    squashed = [re.sub(r"\s+", " ", t) for t in texts]
    leaks = []
    for path in hidden.rglob("*"):
        if not path.is_file() or path.suffix not in {".html", ".js", ".ipynb", ".md", ".txt"}:
            continue
        content = re.sub(r"\s+", " ", path.read_text(encoding="utf-8", errors="replace"))
        content = content.replace("\\n", " ").replace('\\"', '"')
        if "Solution to" in content and path.suffix == ".html":
            leaks.append(f"{path.relative_to(hidden)}: 'Solution to'")
        leaks += [f"{path.relative_to(hidden)}: {t!r}" for t in squashed if t in content]
    assert not leaks, leaks[:10]


def test_the_notebooks_keep_every_exercise_and_no_solution_code(hidden, html_dir):
    import json

    for docname in CHAPTERS:
        full = json.loads((html_dir / "_sources" / f"{docname}.ipynb").read_text())
        bare = json.loads((hidden / "_sources" / f"{docname}.ipynb").read_text())
        code = ["".join(c["source"]) for c in bare["cells"] if c["cell_type"] == "code"]
        full_code = ["".join(c["source"]) for c in full["cells"] if c["cell_type"] == "code"]
        assert code and len(code) < len(full_code)
        assert all(cell in full_code for cell in code)
        text = "".join("".join(c["source"]) for c in bare["cells"])
        assert "Solution to" not in text
        number = CHAPTERS.index(docname) + 1
        assert text.count(f"**Exercise {number}.") == len(
            article(html_dir, docname).select("div.exercise")
        )
