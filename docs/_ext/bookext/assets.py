"""Each page loads only the scripts and style sheets that its content uses.

Extensions add their assets to every page whether it needs them or not: the copy button
and its clipboard library on pages without code, sphinx-design's style sheet and tab
script on pages without a tab or a card, the proof and exercise styles on the title
page. A reader pays for each on a slow connection. Here an asset of such an extension is
dropped from a page whose body has none of the markup it serves.

Sphinx links each local style sheet and script with a checksum of its file (``?v=...``),
so that a browser fetches it again when it changes, but only if the file is already in
the site when the page is written. sphinx-proof, sphinx-exercise and myst-nb copy their
style sheets at the end of the build, after the pages: a clean build linked them without
the checksum and a rebuild with it, so the pages depended on what was built before. Their
copies run here before the pages are written, and an asset still missing at that moment
is a warning, which ``-W`` makes an error.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.util import logging

from bookext import metadata

logger = logging.getLogger(__name__)

#: Extensions that copy their assets into the site at ``build-finished``, after the pages
#: are written: (extension, module, its copying function, called as function(app, None)).
LATE_COPIES = (
    ("sphinx_proof", "sphinx_proof", "copy_asset_files"),
    ("sphinx_exercise", "sphinx_exercise", "copy_asset_files"),
    ("myst_nb", "myst_nb.sphinx_ext", "add_global_html_resources"),
)

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


def _copy_before_writing(app: Sphinx, builder: Builder) -> None:
    if builder.format != "html":
        return
    for extension, module, function in LATE_COPIES:
        if extension in app.extensions:
            getattr(importlib.import_module(module), function)(app, None)


def _check_checksums(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Warn about a local asset that is not in the site yet: it would lack its checksum."""
    outdir = Path(app.outdir)
    for key in ("script_files", "css_files"):
        for asset in context.get(key, ()):
            name = str(getattr(asset, "filename", asset) or "")
            if name and "://" not in name and not (outdir / name).is_file():
                logger.warning(
                    "%s is linked from %s before it is copied into the site, so without "
                    "its ?v= checksum: copy it before the pages are written "
                    "(bookext.assets.LATE_COPIES)",
                    name,
                    pagename,
                )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("write-started", _copy_before_writing)
    app.connect("html-page-context", _drop_unused, priority=900)
    app.connect("html-page-context", _check_checksums, priority=950)
    return metadata()
