"""Pages that print well: the print style sheet, ``_static/print.css``.

Printing (from the browser, or ``nox -s pdf`` through Chromium) keeps each chapter's
number in its title, wraps code at the margin instead of cutting it, keeps short code
cells, figures and equations whole on a page, prints the one-line citation without the
BibTeX, and prints a solution only if it is open: a teacher who prints a chapter with its
solutions folded gets the exercises alone. See :mod:`bookext.pdf` for the PDFs.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from bookext import metadata


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_css_file("print.css", media="print")
    return metadata()
