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

Sphinx numbers figures by walking every page's doctree on every build, and unpickling them
all costs seconds even when nothing changed. The walk only looks at sections, toctrees and
numbered items, so each page's doctree is kept in memory (and in the pickled environment)
as a skeleton of just those; a page that is read again loses its skeleton and the walk
reads its full doctree once more. A page is written again when its own numbers moved or
when it refers to an item of a page whose numbers moved ("see (8.3)" on another page).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
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


def _numbered(env: BuildEnvironment, node: nodes.Element) -> bool:
    """Whether Sphinx's figure walk would number `node` (its own test, in its order)."""
    for domain in env.domains.sorted():
        if isinstance(domain, StandardDomain) and not domain.get_numfig_title(node):
            continue
        if domain.get_enumerable_node_type(node):
            return bool(node["ids"])
    return False


def _skeleton(env: BuildEnvironment, node: nodes.Element) -> nodes.Element | None:
    """`node` without the subtrees that hold no section, toctree or numbered item."""
    outline = isinstance(node, (nodes.section, addnodes.toctree))
    if not outline and _numbered(env, node):
        # Whole, so that its title and kind read as before; raw output cannot matter.
        whole = node.deepcopy()
        for raw in list(whole.findall(nodes.raw)):
            raw.parent.remove(raw)
        return whole
    kept = [
        pruned
        for child in node.children
        if isinstance(child, nodes.Element) and (pruned := _skeleton(env, child)) is not None
    ]
    if not kept and not outline:
        return None
    trimmed = node.copy()
    trimmed.extend(kept)
    return trimmed


def _detached(skeleton: nodes.Element) -> nodes.Element:
    # A copy remembers the document it came from; pickled, it would carry the whole page.
    for node in skeleton.findall():
        node.document = None
    return skeleton


@contextmanager
def _skeletons(env: BuildEnvironment) -> Iterator[None]:
    """Let Sphinx's figure walk read skeletons where it would unpickle whole doctrees."""
    skeletons: dict[str, nodes.Element] = env.__dict__.setdefault("bookext_skeletons", {})
    references = _references(env)
    full = env.get_doctree

    def get_doctree(docname: str) -> nodes.Element:
        if docname in skeletons:
            return skeletons[docname]
        doctree = full(docname)
        skeleton = _detached(_skeleton(env, doctree) or nodes.container())
        skeletons[docname] = skeleton
        # Every name a numbered item answers to, and every name the page refers to.
        defined = {
            str(name).lower()
            for item in skeleton.findall(nodes.Element)
            if not isinstance(item, (nodes.section, addnodes.toctree))
            for name in [*item["names"], *item["ids"], item.get("label")]
            if name
        }
        targets = {
            str(xref["reftarget"]).lower()
            for xref in doctree.findall(addnodes.pending_xref)
            if xref.get("reftarget")
        }
        references[docname] = (defined, targets)
        return doctree

    env.get_doctree = get_doctree  # type: ignore[method-assign]
    try:
        yield
    finally:
        del env.get_doctree


def _references(env: BuildEnvironment) -> dict[str, tuple[set[str], set[str]]]:
    """For each page: the names of its numbered items, and the names it refers to."""
    return env.__dict__.setdefault("bookext_references", {})


def _forget_skeleton(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    env.__dict__.get("bookext_skeletons", {}).pop(docname, None)
    _references(env).pop(docname, None)


def _assign_figures(self: TocTreeCollector, env: BuildEnvironment) -> list[str]:
    # The numbers of the last build (a page read again has lost its own from
    # env.toc_fignumbers by now, though they may not have moved).
    before: dict[str, Any] = env.__dict__.get("bookext_fignumbers", {})
    with _skeletons(env):
        _sphinx_assign_figures(self, env)
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
    # Sphinx compared its own numbers with the adjusted ones of the last build; compare
    # the adjusted ones, so that a page is rewritten only when its numbers really moved.
    docs = before.keys() | env.toc_fignumbers.keys()
    moved = {doc for doc in docs if env.toc_fignumbers.get(doc) != before.get(doc)}
    env.__dict__["bookext_fignumbers"] = copy.deepcopy(env.toc_fignumbers)
    references = _references(env)
    names = set().union(*(references[doc][0] for doc in moved if doc in references))
    readers = {doc for doc, (_, targets) in references.items() if targets & names}
    return sorted(moved | readers)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("book_appendices", {}, "env", types=[dict])
    TocTreeCollector.assign_section_numbers = _assign_continuous  # type: ignore[method-assign]
    TocTreeCollector.assign_figure_numbers = _assign_figures  # type: ignore[method-assign]
    app.connect("env-purge-doc", _forget_skeleton)
    return metadata(parallel_read_safe=False)
