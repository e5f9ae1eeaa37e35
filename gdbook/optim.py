r"""Gradient descent and its variants, each one loop that reads like its update rule.

Every optimiser takes the loss and its gradient as functions of :math:`\theta`, a start
``theta0`` and keyword-only hyperparameters named as in PyTorch (``lr``, ``n_steps``), and
returns a :class:`Trajectory`: the parameters, loss and gradient norm at every step (row
0 is the start) and the reason the run stopped.

A run stops at the first of:

* **divergence** — a non-finite value, or a loss above :data:`DIVERGENCE_FACTOR` times
  ``max(|L(θ₀)|, 1)``; reported on the trajectory, never raised;
* **gradient tolerance** — :math:`\lVert\nabla L(\theta_t)\rVert \le` ``grad_tol``
  (an exactly zero gradient always stops a run: no method can move from there);
* **loss tolerance** — :math:`|L(\theta_t) - L(\theta_{t-1})| \le` ``loss_tol``;
* **step cap** — ``n_steps`` updates.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gdbook import _checks, surfaces
from gdbook._checks import FloatArray

__all__ = [
    "DIVERGENCE_FACTOR",
    "StopReason",
    "Trajectory",
    "clipped_gradient_descent",
    "exact_line_search",
    "gradient_descent",
    "normalised_gradient_descent",
]

Loss = Callable[[FloatArray], float]
Gradient = Callable[[FloatArray], FloatArray]

#: A run has diverged once its loss exceeds this many times ``max(|L(θ₀)|, 1)``.
DIVERGENCE_FACTOR = 1e10


class StopReason(str, enum.Enum):
    """Why a run of an optimiser stopped."""

    MAX_STEPS = "max_steps"
    GRAD_TOL = "grad_tol"
    LOSS_TOL = "loss_tol"
    DIVERGED = "diverged"


@dataclass(frozen=True)
class Trajectory:
    r"""The record of one run of an optimiser.

    Parameters
    ----------
    thetas : numpy.ndarray of float64, shape (T + 1, p)
        Row :math:`t` is :math:`\theta_t`; row 0 is the start.
    losses : numpy.ndarray of float64, shape (T + 1,)
        :math:`L(\theta_t)`.
    grad_norms : numpy.ndarray of float64, shape (T + 1,)
        :math:`\lVert\nabla L(\theta_t)\rVert`.
    reason : StopReason
        Why the run stopped.

    Examples
    --------
    >>> f = surfaces.parabola()
    >>> run = gradient_descent(f, f.grad, [10.0], lr=0.2, n_steps=3)
    >>> run.thetas.ravel(), run.reason.value, run.n_steps
    (array([10.  ,  6.  ,  3.6 ,  2.16]), 'max_steps', 3)
    """

    thetas: FloatArray
    losses: FloatArray
    grad_norms: FloatArray
    reason: StopReason

    def __post_init__(self) -> None:
        for name in ("thetas", "losses", "grad_norms"):
            array = np.array(getattr(self, name), dtype=np.float64)
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    @property
    def n_steps(self) -> int:
        """How many updates were made."""
        return len(self.thetas) - 1

    @property
    def final(self) -> FloatArray:
        """The last parameters, :math:`\\theta_T`."""
        last: FloatArray = self.thetas[-1]
        return last

    @property
    def diverged(self) -> bool:
        return self.reason is StopReason.DIVERGED


def gradient_descent(
    loss: Loss,
    grad: Gradient,
    theta0: npt.ArrayLike,
    *,
    lr: float,
    n_steps: int = 1000,
    grad_tol: float | None = None,
    loss_tol: float | None = None,
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
    >>> f = surfaces.parabola()
    >>> run = gradient_descent(f, f.grad, [10.0], lr=0.2, grad_tol=1e-6)
    >>> run.reason.value, run.n_steps, bool(abs(run.final[0]) < 1e-6)
    ('grad_tol', 33, True)
    """
    eta = _checks.positive(lr, "lr")
    run = _Run(loss, grad, theta0, n_steps=n_steps, grad_tol=grad_tol, loss_tol=loss_tol)
    theta, g = run.theta, run.grad
    while not run.stopped:
        theta = theta - eta * g
        g = run.step_to(theta)
    return run.trajectory()


