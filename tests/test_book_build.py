"""The promises of the build itself, checked on small books built with the book's own conf.py.

Each test copies the real configuration, extensions, static files and package into a
temporary folder, writes a few short chapters, and runs ``sphinx-build`` exactly as
``nox -s docs`` does (warnings are errors).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from book import DOCS, ROOT

pytestmark = pytest.mark.slow

FRONT = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---
"""


@dataclass
class MiniBook:
    root: Path

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def html(self) -> Path:
        return self.docs / "_build" / "html"

    def write(self, relative: str, text: str) -> Path:
        path = self.docs / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def index(self, *parts: list[str]) -> None:
        blocks = []
        for number, chapters in enumerate(parts, start=1):
            entries = "\n".join(chapters)
            blocks.append(
                f"```{{toctree}}\n:caption: Part {number}\n:numbered: 2\n\n{entries}\n```"
            )
        self.write("index.md", "(home)=\n# A small book\n\n" + "\n\n".join(blocks) + "\n")

    def build(self, *options: str) -> Build:
        # The temporary copy of gdbook comes first on the path, for Sphinx and the kernels.
        env = {**os.environ, "PYTHONPATH": str(self.root)}
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n"]
        log = self.root / "build.log"
        with log.open("w") as output:  # a file, not a pipe: no stray child can hold it open
            process = subprocess.run(
                [*command, *options, str(self.docs), str(self.html)],
                stdout=output,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.root,
                timeout=600,
            )
        return Build(process.returncode, log.read_text())


@dataclass
class Build:
    returncode: int
    output: str


def chapter(label: str, title: str, body: str) -> str:
    return f"{FRONT}\n({label})=\n# {title}\n\n{body}\n"


@pytest.fixture
def mini(tmp_path: Path) -> MiniBook:
    """A book with the real configuration, extensions and package, and no chapters yet."""
    (tmp_path / "docs").mkdir()
    for name in ("conf.py", "references.bib"):
        shutil.copy2(DOCS / name, tmp_path / "docs" / name)
    for folder in ("_ext", "_static", "_templates"):
        shutil.copytree(DOCS / folder, tmp_path / "docs" / folder, ignore=_no_caches)
    shutil.copytree(ROOT / "gdbook", tmp_path / "gdbook", ignore=_no_caches)
    shutil.copy2(ROOT / "CITATION.cff", tmp_path / "CITATION.cff")
    return MiniBook(tmp_path)


def _no_caches(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n == "__pycache__"]


@pytest.mark.parametrize("workers", ["1", "2"], ids=["serial", "side-by-side"])
def test_failing_cell_stops_the_build_naming_file_line_and_cell(mini: MiniBook, workers: str):
    mini.index(["part1/broken"])
    source = chapter(
        "ch-broken",
        "Broken",
        "Text.\n\n```{code-cell} ipython3\nslope = 10.0\n```\n\nMore text.\n\n"
        '```{code-cell} ipython3\nassert slope == 11.0, "slope should be 11"\n```\n',
    )
    mini.write("part1/broken.md", source)
    fences = [i for i, text in enumerate(source.splitlines(), 1) if text.startswith("```{code")]
    line = fences[1]  # the second code cell's opening fence

    result = mini.build("-D", f"book_execution_workers={workers}")

    assert result.returncode != 0
    output = result.output
    expected = f"docs/part1/broken.md:{line}: code cell 2 raised AssertionError: slope should be 11"
    assert expected in output
    assert f"part1/broken.md:{line}: ERROR: code cell 2 raised AssertionError" in output
    assert 'assert slope == 11.0, "slope should be 11"' in output  # the cell's code is shown


