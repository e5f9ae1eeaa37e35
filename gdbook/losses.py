r"""Predictions, errors and the squared loss of a straight line.

The parameters are a vector :math:`\theta`: ``(w,)`` for the line through the origin,
:math:`\hat y = w x`, or ``(w, b)`` for the full line, :math:`\hat y = w x + b`. Every
function takes ``(theta, x, y)`` in that order, and every loss has a gradient partner
with the same signature. The ``*_curve`` and ``*_surface`` functions evaluate a loss at
every point of a grid of parameters at once, for plots, without a Python loop.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray

__all__ = [
    "mae",
    "mse",
    "mse_curve",
    "mse_grad",
    "mse_grad_surface",
    "mse_surface",
    "predict",
    "squared_error",
    "squared_error_grad",
]


def predict(theta: npt.ArrayLike, x: npt.ArrayLike) -> FloatArray:
    r"""Predictions :math:`\hat y = w x + b` of the line with parameters ``theta``.

    Parameters
    ----------
    theta : array_like, shape (1,) or (2,)
        ``(w,)`` for the line through the origin, ``(w, b)`` for the full line.
    x : array_like, shape () or (n,)
        Inputs.

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
        One prediction per input (shape ``(1,)`` for a scalar ``x``).

    Examples
    --------
    >>> predict([2.0, 1.0], [0.0, 1.0, 2.0])
    array([1., 3., 5.])
    """
    w, b = _line(theta)
    xs = np.atleast_1d(_checks.finite_array(x, "x", ndim=(0, 1)))
    return w * xs + b


def squared_error(theta: npt.ArrayLike, x: float, y: float) -> float:
    r"""Squared error :math:`(\hat y - y)^2` of the line on one sample.

    Parameters
    ----------
    theta : array_like, shape (1,) or (2,)
        ``(w,)`` or ``(w, b)``.
    x, y : float
        One input and its target.

    Returns
    -------
    float
        The squared error of the prediction for ``x``.

    Notes
    -----
    .. math:: \ell(w, b) = (w x + b - y)^2

    As a function of :math:`w` alone this is a parabola that opens upwards (for
    :math:`x \neq 0`); its lowest point is the best :math:`w` for this one sample.

    Examples
    --------
    >>> squared_error([10.0], 3.0, 32.0)
    4.0
    """
    w, b = _line(theta)
    xi, yi = _checks.one_sample(x, y)
    return (w * xi + b - yi) ** 2


def squared_error_grad(theta: npt.ArrayLike, x: float, y: float) -> FloatArray:
    r"""Gradient of :func:`squared_error` with respect to ``theta``.

    Parameters
    ----------
    theta : array_like, shape (1,) or (2,)
        ``(w,)`` or ``(w, b)``.
    x, y : float
        One input and its target.

    Returns
    -------
    numpy.ndarray of float64, same shape as ``theta``
        :math:`(\partial\ell/\partial w,)` or
        :math:`(\partial\ell/\partial w, \partial\ell/\partial b)`.

    Notes
    -----
    .. math::

        \frac{\partial \ell}{\partial w} = 2 (w x + b - y)\, x, \qquad
        \frac{\partial \ell}{\partial b} = 2 (w x + b - y).

    With :math:`b = 0` the first is the notes' :math:`2x^2 w - 2xy`.

    Examples
    --------
    >>> squared_error_grad([10.0], 3.0, 32.0)
    array([-12.])
    """
    theta_ = _checks.theta(theta)
    w, b = _line(theta_)
    xi, yi = _checks.one_sample(x, y)
    residual = w * xi + b - yi
    return (2.0 * residual * np.array([xi, 1.0]))[: theta_.size]


def mse(theta: npt.ArrayLike, x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    r"""Mean squared error of the line over a batch of samples.

    Parameters
    ----------
    theta : array_like, shape (1,) or (2,)
        ``(w,)`` or ``(w, b)``.
    x, y : array_like, shape (n,)
        Inputs and targets; scalars count as a batch of one.

    Returns
    -------
    float
        The mean of the squared errors.

    Notes
    -----
    .. math:: L(w, b) = \frac{1}{n} \sum_{i=1}^{n} (w x_i + b - y_i)^2

    The book's MSE is the plain mean, without a factor :math:`\tfrac12`.

    Examples
    --------
    >>> mse([2.0, 0.0], [1.0, 2.0], [3.0, 3.0])
    1.0
    """
    w, b = _line(theta)
    xs, ys = _checks.samples(x, y)
    return float(np.mean((w * xs + b - ys) ** 2))


def mse_grad(theta: npt.ArrayLike, x: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    r"""Gradient of :func:`mse` with respect to ``theta``.

    Parameters
    ----------
    theta : array_like, shape (1,) or (2,)
        ``(w,)`` or ``(w, b)``.
    x, y : array_like, shape (n,)
        Inputs and targets.

    Returns
    -------
    numpy.ndarray of float64, same shape as ``theta``
        :math:`(\partial L/\partial w,)` or
        :math:`(\partial L/\partial w, \partial L/\partial b)`.

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial w} = \frac{2}{n} \sum_{i=1}^{n} (w x_i + b - y_i)\, x_i,
        \qquad
        \frac{\partial L}{\partial b} = \frac{2}{n} \sum_{i=1}^{n} (w x_i + b - y_i).

    Examples
    --------
    >>> mse_grad([2.0, 0.0], [1.0, 2.0], [3.0, 3.0])
    array([1., 0.])
    """
    theta_ = _checks.theta(theta)
    w, b = _line(theta_)
    xs, ys = _checks.samples(x, y)
    residual = w * xs + b - ys
    grad = np.array([2.0 * np.mean(residual * xs), 2.0 * np.mean(residual)])
    return grad[: theta_.size]


def mae(theta: npt.ArrayLike, x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    r"""Mean absolute error of the line over a batch, for comparison with :func:`mse`.

    Parameters
    ----------
    theta : array_like, shape (1,) or (2,)
        ``(w,)`` or ``(w, b)``.
    x, y : array_like, shape (n,)
        Inputs and targets.

    Returns
    -------
    float
        :math:`\frac{1}{n}\sum_i |w x_i + b - y_i|`.

    Examples
    --------
    >>> mae([2.0, 0.0], [1.0, 2.0], [3.0, 3.0])
    1.0
    """
    w, b = _line(theta)
    xs, ys = _checks.samples(x, y)
    return float(np.mean(np.abs(w * xs + b - ys)))


def mse_curve(w: npt.ArrayLike, x: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    r"""The MSE of the line through the origin at every ``w`` of a grid.

    Parameters
    ----------
    w : array_like, shape (m,)
        Slopes to evaluate.
    x, y : array_like, shape (n,)
        Inputs and targets. With scalars (one sample) the curve is that sample's
        squared error, the parabola of chapter 1.

    Returns
    -------
    numpy.ndarray of float64, shape (m,)
        ``mse([w[j]], x, y)`` for every ``j``, computed in one broadcast.

    Examples
    --------
    >>> mse_curve([0.0, 1.0, 2.0], 1.0, 1.0)
    array([1., 0., 1.])
    """
    ws = _checks.vector(w, "w")
    xs, ys = _checks.samples(x, y)
    residual = ws[:, None] * xs - ys
    curve: FloatArray = np.mean(residual**2, axis=-1)
    return curve


def mse_surface(
    w: npt.ArrayLike, b: npt.ArrayLike, x: npt.ArrayLike, y: npt.ArrayLike
) -> FloatArray:
    r"""The MSE of the full line at every point of the grid ``w`` × ``b``.

    Parameters
    ----------
    w : array_like, shape (m,)
        Slopes (the horizontal axis of a contour plot).
    b : array_like, shape (k,)
        Intercepts (the vertical axis).
    x, y : array_like, shape (n,)
        Inputs and targets.

    Returns
    -------
    numpy.ndarray of float64, shape (k, m)
        Entry ``[i, j]`` is ``mse([w[j], b[i]], x, y)``: the layout of
        ``numpy.meshgrid(w, b)``, which is what ``Axes.contour(w, b, z)`` expects.

    Notes
    -----
    The work is one broadcast over an array of ``k * m * n`` residuals.

    Examples
    --------
    >>> mse_surface([1.0, 2.0], [0.0, 1.0, 2.0], [1.0], [2.0])
    array([[1., 0.],
           [0., 1.],
           [1., 4.]])
    """
    residual = _surface_residuals(w, b, x, y)
    surface: FloatArray = np.mean(residual**2, axis=-1)
    return surface


def mse_grad_surface(
    w: npt.ArrayLike, b: npt.ArrayLike, x: npt.ArrayLike, y: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    r"""The gradient of the full line's MSE at every point of the grid ``w`` × ``b``.

    Parameters
    ----------
    w : array_like, shape (m,)
        Slopes.
    b : array_like, shape (k,)
        Intercepts.
    x, y : array_like, shape (n,)
        Inputs and targets.

    Returns
    -------
    dw, db : numpy.ndarray of float64, shape (k, m)
        The two components of :func:`mse_grad` at each grid point, laid out like
        :func:`mse_surface`.

    Examples
    --------
    >>> dw, db = mse_grad_surface([1.0, 2.0], [0.0], [1.0], [2.0])
    >>> dw, db
    (array([[-2.,  0.]]), array([[-2.,  0.]]))
    """
    xs, _ = _checks.samples(x, y)
    residual = _surface_residuals(w, b, x, y)
    return 2.0 * np.mean(residual * xs, axis=-1), 2.0 * np.mean(residual, axis=-1)


def _line(theta: npt.ArrayLike) -> tuple[float, float]:
    """Slope and intercept from ``theta``; the intercept is 0 for ``(w,)``."""
    values = _checks.theta(theta)
    return float(values[0]), float(values[1]) if values.size == 2 else 0.0


def _surface_residuals(
    w: npt.ArrayLike, b: npt.ArrayLike, x: npt.ArrayLike, y: npt.ArrayLike
) -> FloatArray:
    """Residuals ``w x + b - y`` with shape (len(b), len(w), n)."""
    ws = _checks.vector(w, "w")
    bs = _checks.vector(b, "b")
    xs, ys = _checks.samples(x, y)
    return ws[None, :, None] * xs + bs[:, None, None] - ys
