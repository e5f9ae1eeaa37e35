"""A book without solutions, for teachers who set the exercises: ``-D hide_solutions=1``.

sphinx-exercise (1.2.1) implements ``hide_solutions`` by dropping each ``solution-start``
directive and keeping its ``solution-end``, which no writer knows how to write: the build
stops with ``NotImplementedError: unknown node type: solution_end_node``. So the book takes
the option over. It tells sphinx-exercise to keep the solutions, lets it merge each gated
solution (start, text, code cells, end) into one node, and then removes those nodes before
anything is numbered, indexed or written. Exercises, their numbers and every label stay as
they are; the solutions' text, code and figures appear nowhere in the output: not on the
pages, not in the search index, not in the downloadable notebook (built from the page, see
:mod:`bookext.downloads`) and not in the page's Markdown source offered for download,
from which the solutions are cut at the end of the build.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms import SphinxTransform
from sphinx_exercise.nodes import solution_node

from bookext import metadata

_OPENER = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>solution|solution-start|solution-end)\}")


def _take_over(app: Sphinx, config: Config) -> None:
    config.book_hide_solutions = bool(config.hide_solutions)
    config.hide_solutions = False


class RemoveSolutions(SphinxTransform):
    """Remove every solution, once sphinx-exercise has merged the gated ones (priority 10)."""

    default_priority = 50

    def apply(self, **kwargs: Any) -> None:
        if not self.config.book_hide_solutions:
            return
        for node in list(self.document.findall(solution_node)):
            node.parent.remove(node)


def strip_solutions(markdown: str) -> str:
    """A MyST page's source with every ``solution`` and gated solution cut out."""
    lines = markdown.splitlines(keepends=True)
    kept: list[str] = []
    i = 0
    while i < len(lines):
        opener = _OPENER.match(lines[i])
        if opener is None or opener["name"] == "solution-end":
            kept.append(lines[i])
            i += 1
            continue
        if opener["name"] == "solution-start":  # skip to the solution-end directive
            while i < len(lines) and not (
                (end := _OPENER.match(lines[i])) and end["name"] == "solution-end"
            ):
                i += 1
            opener = _OPENER.match(lines[i]) if i < len(lines) else None
        fence = opener["fence"] if opener else ""
        i += 1
        while i < len(lines) and lines[i].strip() != fence:  # to the directive's closing fence
            i += 1
        i += 1
        while kept and i < len(lines) and not kept[-1].strip() and not lines[i].strip():
            i += 1  # no doubled blank line where a solution was
    return "".join(kept)


def _clean_output(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not app.config.book_hide_solutions:
        return
    if app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for docname in app.env.found_docs:
        copy = outdir / "_sources" / (docname + Path(app.env.doc2path(docname)).suffix)
        if copy.is_file():
            copy.write_text(strip_solutions(copy.read_text(encoding="utf-8")), encoding="utf-8")
    # Figures drawn only by solutions are no longer used; bookext.history deletes them.


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx_exercise")
    app.add_config_value("book_hide_solutions", False, "env", types=[bool])
    app.connect("config-inited", _take_over, priority=100)
    app.add_transform(RemoveSolutions)
    app.connect("build-finished", _clean_output)
    return metadata()