def test_chapters_execute_side_by_side_each_in_a_fresh_kernel(mini: MiniBook):
    mini.index(["part1/first", "part1/second", "part1/broken"])
    pid = "```{code-cell} ipython3\nimport os\nprint('kernel', os.getpid())\n```\n"
    first = "```{code-cell} ipython3\nleft_behind = 1\n```\n\n" + pid
    second = "```{code-cell} ipython3\nassert 'left_behind' not in globals()\n```\n\n" + pid
    mini.write("part1/first.md", chapter("ch-first", "First", first))
    mini.write("part1/second.md", chapter("ch-second", "Second", second))
    broken = chapter(
        "ch-broken",
        "Broken",
        "Text.\n\n```{code-cell} ipython3\nimport math\n\nmath.sqrt(-1)\n```\n",
    )
    mini.write("part1/broken.md", broken)
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if text.startswith("```{"))

    result = mini.build("-D", "book_execution_workers=2")

    # The two good chapters ran side by side and were stored; the broken one ran once and
    # stops the build with its file, line, cell, code and traceback.
    output = result.output
    assert result.returncode != 0
    assert "executing 3 chapters, 2 at a time" in output
    assert "executed part1/first in" in output and "executed part1/second in" in output
    assert (
        f"docs/part1/broken.md:{line}: code cell 1 raised ValueError: math domain error" in output
    )
    assert "math.sqrt(-1)" in output and "Traceback" in output
    assert "Executing notebook using" not in output  # myst-nb executed nothing itself

    mini.write("part1/broken.md", broken.replace("sqrt(-1)", "sqrt(1)"))
    result = mini.build("-D", "book_execution_workers=2")

    assert result.returncode == 0, result.output
    assert "executing 1 chapter, 1 at a time" in result.output  # the others are cached
    assert "Executing notebook using" not in result.output
    kernels = [
        re.findall(r"kernel (\d+)", (mini.html / "part1" / f"{name}.html").read_text())
        for name in ("first", "second")
    ]
    assert len(kernels[0]) == len(kernels[1]) == 1 and kernels[0] != kernels[1]


def test_a_change_in_gdbook_re_executes_without_clearing_anything(mini: MiniBook):
    mini.index(["part1/value"])
    cell = "```{code-cell} ipython3\nimport gdbook\nprint('version-says', gdbook.__version__)\n```"
    mini.write("part1/value.md", chapter("ch-value", "Value", cell))
    init = mini.root / "gdbook" / "__init__.py"
    citation = mini.root / "CITATION.cff"

    assert mini.build().returncode == 0
    page = mini.html / "part1" / "value.html"
    before = re.findall(r"version-says (\S+)", page.read_text())
    assert before == [_version(init)]

    # A new package version (CITATION.cff must follow, or the build refuses).
    init.write_text(init.read_text().replace(before[0], "9.9.9"))
    citation.write_text(citation.read_text().replace(f'"{before[0]}"', '"9.9.9"'))
    result = mini.build()
    assert result.returncode == 0, result.output
    assert re.findall(r"version-says (\S+)", page.read_text()) == ["9.9.9"]
    # Executed again: by the pre-pass (one chapter per core), or by myst-nb on one core.
    assert re.search(r"executed part1/value in|Executing notebook using", result.output)
    caches = list((mini.docs / "_build" / ".jupyter_cache").iterdir())
    assert len(caches) == 1, "the cache of the old package is gone"


def test_chapters_number_straight_through_the_parts(mini: MiniBook):
    mini.index(["part1/one", "part1/two"], ["part2/three"])
    for slug, label in (("part1/one", "one"), ("part1/two", "two"), ("part2/three", "three")):
        body = f"$$\nE = m c^2\n$$ ({label}-eq)\n\nSee {{eq}}`{label}-eq`.\n"
        mini.write(f"{slug}.md", chapter(f"ch-{label}", label.title(), body))

    result = mini.build()

    assert result.returncode == 0, result.output
    three = (mini.html / "part2" / "three.html").read_text()
    assert re.search(r'<span class="section-number">3\. </span>Three', three)
    assert '<span class="eqno">(3.1)' in three
    assert "Chapter 3 in" in three  # the cite box follows the book's numbering
    sidebar = BeautifulSoup(three, "html.parser").select("nav.bd-links a")
    titles = [a.get_text(" ", strip=True) for a in sidebar]
    assert titles == ["A small book", "1. One", "2. Two", "3. Three"]


