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
from typing import Any

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray

IntArray = npt.NDArray[np.int64]

Loss = Callable[[FloatArray], float]
Gradient = Callable[[FloatArray], FloatArray]
#: ``(grad_tol, loss_tol, grad_rtol, loss_rtol)``, each ``None`` when not used.
Tolerances = tuple[float | None, float | None, float | None, float | None]

#: A run has diverged once its loss exceeds this many times ``max(|L(θ₀)|, 1)``.
DIVERGENCE_FACTOR = 1e10

#: Decorates an optimiser: overflow, and the NaN that follows, on the way to divergence is
#: a result (the run reports it as diverged), not a warning.
overflow_is_divergence = np.errstate(all="ignore")


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
    thetas : numpy.ndarray of float64, shape (R, p)
        The recorded iterates; row 0 is the start :math:`\theta_0`. Most runs record
        every step, so row :math:`t` is :math:`\theta_t`; see ``steps``.
    losses : numpy.ndarray of float64, shape (R,)
        The loss at each recorded iterate (for a mini-batch run, the loss on all the
        data); NaN where the iterate itself is not finite (nothing is evaluated there).
    grad_norms : numpy.ndarray of float64, shape (R,)
        The norm of the (full) gradient at each recorded iterate.
    reason : StopReason
        Why the run stopped.
    lrs : numpy.ndarray of float64, shape (T,), optional
        The learning rate :math:`\eta_t` of every update :math:`t = 0, \dots, T - 1`
        (from :math:`\theta_t` to :math:`\theta_{t+1}`): constant for a fixed learning
        rate, a schedule's value, or the step a line search chose. NaN if not given.
    steps : numpy.ndarray of int64, shape (R,), optional
        How many updates had been made at each recorded row; by default
        ``0, 1, ..., R - 1`` (every step recorded).
    work : numpy.ndarray of int64, shape (R,), optional
        The gradient work done by the updates up to each row: per-sample gradients for a
        mini-batch run, evaluations of ``grad`` for the others (the records' own
        evaluations are not counted). By default equal to ``steps``.

    Examples
    --------
    >>> from gdbook import optim, surfaces
    >>> f = surfaces.parabola()
    >>> run = optim.gradient_descent(f, f.grad, [10.0], lr=0.2, n_steps=3)
    >>> run.thetas.ravel(), run.reason.value, run.n_steps
    (array([10.  ,  6.  ,  3.6 ,  2.16]), 'max_steps', 3)
    >>> run.steps, run.lrs
    (array([0, 1, 2, 3]), array([0.2, 0.2, 0.2]))
    """

    thetas: FloatArray
    losses: FloatArray
    grad_norms: FloatArray
    reason: StopReason
    lrs: FloatArray = field(default_factory=lambda: np.empty(0))
    steps: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    work: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def __post_init__(self) -> None:
        for name in ("thetas", "losses", "grad_norms"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        rows = len(self.thetas)
        steps = np.arange(rows) if np.size(self.steps) == 0 else self.steps
        object.__setattr__(self, "steps", _frozen(steps, np.int64))
        work = self.steps if np.size(self.work) == 0 else self.work
        object.__setattr__(self, "work", _frozen(work, np.int64))
        n_steps = int(self.steps[-1])
        lrs = np.full(n_steps, np.nan) if np.size(self.lrs) == 0 else self.lrs
        object.__setattr__(self, "lrs", _frozen(lrs))
        for name, shape in (("steps", (rows,)), ("work", (rows,)), ("lrs", (n_steps,))):
            if getattr(self, name).shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {getattr(self, name).shape}")

    @property
    def n_steps(self) -> int:
        """How many updates were made."""
        return int(self.steps[-1])

    @property
    def final(self) -> FloatArray:
        r"""The last parameters, :math:`\theta_T`."""
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
        at_rest: Callable[[FloatArray], bool] | None = None,
    ) -> None:
        self._loss, self._grad, self._lr = loss, grad, lr
        self._stop_when_stalled = stop_when_stalled
        # Whether the method stays put at a point where the gradient is exactly zero:
        # true for gradient descent (the default), not for a rule with a velocity.
        self._at_rest = at_rest if at_rest is not None else lambda theta: True
        self._n_steps = _checks.count(n_steps, "n_steps", minimum=0)
        names = ("grad_tol", "loss_tol", "grad_rtol", "loss_rtol")
        self._tols = {name: _tolerance(tol, name) for name, tol in zip(names, tols, strict=True)}
        self.theta = _checks.vector(theta0, "theta0")
        self.t = self.work = 0
        self.thetas: list[FloatArray] = []
        self.losses: list[float] = []
        self.grad_norms: list[float] = []
        self.steps: list[int] = []
        self.works: list[int] = []
        self.lrs: list[float] = []
        self.reason: StopReason | None = None
        self.grad = self._record(self.theta)

    @property
    def stopped(self) -> bool:
        return self.reason is not None

    def step_to(self, theta: FloatArray, *, lr: float | None = None) -> FloatArray:
        """Record the iterate ``theta`` (reached with learning rate ``lr``); return its gradient."""
        self.advance(theta, lr=lr, work=1, record=True)
        return self.grad

    def advance(self, theta: FloatArray, *, lr: float | None, work: int, record: bool) -> None:
        """Count one update that cost ``work`` gradients; record ``theta`` if asked or needed."""
        self.t += 1
        self.work += work
        self.lrs.append(self._lr if lr is None else lr)
        if record or self.t == self._n_steps or not np.isfinite(theta).all():
            self.grad = self._record(theta)

    def _record(self, theta: FloatArray) -> FloatArray:
        if np.isfinite(theta).all():
            # Overflow on the way to divergence is detected below (the optimisers run under
            # overflow_is_divergence, so it is not warned either).
            value = float(self._loss(theta))
            g = np.asarray(self._grad(theta), dtype=np.float64)
            if g.shape != theta.shape:
                raise ValueError(f"grad must return shape {theta.shape}, got {g.shape}")
        else:  # the update itself overflowed: nothing can be evaluated there
            value, g = np.nan, np.full_like(theta, np.nan)
        self.thetas.append(theta)
        self.losses.append(value)
        self.grad_norms.append(norm(g))
        self.steps.append(self.t)
        self.works.append(self.work)
        self.reason = self._stop_reason()
        return g

    def _stop_reason(self) -> StopReason | None:
        value, size = self.losses[-1], self.grad_norms[-1]
        tols = self._tols
        ceiling = DIVERGENCE_FACTOR * max(abs(self.losses[0]), 1.0)
        # A non-finite theta has a NaN loss (see _record), so this covers theta too.
        if not (math.isfinite(value) and math.isfinite(size)) or value > ceiling:
            return StopReason.DIVERGED
        if (size == 0.0 and self._at_rest(self.thetas[-1])) or _below(size, tols["grad_tol"]):
            return StopReason.GRAD_TOL
        if _below(size, tols["grad_rtol"], self.grad_norms[0]):
            return StopReason.GRAD_RTOL
        if len(self.losses) >= 2:
            previous = self.losses[-2]
            change = abs(value - previous)
            if _below(change, tols["loss_tol"]):
                return StopReason.LOSS_TOL
            if _below(change, tols["loss_rtol"], max(abs(previous), abs(value), 1.0)):
                return StopReason.LOSS_RTOL
            if self._stop_when_stalled and np.array_equal(self.thetas[-1], self.thetas[-2]):
                return StopReason.STALLED
        if self.t == self._n_steps:
            return StopReason.MAX_STEPS
        return None

    def trajectory(self) -> Trajectory:
        assert self.reason is not None
        return Trajectory(
            np.array(self.thetas),
            np.array(self.losses),
            np.array(self.grad_norms),
            self.reason,
            lrs=np.array(self.lrs, dtype=np.float64),
            steps=np.array(self.steps, dtype=np.int64),
            work=np.array(self.works, dtype=np.int64),
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


def _frozen(values: npt.ArrayLike, dtype: type[np.generic] = np.float64) -> Any:
    array = np.array(values, dtype=dtype)
    array.setflags(write=False)
    return array
