r"""Linear regression in matrix form: design matrix, vectorised MSE and its gradient.

Chapter 1's line :math:`\hat y_i = w x_i + b` is, for all samples at once,
:math:`\hat y = X\theta` with the *design matrix* :math:`X` whose rows are
:math:`(x_i, 1)` and :math:`\theta = (w, b)`. Everything here works on :math:`X` and
:math:`y` with matrix-vector products, so one gradient step on a million samples costs
two of them. :func:`quadratic` writes the MSE as a :class:`gdbook.surfaces.Quadratic`,
which gives its curvatures, condition number and learning-rate ceiling.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from gdbook import _checks, surfaces
from gdbook._checks import FloatArray

__all__ = [
    "condition_number",
    "design_matrix",
    "hessian",
    "least_squares",
    "mse",
    "mse_grad",
    "quadratic",
]


def design_matrix(x: npt.ArrayLike, *, bias: bool = True) -> FloatArray:
    r"""The design matrix of a line: a column of inputs, and a column of ones for the bias.

    Parameters
    ----------
    x : array_like, shape (n,)
        The inputs.
    bias : bool
        Add the column of ones (the model :math:`wx + b`); without it the model is
        :math:`wx`, a line through the origin.

    Returns
    -------
    numpy.ndarray of float64, shape (n, 2) or (n, 1)
        Rows :math:`(x_i, 1)`, or :math:`(x_i)` without the bias.

    Examples
    --------
    >>> design_matrix([2.0, 3.0])
    array([[2., 1.],
           [3., 1.]])
    """
    xs = _checks.vector(x, "x")
    columns = [xs, np.ones_like(xs)] if bias else [xs]
    return np.column_stack(columns)


def mse(theta: npt.ArrayLike, X: npt.ArrayLike, y: npt.ArrayLike) -> float:
    r"""Mean squared error of the linear model :math:`\hat y = X\theta`.

    Parameters
    ----------
    theta : array_like, shape (p,)
        The parameters.
    X : array_like, shape (n, p)
        The design matrix.
    y : array_like, shape (n,)
        The targets.

    Returns
    -------
    float
        :math:`\frac1n \lVert X\theta - y \rVert^2`.

    Examples
    --------
    >>> mse([2.0, 1.0], design_matrix([0.0, 1.0]), [1.0, 4.0])
    0.5
    """
    t, A, targets = _model(theta, X, y)
    residual = A @ t - targets
    return float(residual @ residual / targets.size)


def mse_grad(theta: npt.ArrayLike, X: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    r"""Gradient of :func:`mse`: two matrix-vector products.

    Parameters
    ----------
    theta : array_like, shape (p,)
        The parameters.
    X : array_like, shape (n, p)
        The design matrix.
    y : array_like, shape (n,)
        The targets.

    Returns
    -------
    numpy.ndarray of float64, shape (p,)
        :math:`\frac{2}{n} X^\top (X\theta - y)`.

    Notes
    -----
    .. math:: \nabla L(\theta) = \frac{2}{n} X^\top (X\theta - y)

    With :math:`X` of rows :math:`(x_i, 1)` its two entries are chapter 1's
    :math:`\frac2n \sum_i e_i x_i` and :math:`\frac2n \sum_i e_i`.

    Examples
    --------
    >>> mse_grad([2.0, 1.0], design_matrix([0.0, 1.0]), [1.0, 4.0])
    array([-1., -1.])
    """
    t, A, targets = _model(theta, X, y)
    gradient: FloatArray = (2.0 / targets.size) * (A.T @ (A @ t - targets))
    return gradient


def least_squares(X: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    r"""The exact minimiser of :func:`mse`, the answer gradient descent must reach.

    Parameters
    ----------
    X : array_like, shape (n, p)
        The design matrix, of full column rank.
    y : array_like, shape (n,)
        The targets.

    Returns
    -------
    numpy.ndarray of float64, shape (p,)
        The :math:`\theta^\star` solving the normal equations
        :math:`X^\top X \theta = X^\top y`.

    Notes
    -----
    Solved with ``numpy.linalg.lstsq`` (an orthogonal factorisation), which is more
    accurate than forming :math:`X^\top X` when :math:`X` is badly conditioned.

    Examples
    --------
    >>> least_squares(design_matrix([0.0, 1.0, 2.0]), [1.0, 3.0, 5.0])
    array([2., 1.])
    """
    A, targets = _data(X, y)
    solution, _, rank, _ = np.linalg.lstsq(A, targets, rcond=None)
    if rank < A.shape[1]:
        raise ValueError(f"X must have full column rank {A.shape[1]}, got rank {rank}")
    result: FloatArray = solution.astype(np.float64)
    return result


def hessian(X: npt.ArrayLike) -> FloatArray:
    r"""The Hessian of :func:`mse`, the same at every :math:`\theta`.

    Parameters
    ----------
    X : array_like, shape (n, p)
        The design matrix.

    Returns
    -------
    numpy.ndarray of float64, shape (p, p)
        :math:`\frac{2}{n} X^\top X`.

    Examples
    --------
    >>> hessian(design_matrix([1.0, 3.0]))
    array([[10.,  4.],
           [ 4.,  2.]])
    """
    A = _checks.design_matrix(X)
    matrix: FloatArray = (2.0 / A.shape[0]) * (A.T @ A)
    return matrix


def condition_number(X: npt.ArrayLike) -> float:
    r"""Condition number :math:`\kappa = L/\mu` of the MSE's Hessian.

    Parameters
    ----------
    X : array_like, shape (n, p)
        The design matrix.

    Returns
    -------
    float
        The ratio of the largest to the smallest eigenvalue of
        :math:`\frac2n X^\top X`; the larger it is, the slower gradient descent.

    Examples
    --------
    >>> condition_number(design_matrix([-1.0, 1.0]))
    1.0
    """
    eigenvalues = np.linalg.eigvalsh(hessian(X))
    if eigenvalues[0] <= 0:
        return float("inf")
    return float(eigenvalues[-1] / eigenvalues[0])


def quadratic(X: npt.ArrayLike, y: npt.ArrayLike) -> surfaces.Quadratic:
    r"""The MSE of a linear model written as a quadratic surface.

    Parameters
    ----------
    X : array_like, shape (n, p)
        The design matrix, of full column rank.
    y : array_like, shape (n,)
        The targets.

    Returns
    -------
    gdbook.surfaces.Quadratic
        :math:`A = \frac2n X^\top X`, :math:`b = \frac2n X^\top y`,
        :math:`c = \frac1n y^\top y`, so that its value is :func:`mse` and its gradient
        :func:`mse_grad` at every :math:`\theta`.

    Notes
    -----
    .. math::

        \frac1n \lVert X\theta - y\rVert^2
        = \tfrac12 \theta^\top \bigl(\tfrac2n X^\top X\bigr) \theta
          - \bigl(\tfrac2n X^\top y\bigr)^\top \theta + \tfrac1n y^\top y

    Examples
    --------
    >>> q = quadratic(design_matrix([1.0, 3.0]), [2.0, 6.0])
    >>> q.minimiser.round(12) + 0.0, round(q.max_lr, 4)  # + 0.0: a -0.0 prints as 0.0
    (array([2., 0.]), 0.1716)
    """
    A, targets = _data(X, y)
    n = targets.size
    return surfaces.Quadratic(
        (2.0 / n) * (A.T @ A), (2.0 / n) * (A.T @ targets), float(targets @ targets) / n
    )


def _data(X: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    A = _checks.design_matrix(X)
    targets = _checks.vector(y, "y")
    if A.shape[0] != targets.size:
        raise ValueError(f"X has {A.shape[0]} rows but y has {targets.size} values")
    return A, targets


def _model(
    theta: npt.ArrayLike,
    X: npt.ArrayLike,
    y: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    A, targets = _data(X, y)
    t = _checks.vector(theta, "theta")
    if t.size != A.shape[1]:
        raise ValueError(f"theta has {t.size} values but X has {A.shape[1]} columns")
    return t, A, targets
