"""The theme's icons from a font of the few glyphs the site draws, not from a 1.5 MB script.

pydata-sphinx-theme draws about a dozen icons (☰, search, sun and moon, download, the
admonitions' bell, the previous/next arrows) and for them loads FontAwesome twice: a
script of 1.5 MB (539 KB gzipped, 42 % of a chapter's bytes) that swaps every
``<i class="fa-...">`` for an SVG, and a web font of 112 KB for the icons its CSS draws.
The script is not loaded (``_templates/layout.html``): the theme's CSS already draws every
``fa-*`` class from the font. And the font is cut down here to the glyphs the site uses:

* the glyph of every ``fa-*`` class on any page of the built site, and
* every ``--pst-icon-*`` glyph the theme's CSS draws (admonitions, links, arrows).

The subset replaces the theme's font file in the built site, under the same name, so the
theme's ``@font-face`` rules load it unchanged. It is made from the theme's original each
time (never from an earlier subset) and is the same bytes for the same site.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fontTools import subset
from sphinx.application import Sphinx
from sphinx.util import logging

from bookext import metadata

logger = logging.getLogger(__name__)

FONTS = "vendor/fontawesome/webfonts"
_CLASS_GLYPH = re.compile(r'((?:\.fa-[a-z0-9-]+,?)+)\{--fa:"(\\[0-9a-fA-F]+|[^"\\])"')
_ICON_VARIABLE = re.compile(r'--pst-icon-[a-z-]+:"(\\[0-9a-fA-F]+|[^"\\])"')
_CLASSES = re.compile(r'class="([^"]*\bfa-[^"]*)"')


def _codepoint(css_string: str) -> int:
    return int(css_string[1:], 16) if css_string.startswith("\\") else ord(css_string)


def glyphs_used(css: str, pages: list[str]) -> set[int]:
    """Code points of the icons that ``pages`` and the theme's ``css`` draw."""
    by_class: dict[str, int] = {}
    for selectors, glyph in _CLASS_GLYPH.findall(css):
        for name in selectors.strip(",").split(","):
            by_class[name.lstrip(".")] = _codepoint(glyph)
    used = {_codepoint(glyph) for glyph in _ICON_VARIABLE.findall(css)}
    for page in pages:
        for classes in _CLASSES.findall(page):
            used |= {by_class[name] for name in classes.split() if name in by_class}
    return used


def subset_font(source: Path, target: Path, codepoints: set[int]) -> None:
    """Write the glyphs of ``codepoints`` that ``source`` has to ``target`` as WOFF2."""
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []  # icons by code point, no ligatures
    options.name_IDs = [1, 2]  # family and style: all a browser needs
    options.notdef_outline = True
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(target), options)


def _theme_static() -> Path:
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"


def _subset_icon_fonts(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = _theme_static()
    css = (static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    pages = [
        p.read_text(encoding="utf-8")
        for p in sorted(outdir.rglob("*.html"))
        if "_static" not in p.relative_to(outdir).parts
    ]
    codepoints = glyphs_used(css, pages)
    for source in sorted((static / FONTS).glob("*.woff2")):
        subset_font(source, outdir / "_static" / FONTS / source.name, codepoints)
    logger.info("icon fonts cut down to %d glyphs", len(codepoints))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", _subset_icon_fonts)
    return metadata()
