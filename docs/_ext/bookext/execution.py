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

Chapters execute side by side, one per core. Before Sphinx reads the pages it is about to
read, :func:`_execute_ahead` runs every chapter the cache lacks, each in its own fresh
kernel (exactly as myst-nb would, one after another), and stores the results in the
cache; myst-nb then finds every chapter there. A chapter that failed is not stored: its
failure is kept, and the parser reports it when it reaches that chapter. ``-D
book_execution_workers=1`` turns the pre-pass off (myst-nb alone, chapter after chapter:
the benchmark's serial baseline).
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
from concurrent.futures import ThreadPoolExecutor, as_completed
from importlib import metadata as distributions
from pathlib import Path
from typing import Any

from docutils import nodes
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.cache.db import NbProjectRecord
from jupyter_cache.executors.utils import ExecutionResult, single_nb_execution
from myst_nb.core.execute.base import ExecutionError
from myst_nb.core.read import create_nb_reader, read_myst_markdown_notebook
from myst_nb.sphinx_ import Parser
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
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


#: Chapters whose execution ahead of reading failed: source path -> nbclient's result.
_FAILED: dict[str, ExecutionResult] = {}


class BookParser(Parser):
    """myst-nb's parser, with execution failures reported by chapter, cell and line."""

    def parse(self, inputstring: str, document: Any) -> None:
        env = document.settings.env
        failed = _FAILED.pop(env.doc2path(env.docname).as_posix(), None)
        if failed is not None:
            if failed.exc_string:
                logger.warning("Executing notebook failed:\n%s", failed.exc_string)
            _fail(env, inputstring, failed.err)
        try:
            super().parse(inputstring, document)
        except ExecutionError as error:
            _fail(env, inputstring, error.__cause__)


def _fail(env: BuildEnvironment, inputstring: str, cause: BaseException | None) -> None:
    """Report the failed cell of the chapter being read, and stop the build."""
    source = Path(env.doc2path(env.docname))
    where = source.relative_to(Path(env.srcdir).parent).as_posix()
    line, summary, report = describe(inputstring, cause)
    logger.error("%s\n\n%s", summary, report, location=(env.docname, line))
    # Raising (rather than only logging) stops the build before the environment
    # is saved, so the failed chapter is read and executed again next time.
    message = f"{where}:{line}: {summary}" if line else f"{where}: {summary}"
    raise CellFailure(message) from None


def workers(app: Sphinx) -> int:
    """How many chapters execute at once: ``book_execution_workers``, or one per core."""
    chosen = int(app.config.book_execution_workers)
    if chosen > 0:
        return chosen
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _execute_ahead(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Execute, side by side, the chapters about to be read that the cache lacks.

    Each chapter runs in its own fresh kernel, as myst-nb runs it (same notebook, working
    folder, timeout and error policy); the kernels are separate processes, so threads
    that wait for them are enough to keep every core busy.
    """
    _FAILED.clear()
    config = env.mystnb_config
    if workers(app) < 2 or config.execution_mode != "cache":
        return
    if config.execution_in_temp or config.execution_excludepatterns:
        return  # settings the book does not use and this pre-pass does not mirror
    cache = get_cache(config.execution_cache_path)
    pending = []
    for docname in docnames:
        path = env.doc2path(docname)
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, config, text)
        if reader is None:  # a plain Markdown page
            continue
        notebook = reader.read(text)
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            pending.append((docname, path, notebook, reader.read_fmt))
    if not pending:
        return
    count = min(workers(app), len(pending))
    plural = "s" if len(pending) > 1 else ""
    logger.info("executing %d chapter%s, %d at a time", len(pending), plural, count)

    def execute(path: Path, notebook: Any) -> ExecutionResult:
        return single_nb_execution(
            notebook,
            cwd=str(path.parent),
            timeout=config.execution_timeout,
            allow_errors=config.execution_allow_errors,
            meta_override=True,
        )

    with ThreadPoolExecutor(max_workers=count) as pool:
        running = {pool.submit(execute, job[1], job[2]): job for job in pending}
        # Each result is stored as it arrives: an interrupted build keeps what finished.
        for future in as_completed(running):
            docname, path, notebook, read_fmt = running[future]
            result = future.result()
            if result.err is not None:
                logger.info("executing %s failed after %.1f s", docname, result.time)
                _FAILED[path.as_posix()] = result
                continue
            logger.info("executed %s in %.1f s", docname, result.time)
            reading = {"read_data": read_fmt} if read_fmt is not None else {}
            record = cache.add_nb_to_project(str(path), **reading)
            NbProjectRecord.remove_tracebacks([record.pk], cache.db)
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, record.uri, data={"execution_seconds": result.time}),
                check_validity=False,
                overwrite=True,
            )


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
    app.add_config_value("book_execution_workers", 0, "", types=frozenset({int}))
    app.connect("builder-inited", _prune_other_caches)
    app.connect("env-before-read-docs", _execute_ahead)
    app.connect("doctree-resolved", _check_outputs)
    return metadata()
