"""The chapters a student downloads as notebooks: plain Jupyter, and they run.

Each chapter's ``.ipynb`` download must read in stock Jupyter as the page reads in the book
(no MyST markup; computed numbers, equation numbers and cross-references as text), carry
exactly the chapter's code, and run from top to bottom in an environment made the way the
preface tells a student to make it.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from book import DOCS, ROOT, chapter_docnames

CHAPTERS = chapter_docnames()
# Markup that only the book's Sphinx understands.
MYST = {
    "role": re.compile(r"\{[a-z][\w:-]*\}`"),
    "directive": re.compile(r"^\s*(?:>\s*)*(?:`{3,}|:{3,})\s*\{[a-z]", re.M),
    "target": re.compile(r"^\s*\([\w-]+\)=\s*$", re.M),
    "colon fence": re.compile(r"^\s*:::", re.M),
}


def notebook(html_dir: Path, docname: str) -> dict:
    return json.loads((html_dir / "_sources" / f"{docname}.ipynb").read_text(encoding="utf-8"))


def markdown(nb: dict) -> str:
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def source_code_cells(docname: str) -> list[str]:
    from myst_nb.core.read import read_myst_markdown_notebook

    text = (DOCS / f"{docname}.md").read_text(encoding="utf-8")
    return [c.source for c in read_myst_markdown_notebook(text).cells if c.cell_type == "code"]


@pytest.mark.site
@pytest.mark.parametrize("docname", CHAPTERS)
def test_downloaded_notebook_reads_as_plain_jupyter(html_dir, docname):
    nb = notebook(html_dir, docname)
    text = markdown(nb)
    page = BeautifulSoup((html_dir / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
    article = page.select_one("article.bd-article")

    left = {kind: pattern.findall(text)[:3] for kind, pattern in MYST.items()}
    assert not any(left.values()), f"MyST markup left in the notebook: {left}"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "jupytext" not in nb["metadata"] and "mystnb" not in json.dumps(nb["metadata"])

    # Equations: LaTeX with the book's numbers, in the book's order.
    numbers = [e.get_text(" ", strip=True).strip("()# ") for e in article.select(".eqno")]
    assert re.findall(r"\\tag\{([\d.]+)\}", text) == numbers

    # Computed numbers: shown as the values the page shows.
    glued = [s.get_text(" ", strip=True) for s in article.select(".pasted-text")]
    missing = [value for value in glued if value not in text]
    assert not missing, f"glued values not in the notebook's text: {missing[:5]}"

    # The chapter number in the title, every exercise with its number, the figures' captions.
    number = CHAPTERS.index(docname) + 1
    title = article.find("h1").get_text(" ", strip=True).rstrip("#").strip()
    assert text.startswith(f"# {title}")
    exercises = [
        re.sub(r"\s+", " ", e.select_one(".admonition-title").get_text(" ", strip=True))
        for e in article.select("div.exercise")
    ]
    assert exercises and all(f"**{e}**" in re.sub(r"\s+", " ", text) for e in exercises)
    figures = [c.get_text(strip=True) for c in article.select("figcaption .caption-number")]
    for figure in figures:
        assert f"**{figure.rstrip('.: ')}.**" in text
    assert f"Chapter {number}" in text

    # Links lead to the book's pages, not to pages of a local build.
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert links and all(link.startswith(("https://", "http://")) for link in links)

    # The code is the chapter's code, every cell, in order (the hidden ones included).
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert code == source_code_cells(docname)


@pytest.mark.site
def test_notebook_outputs_are_the_pages_outputs(html_dir):
    nb = notebook(html_dir, CHAPTERS[0])
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    figures = ("image/svg+xml", "image/png")  # the book's are SVG; a reader's kernel may draw PNG
    assert any(kind in o.get("data", {}) for o in outputs for kind in figures)
    assert not any(
        key.startswith("application/papermill.record/")
        for o in outputs
        for key in o.get("data", {})
    ), "glue's records are for the book, not for a reader"


def preface_install_command() -> list[str]:
    """The one command the preface gives for running a chapter yourself."""
    text = (DOCS / "preface.md").read_text(encoding="utf-8")
    section = text.split("## Running a chapter yourself", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    lines = [line for block in commands for line in block.splitlines() if "pip install" in line]
    assert len(lines) == 1, f"the preface should give one install command, found {lines}"
    return shlex.split(lines[0].split("#", 1)[0])


RUN_NOTEBOOKS = """
import sys, time, nbformat
from nbclient import NotebookClient
failures = []
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    except Exception as error:
        failures.append(f"{path}: {type(error).__name__}: {str(error)[-2000:]}")
    print(f"{path} {time.perf_counter() - start:.1f} s", flush=True)
print("\\n\\n".join(failures))
sys.exit(1 if failures else 0)
"""


@pytest.mark.slow
@pytest.mark.site
def test_every_notebook_runs_in_a_fresh_environment_made_as_the_preface_says(html_dir, tmp_path):
    command = preface_install_command()
    assert command[:4] == ["python", "-m", "pip", "install"]
    venv = tmp_path / "student"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    start = time.perf_counter()
    install = subprocess.run(
        [python, *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    installed = time.perf_counter() - start

    # Where a student would put them: a folder of their own, away from the repository.
    work = tmp_path / "downloads"
    work.mkdir()
    paths = []
    for docname in CHAPTERS:
        target = work / f"{docname.replace('/', '-')}.ipynb"
        target.write_bytes((html_dir / "_sources" / f"{docname}.ipynb").read_bytes())
        paths.append(str(target))
    start = time.perf_counter()
    run = subprocess.run(
        [python, "-c", RUN_NOTEBOOKS, *paths],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    print(f"install {installed:.0f} s, run {time.perf_counter() - start:.0f} s\n{run.stdout}")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
