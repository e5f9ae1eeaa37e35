r"""Logistic regression: the binary cross-entropy, computed from logits without overflow.

A linear classifier for two classes computes *logits* :math:`z = X\theta` and predicts
class 1 with probability :math:`\sigma(z_i)` (:func:`gdbook.functions.sigmoid`). Its loss
is the binary cross-entropy of the labels :math:`y_i \in \{0, 1\}`, here twice, as in
``torch.nn.functional``: :func:`cross_entropy_with_logits` for given logits (PyTorch's
``binary_cross_entropy_with_logits``) and :func:`cross_entropy` for the model, each with
its ``_grad`` partner. Losses are means over samples, in nats, as PyTorch's default.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from gdbook import _checks, functions
from gdbook._checks import FloatArray

__all__ = [
    "accuracy",
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_with_logits",
    "cross_entropy_with_logits_grad",
    "probabilities",
]


def cross_entropy_with_logits(logits: npt.ArrayLike, y: npt.ArrayLike) -> float:
    r"""Mean binary cross-entropy of labels ``y`` given logits, for any real logits.

    Parameters
    ----------
    logits : array_like, shape (n,)
        :math:`z_i`, any finite numbers; a single number counts as one sample.
    y : array_like, shape (n,)
        Labels, each 0 or 1.

    Returns
    -------
    float
        The mean of :math:`-y_i \ln\sigma(z_i) - (1 - y_i) \ln(1 - \sigma(z_i))`.

    Notes
    -----
    With :math:`1 - \sigma(z) = \sigma(-z)` and :math:`-\ln\sigma(t) = \ln(1 + e^{-t})`,
    each term is the *softplus* :math:`\ln(1 + e^t)` of :math:`t = z_i` (for
    :math:`y_i = 0`) or :math:`t = -z_i` (for :math:`y_i = 1`):

    .. math::

        \ell_i = \ln\bigl(1 + e^{s_i z_i}\bigr), \qquad s_i = 1 - 2 y_i,

    computed as :math:`\max(t, 0) + \ln(1 + e^{-|t|})` with ``log1p``: no exponential
    overflows, no logarithm sees 0, and a loss as small as :math:`e^{-700}` keeps its
    digits. The naive :math:`-\ln\sigma(z)` gives :math:`\infty` once
    :math:`\sigma(z)` rounds to 0.

    Examples
    --------
    >>> round(cross_entropy_with_logits([0.0, 2.0], [1, 0]), 6)  # (ln 2 + ln(1 + e²)) / 2
    1.410038
    >>> cross_entropy_with_logits(-800.0, 1)  # σ(−800) is 0 in float64; ln σ is not
    800.0
    """
    z, labels = _binary(logits, y)
    return float(np.mean(_softplus((1.0 - 2.0 * labels) * z)))


def cross_entropy_with_logits_grad(logits: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    r"""Gradient of :func:`cross_entropy_with_logits` with respect to the logits.

    Parameters
    ----------
    logits : array_like, shape (n,)
        :math:`z_i`.
    y : array_like, shape (n,)
        Labels, each 0 or 1.

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
        :math:`(\sigma(z_i) - y_i) / n`.

    Notes
    -----
    .. math:: \frac{\partial}{\partial z_i} \frac1n \sum_k \ell_k
              = \frac{\sigma(z_i) - y_i}{n} = \frac{s_i\, \sigma(s_i z_i)}{n}

    The second form, with :math:`s_i = 1 - 2y_i`, never subtracts two numbers close to 1.

    Examples
    --------
    >>> cross_entropy_with_logits_grad([0.0, 0.0], [1, 0])
    array([-0.25,  0.25])
    """
    z, labels = _binary(logits, y)
    s = 1.0 - 2.0 * labels
    return np.atleast_1d(s * functions.sigmoid(s * z) / z.size)


def cross_entropy(theta: npt.ArrayLike, X: npt.ArrayLike, y: npt.ArrayLike) -> float:
    r"""Binary cross-entropy of the logistic model :math:`\sigma(X\theta)` (logistic regression).

    Parameters
    ----------
    theta : array_like, shape (p,)
        The weights, one per column of ``X``.
    X : array_like, shape (n, p)
        The inputs, one row per sample (a column of ones gives a bias).
    y : array_like, shape (n,)
        Labels, each 0 or 1.

    Returns
    -------
    float
        :func:`cross_entropy_with_logits` of :math:`z = X\theta`.

    Notes
    -----
    .. math:: L(\theta) = \frac1n \sum_{i=1}^n \ln\bigl(1 + e^{(1 - 2y_i)\, x_i^\top \theta}\bigr)

    Examples
    --------
    >>> X = [[1.0, 1.0], [-1.0, 1.0]]
    >>> round(cross_entropy([0.0, 0.0], X, [1, 0]), 6)  # ln 2 at θ = 0
    0.693147
    """
    z, labels = _logistic(theta, X, y)
    return cross_entropy_with_logits(z, labels)


def cross_entropy_grad(theta: npt.ArrayLike, X: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    r"""Gradient of :func:`cross_entropy` with respect to ``theta``.

    Parameters
    ----------
    theta : array_like, shape (p,)
        The weights.
    X : array_like, shape (n, p)
        The inputs.
    y : array_like, shape (n,)
        Labels, each 0 or 1.

    Returns
    -------
    numpy.ndarray of float64, shape (p,)
        :math:`\frac1n X^\top (\sigma(X\theta) - y)`.

    Notes
    -----
    .. math:: \nabla L(\theta) = \frac1n \sum_{i=1}^n \bigl(\sigma(z_i) - y_i\bigr)\, x_i,
              \qquad z_i = x_i^\top\theta

    The chain rule through :math:`z_i`: the same form as the squared error's
    :math:`\frac2n X^\top (X\theta - y)`, with the probability in place of the prediction.

    Examples
    --------
    >>> cross_entropy_grad([0.0, 0.0], [[1.0, 1.0], [-1.0, 1.0]], [1, 0])
    array([-0.5,  0. ])
    """
    A = _checks.design_matrix(X)
    z, labels = _logistic(theta, A, y)
    gradient: FloatArray = A.T @ cross_entropy_with_logits_grad(z, labels)
    return gradient


def probabilities(theta: npt.ArrayLike, X: npt.ArrayLike) -> FloatArray:
    r"""The model's probability of class 1 for each sample, :math:`\sigma(X\theta)`.

    Parameters
    ----------
    theta : array_like, shape (p,)
        The weights, one per column of ``X``.
    X : array_like, shape (n, p)
        The inputs, one row per sample.

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
        :math:`\sigma(x_i^\top \theta)`.

    Examples
    --------
    >>> probabilities([1.0, 0.0], [[0.0, 1.0], [2.0, 1.0]]).round(4)
    array([0.5   , 0.8808])
    """
    A, w = _weights(theta, X)
    return functions.sigmoid(A @ w)


def accuracy(theta: npt.ArrayLike, X: npt.ArrayLike, y: npt.ArrayLike) -> float:
    r"""The fraction of samples whose label the model predicts, with threshold 1/2.

    Parameters
    ----------
    theta : array_like, shape (p,)
        The weights.
    X : array_like, shape (n, p)
        The inputs.
    y : array_like, shape (n,)
        Labels, each 0 or 1.

    Returns
    -------
    float
        The mean of :math:`[\hat y_i = y_i]` with :math:`\hat y_i = 1` where
        :math:`x_i^\top\theta > 0` (probability above 1/2) and 0 elsewhere.

    Examples
    --------
    >>> accuracy([1.0, 0.0], [[-1.0, 1.0], [2.0, 1.0], [3.0, 1.0]], [0, 1, 0])
    0.6666666666666666
    """
    z, labels = _logistic(theta, X, y)
    return float(np.mean((z > 0) == (labels == 1)))


def _softplus(t: FloatArray) -> FloatArray:
    """:math:`\\ln(1 + e^t)` for any real t: no overflow, and accurate for t ≪ 0."""
    return np.maximum(t, 0.0) + np.log1p(np.exp(-np.abs(t)))


def _binary(logits: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    z = np.atleast_1d(_checks.finite_array(logits, "logits", ndim=(0, 1)))
    labels = np.atleast_1d(_checks.finite_array(y, "y", ndim=(0, 1)))
    if z.shape != labels.shape:
        raise ValueError(f"logits and y must have the same shape, got {z.shape} and {labels.shape}")
    if z.size == 0:
        raise ValueError("logits and y must hold at least one sample")
    if not np.all((labels == 0) | (labels == 1)):
        raise ValueError(f"y must hold labels 0 or 1, got {_checks.short(labels)}")
    return z, labels


def _logistic(
    theta: npt.ArrayLike, X: npt.ArrayLike, y: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    A, w = _weights(theta, X)
    labels = np.atleast_1d(_checks.finite_array(y, "y", ndim=(0, 1)))
    if labels.size != A.shape[0]:
        raise ValueError(f"X has {A.shape[0]} rows but y has {labels.size} labels")
    _binary(A @ w, labels)  # labels 0 or 1
    return A @ w, labels


def _weights(theta: npt.ArrayLike, X: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    A = _checks.design_matrix(X)
    w = _checks.vector(theta, "theta")
    if w.size != A.shape[1]:
        raise ValueError(f"theta has {w.size} values but X has {A.shape[1]} columns")
    return A, w
