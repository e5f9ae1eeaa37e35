r"""The record of a run and the bookkeeping every optimiser shares.

:class:`Trajectory`, :class:`StopReason` and :data:`DIVERGENCE_FACTOR` are public through
:mod:`gdbook.optim`; :class:`_Run` is the loop helper the optimisers share: it evaluates
the loss and gradient at each new iterate, records them, and decides when to stop.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray

Loss = Callable[[FloatArray], float]
Gradient = Callable[[FloatArray], FloatArray]
#: ``(grad_tol, loss_tol, grad_rtol, loss_rtol)``, each ``None`` when not used.
Tolerances = tuple[float | None, float | None, float | None, float | None]

#: A run has diverged once its loss exceeds this many times ``max(|L(θ₀)|, 1)``.
DIVERGENCE_FACTOR = 1e10

#: Decorates an optimiser: an update that overflows on the way to divergence is a result
#: (the run reports it as diverged), not a warning.
overflow_is_divergence = np.errstate(over="ignore", invalid="ignore")


class StopReason(str, enum.Enum):
    """Why a run of an optimiser stopped: the first rule that held, checked in this order."""

    DIVERGED = "diverged"
    GRAD_TOL = "grad_tol"
    GRAD_RTOL = "grad_rtol"
    LOSS_TOL = "loss_tol"
    LOSS_RTOL = "loss_rtol"
    STALLED = "stalled"
    MAX_STEPS = "max_steps"


@dataclass(frozen=True)
class Trajectory:
    r"""The record of one run of an optimiser.

    Parameters
    ----------
    thetas : numpy.ndarray of float64, shape (T + 1, p)
        Row :math:`t` is :math:`\theta_t`; row 0 is the start.
    losses : numpy.ndarray of float64, shape (T + 1,)
        :math:`L(\theta_t)`; NaN where :math:`\theta_t` itself is not finite (the loss
        is not evaluated there).
    grad_norms : numpy.ndarray of float64, shape (T + 1,)
        :math:`\lVert\nabla L(\theta_t)\rVert`.
    reason : StopReason
        Why the run stopped.
    lrs : numpy.ndarray of float64, shape (T,), optional
        The learning rate (step size) :math:`\eta_t` of the update from
        :math:`\theta_t` to :math:`\theta_{t+1}`: constant for a fixed learning rate,
        the chosen step for a line search. NaN where it was not recorded.

    Examples
    --------
    >>> from gdbook import optim, surfaces
    >>> f = surfaces.parabola()
    >>> run = optim.gradient_descent(f, f.grad, [10.0], lr=0.2, n_steps=3)
    >>> run.thetas.ravel(), run.reason.value, run.n_steps
    (array([10.  ,  6.  ,  3.6 ,  2.16]), 'max_steps', 3)
    """

    thetas: FloatArray
    losses: FloatArray
    grad_norms: FloatArray
    reason: StopReason
    lrs: FloatArray = field(default_factory=lambda: np.empty(0))

    def __post_init__(self) -> None:
        for name in ("thetas", "losses", "grad_norms"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        n_steps = len(self.thetas) - 1
        lrs = np.full(n_steps, np.nan) if np.size(self.lrs) == 0 else self.lrs
        object.__setattr__(self, "lrs", _frozen(lrs))
        if self.lrs.shape != (n_steps,):
            raise ValueError(f"lrs must have shape ({n_steps},), got {self.lrs.shape}")

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
        """Whether the run stopped because it diverged (its ``reason`` is ``DIVERGED``)."""
        return self.reason is StopReason.DIVERGED


def norm(v: FloatArray) -> float:
    r"""The Euclidean norm of ``v``, without underflow or overflow on the way.

    ``numpy.linalg.norm`` squares the entries first, so it returns 0 for a vector whose
    entries are all below about 1e-162 and inf above about 1e154. Here such vectors are
    first scaled by a power of two, which is exact. When the largest entry lies between
    1e-145 and 1e145 the result is bit for bit that of ``numpy.linalg.norm``.
    """
    largest = float(np.abs(v).max()) if v.size else 0.0
    if 1e-145 < largest < 1e145:  # no square that matters can under- or overflow
        return math.sqrt(float(v @ v))
    if largest == 0.0 or not math.isfinite(largest):
        return largest
    _, exponent = np.frexp(largest)
    u = np.ldexp(v, -exponent)
    try:
        return math.ldexp(math.sqrt(float(u @ u)), int(exponent))
    except OverflowError:  # the norm itself exceeds the largest float
        return math.inf


class _Run:
    """Bookkeeping shared by the optimisers: evaluate, record, and decide when to stop."""

    def __init__(
        self,
        loss: Loss,
        grad: Gradient,
        theta0: npt.ArrayLike,
        *,
        n_steps: int,
        lr: float = np.nan,
        tols: Tolerances = (None, None, None, None),
        stop_when_stalled: bool = False,
    ) -> None:
        self._loss, self._grad, self._lr = loss, grad, lr
        self._stop_when_stalled = stop_when_stalled
        self._n_steps = _checks.count(n_steps, "n_steps", minimum=0)
        names = ("grad_tol", "loss_tol", "grad_rtol", "loss_rtol")
        self._tols = {name: _tolerance(tol, name) for name, tol in zip(names, tols, strict=True)}
        self.theta = _checks.vector(theta0, "theta0")
        self.thetas: list[FloatArray] = []
        self.losses: list[float] = []
        self.grad_norms: list[float] = []
        self.lrs: list[float] = []
        self.reason: StopReason | None = None
        self.grad = self.step_to(self.theta)

    @property
    def stopped(self) -> bool:
        return self.reason is not None

    def step_to(self, theta: FloatArray, *, lr: float | None = None) -> FloatArray:
        """Record the iterate ``theta`` (reached with learning rate ``lr``); return its gradient."""
        if self.thetas:
            self.lrs.append(self._lr if lr is None else lr)
        if np.isfinite(theta).all():
            # Overflow on the way to divergence is expected; it is detected below, not warned.
            with np.errstate(all="ignore"):
                value = float(self._loss(theta))
                g = np.asarray(self._grad(theta), dtype=np.float64)
            if g.shape != theta.shape:
                raise ValueError(f"grad must return shape {theta.shape}, got {g.shape}")
        else:  # the update itself overflowed: nothing can be evaluated there
            value, g = np.nan, np.full_like(theta, np.nan)
        self.thetas.append(theta)
        self.losses.append(value)
        self.grad_norms.append(norm(g))
        self.reason = self._stop_reason()
        return g

    def _stop_reason(self) -> StopReason | None:
        value, size, t = self.losses[-1], self.grad_norms[-1], len(self.losses) - 1
        tols = self._tols
        ceiling = DIVERGENCE_FACTOR * max(abs(self.losses[0]), 1.0)
        # A non-finite theta has a NaN loss (see step_to), so this covers theta too.
        if not (math.isfinite(value) and math.isfinite(size)) or value > ceiling:
            return StopReason.DIVERGED
        if size == 0.0 or _below(size, tols["grad_tol"]):
            return StopReason.GRAD_TOL
        if _below(size, tols["grad_rtol"], self.grad_norms[0]):
            return StopReason.GRAD_RTOL
        if t >= 1:
            previous = self.losses[-2]
            change = abs(value - previous)
            if _below(change, tols["loss_tol"]):
                return StopReason.LOSS_TOL
            if _below(change, tols["loss_rtol"], max(abs(previous), abs(value), 1.0)):
                return StopReason.LOSS_RTOL
            if self._stop_when_stalled and np.array_equal(self.thetas[-1], self.thetas[-2]):
                return StopReason.STALLED
        if t == self._n_steps:
            return StopReason.MAX_STEPS
        return None

    def trajectory(self) -> Trajectory:
        assert self.reason is not None
        return Trajectory(
            np.array(self.thetas),
            np.array(self.losses),
            np.array(self.grad_norms),
            self.reason,
            np.array(self.lrs, dtype=np.float64),
        )


def _below(value: float, tolerance: float | None, scale: float = 1.0) -> bool:
    return tolerance is not None and value <= tolerance * scale


def _tolerance(value: float | None, name: str) -> float | None:
    if value is None:
        return None
    tolerance = float(_checks.finite_array(value, name, ndim=0))
    if tolerance < 0:
        raise ValueError(f"{name} must be at least 0, got {value!r}")
    return tolerance


def _frozen(values: npt.ArrayLike) -> FloatArray:
    array = np.array(values, dtype=np.float64)
    array.setflags(write=False)
    return array