def test_an_appendix_numbers_by_its_letter_whatever_the_other_pages_hold(mini: MiniBook):
    # conf.py's book_appendices names the page "mathematics" appendix A.
    mini.index(["part1/one"])
    index = mini.docs / "index.md"
    back_matter = "\n```{toctree}\n:caption: Back\n\nnotes\nmathematics\n```\n"
    index.write_text(index.read_text() + back_matter)
    mini.write(
        "part1/one.md",
        chapter("ch-one", "One", "$$\nx = 1\n$$ (one-eq)\n\nSee {eq}`app-second`.\n"),
    )
    mini.write("notes.md", "(notes)=\n# Notes\n\n$$\ny = 2\n$$ (notes-eq)\n")
    body = "$$\na = b\n$$ (app-first)\n\n$$\nc = d\n$$ (app-second)\n\nBy {eq}`app-first`.\n"
    mini.write("mathematics.md", chapter("app-maths", "Appendix A: Maths", body))

    result = mini.build()

    assert result.returncode == 0, result.output
    page = (mini.html / "mathematics.html").read_text()
    assert re.findall(r'<span class="eqno">(\([^)]*\))', page) == ["(A.1)", "(A.2)"]
    assert '<a class="reference internal" href="#equation-app-first">(A.1)</a>' in page
    assert '<span class="eqno">(1)' in (mini.html / "notes.html").read_text()
    one = (mini.html / "part1" / "one.html").read_text()
    assert '<span class="eqno">(1.1)' in one
    assert re.search(r'href="\.\./mathematics\.html#equation-app-second">\(A\.2\)</a>', one)
    assert "Cite this chapter" not in page


def test_an_appendix_takes_no_numbers_from_the_pages_after_it(mini: MiniBook):
    # Sphinx counts the equations of every page outside the numbered parts on one
    # counter; the appendix's must not push the numbers of a page read after it.
    mini.index(["part1/one"])
    index = mini.docs / "index.md"
    back_matter = "\n```{toctree}\n:caption: Back\n\nmathematics\nnotes\n```\n"
    index.write_text(index.read_text() + back_matter)
    mini.write("part1/one.md", chapter("ch-one", "One", "$$\nx = 1\n$$ (one-eq)\n"))
    body = "$$\na = b\n$$ (app-first)\n\n$$\nc = d\n$$ (app-second)\n"
    mini.write("mathematics.md", chapter("app-maths", "Appendix A: Maths", body))
    notes = "$$\ny = 2\n$$ (notes-eq)\n\nSee {eq}`notes-eq` and {eq}`app-second`.\n"
    mini.write("notes.md", f"(notes)=\n# Notes\n\n{notes}")

    result = mini.build()

    assert result.returncode == 0, result.output
    page = (mini.html / "notes.html").read_text()
    assert re.findall(r'<span class="eqno">(\([^)]*\))', page) == ["(1)"]
    assert '<a class="reference internal" href="#equation-notes-eq">(1)</a>' in page
    assert re.search(r'href="mathematics\.html#equation-app-second">\(A\.2\)</a>', page)
    maths = (mini.html / "mathematics.html").read_text()
    assert re.findall(r'<span class="eqno">(\([^)]*\))', maths) == ["(A.1)", "(A.2)"]


def test_a_formula_katex_cannot_typeset_fails_the_build(mini: MiniBook):
    mini.index(["part1/tex"])
    mini.write("part1/tex.md", chapter("ch-tex", "TeX", "A broken formula $\\frac{1}{$.\n"))

    result = mini.build()

    assert result.returncode != 0
    assert "KaTeX could not typeset a formula" in result.output


def test_citation_must_match_the_package_version(mini: MiniBook):
    mini.index(["part1/tex"])
    mini.write("part1/tex.md", chapter("ch-tex", "TeX", "Text.\n"))
    citation = mini.root / "CITATION.cff"
    citation.write_text(re.sub(r'(?m)^version: "[^"]+"', 'version: "0.0.1"', citation.read_text()))

    result = mini.build()

    assert result.returncode != 0
    assert "CITATION.cff gives version 0.0.1" in result.output


def test_two_clean_builds_give_identical_pages_and_figures(mini: MiniBook):
    mini.index(["part1/figure"])
    cells = (
        "```{code-cell} ipython3\nimport matplotlib.pyplot as plt\nimport numpy as np\n"
        "from gdbook import data, plotting\n\nplt.style.use('gdbook.book')\n"
        "x, y = data.line_data(50, rng=np.random.default_rng(3))\nfig, ax = plt.subplots()\n"
        "plotting.data_with_line(ax, x, y, [10.0]);\n```\n"
    )
    mini.write("part1/figure.md", chapter("ch-figure", "Figure", cells))

    digests = []
    for _ in range(2):
        shutil.rmtree(mini.docs / "_build", ignore_errors=True)
        result = mini.build()
        assert result.returncode == 0, result.output
        digests.append(_digest(mini.html))

    assert digests[0] == digests[1]
    assert any(name.startswith("_images/") for name in digests[0]), "the figure was drawn"
    figures = [name for name in digests[0] if name.startswith("_images/")]
    assert all(name.endswith(".svg") for name in figures), figures


