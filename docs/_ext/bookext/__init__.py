"""The book's own Sphinx extensions, one concern per module (see each module's docstring)."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def env_version() -> int:
    """A number that changes whenever the source of these extensions changes.

    Each extension reports it as its ``env_version``; Sphinx re-reads every page when it
    changes, so an edit here never leaves pages built by the old code.
    """
    checksum = 0
    for path in sorted(Path(__file__).parent.glob("*.py")):
        checksum = zlib.crc32(path.read_bytes(), checksum)
    return checksum


def metadata(*, parallel_read_safe: bool = True) -> dict[str, Any]:
    """What each of these extensions tells Sphinx about itself."""
    return {
        "version": "1",
        "env_version": env_version(),
        "parallel_read_safe": parallel_read_safe,
        "parallel_write_safe": True,
    }


def rewrite_pages(app: Sphinx, rewrite: Callable[[str, dict[str, Any]], str]) -> None:
    """Pass the HTML of every page the builder writes through ``rewrite(html, context)``.

    For the few fixes that can only be made to the page as rendered (markup that the theme's
    templates write); each rewrite must leave a page it has already rewritten unchanged.
    """

    def wrap(app: Sphinx) -> None:
        if app.builder.format != "html":
            return
        templates = app.builder.templates  # type: ignore[attr-defined]
        render = templates.render

        def rendered(template: str, context: dict[str, Any]) -> str:
            return rewrite(render(template, context), context)

        templates.render = rendered

    app.connect("builder-inited", wrap)
