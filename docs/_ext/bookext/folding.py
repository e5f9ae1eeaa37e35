"""Fold solutions, the cite box and optional blocks in the HTML itself, with no script.

Every admonition-like block with the class ``dropdown`` — an exercise's solution, the
"Cite this chapter" box, a ``prf:proof`` or a ``Going deeper:`` admonition written with
``:class: dropdown`` — is written as a native ``<details>`` element whose ``<summary>`` is
the block's title bar. The browser folds it before the first paint, with JavaScript off or
still loading, so nothing is shown open and then collapses under the reader's thumb; the
whole bar is the control (mouse, touch, Enter or Space), and the browser opens a fold by
itself when a link or find-in-page lands inside it.

The blocks are rewritten in the page's finished HTML rather than in each extension's
writer (sphinx-exercise, sphinx-proof and docutils each write their own ``<div>``): the
page is scanned with :mod:`html.parser` only to find where each dropdown ``<div>``, its
title and their end tags are, and those few tags are replaced in the original text, so
nothing else on the page changes by a byte. A link in a title (a solution's title links
to its exercise) becomes plain text, so a click on the bar opens the block instead of
scrolling away. A block without a title (sphinx-proof writes a proof as a plain box
starting "Proof.") gets a bar titled "Proof".
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from sphinx.application import Sphinx

from bookext import metadata

VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
SIGN = '<span class="fold-sign" aria-hidden="true"></span>'


@dataclass
class _Open:
    tag: str
    fold: bool = False  # a dropdown <div> being turned into <details>
    title: bool = False  # the first <p class="admonition-title"> of such a <div>
    link: bool = False  # an <a> inside such a title
    folds_title_seen: bool = False
    body_at: int = 0  # where a fold's content starts, for a title it lacks
    classes: tuple[str, ...] = ()


class _Scanner(HTMLParser):
    """Finds the tags to replace; ``edits`` are (offset, length, new text)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.edits: list[tuple[int, int, str]] = []
        self.stack: list[_Open] = []
        starts = [0]  # HTMLParser counts lines by "\n" alone
        for line in text.split("\n"):
            starts.append(starts[-1] + len(line) + 1)
        self._line_starts = starts

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _replace_tag(self, old: str, new: str) -> None:
        start = self._offset()
        if self.text.startswith(old, start):
            self.edits.append((start, len(old), new))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        classes = (dict(attrs).get("class") or "").split()
        parent = self.stack[-1] if self.stack else None
        entry = _Open(tag)
        if tag == "div" and "dropdown" in classes:
            entry.fold = True
            entry.body_at = self._offset() + len(raw)
            entry.classes = tuple(classes)
            self.edits.append((self._offset(), len(raw), "<details" + raw[len("<div") :]))
        elif (
            tag == "p"
            and "admonition-title" in classes
            and parent is not None
            and parent.fold
            and not parent.folds_title_seen
        ):
            parent.folds_title_seen = True
            entry.title = True
            self.edits.append((self._offset(), len(raw), "<summary" + raw[len("<p") :]))
        elif tag == "a" and any(o.title for o in self.stack):
            entry.link = True
            self.edits.append((self._offset(), len(raw), '<span class="fold-title-ref">'))
        if tag not in VOID:
            self.stack.append(entry)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # ``<img ... />``: a start tag only; the default would also "end" the tag,
        # unwinding the whole stack in search of an ``<img>`` that was never pushed.
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or all(o.tag != tag for o in self.stack):
            return  # a stray end tag closes nothing
        while True:
            entry = self.stack.pop()
            if entry.tag == tag:
                break
        if entry.fold:
            self._replace_tag("</div>", "</details>")
            if not entry.folds_title_seen:  # sphinx-proof writes a proof without a title bar
                name = "Proof" if "proof" in entry.classes else "More"
                summary = f'<summary class="admonition-title">{name}{SIGN}</summary>'
                self.edits.append((entry.body_at, 0, summary))
        elif entry.title:
            self._replace_tag("</p>", SIGN + "</summary>")
        elif entry.link:
            self._replace_tag("</a>", "</span>")


def fold(html: str) -> str:
    """``html`` with every dropdown block written as ``<details>``/``<summary>``."""
    if "dropdown" not in html:
        return html
    scanner = _Scanner(html)
    scanner.feed(html)
    scanner.close()
    out = []
    position = 0
    for start, length, new in sorted(scanner.edits):
        out.append(html[position:start])
        out.append(new)
        position = start + length
    out.append(html[position:])
    return "".join(out)


def _fold_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" in context:
        context["body"] = fold(context["body"])


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_css_file("bookext.css")
    app.connect("html-page-context", _fold_page)
    return metadata()
