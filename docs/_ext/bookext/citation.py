"""A "Cite this chapter" box on every chapter, generated from ``CITATION.cff``.

The authors, the book's title, the year and the canonical URL come from ``CITATION.cff``;
the version is that of the ``gdbook`` package that executed the book, and the build stops
if ``CITATION.cff`` disagrees with it. The chapter's number is the one the reader sees,
so the box is added once Sphinx has numbered the chapters (``doctree-resolved``). The
BibTeX key is made from the page's file name, which never changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError

from bookext import metadata


@dataclass(frozen=True)
class Book:
    """What a citation of the book needs, read from ``CITATION.cff``."""

    title: str
    authors: str
    year: int
    version: str
    url: str

    @classmethod
    def from_cff(cls, path: Path) -> Book:
        cff = yaml.safe_load(path.read_text(encoding="utf-8"))
        names = [a.get("name") or f"{a['given-names']} {a['family-names']}" for a in cff["authors"]]
        return cls(
            title=cff["title"],
            authors=" and ".join(names),
            year=int(str(cff["date-released"])[:4]),
            version=str(cff["version"]),
            url=cff["url"].rstrip("/") + "/",
        )


@dataclass(frozen=True)
class Chapter:
    """One chapter's citation: the book, the chapter's number, title and page."""

    book: Book
    number: int
    title: str
    docname: str

    @property
    def url(self) -> str:
        return f"{self.book.url}{self.docname}.html"

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
            "chapter": str(self.number),
            "booktitle": b.title,
            "version": b.version,
            "year": str(b.year),
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
    chapter = Chapter(
        book=Book.from_cff(Path(app.config.book_citation_file)),
        number=number[0],
        title=app.env.titles[docname].astext(),
        docname=docname,
    )
    box = nodes.admonition(classes=["cite-chapter", "dropdown"])
    box += nodes.title(text=f"Cite this chapter (Chapter {chapter.number})")
    text = chapter.text()
    head, url = text[: -len(chapter.url)], chapter.url
    box += nodes.paragraph("", "", nodes.Text(head), nodes.reference(url, url, refuri=url))
    bibtex = chapter.bibtex()
    box += nodes.literal_block(bibtex, bibtex, language="bibtex")
    # Just under the chapter's title: a folded bar until a reader opens it. (At the end it
    # would land between the "References" heading and the list, which is written last.)
    chapter_section = doctree.next_node(nodes.section)
    if chapter_section is not None:
        chapter_section.insert(
            chapter_section.first_child_not_matching_class(nodes.title) or 1, box
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("book_citation_file", "", "env", types=[str])
    app.connect("builder-inited", _check_version)
    app.connect("doctree-resolved", _add_cite_box)
    return metadata()
