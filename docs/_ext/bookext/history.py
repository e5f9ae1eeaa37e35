"""The site does not depend on the builds before it.

Sphinx writes again only what it thinks changed, and three kinds of output escape it:

- Every page carries the whole table of contents in its sidebar and the numbers of the
  chapters. When a chapter is added, removed, moved or retitled, Sphinx writes only the
  pages it read again; the others would keep the old sidebar. Here every page is written
  again when the table of contents changed.

- The source pages of the API (``_modules/...``, from ``sphinx.ext.viewcode``) are written
  again only when the module's file is newer than the page. Their sidebar and header come
  from the whole book, so after a chapter is added or retitled they would keep the old
  table of contents. Here a digest of what every page shares (titles, numbers, the
  toctree, the configuration, the templates) is kept beside them; when it changes, they
  are written again.
- Images and downloads a page no longer uses stay in ``_images`` and ``_downloads``.
  After each build, files there that no page refers to are deleted.
- The search index keeps, as an empty list, every word that only the pages read again used
  to contain. Words found on no page are left out, as a clean build leaves them out.

With these, a rebuild after any edit gives the site a clean build gives (a test and
``nox -s bench`` check it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.search import IndexBuilder

from bookext import metadata

DIGEST = ".navigation"


def _contents(env: BuildEnvironment) -> str:
    """A digest of the table of contents: titles, numbers and what includes what."""
    shared = (
        sorted((doc, title.astext()) for doc, title in env.titles.items()),
        sorted((doc, sorted(numbers.items())) for doc, numbers in env.toc_secnumbers.items()),
        sorted((doc, list(included)) for doc, included in env.toctree_includes.items()),
    )
    return hashlib.sha256(repr(shared).encode()).hexdigest()


def _rewrite_all_if_contents_changed(app: Sphinx, env: BuildEnvironment) -> list[str]:
    digest = _contents(env)
    if env.__dict__.get("bookext_contents") == digest:
        return []
    env.__dict__["bookext_contents"] = digest
    return sorted(env.found_docs)


def _navigation(app: Sphinx) -> str:
    shared = (
        _contents(app.env),
        getattr(getattr(app.builder, "build_info", None), "config_hash", ""),
        app.builder.templates.newest_template_mtime(),  # type: ignore[attr-defined]
    )
    return hashlib.sha256(repr(shared).encode()).hexdigest()


def _refresh_sources(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Before viewcode decides what to write: drop its pages if what they share changed."""
    modules = Path(app.outdir) / "_modules"
    digest = _navigation(app)
    stored = modules / DIGEST
    if not stored.exists() or stored.read_text() != digest:
        for page in modules.rglob("*.html"):
            page.unlink()
        modules.mkdir(parents=True, exist_ok=True)
        stored.write_text(digest)
    yield from ()


def _prune(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    env = app.env
    used = {Path(app.outdir) / "_images" / name for _, name in env.images.values()} | {
        Path(app.outdir) / "_downloads" / name for _, name in env.dlfiles.values()
    }
    for folder in ("_images", "_downloads"):
        for path in sorted((Path(app.outdir) / folder).rglob("*"), reverse=True):
            if path.is_file() and path not in used:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


_sphinx_terms = IndexBuilder.get_terms


def _get_terms(
    self: IndexBuilder, fn2index: dict[str, int]
) -> tuple[dict[str, list[int] | int], dict[str, list[int] | int]]:
    terms, titles = _sphinx_terms(self, fn2index)
    return {k: v for k, v in terms.items() if v != []}, {k: v for k, v in titles.items() if v != []}


def setup(app: Sphinx) -> dict[str, Any]:
    IndexBuilder.get_terms = _get_terms  # type: ignore[method-assign]
    app.connect("env-get-updated", _rewrite_all_if_contents_changed)
    app.connect("html-collect-pages", _refresh_sources, priority=400)
    app.connect("build-finished", _prune)
    return metadata()
