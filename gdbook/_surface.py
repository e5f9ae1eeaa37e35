r"""What every test surface shares: the protocol, critical points and their classification.

Public through :mod:`gdbook.surfaces`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray

#: What the Hessian says about a critical point.
Kind = Literal["minimum", "maximum", "saddle", "degenerate"]


class Surface(Protocol):
    """What the optimisers and plots of the book need from a test surface."""

    def __call__(self, theta: npt.ArrayLike) -> float: ...

    def grad(self, theta: npt.ArrayLike) -> FloatArray: ...

    def hessian(self, theta: npt.ArrayLike) -> FloatArray: ...

    def on_grid(self, x: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray: ...

    @property
    def minimiser(self) -> FloatArray: ...

    @property
    def minimum(self) -> float: ...

    @property
    def critical_points(self) -> tuple[CriticalPoint, ...]: ...


class CriticalPoint(NamedTuple):
    r"""A point where the gradient is zero, with its height and what kind of point it is.

    Parameters
    ----------
    point : numpy.ndarray of float64, shape (p,)
        Where :math:`\nabla f = 0`.
    value : float
        :math:`f` there.
    kind : {"minimum", "maximum", "saddle", "degenerate"}
        :func:`classify` applied to the Hessian there.
    """

    point: FloatArray
    value: float
    kind: Kind


def classify(hessian: npt.ArrayLike, *, rtol: float = 1e-10) -> Kind:
    r"""What kind of critical point a Hessian makes: the second-derivative test.

    Parameters
    ----------
    hessian : array_like, shape (p, p)
        The symmetric Hessian :math:`H` of :math:`f` at a point where
        :math:`\nabla f = 0`.
    rtol : float
        Eigenvalues within ``rtol`` times the largest one in size count as zero.

    Returns
    -------
    {"minimum", "maximum", "saddle", "degenerate"}
        ``"minimum"`` if every eigenvalue of :math:`H` is positive, ``"maximum"`` if
        every one is negative, ``"saddle"`` if there are both, and ``"degenerate"`` if
        some are zero and the rest share a sign: then the Hessian cannot tell (on
        :math:`x^4` and :math:`-x^4` and :math:`x^3` it is 0 at 0).

    Notes
    -----
    Near a critical point :math:`\theta^\star`,
    :math:`f(\theta^\star + d) \approx f(\theta^\star) + \tfrac12 d^\top H d`: along an
    eigenvector with eigenvalue :math:`\lambda`, :math:`f` rises if :math:`\lambda > 0`
    and falls if :math:`\lambda < 0`.

    Examples
    --------
    >>> classify([[2.0, 0.0], [0.0, -2.0]]), classify([[2.0, 1.0], [1.0, 2.0]])
    ('saddle', 'minimum')
    >>> classify([[0.0]])
    'degenerate'
    """
    H = _checks.finite_array(hessian, "hessian", ndim=2)
    if H.shape[0] != H.shape[1] or H.size == 0:
        raise ValueError(f"hessian must be a non-empty square matrix, got shape {H.shape}")
    if not np.allclose(H, H.T, rtol=1e-12, atol=0.0):
        raise ValueError("hessian must be symmetric")
    eigenvalues = np.linalg.eigvalsh(H)
    tol = _checks.positive(rtol, "rtol") * float(np.abs(eigenvalues).max())
    positive, negative = bool(np.any(eigenvalues > tol)), bool(np.any(eigenvalues < -tol))
    if positive and negative:
        return "saddle"
    if np.all(np.abs(eigenvalues) <= tol):
        return "degenerate"
    if positive and np.all(eigenvalues > tol):
        return "minimum"
    if negative and np.all(eigenvalues < -tol):
        return "maximum"
    return "degenerate"


def grid_points(x: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """Points of the grid ``x`` × ``y`` as an array of shape (len(y), len(x), 2)."""
    xs, ys = _checks.vector(x, "x"), _checks.vector(y, "y")
    X, Y = np.meshgrid(xs, ys)
    return np.stack([X, Y], axis=-1)


@dataclass(frozen=True, eq=False)
class Landscape:
    r"""A smooth test function with its gradient, its Hessian and all its critical points.

    Made by :func:`two_minima`, :func:`two_minima_2d`, :func:`saddle` and
    :func:`himmelblau`; like every surface, ``f(theta)`` is its value, ``f.grad`` its
    gradient, ``f.hessian`` its Hessian.

    Parameters
    ----------
    name : str
        The formula, shown as the landscape's ``repr``.
    ndim : int
        The number of variables, 1 or 2.
    formulas : tuple of three callables
        The value, the gradient (a sequence of ``ndim`` entries) and the Hessian (nested
        sequences), each a function of the ``ndim`` coordinates that broadcasts over
        arrays.
    critical_points : tuple of CriticalPoint
        Every point where the gradient is zero, each classified by its Hessian.
    """

    name: str
    ndim: int
    formulas: tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]
    critical_points: tuple[CriticalPoint, ...]

    def __call__(self, theta: npt.ArrayLike) -> float:
        return float(self.formulas[0](*point_of(theta, self.ndim)))

    def grad(self, theta: npt.ArrayLike) -> FloatArray:
        """The gradient."""
        return np.array(self.formulas[1](*point_of(theta, self.ndim)), dtype=np.float64)

    def hessian(self, theta: npt.ArrayLike) -> FloatArray:
        """The Hessian, the matrix of second derivatives."""
        return np.array(self.formulas[2](*point_of(theta, self.ndim)), dtype=np.float64)

    def on_grid(self, x: npt.ArrayLike, y: npt.ArrayLike | None = None) -> FloatArray:
        """Values at every ``x`` (one variable), or over the grid ``x`` × ``y`` (two)."""
        if self.ndim == 1:
            if y is not None:
                raise ValueError(f"{self.name} has one variable: call on_grid(x) without y")
            values: FloatArray = np.asarray(self.formulas[0](_checks.vector(x, "x")), np.float64)
            return values
        if y is None:
            raise ValueError(f"{self.name} has two variables: on_grid needs x and y")
        points = grid_points(x, y)
        return np.asarray(self.formulas[0](points[..., 0], points[..., 1]), dtype=np.float64)

    @property
    def minima(self) -> tuple[CriticalPoint, ...]:
        """The local minima, lowest first."""
        found = [p for p in self.critical_points if p.kind == "minimum"]
        return tuple(sorted(found, key=lambda p: p.value))

    @property
    def minimiser(self) -> FloatArray:
        """The lowest minimum's point (the first listed, if several are equally low)."""
        if not self.minima:
            raise ValueError(f"{self.name} has no minimum: it falls without bound")
        return self.minima[0].point

    @property
    def minimum(self) -> float:
        """The lowest value."""
        return self(self.minimiser)

    def __repr__(self) -> str:
        return self.name


def point_of(theta: npt.ArrayLike, ndim: int) -> FloatArray:
    """``theta`` as a float64 vector of ``ndim`` values."""
    t = _checks.vector(theta, "theta")
    if t.shape != (ndim,):
        raise ValueError(f"theta must have {ndim} value(s), got {t.size}")
    return t
