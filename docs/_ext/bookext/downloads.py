"""Offer each executed chapter for download as a plain Jupyter notebook (``.ipynb``).

A student opens the download in JupyterLab, VS Code or Colab, none of which understands
the book's MyST markup. So the notebook's text is written from the page as the book shows
it, not from its source: computed (glued) numbers as their values; definitions, theorems,
exercises, solutions and admonitions as block quotes with a bold title; equations as
LaTeX with the book's numbers (``\\tag{5.3}``); references to equations, figures,
exercises and chapters as their text ("(5.3)", "Figure 5.2", "chapter 1") linking to the
page of the book that holds them, at this version's address. The code cells are the
chapter's code cells, in order, including those the page hides (which compute the glued
numbers and check the text's claims), with the outputs of the build's execution cache —
the outputs the page shows. A figure's caption follows its cell.

sphinx-book-theme links an ``.ipynb`` download only when launch buttons are configured,
which an offline book has none of, so this also tells the theme's download menu about it.
A node of the page that this writer does not know is a warning, so ``-W`` stops the build
rather than let a notebook silently lose text.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from docutils import nodes
from jupyter_cache import get_cache
from myst_nb.core.read import read_myst_markdown_notebook
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

from bookext import metadata
from bookext.versions import page_url

logger = logging.getLogger(__name__)

#: Outputs of ``glue(..., display=False)``: data for the book, nothing for a reader.
_GLUE_MIME = "application/papermill.record/"
_ESCAPE = re.compile(r"([\\`*_$<\[\]])")
_REMOVED = {"remove-cell", "remove_cell"}


@dataclass
class _Code:
    """A code cell of the source notebook, by index."""

    index: int


@dataclass
class _Writer:
    """Turns a resolved doctree into Markdown blocks and code-cell markers, in order."""

    app: Sphinx
    docname: str
    unknown: set[str] = field(default_factory=set)

    # -- addresses -----------------------------------------------------------------------
    def url(self, node: nodes.Element) -> str:
        if node.get("refuri"):
            uri: str = node["refuri"]
            if "://" in uri or uri.startswith("mailto:"):
                return uri
            path, _, anchor = uri.partition("#")
            here = posixpath.dirname(self.docname)
            page = (
                posixpath.normpath(posixpath.join(here, path)) if path else self.docname + ".html"
            )
            return page_url(self.app, page) + (f"#{anchor}" if anchor else "")
        if node.get("refid"):
            return page_url(self.app, self.docname + ".html") + "#" + node["refid"]
        return ""

    # -- inline --------------------------------------------------------------------------
    def inline(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Text):
            return _ESCAPE.sub(r"\\\1", node.astext().replace("\n", " "))
        if isinstance(node, nodes.math):
            return f"${node.astext().strip()}$"
        if isinstance(node, nodes.literal):
            text = node.astext().replace("\n", " ")
            fence = "``" if "`" in text else "`"
            pad = " " if text.startswith("`") or text.endswith("`") else ""
            return f"{fence}{pad}{text}{pad}{fence}"
        inner = "".join(self.inline(child) for child in node.children)
        if isinstance(node, nodes.emphasis):
            return f"*{inner}*" if inner.strip() else inner
        if isinstance(node, nodes.strong):
            return f"**{inner}**" if inner.strip() else inner
        if isinstance(node, nodes.footnote_reference):
            return f"\\[{node.astext()}\\]"
        if isinstance(node, nodes.reference):
            url = self.url(node)
            if not (url and inner.strip()):
                return inner
            lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
            return f"{lead}[{inner.strip()}]({url}){trail}"
        if isinstance(node, (nodes.target, nodes.substitution_definition, nodes.comment)):
            return ""
        if isinstance(node, nodes.image):
            return ""
        if not isinstance(
            node,
            (
                nodes.inline,
                nodes.title_reference,
                nodes.abbreviation,
                addnodes.pending_xref,
                nodes.generated,
                nodes.caption,
                nodes.title,
                nodes.label,
                nodes.paragraph,
                nodes.subscript,
                nodes.superscript,
            ),
        ):
            self.unknown.add(type(node).__name__)
        return inner

    def inline_children(self, node: nodes.Element) -> str:
        text = "".join(self.inline(child) for child in node.children).strip()
        return re.sub(r"(?<=[^\s(\[])\\\[(\d+)\\\]", r" \\[\1\\]", text)  # "et al. [3]"

    # -- blocks --------------------------------------------------------------------------
    def blocks(self, node: nodes.Node, depth: int = 0) -> list[str | _Code]:
        """Markdown blocks (strings) and code cells, in reading order."""
        if isinstance(node, nodes.container) and node.get("nb_element") == "cell_code":
            return self.code_cell(node)
        if isinstance(node, (nodes.document, nodes.compound, nodes.container)):
            return self.children(node, depth)
        if isinstance(node, nodes.section):
            return self.section(node, depth + 1)
        if isinstance(node, nodes.paragraph):
            text = self.inline_children(node)
            return [_escape_line_start(text)] if text else []
        if isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            return [self.listing(node, depth)]
        if isinstance(node, nodes.definition_list):
            items = []
            for item in node.children:
                term = self.inline_children(item.next_node(nodes.term))
                body = _join(self.children(item.next_node(nodes.definition), depth))
                items.append(f"- **{term}**: {_indent(body, '  ').lstrip()}")
            return ["\n".join(items)]
        if isinstance(node, nodes.literal_block):
            language = node.get("language", "")
            language = "python" if language in ("ipython3", "default") else language
            text = node.astext()
            fence = "````" if "```" in text else "```"
            return [f"{fence}{language}\n{text}\n{fence}"]
        if isinstance(node, nodes.math_block):
            return [self.equation(node)]
        if isinstance(node, nodes.block_quote):
            return [_quote(_join(self.children(node, depth)))]
        if isinstance(node, nodes.transition):
            return ["---"]
        if isinstance(node, nodes.rubric):
            return [f"**{self.inline_children(node)}**"]
        if isinstance(node, nodes.figure):
            return self.figure(node)
        if isinstance(node, nodes.table):
            return [self.table(node)]
        if isinstance(node, nodes.footnote):
            label = node.next_node(nodes.label)
            body = _join(
                [
                    b
                    for c in node.children
                    if not isinstance(c, nodes.label)
                    for b in self.blocks(c, depth)
                    if isinstance(b, str)
                ]
            )
            return [f"\\[{label.astext() if label else ''}\\] {body}"]
        if isinstance(node, nodes.Admonition) or _is_titled_block(node):
            return self.titled_block(node, depth)
        if isinstance(
            node, (nodes.target, nodes.comment, nodes.substitution_definition, nodes.raw)
        ) or isinstance(node, (addnodes.index, addnodes.toctree, nodes.system_message)):
            return []
        if isinstance(node, nodes.Element):
            self.unknown.add(type(node).__name__)
            return self.children(node, depth)
        return [self.inline(node)]

    def children(self, node: nodes.Node, depth: int) -> list[str | _Code]:
        out: list[str | _Code] = []
        for child in node.children:
            out.extend(self.blocks(child, depth))
        return out

    def section(self, node: nodes.section, depth: int) -> list[str | _Code]:
        title = next((c for c in node.children if isinstance(c, nodes.title)), None)
        if title is None:  # the body of a proof, an exercise or a solution
            return self.children(node, depth - 1)
        numbers = self.app.env.toc_secnumbers.get(self.docname, {})
        anchor = "" if depth == 1 else "#" + node["ids"][0]
        number = numbers.get(anchor)
        prefix = ".".join(map(str, number)) + ". " if number else ""
        heading = (
            "#" * min(depth, 6) + " " + prefix + (self.inline_children(title) if title else "")
        )
        rest = [child for child in node.children if child is not title]
        out: list[str | _Code] = [heading]
        for child in rest:
            out.extend(self.blocks(child, depth))
        return out

    def listing(self, node: nodes.Element, depth: int) -> str:
        items = []
        start = int(node.get("start", 1))
        for k, item in enumerate(node.children):
            marker = f"{start + k}." if isinstance(node, nodes.enumerated_list) else "-"
            body = _join(self.children(item, depth))
            items.append(marker + " " + _indent(body, " " * (len(marker) + 1)).lstrip())
        return "\n".join(items)

    def equation(self, node: nodes.math_block) -> str:
        latex = node.astext().strip()
        ids = node.get("ids") or []
        numbers = self.app.env.toc_fignumbers.get(self.docname, {}).get("displaymath", {})
        number = numbers.get(ids[0]) if ids else None
        tag = f"\n\\tag{{{'.'.join(map(str, number))}}}" if number else ""
        return f"$$\n{latex}{tag}\n$$"

    def titled_block(self, node: nodes.Element, depth: int) -> list[str | _Code]:
        title_node = next((c for c in node.children if isinstance(c, nodes.title)), None)
        title = self.block_title(node, title_node)
        body: list[str | _Code] = []
        for child in node.children:
            if child is not title_node:
                body.extend(self.blocks(child, depth))
        if "cite-chapter" in node.get("classes", []):
            body = [b for b in body if isinstance(b, str) and not b.startswith("```")]
        out: list[str | _Code] = []
        pending = [f"**{title}**"] if title else []
        for block in body:  # a code cell inside (a solution's) ends the quote around it
            if isinstance(block, _Code):
                if pending:
                    out.append(_quote(_join(pending)))
                    pending = []
                out.append(block)
            else:
                pending.append(block)
        if pending:
            out.append(_quote(_join(pending)))
        return out

    def block_title(self, node: nodes.Element, title: nodes.Element | None) -> str:
        text = self.inline_children(title) if title is not None else ""
        kind = type(node).__name__
        if kind == "exercise_enumerable_node":
            number = self.number("exercise", node)
            return f"Exercise {number} {text}".strip() if number else f"Exercise {text}".strip()
        if kind.endswith("_node") and type(node).__module__.startswith("sphinx_proof"):
            # sphinx-proof's writer inserts "Definition 2.1" itself; do the same here.
            realtype = node.get("realtype", kind[: -len("_node")])
            ids = node.get("ids") or []
            countertype = node.get("countertype", "")
            number = (
                self.app.env.toc_fignumbers.get(self.docname, {})
                .get(countertype, {})
                .get(ids[0] if ids else "")
            )
            name = realtype.title()
            if number:
                name += " " + ".".join(map(str, number))
            text = re.sub(r"^\s*\S+\s+\S*\d\S*\s*", "", text) if number else text
            text = text.strip()
            return f"{name} {text}".strip() if text else name
        if not text and isinstance(node, nodes.Admonition):
            text = kind.replace("_", " ").title()
        return text

    def number(self, kind: str, node: nodes.Element) -> str:
        """The number Sphinx gave ``node`` among the page's numbered ``kind``, or ''."""
        ids = node.get("ids") or []
        numbers = self.app.env.toc_fignumbers.get(self.docname, {}).get(kind, {})
        found = numbers.get(ids[0]) if ids else None
        return ".".join(map(str, found)) if found else ""

    def code_cell(self, node: nodes.container) -> list[str | _Code]:
        out: list[str | _Code] = [_Code(int(node["cell_index"]))]
        for figure in node.findall(nodes.figure):
            out.extend(self.figure(figure, caption_only=True))
        return out

    def figure(self, node: nodes.figure, caption_only: bool = False) -> list[str | _Code]:
        caption = node.next_node(nodes.caption)
        if caption is None:
            return []
        ids = node.get("ids") or []
        number = (
            self.app.env.toc_fignumbers.get(self.docname, {})
            .get("figure", {})
            .get(ids[0] if ids else "")
        )
        text = "".join(
            self.inline(c)
            for c in caption.children
            if not (isinstance(c, nodes.inline) and "caption-number" in c.get("classes", []))
        ).strip()
        name = f"Figure {'.'.join(map(str, number))}." if number else "Figure."
        return [f"**{name}** {text}"]

    def table(self, node: nodes.table) -> str:
        rows = []
        for row in node.findall(nodes.row):
            cells = [
                " ".join(self.inline_children(p) for p in entry.findall(nodes.paragraph))
                for entry in row.children
            ]
            rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        if rows:
            width = rows[0].count(" | ") + 1
            rows.insert(1, "|" + " --- |" * width)
        return "\n".join(rows)


