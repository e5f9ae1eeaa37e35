"""A build that was interrupted leaves no trace in the next one's site.

Sphinx writes pages one by one and its search index only at the end. A build killed
while writing (Ctrl-C, a killed process) leaves some pages new and some old, a page cut
short that looks up to date, and a search index that the next build completes with
entries for the pages it writes only. So an HTML build leaves a marker in the output
folder from the moment it starts writing until it ends; a build that finds the marker
empties the output folder first and writes every page again. The execution cache and the
parsed pages are kept: nothing executes or is read again. (A build stopped while reading,
by a failing cell say, has written nothing and leaves no marker.)
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from bookext import metadata

logger = logging.getLogger(__name__)

MARKER = ".build-unfinished"


def _start(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    out = Path(app.outdir)
    if (out / MARKER).exists():
        logger.info("the last build did not finish: writing every page again")
        for path in out.iterdir():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def _writing(app: Sphinx, builder: Any) -> None:
    if builder.format == "html":
        out = Path(app.outdir)
        out.mkdir(parents=True, exist_ok=True)
        (out / MARKER).touch()


def _end(app: Sphinx, exception: BaseException | None) -> None:
    if exception is None and app.builder.format == "html":
        (Path(app.outdir) / MARKER).unlink(missing_ok=True)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", _start, priority=100)  # before others write there
    app.connect("write-started", _writing, priority=100)
    app.connect("build-finished", _end, priority=900)
    return metadata()
