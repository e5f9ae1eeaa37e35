"""Executing the chapters: a cache that cannot go stale, and failures that say where.

jupyter-cache recognises a notebook by its code cells alone, so on its own it would keep
showing results computed by an older ``gdbook``. :func:`cache_key` digests the package's
source and the versions of the libraries the cells run with; ``conf.py`` puts the cache
in a folder named by that digest. A change inside ``gdbook/`` therefore changes a
configuration value, which makes Sphinx re-read every chapter, and points myst-nb at an
empty cache, which makes every chapter execute again. Caches under other keys are
deleted at the start of a build.

Kernels get matplotlib's inline backend whatever ``MPLBACKEND`` says, so figures cannot
silently go missing; and an output that is matplotlib's ``<Figure size ...>`` placeholder
(the figure failed to render, typically a mathtext error in a label, which IPython
swallows) or that shows a memory address (``<... at 0x7f...>``, different on every run)
is a warning, so ``-W`` stops the build.

A cell that raises stops the build with a :class:`CellFailure` naming the chapter's file,
the cell's number and line, the exception, the cell's code and its traceback.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
from importlib import metadata as distributions
from pathlib import Path
from typing import Any

from docutils import nodes
from myst_nb.core.execute.base import ExecutionError
from myst_nb.core.read import read_myst_markdown_notebook
from myst_nb.sphinx_ import Parser
from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util import logging

from bookext import metadata

logger = logging.getLogger(__name__)

#: Libraries whose version can change what a cell prints or draws.
RUNTIME = ("numpy", "matplotlib", "torch")
_KEY = re.compile(r"[0-9a-f]{16}")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL = re.compile(r"executing the following cell:\n-+\n(.*?)\n-+\n", re.DOTALL)
_FIGURE_PLACEHOLDER = re.compile(r"<Figure size \d+x\d+ with \d+ Axes>")
_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,}")


def cache_key(package: Path, *settings: Path) -> str:
    """Sixteen hex digits that change whenever the package or the runtime changes.

    ``settings`` are further files that change what the cells produce (the kernels'
    IPython configuration, say).
    """
    digest = hashlib.sha256(f"python {platform.python_version()}\n".encode())
    for name in RUNTIME:
        try:
            digest.update(f"{name} {distributions.version(name)}\n".encode())
        except distributions.PackageNotFoundError:
            digest.update(f"{name} absent\n".encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    for path in settings:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class CellFailure(SphinxError):
    """A code cell of a chapter raised an exception while the book was built."""

    category = "A chapter failed to execute"


class BookParser(Parser):
    """myst-nb's parser, with execution failures reported by chapter, cell and line."""

    def parse(self, inputstring: str, document: Any) -> None:
        try:
            super().parse(inputstring, document)
        except ExecutionError as error:
            env = document.settings.env
            source = Path(env.doc2path(env.docname))
            where = source.relative_to(Path(env.srcdir).parent).as_posix()
            line, summary, report = describe(inputstring, error.__cause__)
            logger.error("%s\n\n%s", summary, report, location=(env.docname, line))
            # Raising (rather than only logging) stops the build before the environment
            # is saved, so the failed chapter is read and executed again next time.
            message = f"{where}:{line}: {summary}" if line else f"{where}: {summary}"
            raise CellFailure(message) from None


def describe(text: str, cause: BaseException | None) -> tuple[int | None, str, str]:
    """The line, a one-line summary and the full report of the cell that raised ``cause``.

    ``text`` is the chapter's MyST source; ``cause`` is nbclient's exception, whose
    message quotes the failing cell's code and its traceback.
    """
    report = _ANSI.sub("", str(cause))
    failed = _CELL.search(report)
    notebook = read_myst_markdown_notebook(text, add_source_map=True)
    lines = notebook.metadata["source_map"]
    code_cells = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    error = f"{getattr(cause, 'ename', type(cause).__name__)}: {getattr(cause, 'evalue', '')}"
    for number, index in enumerate(code_cells, start=1):
        if failed and notebook.cells[index].source.strip() == failed.group(1).strip():
            return lines[index], f"code cell {number} raised {error}", report
    return None, f"a code cell failed ({error})", report


def _check_outputs(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Warn about outputs that betray a figure that was not drawn or a run-dependent value.

    Runs once myst-nb has chosen which representation of each output to show (a figure's
    text placeholder is dropped when its image exists), so at ``doctree-resolved``.
    """
    for block in doctree.findall(nodes.literal_block):
        if "output" not in block.get("classes", []):
            continue
        text = block.astext()
        if _FIGURE_PLACEHOLDER.search(text):
            logger.warning(
                "a figure was not drawn: the output is %r instead of an image "
                "(matplotlib failed to render it; check the labels' mathtext)",
                _FIGURE_PLACEHOLDER.search(text).group(0),
                location=block,
            )
        if _ADDRESS.search(text):
            logger.warning(
                "an output shows a memory address, which differs on every run: %r "
                "(end the cell with ';' or show a value instead)",
                text.strip()[:80],
                location=block,
            )


def _prune_other_caches(app: Sphinx) -> None:
    current = Path(app.config.nb_execution_cache_path)
    if current.parent.is_dir() and _KEY.fullmatch(current.name):
        for other in current.parent.iterdir():
            if other != current and other.is_dir() and _KEY.fullmatch(other.name):
                shutil.rmtree(other)


def setup(app: Sphinx) -> dict[str, Any]:
    # Kernels inherit this process's environment. With MPLBACKEND set (to Agg, say) they
    # would not use the inline backend, and every figure would silently vanish.
    os.environ.pop("MPLBACKEND", None)
    app.setup_extension("myst_nb")
    app.add_source_parser(BookParser, override=True)
    app.connect("builder-inited", _prune_other_caches)
    app.connect("doctree-resolved", _check_outputs)
    return metadata()
