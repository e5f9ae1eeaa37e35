"""Addresses that last: every release of the book lives under its own versioned path.

The published site holds one folder per release (``0.1.0/``, ...) beside ``latest/``,
which follows the main branch. A build is told which folder it is for with
``-D book_site_version=latest`` or ``=0.1.0`` (default: the version of the ``gdbook``
package that executes it, i.e. a release), and which releases are published with
``-D book_versions=0.2.0,0.1.0`` (default: just this version). From these come

* :func:`page_url`, the address of a page in a given folder, which the cite box and the
  downloadable notebooks use, so that a citation points at the text that was cited;
* the version switcher in each page's header: a ``<details>`` list with no script that
  links the same page in ``latest`` and in every release.

:mod:`bookext.publish` (``nox -s publish``) places a built site in the published layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.application import Sphinx
from sphinx.config import Config

from bookext import metadata

if TYPE_CHECKING:
    from bookext.citation import Book

LATEST = "latest"


def site_version(app: Sphinx) -> str:
    """The folder this build is published in: ``latest`` or a release such as ``0.1.0``."""
    return str(app.config.book_site_version or app.config.release)


def releases(app: Sphinx) -> list[str]:
    """Published releases, newest first (this build's own version among them if a release)."""
    value = app.config.book_versions
    names = value.split(",") if isinstance(value, str) else list(value)
    found = [n.strip() for n in names if n.strip() and n.strip() != LATEST]
    if site_version(app) != LATEST and site_version(app) not in found:
        found.append(site_version(app))
    return sorted(set(found), key=_release_key, reverse=True)


def _release_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in version.split("."))


def book(app: Sphinx) -> Book:
    from bookext.citation import Book  # citation uses this module too

    cached: Book | None = getattr(app, "_gdbook_book", None)
    if cached is None:
        cached = Book.from_cff(Path(app.config.book_citation_file))
        app._gdbook_book = cached  # type: ignore[attr-defined]
    return cached


def page_url(app: Sphinx, page: str, version: str | None = None) -> str:
    """The published address of ``page`` (a path such as ``part1/derivatives.html``)."""
    return f"{book(app).url}{version or site_version(app)}/{page}"


def _switcher_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    current = site_version(app)
    page = f"{pagename}.html"
    links = [{"name": LATEST, "url": page_url(app, page, LATEST), "current": current == LATEST}]
    links += [
        {"name": v, "url": page_url(app, page, v), "current": v == current} for v in releases(app)
    ]
    context["book_site_version"] = current
    context["book_version_links"] = links
    context["book_versions_index"] = book(app).url


def _add_templates(app: Sphinx, config: Config) -> None:
    config.templates_path.append(str(Path(__file__).parent / "templates"))


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("bookext.folding")  # its style sheet styles the switcher too
    app.add_config_value("book_site_version", "", "env", types=[str])
    app.add_config_value("book_versions", "", "env", types=[str, list])
    app.connect("config-inited", _add_templates)
    app.connect("html-page-context", _switcher_context)
    return metadata()
