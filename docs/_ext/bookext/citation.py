"""A "Cite this chapter" box under every chapter's title, generated from ``CITATION.cff``.

The authors, the book's title, the publisher, the year and the site's address come from
``CITATION.cff``; the version is that of the ``gdbook`` package that executed the book,
and the build stops if ``CITATION.cff`` disagrees with it. The chapter's number is the one
the reader sees, so the box is added once Sphinx has numbered the chapters
(``doctree-resolved``). The BibTeX key is made from the page's file name, which never
changes.

The address cited is the chapter's page in the folder of its release (``…/0.1.0/…``,
see :mod:`bookext.versions`), which keeps showing the text that was cited; the box gives
the chapter's ``latest`` address beside it. A build of ``latest`` whose version is not
published as a release yet cites the ``latest`` address and says so. The BibTeX entry is
an ``@incollection`` with every field classic BibTeX's styles require, so it gives no
warning; the version goes in ``note``, which every style prints.

The box sits just under the chapter's title, folded to a single bar (see
:mod:`bookext.folding`): a teacher finds it without scrolling through the chapter, and a
student reading past it loses one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError

from bookext import metadata, versions


@dataclass(frozen=True)
class Book:
    """What a citation of the book needs, read from ``CITATION.cff``."""

    title: str
    authors: str
    year: int
    version: str
    url: str
    publisher: str

    @classmethod
    def from_cff(cls, path: Path) -> Book:
        cff = yaml.safe_load(path.read_text(encoding="utf-8"))
        names = [a.get("name") or f"{a['given-names']} {a['family-names']}" for a in cff["authors"]]
        publisher = cff.get("preferred-citation", {}).get("publisher", {}).get("name")
        return cls(
            title=cff["title"],
            authors=" and ".join(names),
            year=int(str(cff["date-released"])[:4]),
            version=str(cff["version"]),
            url=cff["url"].rstrip("/") + "/",
            publisher=publisher or " and ".join(names),
        )


@dataclass(frozen=True)
class Chapter:
    """One chapter's citation: the book, the chapter's number, title and page.

    ``folder`` is where the cited text is published: a release (``0.1.0``) or ``latest``.
    """

    book: Book
    number: int
    title: str
    docname: str
    folder: str

    @property
    def url(self) -> str:
        return f"{self.book.url}{self.folder}/{self.docname}.html"

    @property
    def latest_url(self) -> str:
        return f"{self.book.url}latest/{self.docname}.html"

    @property
    def key(self) -> str:
        return "gdbook-" + self.docname.rsplit("/", 1)[-1]

    def text(self) -> str:
        b = self.book
        return (
            f"{b.authors} ({b.year}). “{self.title}”. Chapter {self.number} in "
            f"{b.title}, version {b.version}. {self.url}"
        )

    def bibtex(self) -> str:
        b = self.book
        fields = {
            "author": "{" + b.authors + "}",
            "title": self.title,
            "booktitle": b.title,
            "chapter": str(self.number),
            "publisher": b.publisher,
            "year": str(b.year),
            "note": f"Version {b.version}",
            "url": self.url,
        }
        width = max(map(len, fields))
        body = ",\n".join(f"  {k:<{width}} = {{{v}}}" for k, v in fields.items())
        return f"@incollection{{{self.key},\n{body}\n}}"


def _check_version(app: Sphinx) -> None:
    book = Book.from_cff(Path(app.config.book_citation_file))
    if book.version != app.config.release:
        raise ConfigError(
            f"CITATION.cff gives version {book.version} but the book is built with gdbook "
            f"{app.config.release}: update CITATION.cff (version and date-released)."
        )


def _add_cite_box(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    number = app.env.toc_secnumbers.get(docname, {}).get("")
    if not number or len(number) != 1:
        return
    book = Book.from_cff(Path(app.config.book_citation_file))
    released = book.version in versions.releases(app)
    chapter = Chapter(
        book=book,
        number=number[0],
        title=app.env.titles[docname].astext(),
        docname=docname,
        folder=book.version if released else versions.LATEST,
    )
    box = nodes.admonition(classes=["cite-chapter", "dropdown"])
    box += nodes.title(text=f"Cite this chapter (Chapter {chapter.number})")
    text = chapter.text()
    head, url = text[: -len(chapter.url)], chapter.url
    box += nodes.paragraph("", "", nodes.Text(head), _link(url))
    if released:
        note = (
            f"The address above shows version {book.version} of the chapter for good, "
            "whatever changes later. The latest version is at "
        )
    else:
        note = (
            f"Version {book.version} is not published as a release yet, so the address "
            "above is that of the latest version, which changes. Once it is released, "
            "its own address replaces it here. The latest version is at "
        )
    box += nodes.paragraph("", "", nodes.Text(note), _link(chapter.latest_url), nodes.Text("."))
    bibtex = chapter.bibtex()
    box += nodes.literal_block(bibtex, bibtex, language="bibtex")
    # Just under the chapter's title: a folded bar until a reader opens it.
    chapter_section = doctree.next_node(nodes.section)
    if chapter_section is not None:
        chapter_section.insert(
            chapter_section.first_child_not_matching_class(nodes.title) or 1, box
        )


def _link(url: str) -> nodes.reference:
    return nodes.reference(url, url, refuri=url)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("book_citation_file", "", "env", types=[str])
    app.setup_extension("bookext.versions")
    app.connect("builder-inited", _check_version)
    app.connect("doctree-resolved", _add_cite_box)
    return metadata()