def test_a_rebuild_gives_the_pages_of_a_clean_build(mini: MiniBook):
    # Extensions that copied their style sheets after the pages were written left the
    # ?v= checksum out of a clean build's pages and put it into a rebuild's.
    mini.index(["part1/plain"])
    body = "Text.\n\n```{prf:definition} Plain\n:label: plain-def\n\nA definition.\n```\n"
    mini.write("part1/plain.md", chapter("ch-plain", "Plain", body))

    assert (clean := mini.build()).returncode == 0, clean.output
    first = _digest(mini.html)
    assert (again := mini.build("-E")).returncode == 0, again.output

    assert _digest(mini.html) == first
    page = (mini.html / "part1" / "plain.html").read_text()
    sheets = re.findall(r'<link rel="stylesheet" [^>]*href="([^"]+)"', page)
    assert any("proof.css?v=" in s for s in sheets), sheets
    assert all("?v=" in s for s in sheets), sheets

    # A build killed while writing: a page cut short, newer than its source, and no
    # search index yet. The next build must not take the page for up to date.
    (mini.html / ".build-unfinished").touch()
    (mini.html / "part1" / "plain.html").write_text(page[:100])
    (mini.html / "searchindex.js").unlink()
    assert (resumed := mini.build()).returncode == 0, resumed.output
    assert _digest(mini.html) == first
    assert not (mini.html / ".build-unfinished").exists()


def test_rebuilds_after_edits_give_the_site_of_a_clean_build(mini: MiniBook):
    # Figure numbers come from skeletons of the pages (bookext/numbering.py); the API's
    # source pages and unused images from earlier builds are taken care of by
    # bookext/history.py. Equations, figures and theorems, in the parts and outside.
    mini.index(["part1/one", "part1/two"])
    index = mini.docs / "index.md"
    back_matter = "\n```{toctree}\n:caption: Back\n\nnotes\nmathematics\n```\n"
    index.write_text(index.read_text() + back_matter)
    for name in ("a", "b", "c", "d"):
        mini.write(f"{name}.svg", f'<svg xmlns="http://www.w3.org/2000/svg" id="{name}"/>\n')

    def figure(name: str) -> str:
        return f"```{{figure}} ../{name}.svg\n:name: fig-{name}\n\nFigure {name}.\n```\n"

    def equation(label: str) -> str:
        return f"$$\nx = 1\n$$ ({label})\n\nSee {{eq}}`{label}` and {{numref}}`fig-a`.\n"

    theorem = "```{prf:theorem} Kept\n:label: thm-kept\n\nTrue.\n```\n"
    mini.write("part1/one.md", chapter("ch-one", "One", equation("one-eq") + figure("a")))
    mini.write("part1/two.md", chapter("ch-two", "Two", figure("b") + theorem + equation("two-eq")))
    mini.write("notes.md", "(notes)=\n# Notes\n\n$$\ny = 2\n$$ (notes-eq)\n")
    mini.write("mathematics.md", chapter("app-maths", "Appendix A: Maths", equation("app-eq")))
    assert (first := mini.build()).returncode == 0, first.output
    built = _digest(mini.html)

    assert (unchanged := mini.build()).returncode == 0, unchanged.output
    assert not re.search(r"writing output\.\.\. \[", unchanged.output), unchanged.output
    assert _digest(mini.html) == built

    # Numbers move on every page: an equation and a figure before the others, a figure
    # dropped (its image must go), a new chapter, an equation outside the parts.
    one = [equation("new-eq"), figure("c"), equation("one-eq"), figure("a")]
    mini.write("part1/one.md", chapter("ch-one", "One", "".join(one)))
    mini.write("part1/two.md", chapter("ch-two", "Two", theorem + equation("two-eq")))
    mini.write("part1/three.md", chapter("ch-three", "Three", equation("three-eq") + figure("d")))
    index.write_text(index.read_text().replace("part1/two\n", "part1/two\npart1/three\n"))
    notes = "$$\nz = 0\n$$ (first-eq)\n\n$$\ny = 2\n$$ (notes-eq)\n"
    mini.write("notes.md", f"(notes)=\n# Notes\n\n{notes}")
    assert (edited := mini.build()).returncode == 0, edited.output
    rebuilt = _digest(mini.html)
    shutil.rmtree(mini.docs / "_build")
    assert (clean := mini.build()).returncode == 0, clean.output

    assert rebuilt == _digest(mini.html)
    two = (mini.html / "part1" / "two.html").read_text()
    assert '<span class="eqno">(2.1)' in two and "Theorem 2.1" in two

    def numbers(page: str) -> list[str]:
        return re.findall(r'<span class="eqno">(\([^)]*\))', (mini.html / page).read_text())

    assert numbers("part1/one.html") == ["(1.1)", "(1.2)"]
    assert numbers("notes.html") == ["(1)", "(2)"]
    assert "Figure 3.1" in (mini.html / "part1" / "three.html").read_text()
    assert sorted(n for n in rebuilt if n.startswith("_images/")) == [
        "_images/a.svg",
        "_images/c.svg",
        "_images/d.svg",
    ]


