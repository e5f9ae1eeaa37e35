r"""Optimisers: gradient descent and its variants, update rules, drivers, line searches.

Three kinds of optimiser live here, all returning a :class:`Trajectory` (the parameters,
loss and gradient norm at every recorded step, the learning rate of every update, the
work done, and the reason the run stopped):

* **Gradient descent and its variants** — :func:`gradient_descent`,
  :func:`normalised_gradient_descent`, :func:`clipped_gradient_descent`: each one loop
  that reads like its update rule, on a loss and its gradient given as functions of
  :math:`\theta`.
* **Line searches** — :func:`exact_line_search` (quadratics) and
  :func:`backtracking_line_search` (Armijo), which choose the step anew every time.
* **Update rules and drivers** — :class:`SGD` (momentum and Nesterov in PyTorch's form),
  :class:`SutskeverMomentum`, :class:`Adagrad`, :class:`RMSprop` and :class:`Adam`, each
  equal to its ``torch.optim`` class step for step, with PyTorch's names and defaults.
  A rule is a small frozen object with ``init(theta)`` and a pure
  ``step(theta, grad, state)``; a driver feeds it gradients: :func:`full_batch` the
  gradient of a function, :func:`minibatch` mean gradients over mini-batches of data
  (:func:`batches` shows them). Any rule's ``lr`` may be a schedule from
  :mod:`gdbook.schedules`.

One optimiser uses no gradient at all: :func:`anneal`, simulated annealing from many
starts at once.

Hyperparameters are keyword-only and named as in PyTorch (``lr``, ``momentum``,
``betas``, ``eps``, ``n_steps``, ``batch_size``, ...); bad values raise a
:class:`ValueError` naming the argument.

A run stops at the first of these rules, checked at every record in this order and
named by the run's :class:`StopReason`:

* **divergence** — a non-finite value, or a loss above :data:`DIVERGENCE_FACTOR` times
  ``max(|L(θ₀)|, 1)``; reported on the trajectory, never raised or warned. The ceiling
  is not shift-invariant: a loss with a large constant part must grow :math:`10^{10}`
  times that constant first (long before anything overflows). Parameters that run away
  while the loss stays finite (possible only with a gradient that is not the loss's) are
  not flagged;
* **gradient tolerance** — :math:`\lVert\nabla L(\theta_t)\rVert \le` ``grad_tol``
  (an exactly zero gradient stops a run wherever the method would stay put: always for
  gradient descent; for :func:`full_batch`, only if the rule's step with a zero gradient
  leaves :math:`\theta` unchanged (or the step cap is reached), so momentum coasts on
  through such a point; never for
  :func:`minibatch`, whose next batch's gradient is not the full one);
* **relative gradient tolerance** —
  :math:`\lVert\nabla L(\theta_t)\rVert \le` ``grad_rtol`` :math:`\cdot
  \lVert\nabla L(\theta_0)\rVert`;
* **loss tolerance** — :math:`|L(\theta_t) - L(\theta_{t-1})| \le` ``loss_tol``;
* **relative loss tolerance** — :math:`|L(\theta_t) - L(\theta_{t-1})| \le`
  ``loss_rtol`` :math:`\cdot \max(|L(\theta_{t-1})|, |L(\theta_t)|, 1)`, the rule of
  SciPy's L-BFGS-B (its ``ftol``);
* **stall** — (backtracking line search only) the step no longer changes
  :math:`\theta`;
* **step cap** — ``n_steps`` updates (for :func:`minibatch`, ``n_epochs`` epochs).

Norms are computed with scaling, so a gradient of norm :math:`10^{-170}` or
:math:`10^{200}` is measured as such rather than as 0 or infinity.
"""

from __future__ import annotations

import numpy.typing as npt

from gdbook import _checks, _run
from gdbook._adam import Adam
from gdbook._adaptive import Adagrad, RMSprop
from gdbook._anneal import anneal
from gdbook._drivers import batches, full_batch, minibatch
from gdbook._linesearch import backtracking_line_search, exact_line_search
from gdbook._momentum import SGD, SutskeverMomentum
from gdbook._run import (
    Gradient,
    Loss,
    StopReason,
    Trajectory,
    _Run,
    norm,
    overflow_is_divergence,
)

#: A run has diverged once its loss exceeds this many times ``max(|L(θ₀)|, 1)``.
DIVERGENCE_FACTOR = _run.DIVERGENCE_FACTOR

__all__ = [  # noqa: RUF022 (the order of the API page, not the alphabet)
    "gradient_descent",
    "normalised_gradient_descent",
    "clipped_gradient_descent",
    "exact_line_search",
    "backtracking_line_search",
    "SGD",
    "SutskeverMomentum",
    "Adagrad",
    "RMSprop",
    "Adam",
    "full_batch",
    "minibatch",
    "batches",
    "anneal",
    "Trajectory",
    "StopReason",
    "DIVERGENCE_FACTOR",
]


