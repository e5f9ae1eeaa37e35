"""Explorable figures: the figure keeps its static image and gains its explorable version.

A cell that ends on :func:`gdbook.explore.figure` outputs one bundle with two views of a
figure: the static SVG and the explorable HTML (``<div class="gd-explore">``). myst-nb
shows one view of a bundle, the first in its list of preferences, which would be the
HTML; here both are kept, in the cell's figure (label, number and caption unchanged), and
the HTML is ``hidden``.
The static image is what print, the PDF and a browser without JavaScript show;
``_static/explore.js`` shows the explorable version in its place on screen, and only pages
with such a figure load that script and ``_static/explore.css`` (``bookext.assets``).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from bookext import metadata

MARKER = 'class="gd-explore"'


def _explorable(bundle: nodes.Element) -> bool:
    return any(
        child.get("mime_type") == "text/html" and MARKER in child.astext()
        for child in bundle.children
    )


class KeepBothViews(SphinxPostTransform):
    """Replace an explorable figure's bundle with its static image and its HTML."""

    default_priority = 3  # before myst-nb's SelectMimeType (4) keeps one view
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        for bundle in list(self.document.findall(nodes.container)):
            if bundle.get("nb_element") != "mime_bundle" or not _explorable(bundle):
                continue
            kept: list[nodes.Node] = []
            for mime in ("image/svg+xml", "text/html"):
                for child in bundle.children:
                    if child.get("mime_type") == mime:
                        kept.extend(child.children)
            bundle.replace_self([_hidden(node) for node in kept])


def _hidden(node: nodes.Node) -> nodes.Node:
    """The explorable HTML hidden until the script shows it (the image shows instead)."""
    if not isinstance(node, nodes.raw) or MARKER not in node.astext():
        return node
    html = node.astext().replace(f"<div {MARKER}", f"<div {MARKER} hidden", 1)
    return nodes.raw("", html, format="html", classes=node.get("classes", []))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_post_transform(KeepBothViews)
    app.add_js_file("explore.js", defer="defer")
    app.add_css_file("explore.css")
    return metadata()