def test_the_teachers_build_over_the_readers_leaves_no_solution_behind(mini: MiniBook):
    # README's teacher command builds into the folder the readers' build used: a figure
    # drawn only in a solution must not stay in _images (bookext/history.py prunes it).
    mini.index(["part1/ex"])
    for name in ("shown", "solved"):
        mini.write(f"{name}.svg", f'<svg xmlns="http://www.w3.org/2000/svg" id="{name}"/>\n')
    body = (
        "```{figure} ../shown.svg\n:name: fig-shown\n\nShown.\n```\n\n"
        "```{exercise}\n:label: ex-one\n\nDraw it.\n```\n\n"
        "````{solution-start} ex-one\n:class: dropdown\n````\n\n"
        "```{figure} ../solved.svg\n:name: fig-solved\n\nSolved.\n```\n\n"
        "````{solution-end}\n````\n"
    )
    mini.write("part1/ex.md", chapter("ch-ex", "Ex", body))
    assert (readers := mini.build()).returncode == 0, readers.output
    assert (mini.html / "_images" / "solved.svg").is_file()

    assert (teachers := mini.build("-D", "hide_solutions=1")).returncode == 0, teachers.output
    over = _digest(mini.html)
    shutil.rmtree(mini.docs / "_build")
    assert (clean := mini.build("-D", "hide_solutions=1")).returncode == 0, clean.output

    assert over == _digest(mini.html)
    assert sorted(n for n in over if n.startswith("_images/")) == ["_images/shown.svg"]


def _version(init: Path) -> str:
    return re.search(r'__version__ = "([^"]+)"', init.read_text()).group(1)


def _digest(html: Path) -> dict[str, str]:
    """Content digests of every page and image of a built site."""
    return {
        path.relative_to(html).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(html.rglob("*"))
        if path.is_file() and path.suffix in {".html", ".png", ".svg", ".ipynb", ".js"}
    }


def test_katex_server_connection_waits_until_the_server_listens(tmp_path: Path):
    """The socket file appears at bind(), before listen(): connecting then is refused.

    A stand-in server binds, waits half a second, and only then listens; the build's
    connection must wait for it instead of failing.
    """
    sys.path.insert(0, str(DOCS / "_ext"))
    from sphinxcontrib import katex

    from bookext import mathcheck

    server = (
        "import socket, sys, time\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        "s.bind(sys.argv[1]); time.sleep(0.5); s.listen(1)\n"
        "conn, _ = s.accept(); conn.recv(1)\n"
    )

    class Slow(katex.KaTeXServer):
        @classmethod
        def build_command(cls, socket=None, port=None):
            return [sys.executable, "-c", server, str(socket)]

    process, connection = mathcheck._start_server_process(Slow, tmp_path, 30.0)
    connection.close()
    assert process.wait(timeout=10) == 0
    process.stdin.close()
    process.stdout.close()


def test_a_figure_that_fails_to_render_or_an_address_fails_the_build(mini: MiniBook):
    mini.index(["part1/outputs"])
    cells = (
        "```{code-cell} ipython3\nimport matplotlib.pyplot as plt\n\n"
        "fig, ax = plt.subplots()\nax.set_xlabel(r'$\\lVert v \\rVert$');\n```\n\n"
        "```{code-cell} ipython3\nobject()\n```\n"
    )
    mini.write("part1/outputs.md", chapter("ch-outputs", "Outputs", cells))

    result = mini.build()

    assert result.returncode != 0
    assert "part1/outputs.md" in result.output
    assert "a figure was not drawn" in result.output
    assert "an output shows a memory address" in result.output
