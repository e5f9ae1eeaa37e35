"""Source pages of the API, kept up to date without importing every module on each build.

``sphinx.ext.viewcode`` decides whether a module's source page (``_modules/...``) is out
of date by importing the module to find its file, on every build. For
``gdbook.torchtools`` that imports PyTorch: about 1.5 s of each rebuild, a no-change
rebuild included. Here the file is found from the module's import spec instead, which
imports only its parent package (``gdbook``, which ``conf.py`` has imported already).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.ext import viewcode

from bookext import metadata

_by_import = viewcode.get_module_filename


def get_module_filename(app: Sphinx, modname: str) -> Any:
    """The file of ``modname``, as viewcode's own function finds it, without importing it."""
    if app.events.emit_firstresult("viewcode-find-source", modname):
        return None  # viewcode then always writes the page, as it does itself
    try:
        spec = importlib.util.find_spec(modname)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin and spec.origin.endswith(".py"):
        return Path(spec.origin).resolve()
    return _by_import(app, modname)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinx.ext.viewcode")
    viewcode.get_module_filename = get_module_filename  # type: ignore[assignment]
    return metadata()
