"""Shared fixtures: a seeded generator, the running example, and the built book."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest

import gdbook
from book import DOCS
from gdbook import data


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)


@pytest.fixture
def line(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The notes' data: x in 1..99, y = 10 x + U[0, 100)."""
    return data.line_data(100, rng=rng)


@pytest.fixture(scope="session")
def html_dir() -> Path:
    """The built book; `nox -s tests` builds it first and passes its path."""
    path = Path(os.environ.get("GDBOOK_HTML", DOCS / "_build" / "html"))
    if not (path / "index.html").is_file():
        pytest.fail(f"No built book at {path}: build it with `python -m nox -s docs`.")
    return path


@pytest.fixture(scope="session")
def version() -> str:
    return gdbook.__version__
