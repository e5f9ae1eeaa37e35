"""Offer each executed chapter for download as a Jupyter notebook (``.ipynb``).

sphinx-book-theme links an ``.ipynb`` download only when launch buttons (Binder, Colab,
...) are configured, which an offline book has none of. And the notebook myst-nb 1.4
writes to ``_build/jupyter_execute`` lacks the outputs whenever they came from the cache
rather than a fresh run. So this builds the download itself: the chapter's source read as
a notebook, with the outputs of its record in the execution cache merged in — the same
outputs the page shows — and tells the theme's download menu about it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from jupyter_cache import get_cache
from myst_nb.core.read import read_myst_markdown_notebook
from sphinx.application import Sphinx
from sphinx.util import logging

from bookext import metadata

logger = logging.getLogger(__name__)


def _offer_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.is_file():  # not a notebook page
        return
    source = Path(app.env.doc2path(pagename)).read_text(encoding="utf-8")
    notebook = read_myst_markdown_notebook(source)
    try:
        _, notebook = get_cache(app.config.nb_execution_cache_path).merge_match_into_notebook(
            notebook
        )
    except KeyError:
        logger.warning("no executed copy of %s in the cache to offer", pagename, location=pagename)
        return
    for index, cell in enumerate(notebook.cells):  # nbformat draws random cell ids
        cell["id"] = f"cell-{index}"
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(nbformat.writes(notebook), encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", _offer_notebook, priority=400)
    return metadata()