@overflow_is_divergence
def gradient_descent(
    loss: Loss,
    grad: Gradient,
    theta0: npt.ArrayLike,
    *,
    lr: float,
    n_steps: int = 1000,
    grad_tol: float | None = None,
    loss_tol: float | None = None,
    grad_rtol: float | None = None,
    loss_rtol: float | None = None,
) -> Trajectory:
    r"""Plain gradient descent with a fixed learning rate.

    Parameters
    ----------
    loss, grad : callable
        :math:`L(\theta)` and :math:`\nabla L(\theta)` for a 1-D float64 array
        :math:`\theta`.
    theta0 : array_like, shape (p,)
        The start.
    lr : float
        The learning rate :math:`\eta > 0`.
    n_steps : int
        The step cap.
    grad_tol, loss_tol : float, optional
        Stop once the gradient norm, or the change of the loss in one step, is at most
        this; ``None`` (the default) does not use the criterion.
    grad_rtol, loss_rtol : float, optional
        The same relative to the start's gradient norm, or to
        :math:`\max(|L(\theta_{t-1})|, |L(\theta_t)|, 1)` (see the module's
        description).

    Returns
    -------
    Trajectory

    Notes
    -----
    .. math:: \theta_{t+1} = \theta_t - \eta\, \nabla L(\theta_t)

    This is :class:`torch.optim.SGD` with its defaults (no momentum, no weight decay)
    applied to the full gradient.

    Examples
    --------
    >>> from gdbook import surfaces
    >>> f = surfaces.parabola()
    >>> run = gradient_descent(f, f.grad, [10.0], lr=0.2, grad_tol=1e-6)
    >>> run.reason.value, run.n_steps, bool(abs(run.final[0]) < 1e-6)
    ('grad_tol', 33, True)
    """
    eta = _checks.positive(lr, "lr")
    tols = (grad_tol, loss_tol, grad_rtol, loss_rtol)
    run = _Run(loss, grad, theta0, lr=eta, n_steps=n_steps, tols=tols)
    theta, g = run.theta, run.grad
    while not run.stopped:
        theta = theta - eta * g
        g = run.step_to(theta)
    return run.trajectory()


@overflow_is_divergence
def normalised_gradient_descent(
    loss: Loss,
    grad: Gradient,
    theta0: npt.ArrayLike,
    *,
    lr: float,
    n_steps: int = 1000,
    grad_tol: float | None = None,
    loss_tol: float | None = None,
    grad_rtol: float | None = None,
    loss_rtol: float | None = None,
) -> Trajectory:
    r"""Gradient descent with the step normalised by the gradient's norm.

    Parameters
    ----------
    loss, grad : callable
        :math:`L(\theta)` and :math:`\nabla L(\theta)`.
    theta0 : array_like, shape (p,)
        The start.
    lr : float
        The length of every step, :math:`\eta > 0`.
    n_steps : int
        The step cap.
    grad_tol, loss_tol, grad_rtol, loss_rtol : float, optional
        Stopping tolerances, as in :func:`gradient_descent`.

    Returns
    -------
    Trajectory

    Notes
    -----
    .. math::

        \theta_{t+1} = \theta_t - \eta\, \frac{\nabla L(\theta_t)}{\lVert\nabla L(\theta_t)\rVert}

    Every step has length exactly :math:`\eta`, however small the gradient: the iterates
    cannot settle closer to a minimiser than about :math:`\eta`.

    Examples
    --------
    >>> from gdbook import surfaces
    >>> f = surfaces.parabola()
    >>> run = normalised_gradient_descent(f, f.grad, [1.05], lr=0.1, n_steps=12)
    >>> import numpy as np
    >>> np.abs(np.diff(run.thetas.ravel())).round(12).tolist()[:3]
    [0.1, 0.1, 0.1]
    """
    eta = _checks.positive(lr, "lr")
    tols = (grad_tol, loss_tol, grad_rtol, loss_rtol)
    run = _Run(loss, grad, theta0, lr=eta, n_steps=n_steps, tols=tols)
    theta, g = run.theta, run.grad
    while not run.stopped:
        theta = theta - eta * g / norm(g)
        g = run.step_to(theta)
    return run.trajectory()


@overflow_is_divergence
def clipped_gradient_descent(
    loss: Loss,
    grad: Gradient,
    theta0: npt.ArrayLike,
    *,
    lr: float,
    max_norm: float,
    n_steps: int = 1000,
    grad_tol: float | None = None,
    loss_tol: float | None = None,
    grad_rtol: float | None = None,
    loss_rtol: float | None = None,
) -> Trajectory:
    r"""Gradient descent with the gradient's norm clipped to at most ``max_norm``.

    Parameters
    ----------
    loss, grad : callable
        :math:`L(\theta)` and :math:`\nabla L(\theta)`.
    theta0 : array_like, shape (p,)
        The start.
    lr : float
        The learning rate :math:`\eta > 0`.
    max_norm : float
        The largest gradient norm used, :math:`c > 0`.
    n_steps : int
        The step cap.
    grad_tol, loss_tol, grad_rtol, loss_rtol : float, optional
        Stopping tolerances, as in :func:`gradient_descent`.

    Returns
    -------
    Trajectory

    Notes
    -----
    .. math::

        \theta_{t+1} = \theta_t
            - \eta\, \min\Bigl(1, \frac{c}{\lVert\nabla L(\theta_t)\rVert}\Bigr) \nabla L(\theta_t)

    Far from a minimiser the steps have length :math:`\eta c`; close to it the gradient is
    small, nothing is clipped, and this is plain gradient descent. PyTorch's
    ``torch.nn.utils.clip_grad_norm_`` divides by :math:`\lVert\nabla L\rVert + 10^{-6}`
    instead, a difference of order :math:`10^{-6}` in the clipped steps.

    Examples
    --------
    >>> from gdbook import surfaces
    >>> f = surfaces.parabola()
    >>> run = clipped_gradient_descent(f, f.grad, [10.0], lr=0.1, max_norm=5.0, n_steps=2)
    >>> run.thetas.ravel()
    array([10. ,  9.5,  9. ])
    """
    eta = _checks.positive(lr, "lr")
    c = _checks.positive(max_norm, "max_norm")
    tols = (grad_tol, loss_tol, grad_rtol, loss_rtol)
    run = _Run(loss, grad, theta0, lr=eta, n_steps=n_steps, tols=tols)
    theta, g = run.theta, run.grad
    while not run.stopped:
        theta = theta - eta * min(1.0, c / norm(g)) * g
        g = run.step_to(theta)
    return run.trajectory()
