"""Number the chapters 1, 2, 3, ... straight through the parts of the book.

Each part is a numbered toctree of its own, so that the sidebar shows the part's caption.
Sphinx starts every numbered toctree at 1, which would make the first chapter of Part II
"chapter 1" again. After Sphinx has numbered the sections, this extension shifts the
numbers of each part by the number of chapters in the parts before it. It runs before
figures and equations are numbered, so "Figure 5.2" and "(5.3)" follow automatically.

Pages outside the numbered parts would share one counter: Sphinx numbers their figures and
equations 1, 2, 3, ... straight across every such page, so a new equation on one page would
renumber the next. An appendix is named by a letter instead (``book_appendices`` in
``conf.py`` maps its docname to the letter), and its figures, equations, exercises and
results are numbered A.1, A.2, ... on their own, whatever the other pages hold; the other
pages outside the parts are counted as if the appendices were not there.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector

from bookext import metadata

_sphinx_assign = TocTreeCollector.assign_section_numbers
_sphinx_assign_figures = TocTreeCollector.assign_figure_numbers


def _assign_continuous(self: TocTreeCollector, env: BuildEnvironment) -> list[str]:
    before = dict(env.toc_secnumbers)
    _sphinx_assign(self, env)
    root = env.config.root_doc
    if root in env.numbered_toctrees:
        offset = 0
        for toctree in env.get_doctree(root).findall(addnodes.toctree):
            if not toctree.get("numbered"):
                continue
            chapters = [ref for _, ref in toctree["entries"] if ref in env.toc_secnumbers]
            if offset:
                for docname in _with_descendants(env, chapters):
                    _shift(env, docname, offset)
            offset += len(chapters)
    return [doc for doc, numbers in env.toc_secnumbers.items() if numbers != before.get(doc)]


def _with_descendants(env: BuildEnvironment, docnames: list[str]) -> set[str]:
    found: set[str] = set()
    stack = list(docnames)
    while stack:
        docname = stack.pop()
        if docname not in found and docname in env.toc_secnumbers:
            found.add(docname)
            stack.extend(env.toctree_includes.get(docname, []))
    return found


def _shift(env: BuildEnvironment, docname: str, offset: int) -> None:
    env.toc_secnumbers[docname] = {
        anchor: (number[0] + offset, *number[1:]) if number else number
        for anchor, number in env.toc_secnumbers[docname].items()
    }
    # The sidebar and the previous/next links read the numbers stored on the toc nodes.
    shifted: list[nodes.Element] = [env.titles[docname]]
    shifted.extend(env.tocs[docname].findall(nodes.reference))
    for node in shifted:
        number = node.get("secnumber")
        if number:
            node["secnumber"] = [number[0] + offset, *number[1:]]


def _assign_figures(self: TocTreeCollector, env: BuildEnvironment) -> list[str]:
    before = dict(env.toc_fignumbers)
    changed = set(_sphinx_assign_figures(self, env))
    appendices = env.config.book_appendices
    # Sphinx gave the pages outside the numbered parts one counter per kind of item, the
    # appendices included; count those pages again in the same order without them.
    shared: dict[str, list[tuple[int, str, str]]] = {}
    for docname, fignumbers in env.toc_fignumbers.items():
        if docname in appendices:
            continue
        for figtype, numbers in fignumbers.items():
            for key, number in numbers.items():
                if len(number) == 1:
                    shared.setdefault(figtype, []).append((number[0], docname, key))
    for figtype, entries in shared.items():
        for k, (_, docname, key) in enumerate(sorted(entries), start=1):
            env.toc_fignumbers[docname][figtype][key] = (k,)
    for docname, letter in appendices.items():
        for numbers in env.toc_fignumbers.get(docname, {}).values():
            # Sphinx counted in reading order; keep the order and restart at 1.
            ordered = sorted(numbers, key=numbers.__getitem__)
            numbers.update({key: (letter, k) for k, key in enumerate(ordered, start=1)})
    changed |= {doc for doc, numbers in env.toc_fignumbers.items() if numbers != before.get(doc)}
    return sorted(changed)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("book_appendices", {}, "env", types=[dict])
    TocTreeCollector.assign_section_numbers = _assign_continuous  # type: ignore[method-assign]
    TocTreeCollector.assign_figure_numbers = _assign_figures  # type: ignore[method-assign]
    return metadata(parallel_read_safe=False)