def normalised_gradient_descent(
    loss: Loss,
    grad: Gradient,
    theta0: npt.ArrayLike,
    *,
    lr: float,
    n_steps: int = 1000,
    grad_tol: float | None = None,
    loss_tol: float | None = None,
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
    grad_tol, loss_tol : float, optional
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
    >>> f = surfaces.parabola()
    >>> run = normalised_gradient_descent(f, f.grad, [1.05], lr=0.1, n_steps=12)
    >>> np.abs(np.diff(run.thetas.ravel())).round(12).tolist()[:3]
    [0.1, 0.1, 0.1]
    """
    eta = _checks.positive(lr, "lr")
    run = _Run(loss, grad, theta0, n_steps=n_steps, grad_tol=grad_tol, loss_tol=loss_tol)
    theta, g = run.theta, run.grad
    while not run.stopped:
        theta = theta - eta * g / np.linalg.norm(g)
        g = run.step_to(theta)
    return run.trajectory()


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
    grad_tol, loss_tol : float, optional
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
    >>> f = surfaces.parabola()
    >>> run = clipped_gradient_descent(f, f.grad, [10.0], lr=0.1, max_norm=5.0, n_steps=2)
    >>> run.thetas.ravel()
    array([10. ,  9.5,  9. ])
    """
    eta = _checks.positive(lr, "lr")
    c = _checks.positive(max_norm, "max_norm")
    run = _Run(loss, grad, theta0, n_steps=n_steps, grad_tol=grad_tol, loss_tol=loss_tol)
    theta, g = run.theta, run.grad
    while not run.stopped:
        theta = theta - eta * min(1.0, c / float(np.linalg.norm(g))) * g
        g = run.step_to(theta)
    return run.trajectory()


def exact_line_search(
    quadratic: surfaces.Quadratic,
    theta0: npt.ArrayLike,
    *,
    n_steps: int = 1000,
    grad_tol: float | None = None,
    loss_tol: float | None = None,
) -> Trajectory:
    r"""Steepest descent on a quadratic, each step to the lowest point along the line.

    Parameters
    ----------
    quadratic : gdbook.surfaces.Quadratic
        :math:`f(\theta) = \tfrac12\theta^\top A\theta - b^\top\theta + c`.
    theta0 : array_like, shape (p,)
        The start.
    n_steps : int
        The step cap.
    grad_tol, loss_tol : float, optional
        Stopping tolerances, as in :func:`gradient_descent`.

    Returns
    -------
    Trajectory

    Notes
    -----
    Along the line :math:`\theta_t - \eta g_t` with :math:`g_t = \nabla f(\theta_t)`, the
    quadratic is lowest at

    .. math:: \eta_t = \frac{g_t^\top g_t}{g_t^\top A g_t}, \qquad
              \theta_{t+1} = \theta_t - \eta_t\, g_t .

    Each new gradient is orthogonal to the previous one, which draws the zigzag.

    Examples
    --------
    >>> valley = surfaces.narrow_valley(3.0)
    >>> exact_line_search(valley, [3.0, 1.0], n_steps=2).thetas
    array([[ 3.  ,  1.  ],
           [ 1.5 , -0.5 ],
           [ 0.75,  0.25]])
    """
    A = quadratic.A
    run = _Run(
        quadratic, quadratic.grad, theta0, n_steps=n_steps, grad_tol=grad_tol, loss_tol=loss_tol
    )
    theta, g = run.theta, run.grad
    while not run.stopped:
        eta = (g @ g) / (g @ A @ g)
        theta = theta - eta * g
        g = run.step_to(theta)
    return run.trajectory()


class _Run:
    """Bookkeeping shared by the optimisers: evaluate, record, and decide when to stop."""

    def __init__(
        self,
        loss: Loss,
        grad: Gradient,
        theta0: npt.ArrayLike,
        *,
        n_steps: int,
        grad_tol: float | None,
        loss_tol: float | None,
    ) -> None:
        self._loss, self._grad = loss, grad
        self._n_steps = _checks.count(n_steps, "n_steps", minimum=0)
        self._grad_tol = _tolerance(grad_tol, "grad_tol")
        self._loss_tol = _tolerance(loss_tol, "loss_tol")
        self.theta = _checks.vector(theta0, "theta0")
        self.thetas: list[FloatArray] = []
        self.losses: list[float] = []
        self.grad_norms: list[float] = []
        self.reason: StopReason | None = None
        self.grad = self.step_to(self.theta)

    @property
    def stopped(self) -> bool:
        return self.reason is not None

    def step_to(self, theta: FloatArray) -> FloatArray:
        """Record the iterate ``theta`` and return its gradient."""
        # Overflow on the way to divergence is expected; it is detected below, not warned.
        with np.errstate(all="ignore"):
            value = float(self._loss(theta))
            g = np.asarray(self._grad(theta), dtype=np.float64)
            norm = float(np.linalg.norm(g))
        if g.shape != theta.shape:
            raise ValueError(f"grad must return shape {theta.shape}, got {g.shape}")
        self.thetas.append(theta)
        self.losses.append(value)
        self.grad_norms.append(norm)
        self.reason = self._stop_reason()
        return g

    def _stop_reason(self) -> StopReason | None:
        value, norm, t = self.losses[-1], self.grad_norms[-1], len(self.losses) - 1
        ceiling = DIVERGENCE_FACTOR * max(abs(self.losses[0]), 1.0)
        if not (np.isfinite(value) and np.isfinite(norm) and np.all(np.isfinite(self.thetas[-1]))):
            return StopReason.DIVERGED
        if value > ceiling:
            return StopReason.DIVERGED
        if norm == 0.0 or (self._grad_tol is not None and norm <= self._grad_tol):
            return StopReason.GRAD_TOL
        if self._loss_tol is not None and t >= 1 and abs(value - self.losses[-2]) <= self._loss_tol:
            return StopReason.LOSS_TOL
        if t == self._n_steps:
            return StopReason.MAX_STEPS
        return None

    def trajectory(self) -> Trajectory:
        assert self.reason is not None
        return Trajectory(
            np.array(self.thetas), np.array(self.losses), np.array(self.grad_norms), self.reason
        )


def _tolerance(value: float | None, name: str) -> float | None:
    if value is None:
        return None
    tolerance = float(_checks.finite_array(value, name, ndim=0))
    if tolerance < 0:
        raise ValueError(f"{name} must be at least 0, got {value!r}")
    return tolerance
