r"""What every update rule shares: the protocol, the learning rate, and input checks.

An *update rule* (:class:`gdbook.optim.SGD`, :class:`gdbook.optim.Adam`, ...) is a small
frozen object holding its hyperparameters, with two pure methods in the style of optax
and of PyTorch's ``step``:

* ``rule.init(theta)`` returns the rule's starting *state* (its running averages, all
  zero, and the number of steps taken, 0);
* ``rule.step(theta, grad, state)`` returns the next parameters and the next state.

Nothing is mutated, so a state can be kept, inspected or reused. The *drivers*
(:func:`gdbook.optim.full_batch`, :func:`gdbook.optim.minibatch`) feed a rule its
gradients; the rule does not know whether they come from all the data or a mini-batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import numpy as np

from gdbook import _checks
from gdbook._checks import FloatArray

#: A learning rate: a positive number, or a schedule giving one for every step
#: ``t = 0, 1, 2, ...`` (any callable, for example one from :mod:`gdbook.schedules`).
LearningRate = float | Callable[[int], float]

State = TypeVar("State")


class Rule(Protocol[State]):
    """What the drivers need from an update rule."""

    @property
    def lr(self) -> LearningRate: ...

    def init(self, theta: FloatArray) -> State: ...

    def step(
        self, theta: FloatArray, grad: FloatArray, state: State
    ) -> tuple[FloatArray, State]: ...


def lr_at(lr: LearningRate, t: int) -> float:
    """The learning rate of update ``t`` (counted from 0)."""
    if callable(lr):
        return _checks.positive(lr(t), f"lr({t})")
    return lr


def learning_rate(value: Any) -> LearningRate:
    """A positive finite number, or a callable schedule (checked at every step)."""
    return value if callable(value) else _checks.positive(value, "lr")


def beta(value: Any, name: str) -> float:
    """A decay rate in [0, 1): 1 would freeze the average, more would make it grow."""
    number = nonnegative(value, name)
    if number >= 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return number


def nonnegative(value: Any, name: str) -> float:
    """A finite number at least 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and number >= 0.0):
        raise ValueError(f"{name} must be a finite number at least 0, got {value!r}")
    return number


def flag(value: Any, name: str) -> bool:
    """A bool, and nothing that merely converts to one."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def decay(grad: FloatArray, theta: FloatArray, weight_decay: float) -> FloatArray:
    r"""The gradient of the loss plus :math:`\tfrac{\lambda}{2}\lVert\theta\rVert^2`."""
    if weight_decay == 0.0:  # exactly grad, even where theta is huge
        return grad
    with_decay: FloatArray = grad + weight_decay * theta
    return with_decay


def set_fields(rule: object, **values: object) -> None:
    """Store checked values on a frozen dataclass, from its ``__post_init__``."""
    for name, value in values.items():
        object.__setattr__(rule, name, value)
