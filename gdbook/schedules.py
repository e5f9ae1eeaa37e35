r"""Learning-rate schedules: a learning rate :math:`\eta_t` for every update :math:`t`.

A schedule is a callable value: ``schedule(t)`` is the learning rate of update ``t``
(counted from 0), and ``schedule(np.arange(T))`` gives them all at once, for a plot.
Pass one as the ``lr`` of any update rule in :mod:`gdbook.optim`; the rule asks it for
the learning rate of every update. Each schedule equals, step for step, the
``torch.optim.lr_scheduler`` class its docstring names, stepped once per update
(``optimizer.step()`` then ``scheduler.step()``).

To change the learning rate once per epoch instead, compose with the number of batches
per epoch ``m``: ``lambda t: schedule(t // m)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray

__all__ = [  # noqa: RUF022 (the order of the API page, not the alphabet)
    "Schedule",
    "constant",
    "step",
    "exponential",
    "inverse_time",
    "cosine",
    "warmup",
]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Schedule:
    r"""A learning rate for every update :math:`t = 0, 1, 2, \dots`.

    Parameters
    ----------
    formula : callable
        Maps an array of whole numbers :math:`t \ge 0` to the learning rates.
    description : str
        How the schedule was made, shown as its ``repr``.

    Examples
    --------
    >>> halving = step(lr=1.0, step_size=2, gamma=0.5)
    >>> halving(3), halving(np.arange(5))
    (0.5, array([1.  , 1.  , 0.5 , 0.5 , 0.25]))
    >>> halving
    step(lr=1.0, step_size=2, gamma=0.5)
    """

    formula: Callable[[IntArray], Any]
    description: str

    @overload
    def __call__(self, t: int) -> float: ...

    @overload
    def __call__(self, t: npt.ArrayLike) -> float | FloatArray: ...

    def __call__(self, t: npt.ArrayLike) -> float | FloatArray:
        if isinstance(t, (int, np.integer)) and not isinstance(t, bool) and t >= 0:
            return float(self.formula(np.asarray(t, dtype=np.int64)))  # the optimisers: one t
        steps = np.asarray(t)
        if steps.dtype.kind not in "iu" or np.any(steps < 0):
            raise ValueError(f"t must be whole numbers at least 0, got {t!r}")
        values = np.asarray(self.formula(steps.astype(np.int64)), dtype=np.float64)
        return float(values) if values.ndim == 0 else values

    def __repr__(self) -> str:
        return self.description


def constant(*, lr: float) -> Schedule:
    r"""The same learning rate at every update.

    Parameters
    ----------
    lr : float
        :math:`\eta > 0`.

    Returns
    -------
    Schedule
        :math:`\eta_t = \eta`; in PyTorch, no scheduler at all.

    Examples
    --------
    >>> constant(lr=0.1)(np.arange(3))
    array([0.1, 0.1, 0.1])
    """
    eta = _checks.positive(lr, "lr")
    return Schedule(lambda t: np.full(t.shape, eta), f"constant(lr={eta!r})")


def step(*, lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` updates.

    Parameters
    ----------
    lr : float
        The first learning rate, :math:`\eta > 0`.
    step_size : int
        Updates between two decays, :math:`s \ge 1`.
    gamma : float
        The factor :math:`\gamma > 0`.

    Returns
    -------
    Schedule
        :math:`\eta_t = \eta\, \gamma^{\lfloor t/s \rfloor}`, as
        ``StepLR(optimizer, step_size, gamma)``.

    Examples
    --------
    >>> step(lr=0.1, step_size=2)(np.arange(5))
    array([0.1  , 0.1  , 0.01 , 0.01 , 0.001])
    """
    eta, s = _checks.positive(lr, "lr"), _checks.count(step_size, "step_size")
    g = _checks.positive(gamma, "gamma")
    return Schedule(
        lambda t: eta * g ** (t // s), f"step(lr={eta!r}, step_size={s!r}, gamma={g!r})"
    )


def exponential(*, lr: float, gamma: float) -> Schedule:
    r"""Multiply the learning rate by ``gamma`` at every update.

    Parameters
    ----------
    lr : float
        The first learning rate, :math:`\eta > 0`.
    gamma : float
        The factor :math:`\gamma > 0`.

    Returns
    -------
    Schedule
        :math:`\eta_t = \eta\,\gamma^t`, as ``ExponentialLR(optimizer, gamma)``.

    Examples
    --------
    >>> exponential(lr=1.0, gamma=0.5)(np.arange(4))
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    eta, g = _checks.positive(lr, "lr"), _checks.positive(gamma, "gamma")
    return Schedule(
        lambda t: eta * g ** t.astype(np.float64), f"exponential(lr={eta!r}, gamma={g!r})"
    )


def inverse_time(*, lr: float, decay: float) -> Schedule:
    r"""Divide the learning rate by :math:`1 + \delta t`.

    Parameters
    ----------
    lr : float
        The first learning rate, :math:`\eta > 0`.
    decay : float
        :math:`\delta \ge 0`.

    Returns
    -------
    Schedule
        :math:`\eta_t = \eta / (1 + \delta t)`, as
        ``LambdaLR(optimizer, lambda t: 1 / (1 + decay * t))``. Its sum over all
        :math:`t` is infinite and the sum of its squares finite: the Robbins–Monro
        conditions under which stochastic gradient descent converges.

    Examples
    --------
    >>> inverse_time(lr=1.0, decay=1.0)(np.arange(4))
    array([1.        , 0.5       , 0.33333333, 0.25      ])
    """
    eta = _checks.positive(lr, "lr")
    d = float(_checks.finite_array(decay, "decay", ndim=0))
    if d < 0:
        raise ValueError(f"decay must be at least 0, got {decay!r}")
    return Schedule(lambda t: eta / (1 + d * t), f"inverse_time(lr={eta!r}, decay={d!r})")


def cosine(*, lr: float, T_max: int, eta_min: float = 0.0) -> Schedule:
    r"""Lower the learning rate along half a cosine, from ``lr`` to ``eta_min``.

    Parameters
    ----------
    lr : float
        The first learning rate, :math:`\eta > 0`.
    T_max : int
        The update :math:`T \ge 1` at which the learning rate reaches ``eta_min``.
    eta_min : float
        The lowest learning rate, from 0 to ``lr``.

    Returns
    -------
    Schedule
        :math:`\eta_t = \eta_{\min} + \tfrac12 (\eta - \eta_{\min})(1 + \cos(\pi t / T))`,
        as ``CosineAnnealingLR(optimizer, T_max, eta_min)``; after :math:`T` it rises
        again, as PyTorch's does.

    Examples
    --------
    >>> cosine(lr=1.0, T_max=4)(np.arange(5)).round(4)
    array([1.    , 0.8536, 0.5   , 0.1464, 0.    ])
    """
    eta, T = _checks.positive(lr, "lr"), _checks.count(T_max, "T_max")
    low = float(_checks.finite_array(eta_min, "eta_min", ndim=0))
    if not 0.0 <= low <= eta:
        raise ValueError(f"eta_min must be between 0 and lr = {eta!r}, got {eta_min!r}")
    return Schedule(
        lambda t: low + 0.5 * (eta - low) * (1 + np.cos(math.pi * t / T)),
        f"cosine(lr={eta!r}, T_max={T!r}, eta_min={low!r})",
    )


def warmup(schedule: Schedule, *, start_factor: float = 1 / 3, total_iters: int = 5) -> Schedule:
    r"""Raise the learning rate linearly for ``total_iters`` updates, then follow ``schedule``.

    Parameters
    ----------
    schedule : Schedule
        What follows the warm-up; it starts from its own update 0 when the warm-up ends.
    start_factor : float
        The first learning rate as a fraction :math:`f` in (0, 1] of ``schedule(0)``.
    total_iters : int
        The length :math:`W \ge 1` of the warm-up.

    Returns
    -------
    Schedule
        :math:`\eta_t = \eta_0 \bigl(f + (1 - f)\, t/W\bigr)` for :math:`t < W`, with
        :math:`\eta_0` the schedule's first value, and the schedule's
        :math:`\eta_{t - W}` from then on. As ``SequentialLR(optimizer, [LinearLR(
        optimizer, start_factor, total_iters=W), S], milestones=[W])`` with :math:`S`
        the schedule's scheduler; with ``constant(lr=...)`` it is ``LinearLR`` alone.
        The defaults are ``LinearLR``'s.

    Examples
    --------
    >>> warmup(constant(lr=1.0), start_factor=0.25, total_iters=3)(np.arange(5))
    array([0.25, 0.5 , 0.75, 1.  , 1.  ])
    """
    if not isinstance(schedule, Schedule):
        raise ValueError(f"schedule must be a gdbook.schedules.Schedule, got {schedule!r}")
    f = _checks.positive(start_factor, "start_factor")
    if f > 1.0:
        raise ValueError(f"start_factor must be in (0, 1], got {start_factor!r}")
    W = _checks.count(total_iters, "total_iters")
    first = schedule(0)

    def formula(t: IntArray) -> Any:
        rising = first * (f + (1.0 - f) * np.minimum(t, W) / W)
        return np.where(t < W, rising, schedule.formula(np.maximum(t - W, 0)))

    return Schedule(formula, f"warmup({schedule!r}, start_factor={f!r}, total_iters={W!r})")
