"""Link every function of the API reference to the chapters that use it.

While Sphinx reads a page, the code of its cells is parsed (with :mod:`ast`, not by
searching text) to find the ``gdbook`` functions it calls, whatever name they were
imported under; a ``literalinclude`` of the package's source counts as a use too. On the
API page, each documented function ends with a ``gdbook-used-in`` directive, added by an
``autodoc-process-docstring`` hook, that becomes a list of links to those chapters once
all pages have been read.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from bookext import metadata

PACKAGE = "gdbook"


class used_in(nodes.General, nodes.Element):
    """Placeholder for the list of chapters that use ``node['target']``."""


class UsedInDirective(Directive):
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        return [used_in(target=self.arguments[0])]


def names_used(code: str, aliases: dict[str, str]) -> set[str]:
    """Fully qualified ``gdbook`` names that a piece of code refers to.

    ``aliases`` maps local names to what they were imported as; the imports of ``code``
    are added to it, so the cells of a page can be read in order like a kernel runs them.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    local = alias.asname or PACKAGE
                    aliases[local] = alias.name if alias.asname else PACKAGE
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == PACKAGE:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                found.add(f"{node.module}.{alias.name}")
    for node in ast.walk(tree):
        dotted = _dotted(node) if isinstance(node, (ast.Attribute, ast.Name)) else None
        if dotted:
            head, _, rest = dotted.partition(".")
            if head in aliases:
                found.add(f"{aliases[head]}.{rest}".rstrip("."))
    return found


def _usage(env: BuildEnvironment) -> dict[str, set[str]]:
    """Chapters (docnames) by the qualified gdbook name they use; pickled with the env."""
    if not hasattr(env, "gdbook_usage"):
        env.gdbook_usage = {}  # type: ignore[attr-defined]
    usage: dict[str, set[str]] = env.gdbook_usage  # type: ignore[attr-defined]
    return usage


def _dotted(node: ast.expr) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _collect(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    docname = env.docname
    usage = _usage(env)
    package_dir = Path(app.srcdir).parent / PACKAGE
    aliases: dict[str, str] = {}
    for block in doctree.findall(nodes.literal_block):
        source = block.get("source", "")
        if source and Path(source).resolve().is_relative_to(package_dir.resolve()):
            module = Path(source).resolve().relative_to(package_dir.resolve()).with_suffix("")
            obj = block.get("pyobject") or ""
            names = {".".join([PACKAGE, *module.parts, obj]).rstrip(".")}
        elif block.get("language", "") in ("ipython3", "python", "default", ""):
            names = names_used(block.astext(), aliases)
        else:
            continue
        for name in names:
            usage.setdefault(name, set()).add(docname)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    for docs in _usage(env).values():
        docs.discard(docname)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: Any) -> None:
    usage = _usage(env)
    for name, docs in _usage(other).items():
        usage.setdefault(name, set()).update(docs & docnames)


def _append_directive(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    if what in ("function", "class") and name.startswith(PACKAGE + "."):
        lines.extend(["", f".. gdbook-used-in:: {name}", ""])


def _resolve(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    env = app.env
    for placeholder in list(doctree.findall(used_in)):
        target = placeholder["target"]
        chapters = sorted(
            (env.toc_secnumbers.get(doc, {}).get("", (10**6,)), doc)
            for doc in _usage(env).get(target, ())
            if doc != fromdocname
        )
        para = nodes.paragraph(classes=["gdbook-used-in"])
        para += nodes.strong(text="Used in: ")
        if not chapters:
            para += nodes.Text("not yet used in the book.")
        for i, (number, doc) in enumerate(chapters):
            if i:
                para += nodes.Text(", ")
            label = env.titles[doc].astext()
            if number and number[0] < 10**6:
                label = f"Chapter {number[0]}, {label}"
            uri = app.builder.get_relative_uri(fromdocname, doc)
            para += nodes.reference(label, label, internal=True, refuri=uri)
        placeholder.replace_self(para)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(used_in)
    app.add_directive("gdbook-used-in", UsedInDirective)
    app.connect("doctree-read", _collect)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("autodoc-process-docstring", _append_directive)
    app.connect("doctree-resolved", _resolve)
    return metadata()
