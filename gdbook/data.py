r"""The book's data: noisy points around a line, and two classes of points in the plane.

The course notes this book grew from draw ``x`` as whole numbers from 1 to 99 and set
``y = 10 x + u`` with ``u`` uniform on [0, 100). The book keeps that example
(:func:`line_data`), but every draw comes from a generator the caller passes in, so every
figure is the same on every build. The two scalings the book discusses, dividing by a
constant and standardising, are here too, and so is a two-class problem for logistic
regression (:func:`two_classes`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray

__all__ = ["line_data", "scale", "standardise", "two_classes"]


def line_data(
    n: int = 100,
    *,
    rng: np.random.Generator,
    slope: float = 10.0,
    intercept: float = 0.0,
    noise: float = 100.0,
) -> tuple[FloatArray, FloatArray]:
    r"""Draw ``n`` points scattered above the line ``y = slope * x + intercept``.

    Parameters
    ----------
    n : int
        Number of points, at least 1.
    rng : numpy.random.Generator
        Source of every random draw. Keyword only and without a default, so that each
        caller decides, and shows, where its randomness comes from.
    slope, intercept : float
        The line the points scatter around.
    noise : float
        Width of the uniform noise added to each ``y``. The noise is drawn from
        ``[0, noise)``, so its mean is ``noise / 2``, not zero.

    Returns
    -------
    x : numpy.ndarray of float64, shape (n,)
        Whole numbers drawn uniformly from 1, 2, ..., 99.
    y : numpy.ndarray of float64, shape (n,)
        ``slope * x + intercept + u`` with ``u`` uniform on ``[0, noise)``.

    Notes
    -----
    With the defaults this is the notes' example,

    .. math::

        x_i \sim \mathcal{U}\{1, \dots, 99\}, \qquad
        y_i = 10\,x_i + u_i, \qquad u_i \sim \mathcal{U}[0, 100),

    where :math:`10` is ``slope`` and :math:`100` is ``noise``. Because :math:`u_i`
    averages 50, the best straight line through these points is close to
    :math:`y = 10x + 50`, not :math:`y = 10x`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, y = line_data(4, rng=rng)
    >>> x
    array([85., 64., 51., 27.])
    >>> bool(np.all((y >= 10 * x) & (y < 10 * x + 100)))
    True
    """
    n = _checks.count(n, "n")
    rng = _checks.generator(rng)
    slope = float(_checks.finite_array(slope, "slope", ndim=0))
    intercept = float(_checks.finite_array(intercept, "intercept", ndim=0))
    noise = _checks.positive(noise, "noise")
    x = rng.integers(1, 100, size=n).astype(np.float64)
    u = rng.uniform(0.0, noise, size=n)
    return x, slope * x + intercept + u


def scale(values: npt.ArrayLike, *, by: float) -> FloatArray:
    r"""Divide every value by the constant ``by``, as the notes divide x and y by 100.

    Parameters
    ----------
    values : array_like
        Finite numbers, any shape.
    by : float
        A positive divisor.

    Returns
    -------
    numpy.ndarray of float64
        ``values / by``, same shape as ``values``.

    Examples
    --------
    >>> scale([50.0, 99.0], by=100)
    array([0.5 , 0.99])
    """
    array = _checks.finite_array(values, "values")
    return array / _checks.positive(by, "by")


def standardise(values: npt.ArrayLike) -> tuple[FloatArray, float, float]:
    r"""Shift and rescale values to mean 0 and standard deviation 1.

    Parameters
    ----------
    values : array_like, shape (n,)
        At least two finite numbers that are not all equal.

    Returns
    -------
    z : numpy.ndarray of float64, shape (n,)
        The standardised values.
    mean, std : float
        The mean and the (population) standard deviation that were removed, so that
        ``values == z * std + mean``.

    Notes
    -----
    .. math:: z_i = \frac{x_i - \bar{x}}{s}, \qquad
              s = \sqrt{\tfrac{1}{n} \textstyle\sum_i (x_i - \bar{x})^2}

    Examples
    --------
    >>> z, mean, std = standardise([1.0, 2.0, 3.0])
    >>> z.round(4), mean, round(std, 4)
    (array([-1.2247,  0.    ,  1.2247]), 2.0, 0.8165)
    """
    array = _checks.vector(values, "values")
    mean = float(array.mean())
    std = float(array.std())
    if std == 0.0:
        raise ValueError(f"values must not all be equal, got {array.size} copies of {mean}")
    return (array - mean) / std, mean, std


def two_classes(
    n: int = 200,
    *,
    rng: np.random.Generator,
    centres: npt.ArrayLike = ((1.0, 1.0), (3.0, 2.0)),
    spread: float = 1.0,
) -> tuple[FloatArray, FloatArray]:
    r"""Draw ``n`` points of two classes: two round clouds in the plane that overlap.

    Parameters
    ----------
    n : int
        Number of points, at least 2: ``n // 2`` of class 0, the rest of class 1.
    rng : numpy.random.Generator
        Source of every random draw; keyword only, without a default.
    centres : array_like, shape (2, 2)
        The centre of class 0's cloud, then class 1's.
    spread : float
        The standard deviation of each coordinate around its centre.

    Returns
    -------
    X : numpy.ndarray of float64, shape (n, 2)
        The points, one per row, in random order.
    y : numpy.ndarray of float64, shape (n,)
        Their labels, 0 or 1.

    Notes
    -----
    .. math:: x_i \sim \mathcal{N}\bigl(\mu_{y_i},\, s^2 I\bigr), \qquad y_i \in \{0, 1\}

    where :math:`\mu_0, \mu_1` are ``centres`` and :math:`s` is ``spread``. Where the
    clouds overlap no line separates the classes, so logistic regression has a finite best
    :math:`\theta` and gradient descent converges to it.

    Examples
    --------
    >>> X, y = two_classes(6, rng=np.random.default_rng(0))
    >>> X.shape, y.tolist()
    ((6, 2), [1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    """
    n = _checks.count(n, "n", minimum=2)
    rng = _checks.generator(rng)
    mu = _checks.finite_array(centres, "centres", ndim=2)
    if mu.shape != (2, 2):
        raise ValueError(f"centres must hold two points in the plane, shape (2, 2), got {mu.shape}")
    s = _checks.positive(spread, "spread")
    y = rng.permutation(np.repeat([0.0, 1.0], [n // 2, n - n // 2]))
    X = mu[y.astype(np.intp)] + s * rng.standard_normal((n, 2))
    return X, y
