"""Offer each executed chapter for download as a Jupyter notebook (``.ipynb``).

myst-nb writes every executed notebook to ``_build/jupyter_execute``. sphinx-book-theme
only links it when launch buttons (Binder, Colab, ...) are configured, which an offline
book has none of, so this copies the notebook next to the page's source and tells the
theme's download menu about it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def _offer_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    # Before sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", _offer_notebook, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
