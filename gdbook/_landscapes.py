r"""Non-quadratic surfaces: Rosenbrock's valley and landscapes with several critical points.

Public through :mod:`gdbook.surfaces`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray
from gdbook._surface import CriticalPoint, Landscape, classify, grid_points, point_of


@dataclass(frozen=True)
class Rosenbrock:
    r"""Rosenbrock's banana valley :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    Parameters
    ----------
    a, b : float
        The minimiser is :math:`(a, a^2)`; ``b`` sets how steep the valley's walls are.

    Notes
    -----
    .. math::

        \begin{aligned}
        \nabla f &= \bigl(-2(a - x) - 4bx(y - x^2),\; 2b(y - x^2)\bigr), \\
        \nabla^2 f &= \begin{pmatrix} 2 - 4b(y - x^2) + 8bx^2 & -4bx \\
                                      -4bx & 2b \end{pmatrix}.
        \end{aligned}

    The gradient is zero only at :math:`(a, a^2)`, the one critical point.

    Examples
    --------
    >>> f = Rosenbrock()
    >>> f([1.0, 1.0]), f.grad([0.0, 0.0]), f.minimiser
    (0.0, array([-2.,  0.]), array([1., 1.]))
    >>> f.hessian([1.0, 1.0])
    array([[ 802., -400.],
           [-400.,  200.]])
    """

    a: float = 1.0
    b: float = 100.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "a", float(_checks.finite_array(self.a, "a", ndim=0)))
        object.__setattr__(self, "b", _checks.positive(self.b, "b"))

    def __call__(self, theta: npt.ArrayLike) -> float:
        x, y = point_of(theta, 2)
        return float((self.a - x) ** 2 + self.b * (y - x**2) ** 2)

    def grad(self, theta: npt.ArrayLike) -> FloatArray:
        """The gradient, by the chain rule."""
        x, y = point_of(theta, 2)
        return np.array(
            [-2.0 * (self.a - x) - 4.0 * self.b * x * (y - x**2), 2.0 * self.b * (y - x**2)]
        )

    def hessian(self, theta: npt.ArrayLike) -> FloatArray:
        """The Hessian, the matrix of second derivatives."""
        x, y = point_of(theta, 2)
        corner = -4.0 * self.b * x
        return np.array(
            [
                [2.0 - 4.0 * self.b * (y - x**2) + 8.0 * self.b * x**2, corner],
                [corner, 2.0 * self.b],
            ]
        )

    def on_grid(self, x: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
        """Heights over the grid ``x`` × ``y``, shape (len(y), len(x))."""
        points = grid_points(x, y)
        X, Y = points[..., 0], points[..., 1]
        heights: FloatArray = (self.a - X) ** 2 + self.b * (Y - X**2) ** 2
        return heights

    @property
    def minimiser(self) -> FloatArray:
        """The lowest point, :math:`(a, a^2)`."""
        return np.array([self.a, self.a**2])

    @property
    def minimum(self) -> float:
        """The lowest value, 0."""
        return 0.0

    @property
    def critical_points(self) -> tuple[CriticalPoint, ...]:
        """The one critical point, the minimiser."""
        return (CriticalPoint(self.minimiser, 0.0, "minimum"),)


@functools.cache
def two_minima() -> Landscape:
    r"""A curve with a global and a local minimum: :math:`f(x) = x^4/4 + x^3/3 - x^2`.

    Returns
    -------
    Landscape
        One variable; critical points at :math:`-2` (the global minimum,
        :math:`f = -8/3`), 0 (a maximum, :math:`f = 0`) and 1 (a local minimum,
        :math:`f = -5/12`).

    Notes
    -----
    .. math:: f'(x) = x^3 + x^2 - 2x = x(x + 2)(x - 1), \qquad f''(x) = 3x^2 + 2x - 2

    :math:`f''` is 6 at :math:`-2`, :math:`-2` at 0 and 3 at 1. Gradient descent that
    starts right of 0 ends in the local minimum, left of 0 in the global one.

    Examples
    --------
    >>> f = two_minima()
    >>> [(float(p.point[0]), p.kind) for p in f.critical_points]
    [(-2.0, 'minimum'), (0.0, 'maximum'), (1.0, 'minimum')]
    >>> f.minimum == -8 / 3
    True
    """
    formulas = (
        lambda x: x**4 / 4 + x**3 / 3 - x**2,
        lambda x: [x**3 + x**2 - 2 * x],
        lambda x: [[3 * x**2 + 2 * x - 2]],
    )
    return _landscape("x⁴/4 + x³/3 − x²", 1, formulas, [[-2.0], [0.0], [1.0]])


@functools.cache
def two_minima_2d() -> Landscape:
    r"""A surface with a global and a local minimum: :math:`x^4/4 + x^3/3 - x^2 + y^2`.

    Returns
    -------
    Landscape
        Two variables; critical points at :math:`(-2, 0)` (the global minimum,
        :math:`-8/3`), :math:`(0, 0)` (a saddle, 0) and :math:`(1, 0)` (a local minimum,
        :math:`-5/12`).

    Notes
    -----
    :func:`two_minima` along :math:`x` plus a valley :math:`y^2` across it, so the
    Hessian is :math:`\operatorname{diag}(3x^2 + 2x - 2,\, 2)`. The two basins of
    attraction of gradient descent (with a small enough step) are the half-planes
    :math:`x < 0` and :math:`x > 0`; the line :math:`x = 0` leads to the saddle.

    Examples
    --------
    >>> f = two_minima_2d()
    >>> [(p.point.tolist(), p.kind) for p in f.critical_points]
    [([-2.0, 0.0], 'minimum'), ([0.0, 0.0], 'saddle'), ([1.0, 0.0], 'minimum')]
    """
    formulas = (
        lambda x, y: x**4 / 4 + x**3 / 3 - x**2 + y**2,
        lambda x, y: [x**3 + x**2 - 2 * x, 2 * y],
        lambda x, y: [[3 * x**2 + 2 * x - 2, 0 * x], [0 * x, 2 + 0 * y]],
    )
    starts = [[-2.0, 0.0], [0.0, 0.0], [1.0, 0.0]]
    return _landscape("x⁴/4 + x³/3 − x² + y²", 2, formulas, starts)


@functools.cache
def saddle() -> Landscape:
    r"""The saddle :math:`f(x, y) = x^2 - y^2`.

    Returns
    -------
    Landscape
        Two variables; one critical point, the saddle at the origin. It has no
        minimum: ``minimiser`` raises a :class:`ValueError`.

    Notes
    -----
    Gradient descent with learning rate :math:`\eta` multiplies :math:`x` by
    :math:`1 - 2\eta` and :math:`y` by :math:`1 + 2\eta`: from a start on the line
    :math:`y = 0` it converges to the saddle; from any other start :math:`|y|` grows
    without bound.

    Examples
    --------
    >>> f = saddle()
    >>> f.critical_points[0].kind, f.hessian([0.0, 0.0])
    ('saddle', array([[ 2.,  0.],
           [ 0., -2.]]))
    """
    formulas = (
        lambda x, y: x**2 - y**2,
        lambda x, y: [2 * x, -2 * y],
        lambda x, y: [[2 + 0 * x, 0 * x], [0 * x, -2 + 0 * y]],
    )
    return _landscape("x² − y²", 2, formulas, [[0.0, 0.0]])


@functools.cache
def himmelblau() -> Landscape:
    r"""Himmelblau's function :math:`(x^2 + y - 11)^2 + (x + y^2 - 7)^2`: four minima.

    Returns
    -------
    Landscape
        Two variables; nine critical points: four minima, all with :math:`f = 0` (one
        at :math:`(3, 2)`), one maximum near :math:`(-0.2708, -0.9230)` and four
        saddles.

    Notes
    -----
    With :math:`u = x^2 + y - 11` and :math:`v = x + y^2 - 7`,

    .. math::

        \begin{aligned}
        \nabla f &= (4xu + 2v,\; 2u + 4yv), \\
        \nabla^2 f &= \begin{pmatrix} 4u + 8x^2 + 2 & 4x + 4y \\
                                      4x + 4y & 4v + 8y^2 + 2 \end{pmatrix}.
        \end{aligned}

    Only :math:`(3, 2)` has a closed form. The other eight points start from
    four-digit approximations and are polished by Newton's method,
    :math:`\theta \leftarrow \theta - (\nabla^2 f)^{-1}\nabla f`, until the step no
    longer changes them: their gradients are then zero to rounding.

    Examples
    --------
    >>> f = himmelblau()
    >>> [p.kind for p in f.critical_points].count("minimum"), f.minimiser
    (4, array([3., 2.]))
    """

    def value(x: Any, y: Any) -> Any:
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def gradient(x: Any, y: Any) -> list[Any]:
        u, v = x**2 + y - 11, x + y**2 - 7
        return [4 * x * u + 2 * v, 2 * u + 4 * y * v]

    def hessian(x: Any, y: Any) -> list[list[Any]]:
        u, v = x**2 + y - 11, x + y**2 - 7
        return [[4 * u + 8 * x**2 + 2, 4 * x + 4 * y], [4 * x + 4 * y, 4 * v + 8 * y**2 + 2]]

    starts = [
        [3.0, 2.0],
        [-2.8051, 3.1313],
        [-3.7793, -3.2832],
        [3.5844, -1.8481],
        [-0.2708, -0.9230],
        [0.0867, 2.8843],
        [-3.0730, -0.0814],
        [3.3852, 0.0739],
        [-0.1280, -1.9537],
    ]
    return _landscape("Himmelblau", 2, (value, gradient, hessian), starts)


def _landscape(
    name: str,
    ndim: int,
    formulas: tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]],
    starts: Sequence[Sequence[float]],
) -> Landscape:
    """A landscape whose critical points are Newton-polished from ``starts``, then classified."""
    points = []
    for start in starts:
        point = _newton(formulas, np.array(start))
        point.setflags(write=False)
        H = np.array(formulas[2](*point), dtype=np.float64)
        points.append(CriticalPoint(point, float(formulas[0](*point)), classify(H)))
    return Landscape(name, ndim, formulas, tuple(points))


def _newton(formulas: tuple[Callable[..., Any], ...], point: FloatArray) -> FloatArray:
    """Newton's method on the gradient, until its step changes nothing (or 50 steps)."""
    for _ in range(50):
        g = np.array(formulas[1](*point), dtype=np.float64)
        H = np.array(formulas[2](*point), dtype=np.float64)
        following = point - np.linalg.solve(H, g)
        if np.array_equal(following, point):
            break
        point = following
    return point
