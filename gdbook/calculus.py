r"""Derivatives by differences, tangent lines, gradients, norms and distances.

These are the numerical tools the book uses to check every derivative it derives by
hand: a formula is trusted once it agrees with :func:`central_difference` (or
:func:`numerical_gradient`) to a relative error (:func:`relative_error`) near the limits
of float64.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray
from gdbook._run import norm as _scaled_norm

__all__ = [
    "central_difference",
    "directional_derivative",
    "distance",
    "forward_difference",
    "norm",
    "numerical_gradient",
    "relative_error",
    "relative_error_per_coordinate",
    "tangent_line",
    "unit",
]

ScalarFunction = Callable[[npt.NDArray[np.floating]], npt.ArrayLike]
"""A function of one variable that accepts an array and works elementwise."""

VectorFunction = Callable[[FloatArray], float]
"""A function of a parameter vector with a scalar value, such as a loss."""


def forward_difference(
    f: ScalarFunction, x: npt.ArrayLike, *, h: float = 1e-8, dtype: npt.DTypeLike = np.float64
) -> FloatArray:
    r"""Slope of the secant from ``x`` to ``x + h``: the limit definition before the limit.

    Parameters
    ----------
    f : callable
        A function of one variable, applied elementwise to an array.
    x : array_like
        Points at which to estimate :math:`f'(x)`.
    h : float
        The step, a positive number. The default, about :math:`\sqrt{\varepsilon}`
        for float64, balances truncation against rounding error.
    dtype : numpy dtype
        The precision of the arithmetic: ``x``, ``h``, the values of ``f`` and the
        difference are all of this type (``np.float32`` to see single precision).

    Returns
    -------
    numpy.ndarray of float64, shape of ``x``
        :math:`\bigl(f(x + h) - f(x)\bigr) / h`, computed in ``dtype``.

    Notes
    -----
    .. math:: f'(x) \approx \frac{f(x + h) - f(x)}{h}, \qquad
              \text{error} = \tfrac{h}{2} f''(\xi) = O(h)

    Examples
    --------
    >>> forward_difference(np.square, 3.0, h=0.1)
    array(6.1)
    """
    xs, step = _in_precision(x, h, dtype)
    return np.asarray((_call(f, xs + step, dtype) - _call(f, xs, dtype)) / step, np.float64)


def central_difference(
    f: ScalarFunction, x: npt.ArrayLike, *, h: float = 1e-6, dtype: npt.DTypeLike = np.float64
) -> FloatArray:
    r"""Slope of the secant from ``x - h`` to ``x + h``.

    Parameters
    ----------
    f : callable
        A function of one variable, applied elementwise to an array.
    x : array_like
        Points at which to estimate :math:`f'(x)`.
    h : float
        The half-width of the step, a positive number. The default, about
        :math:`\varepsilon^{1/3}` for float64, balances truncation against rounding.
    dtype : numpy dtype
        The precision of the arithmetic, as in :func:`forward_difference`.

    Returns
    -------
    numpy.ndarray of float64, shape of ``x``
        :math:`\bigl(f(x + h) - f(x - h)\bigr) / 2h`, computed in ``dtype``.

    Notes
    -----
    .. math:: f'(x) \approx \frac{f(x + h) - f(x - h)}{2h}, \qquad
              \text{error} = \tfrac{h^2}{6} f'''(\xi) = O(h^2)

    The error of the forward difference is :math:`O(h)`; here the first-order terms
    cancel, which is why the book checks gradients with central differences.

    Examples
    --------
    >>> central_difference(np.square, 3.0, h=0.1)
    array(6.)
    >>> central_difference(np.square, 3.0, h=0.1, dtype=np.float32)  # rounding shows
    array(5.99999428)
    """
    xs, step = _in_precision(x, h, dtype)
    difference = _call(f, xs + step, dtype) - _call(f, xs - step, dtype)
    return np.asarray(difference / (np.asarray(2, step.dtype) * step), np.float64)


def tangent_line(x: npt.ArrayLike, *, x0: float, y0: float, slope: float) -> FloatArray:
    r"""Values of the line through ``(x0, y0)`` with the given slope.

    Parameters
    ----------
    x : array_like
        Where to evaluate the line.
    x0, y0 : float
        The point of tangency: ``y0`` is usually ``f(x0)``.
    slope : float
        The slope of the line: :math:`f'(x_0)` for the tangent.

    Returns
    -------
    numpy.ndarray of float64, shape of ``x``
        :math:`y_0 + f'(x_0)\,(x - x_0)`.

    Notes
    -----
    .. math:: t(x) = f(x_0) + f'(x_0)\,(x - x_0)

    Examples
    --------
    >>> tangent_line([2.0, 3.0, 4.0], x0=3.0, y0=9.0, slope=6.0)
    array([ 3.,  9., 15.])
    """
    xs = _checks.finite_array(x, "x")
    point = _checks.finite_array([x0, y0, slope], "(x0, y0, slope)")
    return np.asarray(point[1] + point[2] * (xs - point[0]))


def numerical_gradient(f: VectorFunction, theta: npt.ArrayLike, *, h: float = 1e-6) -> FloatArray:
    r"""Central-difference estimate of the gradient of ``f`` at ``theta``.

    Parameters
    ----------
    f : callable
        A function of a 1-D float64 array returning a number, such as a loss.
    theta : array_like, shape (p,)
        The point at which to differentiate.
    h : float
        Relative step: coordinate :math:`j` moves by :math:`h \max(1, |\theta_j|)`, so
        large and small parameters are both differentiated with a sensible step.

    Returns
    -------
    numpy.ndarray of float64, shape (p,)
        :math:`\partial f / \partial \theta_j` for each coordinate.

    Notes
    -----
    .. math:: \frac{\partial f}{\partial \theta_j}(\theta) \approx
              \frac{f(\theta + h_j e_j) - f(\theta - h_j e_j)}{2 h_j}

    where :math:`e_j` is the :math:`j`-th unit vector. It costs :math:`2p` evaluations
    of ``f``; the loop runs over coordinates, never over samples. The relative step suits
    losses, whose curvature changes on the scale of the parameters themselves; for a
    function that wiggles on a fixed scale at large arguments (``sin`` at :math:`10^8`)
    use :func:`central_difference` with an absolute step instead.

    Examples
    --------
    >>> numerical_gradient(lambda v: v[0] ** 2 + 3 * v[1], [1.0, 5.0]).round(6)
    array([2., 3.])
    """
    point = _checks.vector(theta, "theta")
    step = _checks.positive(h, "h")
    grad = np.empty_like(point)
    for j in range(point.size):
        h_j = step * max(1.0, abs(point[j]))
        e_j = np.zeros_like(point)
        e_j[j] = h_j
        grad[j] = (float(f(point + e_j)) - float(f(point - e_j))) / (2.0 * h_j)
    return grad


def relative_error(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    r"""Relative distance between two vectors, the yardstick of gradient checking.

    Parameters
    ----------
    a, b : array_like
        Two non-empty arrays of the same shape, for example an analytic and a numerical
        gradient.

    Returns
    -------
    float
        :math:`\|a - b\| / \max(\|a\|, \|b\|)`, and 0 when both are zero.

    Notes
    -----
    .. math:: \operatorname{rel}(a, b) = \frac{\|a - b\|}{\max(\|a\|, \|b\|)}

    Dividing by the larger norm makes the number independent of the gradient's scale:
    about :math:`10^{-16}` means agreement to float64 precision, and values above
    :math:`10^{-4}` usually mean a wrong formula. A bug in a coordinate that is small
    next to the others hides in the norms: :func:`relative_error_per_coordinate` looks
    at each coordinate on its own. When the largest entry of the two arrays is tiny
    (below about :math:`10^{-145}`) or huge (above about :math:`10^{145}`), both are
    first scaled by the same power of two, which is exact and leaves the ratio
    unchanged, so that no square under- or overflows on the way.

    Examples
    --------
    >>> relative_error([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> relative_error([3.0, 4.0], [0.0, 4.0])
    0.6
    >>> relative_error([1e-170], [2e-170])  # numpy.linalg.norm alone would give 0 / 0
    0.5
    """
    va, vb = _pair(a, b)
    largest = max(float(np.abs(va).max()), float(np.abs(vb).max()))
    if largest == 0.0:
        return 0.0
    if not 1e-145 < largest < 1e145:  # squares would under- or overflow: rescale
        _, exponent = np.frexp(largest)
        va, vb = np.ldexp(va, -exponent), np.ldexp(vb, -exponent)
    scale = max(float(np.linalg.norm(va)), float(np.linalg.norm(vb)))
    return float(np.linalg.norm(va - vb)) / scale


def relative_error_per_coordinate(
    a: npt.ArrayLike, b: npt.ArrayLike, *, floor: float = 0.0
) -> FloatArray:
    r"""Relative distance between two arrays, one coordinate at a time.

    Parameters
    ----------
    a, b : array_like
        Two non-empty arrays of the same shape, for example an analytic and a numerical
        gradient.
    floor : float
        A non-negative size below which a coordinate counts as zero: the denominator is
        never smaller than ``floor``. The default 0 measures every coordinate relative
        to itself.

    Returns
    -------
    numpy.ndarray of float64, shape of ``a``
        :math:`|a_j - b_j| / \max(|a_j|, |b_j|, \text{floor})`, and 0 where
        :math:`a_j = b_j` (so two zeros agree). Each entry lies between 0 and 2.

    Notes
    -----
    .. math:: \operatorname{rel}_j(a, b)
              = \frac{|a_j - b_j|}{\max(|a_j|,\, |b_j|,\, \text{floor})}

    Where :func:`relative_error` divides by the norm of the whole vector, this divides
    each coordinate by its own size, so a 1 % error in a coordinate a thousand times
    smaller than the others still reads as 1 %. A coordinate whose exact value is 0 has
    no size of its own: if one array holds 0 there and the other a little rounding
    noise, the relative error is 1. Give ``floor`` the size of that noise (the rounding
    error of a central difference, about :math:`10^{-10}` times :math:`|f| / h` for
    step :math:`h`) to measure such a coordinate against the floor instead.

    Examples
    --------
    >>> relative_error_per_coordinate([100.0, 1.0], [100.0, 1.01]).round(4)
    array([0.    , 0.0099])
    >>> relative_error([100.0, 1.0], [100.0, 1.01]) < 1e-4  # the norm barely notices
    True
    >>> relative_error_per_coordinate([0.0, 0.0], [0.0, 1e-12])
    array([0., 1.])
    >>> relative_error_per_coordinate([0.0, 0.0], [0.0, 1e-12], floor=1e-8)
    array([0.e+00, 1.e-04])
    """
    va, vb = _pair(a, b)
    lower = float(_checks.finite_array(floor, "floor", ndim=0))
    if lower < 0:
        raise ValueError(f"floor must not be negative, got {floor!r}")
    difference = np.abs(va - vb)
    scale = np.maximum(np.maximum(np.abs(va), np.abs(vb)), lower)
    # Where the difference is 0 the scale may be 0 too: 0/0 is agreement, not NaN.
    return np.divide(difference, scale, out=np.zeros_like(difference), where=difference > 0)


def norm(v: npt.ArrayLike) -> float:
    r"""Euclidean length of a vector, in any number of dimensions.

    Parameters
    ----------
    v : array_like, shape (d,)
        The vector.

    Returns
    -------
    float
        :math:`\|v\| = \sqrt{v_1^2 + \dots + v_d^2}`.

    Notes
    -----
    Squaring first, as the formula does, loses a vector whose entries are all below
    about :math:`10^{-162}` (the squares round to 0) or one with an entry above about
    :math:`10^{154}` (its square overflows). Such vectors are first scaled by a power
    of two, which is exact.

    Examples
    --------
    >>> norm([3.0, 4.0])
    5.0
    >>> norm([3e-170, 4e-170])
    5e-170
    """
    vector = _checks.vector(v, "v")
    largest = float(np.abs(vector).max()) if vector.size else 0.0
    if 1e-145 < largest < 1e145:  # no square that matters can under- or overflow
        return float(np.sqrt(np.sum(vector**2)))
    return _scaled_norm(vector)


def distance(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    r"""Euclidean distance between two points: the norm of their difference.

    Parameters
    ----------
    a, b : array_like, shape (d,)
        Two points of the same dimension.

    Returns
    -------
    float
        :math:`\|a - b\|`.

    Examples
    --------
    >>> distance([1.0, 1.0, 1.0], [4.0, 5.0, 1.0])
    5.0
    """
    va = _checks.vector(a, "a")
    vb = _checks.vector(b, "b")
    if va.shape != vb.shape:
        raise ValueError(f"a and b must have the same dimension, got {va.size} and {vb.size}")
    return norm(va - vb)


def unit(v: npt.ArrayLike) -> FloatArray:
    r"""The vector of length 1 pointing the same way as ``v``.

    Parameters
    ----------
    v : array_like, shape (d,)
        A vector that is not zero.

    Returns
    -------
    numpy.ndarray of float64, shape (d,)
        :math:`v / \|v\|`.

    Examples
    --------
    >>> unit([3.0, 4.0])
    array([0.6, 0.8])
    """
    vector = _checks.vector(v, "v")
    length = norm(vector)
    if length == 0.0:
        raise ValueError("v must not be the zero vector: it has no direction")
    return vector / length


def directional_derivative(
    f: VectorFunction, theta: npt.ArrayLike, direction: npt.ArrayLike, *, h: float = 1e-6
) -> float:
    r"""Rate of change of ``f`` at ``theta`` when moving along ``direction``.

    Parameters
    ----------
    f : callable
        A function of a 1-D float64 array returning a number.
    theta : array_like, shape (p,)
        The point.
    direction : array_like, shape (p,)
        The direction of travel; only its direction matters, it is scaled to length 1.
    h : float
        The step along the unit direction, a positive number.

    Returns
    -------
    float
        :math:`D_u f(\theta)` for :math:`u = ` ``direction`` / its norm, estimated by a
        central difference.

    Notes
    -----
    .. math:: D_u f(\theta) = \lim_{h \to 0} \frac{f(\theta + h u) - f(\theta - h u)}{2h}
              = \nabla f(\theta) \cdot u

    The second form is why :math:`-\nabla f / \|\nabla f\|` is the direction of
    steepest descent: among unit vectors, :math:`\nabla f \cdot u` is smallest when
    :math:`u` points opposite to the gradient (Cauchy–Schwarz).

    Examples
    --------
    >>> f = lambda v: v[0] ** 2 + v[1] ** 2
    >>> round(directional_derivative(f, [1.0, 2.0], [1.0, 0.0]), 6)  # ∂f/∂x = 2x
    2.0
    """
    point = _checks.vector(theta, "theta")
    d = _checks.vector(direction, "direction")
    if d.shape != point.shape:
        raise ValueError(
            f"theta and direction must have the same dimension, got {point.size} and {d.size}"
        )
    if not np.any(d):
        raise ValueError("direction must not be the zero vector: it has no direction")
    u = unit(d)
    step = _checks.positive(h, "h")
    return (float(f(point + step * u)) - float(f(point - step * u))) / (2.0 * step)


def _pair(a: npt.ArrayLike, b: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Two finite arrays of the same shape, not empty."""
    va = _checks.finite_array(a, "a")
    vb = _checks.finite_array(b, "b")
    if va.shape != vb.shape:
        raise ValueError(f"a and b must have the same shape, got {va.shape} and {vb.shape}")
    if va.size == 0:
        raise ValueError("a and b must not be empty: there is nothing to compare")
    return va, vb


def _in_precision(
    x: npt.ArrayLike, h: float, dtype: npt.DTypeLike
) -> tuple[npt.NDArray[np.floating], npt.NDArray[np.floating]]:
    """``x`` and ``h`` checked, then converted to the floating-point type ``dtype``."""
    kind = np.dtype(dtype)
    if kind.kind != "f":
        raise ValueError(f"dtype must be a floating-point type, got {kind}")
    xs = _checks.finite_array(x, "x").astype(kind)
    return xs, np.asarray(_checks.positive(h, "h"), kind)


def _call(
    f: ScalarFunction, x: npt.NDArray[np.floating], dtype: npt.DTypeLike
) -> npt.NDArray[np.floating]:
    return np.asarray(f(x), dtype=dtype)
