"""Shared fixtures: a seeded generator and the book's running example."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest

from gdbook import data


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)


@pytest.fixture
def line(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The notes' data: x in 1..99, y = 10 x + U[0, 100)."""
    return data.line_data(100, rng=rng)
