"""Pages that print well, and what the PDF printer needs to know about the book.

* ``_static/print.css`` (``media="print"``): printing, from the browser or by ``nox -s
  pdf``, keeps each chapter's number in its title, wraps code at the margin instead of
  cutting it, keeps short code cells, figures and equations whole on a page, prints the
  one-line citation without the BibTeX, opens folded proofs, and prints a solution only if
  it is open: a teacher who prints a chapter with its solutions folded gets the exercises
  alone.
* ``_static/book-contents.json``: the pages in reading order with their titles and
  chapter numbers, and the address of this version of the site, which
  :mod:`bookext.pdf` reads to print the whole book and each chapter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from bookext import metadata, versions

CONTENTS = "_static/book-contents.json"


def reading_order(app: Sphinx) -> list[str]:
    """Every page of the book's table of contents, in the order a reader meets them."""
    env = app.env
    order: list[str] = []

    def visit(docname: str) -> None:
        for child in env.toctree_includes.get(docname, []):
            if child not in order:
                order.append(child)
                visit(child)

    visit(app.config.root_doc)
    return order


def _write_contents(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    book = versions.book(app)
    pages = []
    for docname in reading_order(app):
        number = app.env.toc_secnumbers.get(docname, {}).get("")
        pages.append(
            {
                "docname": docname,
                "title": app.env.titles[docname].astext(),
                "chapter": number[0] if number and len(number) == 1 else None,
            }
        )
    contents = {
        "title": book.title,
        "authors": book.authors,
        "year": book.year,
        "version": app.config.release,
        "site": versions.page_url(app, ""),
        "root": app.config.root_doc,
        "pages": pages,
    }
    target = Path(app.outdir) / CONTENTS
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(contents, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("bookext.versions")
    app.add_css_file("print.css", media="print")
    app.connect("build-finished", _write_contents)
    return metadata()
