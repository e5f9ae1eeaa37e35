"""Each page loads only the scripts and style sheets that its content uses.

Extensions add their assets to every page whether it needs them or not: the copy button
and its clipboard library on pages without code, sphinx-design's style sheet and tab
script on pages without a tab or a card, the proof and exercise styles on the title
page. A reader pays for each on a slow connection. Here an asset of such an extension is
dropped from a page whose body has none of the markup it serves.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from bookext import metadata

#: Asset file name -> markup in the page's body that it serves (any one suffices).
NEEDED_BY: dict[str, tuple[str, ...]] = {
    "copybutton.js": ("<pre",),
    "clipboard.min.js": ("<pre",),
    "copybutton.css": ("<pre",),
    "design-tabs.js": ("sd-tab-set",),
    "sphinx-design.min.css": ('class="sd-', " sd-"),
    "proof.css": ('class="proof ',),
    "exercise.css": ('class="exercise ', 'class="solution '),
    # The markup itself: a listing of gdbook/explore.py shows it as "&lt;div ...".
    "explore.js": ('<div class="gd-explore"',),
    "explore.css": ('<div class="gd-explore"',),
}


def _filename(asset: Any) -> str:
    name = str(getattr(asset, "filename", asset))
    return name.split("?")[0].rsplit("/", 1)[-1]


def _keep(asset: Any, body: str) -> bool:
    needs = next(
        (markup for name, markup in NEEDED_BY.items() if _filename(asset).startswith(name)),
        None,
    )
    return needs is None or any(marker in body for marker in needs)


def _drop_unused(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    body = context.get("body", "")
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if _keep(asset, body)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _drop_unused, priority=900)
    return metadata()
