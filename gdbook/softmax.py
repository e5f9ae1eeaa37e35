r"""Softmax regression: the cross-entropy of many classes, computed from logits.

With :math:`C` classes a linear classifier has one column of weights per class,
:math:`\theta` of shape :math:`(p, C)`, and computes one row of *logits* per sample,
:math:`Z = X\theta`; :func:`softmax` turns each row into probabilities. The loss is the
cross-entropy of labels :math:`y_i \in \{0, \dots, C - 1\}`, here twice, as in
``torch.nn.functional``: :func:`cross_entropy_with_logits` for given logits (PyTorch's
``cross_entropy``) and :func:`cross_entropy` for the model, each with its ``_grad``
partner. Losses are means over samples, in nats, as PyTorch's default.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray

__all__ = [
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_with_logits",
    "cross_entropy_with_logits_grad",
    "softmax",
]


def softmax(logits: npt.ArrayLike) -> FloatArray:
    r"""Probabilities from the logits of each row, without overflow.

    Parameters
    ----------
    logits : array_like, shape (n, C)
        One row of :math:`C` logits per sample.

    Returns
    -------
    numpy.ndarray of float64, shape (n, C)
        :math:`\hat y_{ic} = e^{z_{ic}} / \sum_k e^{z_{ik}}`; each row sums to 1.

    Notes
    -----
    .. math:: \hat y_{ic} = \frac{e^{z_{ic} - m_i}}{\sum_k e^{z_{ik} - m_i}},
              \qquad m_i = \max_k z_{ik}

    Subtracting :math:`m_i` changes nothing mathematically, and makes the largest
    exponential :math:`e^0 = 1`: nothing overflows. (Logits further apart than
    float64's range, about :math:`1.8 \times 10^{308}`, give a gap of :math:`-\infty`,
    whose exponential is exactly 0.)

    Examples
    --------
    >>> softmax([[0.0, 0.0], [1000.0, 0.0]])
    array([[0.5, 0.5],
           [1. , 0. ]])
    """
    Z = _logits(logits)
    with np.errstate(over="ignore"):  # a gap beyond float64's range is -inf: e^-inf = 0
        e = np.exp(Z - Z.max(axis=1, keepdims=True))
    probabilities: FloatArray = e / e.sum(axis=1, keepdims=True)
    return probabilities


def cross_entropy_with_logits(logits: npt.ArrayLike, y: npt.ArrayLike) -> float:
    r"""Mean cross-entropy of class labels ``y`` given one row of logits per sample.

    Parameters
    ----------
    logits : array_like, shape (n, C)
        :math:`z_{ic}`, any finite numbers, :math:`C \ge 2`.
    y : array_like, shape (n,)
        Class labels, whole numbers from 0 to :math:`C - 1`.

    Returns
    -------
    float
        The mean of :math:`-\ln \hat y_{i y_i}`, with :math:`\hat y` the :func:`softmax`.

    Notes
    -----
    .. math::

        \begin{aligned}
        \ell_i &= -\ln \hat y_{i y_i} = \ln \sum_k e^{z_{ik} - z_{i y_i}} \\
                &= (m_i - z_{i y_i}) + \ln\Bigl(1 + \sum_{k \ne k_i} e^{z_{ik} - m_i}\Bigr)
        \end{aligned}

    with :math:`m_i = z_{i k_i}` the largest logit of row :math:`i`. Every exponent is
    at most 0, so nothing overflows, and the last logarithm is computed with ``log1p``,
    so a loss of :math:`10^{-20}` (a confident, correct prediction) keeps its digits.
    A loss beyond the largest float64 (logits further apart than its range) is
    ``inf``, without a warning, as rounding the exact value would give.
    At zero logits every class has probability :math:`1/C` and the loss is
    :math:`\ln C`.

    Examples
    --------
    >>> round(cross_entropy_with_logits([[0.0, 0.0, 0.0]], [2]), 6)  # ln 3
    1.098612
    """
    Z, labels = _multiclass(logits, y)
    rows, top = np.arange(labels.size), Z.argmax(axis=1)
    m = Z[rows, top]
    # Logits further apart than float64's range: the gap is -inf (its exponential is
    # exactly 0) and a loss beyond the largest float64 is inf, as rounding would give.
    with np.errstate(over="ignore"):
        rest = np.exp(Z - m[:, None])
        rest[rows, top] = 0.0  # the largest term, e^0 = 1, is the 1 of log1p
        return float(np.mean((m - Z[rows, labels]) + np.log1p(rest.sum(axis=1))))


def cross_entropy_with_logits_grad(logits: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    r"""Gradient of :func:`cross_entropy_with_logits` with respect to the logits.

    Parameters
    ----------
    logits : array_like, shape (n, C)
        :math:`z_{ic}`.
    y : array_like, shape (n,)
        Class labels from 0 to :math:`C - 1`.

    Returns
    -------
    numpy.ndarray of float64, shape (n, C)
        :math:`(\hat y_{ic} - [c = y_i]) / n`: probabilities minus the one-hot labels.

    Notes
    -----
    .. math:: \frac{\partial \ell_i}{\partial z_{ic}} = \hat y_{ic} - [c = y_i]

    The entry of the true class, :math:`\hat y_{i y_i} - 1`, is computed as
    :math:`-\sum_{c \ne y_i} \hat y_{ic}`, which does not cancel when
    :math:`\hat y_{i y_i}` is close to 1.

    Examples
    --------
    >>> cross_entropy_with_logits_grad([[0.0, 0.0]], [1])
    array([[ 0.5, -0.5]])
    """
    Z, labels = _multiclass(logits, y)
    gradient = softmax(Z)
    rows = np.arange(labels.size)
    gradient[rows, labels] = 0.0
    gradient[rows, labels] = -gradient.sum(axis=1)
    return gradient / labels.size


def cross_entropy(theta: npt.ArrayLike, X: npt.ArrayLike, y: npt.ArrayLike) -> float:
    r"""Softmax cross-entropy of the linear model with logits :math:`X\theta`.

    Parameters
    ----------
    theta : array_like, shape (p, C)
        One column of weights per class.
    X : array_like, shape (n, p)
        The inputs, one row per sample.
    y : array_like, shape (n,)
        Class labels from 0 to :math:`C - 1`.

    Returns
    -------
    float
        :func:`cross_entropy_with_logits` of :math:`X\theta`.

    Notes
    -----
    .. math:: L(\theta) = \frac1n \sum_{i=1}^n -\ln \frac{e^{x_i^\top \theta_{y_i}}}
              {\sum_c e^{x_i^\top \theta_c}}

    where :math:`\theta_c` is column :math:`c` of ``theta``.

    Examples
    --------
    >>> round(cross_entropy(np.zeros((2, 4)), [[1.0, 2.0]], [3]), 6)  # ln 4
    1.386294
    """
    A, W = _softmax_model(theta, X)
    return cross_entropy_with_logits(A @ W, y)


def cross_entropy_grad(theta: npt.ArrayLike, X: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    r"""Gradient of :func:`cross_entropy` with respect to ``theta``.

    Parameters
    ----------
    theta : array_like, shape (p, C)
        One column of weights per class.
    X : array_like, shape (n, p)
        The inputs.
    y : array_like, shape (n,)
        Class labels from 0 to :math:`C - 1`.

    Returns
    -------
    numpy.ndarray of float64, shape (p, C)
        :math:`\frac1n X^\top (P - Y)`, with :math:`P` the probabilities and :math:`Y`
        the one-hot labels.

    Notes
    -----
    .. math:: \nabla L(\theta) = \frac1n X^\top (P - Y)

    Examples
    --------
    >>> cross_entropy_grad(np.zeros((1, 2)), [[2.0]], [0])
    array([[-1.,  1.]])
    """
    A, W = _softmax_model(theta, X)
    gradient: FloatArray = A.T @ cross_entropy_with_logits_grad(A @ W, y)
    return gradient


def _logits(logits: npt.ArrayLike) -> FloatArray:
    Z = _checks.finite_array(logits, "logits", ndim=2)
    if Z.shape[0] == 0 or Z.shape[1] < 2:
        raise ValueError(f"logits must have a row per sample and 2 or more columns, got {Z.shape}")
    return Z


def _multiclass(logits: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    Z = _logits(logits)
    labels = _checks.finite_array(y, "y", ndim=1)
    if labels.shape != Z.shape[:1]:
        raise ValueError(
            f"logits and y disagree: {Z.shape[0]} rows of logits but {labels.size} labels"
        )
    C = Z.shape[1]
    if not np.all((labels == np.round(labels)) & (labels >= 0) & (labels < C)):
        raise ValueError(f"y must hold class labels 0 to {C - 1}, got {_checks.short(labels)}")
    return Z, labels.astype(np.intp)


def _softmax_model(theta: npt.ArrayLike, X: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    A = _checks.design_matrix(X)
    W = _checks.finite_array(theta, "theta", ndim=2)
    if W.shape[0] != A.shape[1]:
        raise ValueError(
            f"theta must have one row per column of X ({A.shape[1]}), got shape {W.shape}"
        )
    return A, W
