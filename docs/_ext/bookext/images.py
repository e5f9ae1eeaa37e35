"""Figures that load when the reader gets to them, in a box of the right size from the start.

A chapter has up to a dozen figures, most of them far below the first screen; a phone
on a slow connection should not fetch them all before the text it is reading. Every
figure's ``<img>`` gets ``loading="lazy"`` (the browser fetches it as it nears the
screen) and its ``width`` and ``height``, so the page reserves the figure's box before
the image arrives and the text does not jump when it does (the style sheet keeps
``height: auto``, so a narrower screen scales the box with its aspect ratio).

The size is the one the browser would give the image on its own: its pixels for a PNG,
and for an SVG its ``width`` and ``height`` (matplotlib writes them in points, 4/3 of a
CSS pixel).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

import imagesize
from sphinx.application import Sphinx

from bookext import metadata, rewrite_pages

_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'\bsrc="([^"]+)"')
_SVG_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([0-9.]+)(pt|px)?"[^>]*?\bheight="([0-9.]+)(pt|px)?"')
_UNIT = {"pt": 4 / 3, "px": 1.0, None: 1.0, "": 1.0}


def display_size(path: Path) -> tuple[int, int] | None:
    """The size in CSS pixels at which a browser shows the image file ``path``."""
    if path.suffix.lower() == ".svg":
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
        found = _SVG_SIZE.search(head)
        if not found:
            return None
        width, wunit, height, hunit = found.groups()
        return round(float(width) * _UNIT[wunit]), round(float(height) * _UNIT[hunit])
    width, height = imagesize.get(str(path))
    return (width, height) if width > 0 and height > 0 else None


def _sources(app: Sphinx) -> dict[str, Path]:
    """Each file under ``_images/`` of the site, by name, with the file it is copied from."""
    images: dict[str, str] = app.builder.images  # type: ignore[attr-defined]
    return {name: Path(app.srcdir, source) for source, name in images.items()}


def lazy_figures(app: Sphinx, html: str, context: dict[str, Any]) -> str:
    folder = posixpath.dirname(context.get("pagename", ""))
    sources: dict[str, Path] | None = None

    def rewrite(match: re.Match[str]) -> str:
        nonlocal sources
        tag = match.group(0)
        src = _SRC.search(tag)
        if not src or "/_images/" not in "/" + posixpath.normpath(
            posixpath.join(folder, src.group(1))
        ):
            return tag
        extra = []
        if "loading=" not in tag:
            extra.append('loading="lazy" decoding="async"')
        if "width=" not in tag and "height=" not in tag:
            sources = _sources(app) if sources is None else sources
            name = posixpath.basename(src.group(1))
            size = display_size(sources[name]) if name in sources else None
            if size:
                extra.append(f'width="{size[0]}" height="{size[1]}"')
        if not extra:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return tag[:end].rstrip() + " " + " ".join(extra) + tag[end:]

    return _IMG.sub(rewrite, html)


def setup(app: Sphinx) -> dict[str, Any]:
    rewrite_pages(app, lambda html, context: lazy_figures(app, html, context))
    return metadata()
