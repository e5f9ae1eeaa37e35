"""Two typographic details of the printed page that a build can get right everywhere.

* **No orphaned punctuation.** A line may break between inline math and the comma or
  full stop after it (or the bracket before it), which leaves a lone "." at the start of
  the next line, forty times in a chapter on a phone. Inline math and the punctuation
  touching it are wrapped in one ``gd-nowrap`` span that never breaks; glued numbers get
  the same treatment.
* **A true minus sign in glued numbers.** Python prints negative numbers with a
  hyphen-minus ("-50.2"), which typesets as a short hyphen. In text glued from a cell, a
  hyphen that is a sign (before a digit, not after a letter or a digit) or an exponent's
  sign ("1e-05") becomes U+2212, the minus sign the rest of the book uses.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from bookext import metadata

_TRAILING = re.compile(r"^[.,;:!?)\]}’”'%]+")
_LEADING = re.compile(r"[(\[{“‘]+$")
_SIGN = re.compile(r"(?:(?<![\w.])|(?<=\de))-(?=\.?\d)")
MINUS = "\u2212"


def true_minus(text: str) -> str:
    """``text`` with every hyphen-minus that is a number's sign replaced by U+2212."""
    return _SIGN.sub(MINUS, text)


def _glued(node: nodes.Node) -> bool:
    return isinstance(node, nodes.inline) and "pasted-text" in node.get("classes", [])


def _attachable(node: nodes.Node) -> bool:
    return isinstance(node, nodes.math) or _glued(node)


class GluedMinus(SphinxPostTransform):
    """Glued numbers print their sign as a minus, not a hyphen."""

    default_priority = 400
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        for glued in self.document.findall(_glued):
            for text in list(glued.findall(nodes.Text)):
                fixed = true_minus(text.astext())
                if fixed != text.astext():
                    text.parent.replace(text, nodes.Text(fixed))


class KeepPunctuationWithMath(SphinxPostTransform):
    """Inline math (or a glued number) and the punctuation touching it never part."""

    default_priority = 410
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(_attachable)):
            parent = node.parent
            if parent is None or isinstance(parent, nodes.TextElement) is False:
                continue
            index = parent.index(node)
            before = parent[index - 1] if index > 0 else None
            after = parent[index + 1] if index + 1 < len(parent) else None
            lead = _match(_LEADING, before)
            trail = _match(_TRAILING, after)
            if not lead and not trail:
                continue
            group = nodes.inline(classes=["gd-nowrap"])
            parent.replace(node, group)
            if lead and isinstance(before, nodes.Text):
                _shorten(parent, before, keep=before.astext()[: -len(lead)])
                group += nodes.Text(lead)
            group += node
            if trail and isinstance(after, nodes.Text):
                _shorten(parent, after, keep=after.astext()[len(trail) :])
                group += nodes.Text(trail)


def _match(pattern: re.Pattern[str], node: nodes.Node | None) -> str:
    if not isinstance(node, nodes.Text):
        return ""
    found = pattern.search(node.astext())
    return found.group(0) if found else ""


def _shorten(parent: nodes.Element, text: nodes.Text, *, keep: str) -> None:
    if keep:
        parent.replace(text, nodes.Text(keep))
    else:
        parent.remove(text)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_post_transform(GluedMinus)
    app.add_post_transform(KeepPunctuationWithMath)
    return metadata()