def _is_titled_block(node: nodes.Node) -> bool:
    module = type(node).__module__
    return isinstance(node, nodes.Element) and (
        module.startswith("sphinx_proof") or module.startswith("sphinx_exercise")
    )


def _escape_line_start(text: str) -> str:
    """A paragraph that would read as a heading, a list or a quote in Markdown."""
    return re.sub(r"^(\d+)([.)])(\s)", r"\1\\\2\3", re.sub(r"^([#>+-])(\s)", r"\\\1\2", text))


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.split("\n"))


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def _join(blocks: list[str | _Code]) -> str:
    return "\n\n".join(b for b in blocks if isinstance(b, str) and b)


def plain_notebook(
    app: Sphinx, docname: str, doctree: nodes.document, source: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """The chapter as plain Jupyter: the page's text in Markdown, the source's code cells.

    ``source`` is the chapter read as a notebook, with its outputs merged in.
    """
    writer = _Writer(app, docname)
    blocks = writer.blocks(doctree)
    for kind in sorted(writer.unknown):
        logger.warning(
            "the downloadable notebook has no Markdown for a %s node", kind, location=docname
        )
    code = [i for i, cell in enumerate(source.cells) if cell.cell_type == "code"]
    cells = []
    text: list[str] = []
    done: set[int] = set()

    def flush() -> None:
        if text:
            cells.append(nbformat.v4.new_markdown_cell("\n\n".join(text)))
            text.clear()

    def add_code(index: int) -> None:
        # Cells the page does not show at all (tagged remove-cell) come before the next
        # shown cell; a solution's cells, absent from a book without solutions, do not.
        for earlier in (i for i in code if i < index and i not in done):
            if _REMOVED & set(source.cells[earlier].metadata.get("tags", [])):
                add_cell(earlier)
            done.add(earlier)
        add_cell(index)
        done.add(index)

    def add_cell(index: int) -> None:
        flush()
        cell = source.cells[index]
        outputs = [
            output
            for output in cell.get("outputs", [])
            if not any(key.startswith(_GLUE_MIME) for key in output.get("data", {}))
        ]
        new = nbformat.v4.new_code_cell(
            cell.source, outputs=outputs, execution_count=cell.get("execution_count")
        )
        tags = cell.metadata.get("tags")
        if tags:
            new.metadata["tags"] = list(tags)
        cells.append(new)

    for block in blocks:
        if isinstance(block, _Code):
            add_code(block.index)
        elif block:
            text.append(block)
    for index in code:
        if index not in done and _REMOVED & set(source.cells[index].metadata.get("tags", [])):
            add_cell(index)
    flush()
    for index, cell in enumerate(cells):  # nbformat draws random cell ids
        cell["id"] = f"cell-{index}"
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    return notebook


def _offer_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.is_file():  # not a notebook page
        return
    source = Path(app.env.doc2path(pagename)).read_text(encoding="utf-8")
    notebook = read_myst_markdown_notebook(source)
    try:
        _, notebook = get_cache(app.config.nb_execution_cache_path).merge_match_into_notebook(
            notebook
        )
    except KeyError:
        logger.warning("no executed copy of %s in the cache to offer", pagename, location=pagename)
        return
    plain = plain_notebook(app, pagename, doctree, notebook)
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(nbformat.writes(plain), encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("bookext.versions")
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", _offer_notebook, priority=400)
    return metadata()
