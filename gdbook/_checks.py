"""Input checks shared by the public functions.

Every public function turns bad input into a :class:`ValueError` that names the argument
and shows the value, so a mistake surfaces where it is made and not as a NaN three calls
later. An argument of the wrong kind altogether, such as an ``rng`` that is not a NumPy
``Generator``, raises :class:`WrongKindError`: a ``ValueError`` like every other bad input,
and a ``TypeError`` as Python's own conventions expect.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
T = TypeVar("T")


def finite_array(
    value: npt.ArrayLike, name: str, *, ndim: int | tuple[int, ...] | None = None
) -> FloatArray:
    """Return ``value`` as a float64 array after checking its dimensions and finiteness."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric, got {value!r}") from error
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and array.ndim not in allowed:
        wanted = " or ".join(str(d) for d in allowed)
        raise ValueError(f"{name} must have {wanted} dimension(s), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {short(array)}")
    return array


def vector(value: npt.ArrayLike, name: str) -> FloatArray:
    """A non-empty, finite, one-dimensional float64 array."""
    array = finite_array(value, name, ndim=1)
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    return array


def design_matrix(value: npt.ArrayLike, name: str = "X") -> FloatArray:
    """A finite 2-D array with at least one row (sample) and one column (feature)."""
    array = finite_array(value, name, ndim=2)
    if array.shape[0] == 0:
        raise ValueError(
            f"{name} must have at least one row (one per sample), got shape {array.shape}"
        )
    if array.shape[1] == 0:
        raise ValueError(
            f"{name} must have at least one column (one per parameter), got shape {array.shape}"
        )
    return array


def theta(value: npt.ArrayLike) -> FloatArray:
    """Parameters of a line: ``(w,)`` through the origin or ``(w, b)``."""
    array = finite_array(value, "theta", ndim=1)
    if array.shape not in ((1,), (2,)):
        raise ValueError(f"theta must hold (w,) or (w, b), got {array.size} values: {short(array)}")
    return array


def samples(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Inputs and targets as two equal-length 1-D arrays; scalars count as one sample."""
    xs = np.atleast_1d(finite_array(x, "x", ndim=(0, 1)))
    ys = np.atleast_1d(finite_array(y, "y", ndim=(0, 1)))
    if xs.shape != ys.shape:
        raise ValueError(f"x and y must have the same length, got {xs.size} and {ys.size}")
    if xs.size == 0:
        raise ValueError("x and y must hold at least one sample")
    return xs, ys


def one_sample(x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[float, float]:
    """A single input and target, as Python floats."""
    xs = finite_array(x, "x", ndim=0)
    ys = finite_array(y, "y", ndim=0)
    return float(xs), float(ys)


def positive(value: Any, name: str) -> float:
    """A finite number greater than zero."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return number


def count(value: Any, name: str, *, minimum: int = 1) -> int:
    """A whole number no smaller than ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    return int(value)


class WrongKindError(TypeError, ValueError):
    """An argument that is the wrong kind of object: both a TypeError and a ValueError."""


def generator(value: Any, name: str = "rng") -> np.random.Generator:
    """A NumPy random generator, such as ``np.random.default_rng(0)``."""
    if not isinstance(value, np.random.Generator):
        raise WrongKindError(
            f"{name} must be a numpy.random.Generator such as np.random.default_rng(0), "
            f"got {value!r}"
        )
    return value


def instance(value: object, kind: type[T], name: str) -> T:
    """``value`` itself, after checking that it is a ``kind``."""
    if not isinstance(value, kind):
        wanted = f"{kind.__module__}.{kind.__qualname__}"
        raise WrongKindError(f"{name} must be a {wanted}, got {value!r}")
    return value


def short(array: FloatArray) -> str:
    return np.array2string(array, threshold=6, precision=4)
