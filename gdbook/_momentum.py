r"""Momentum: :class:`SGD` in PyTorch's form and :class:`SutskeverMomentum`.

Public through :mod:`gdbook.optim`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from gdbook import _rule
from gdbook._checks import FloatArray
from gdbook._rule import LearningRate, lr_at


class SGDState(NamedTuple):
    """:class:`SGD`'s state: updates made so far, and the velocity (PyTorch's names)."""

    step: int
    momentum_buffer: FloatArray


@dataclass(frozen=True, kw_only=True)
class SGD:
    r"""Stochastic gradient descent with momentum, exactly as :class:`torch.optim.SGD`.

    Parameters
    ----------
    lr : float or callable
        The learning rate :math:`\eta > 0`, or a schedule giving :math:`\eta_t` for
        every update :math:`t = 0, 1, \dots` (see :mod:`gdbook.schedules`).
    momentum : float
        The momentum :math:`\beta` in [0, 1); 0 is plain gradient descent.
    dampening : float
        The share :math:`\tau` in [0, 1] of each new gradient left out of the velocity.
    weight_decay : float
        :math:`\lambda \ge 0`: adds :math:`\lambda\theta` to every gradient, the gradient
        of the penalty :math:`\tfrac{\lambda}{2}\lVert\theta\rVert^2`.
    nesterov : bool
        Nesterov's momentum; needs :math:`\beta > 0` and :math:`\tau = 0`.

    Notes
    -----
    With :math:`g_t = \nabla L(\theta_t) + \lambda\theta_t`, the velocity :math:`v_t`
    starts as :math:`v_0 = g_0`, and

    .. math::

        \begin{aligned}
        v_t &= \beta v_{t-1} + (1 - \tau)\, g_t, \\
        \theta_{t+1} &= \theta_t - \eta_t\, v_t .
        \end{aligned}

    With the defaults :math:`\tau = \lambda = 0` this is :math:`v \leftarrow \beta v + g`,
    :math:`\theta \leftarrow \theta - \eta v`. Nesterov's momentum steps by
    :math:`\eta_t (g_t + \beta v_t)` instead of :math:`\eta_t v_t`. The defaults are
    PyTorch's (the tests read them from the installed torch).

    This is PyTorch's form of momentum: the velocity adds up gradients and the learning
    rate multiplies it at every step. Sutskever et al. (2013) keep :math:`\eta` inside the
    velocity instead (:class:`SutskeverMomentum`); at a constant learning rate the
    iterates are the same, under a schedule they differ. With ``momentum=0`` this is
    gradient descent, :math:`\theta_{t+1} = \theta_t - \eta_t g_t`, and ``dampening`` has
    no effect (as in PyTorch).

    Examples
    --------
    >>> rule = SGD(lr=0.1, momentum=0.5)
    >>> theta = np.array([1.0])
    >>> state = rule.init(theta)
    >>> for _ in range(3):
    ...     theta, state = rule.step(theta, 2 * theta, state)  # the gradient of x²
    >>> theta.round(4), state.step, state.momentum_buffer.round(4)
    (array([0.302]), 3, array([2.38]))
    """

    lr: LearningRate = 1e-3
    momentum: float = 0.0
    dampening: float = 0.0
    weight_decay: float = 0.0
    nesterov: bool = False

    def __post_init__(self) -> None:
        _rule.set_fields(
            self,
            lr=_rule.learning_rate(self.lr),
            momentum=_rule.beta(self.momentum, "momentum"),
            dampening=_rule.nonnegative(self.dampening, "dampening"),
            weight_decay=_rule.nonnegative(self.weight_decay, "weight_decay"),
            nesterov=_rule.flag(self.nesterov, "nesterov"),
        )
        if self.dampening > 1.0:
            raise ValueError(f"dampening must be in [0, 1], got {self.dampening!r}")
        if self.nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise ValueError("nesterov needs momentum > 0 and dampening = 0")

    def init(self, theta: FloatArray) -> SGDState:
        """No steps yet, and a zero velocity (the first step sets it to the gradient)."""
        return SGDState(0, np.zeros_like(theta, dtype=np.float64))

    def step(
        self, theta: FloatArray, grad: FloatArray, state: SGDState
    ) -> tuple[FloatArray, SGDState]:
        """One update: the next parameters and state."""
        eta, beta, t = lr_at(self.lr, state.step), self.momentum, state.step
        g = _rule.decay(grad, theta, self.weight_decay)
        if beta == 0.0:
            return theta - eta * g, SGDState(t + 1, state.momentum_buffer)
        v = g if t == 0 else beta * state.momentum_buffer + (1 - self.dampening) * g
        direction = g + beta * v if self.nesterov else v
        return theta - eta * direction, SGDState(t + 1, v)


class SutskeverState(NamedTuple):
    """:class:`SutskeverMomentum`'s state: updates made so far, and the velocity."""

    step: int
    velocity: FloatArray


@dataclass(frozen=True, kw_only=True)
class SutskeverMomentum:
    r"""Momentum in the form of Sutskever et al. (2013): the velocity is a step.

    Parameters
    ----------
    lr : float or callable
        The learning rate :math:`\eta > 0`, or a schedule :math:`t \mapsto \eta_t`.
    momentum : float
        The momentum :math:`\beta` in [0, 1).

    Notes
    -----
    The velocity starts at :math:`u_{-1} = 0`, and

    .. math::

        \begin{aligned}
        u_t &= \beta u_{t-1} - \eta_t \nabla L(\theta_t), \\
        \theta_{t+1} &= \theta_t + u_t .
        \end{aligned}

    PyTorch's :class:`SGD` keeps :math:`v_t = \beta v_{t-1} + g_t` and steps by
    :math:`-\eta_t v_t`. With a constant :math:`\eta`, :math:`u_t = -\eta v_t` at every
    step, so the two give the same iterates. When :math:`\eta_t` changes, PyTorch's form
    applies the new learning rate to the whole velocity (all past gradients), this form
    only to the new gradient: the iterates differ. (Sutskever et al. also give a Nesterov
    form that evaluates the gradient at :math:`\theta_t + \beta u_{t-1}`; use
    :class:`SGD` with ``nesterov=True`` for Nesterov's momentum.)

    Examples
    --------
    >>> rule = SutskeverMomentum(lr=0.1, momentum=0.5)
    >>> theta = np.array([1.0])
    >>> state = rule.init(theta)
    >>> for _ in range(3):
    ...     theta, state = rule.step(theta, 2 * theta, state)
    >>> theta.round(4), state.velocity.round(4)
    (array([0.302]), array([-0.238]))
    """

    lr: LearningRate = 1e-3
    momentum: float = 0.0

    def __post_init__(self) -> None:
        _rule.set_fields(
            self,
            lr=_rule.learning_rate(self.lr),
            momentum=_rule.beta(self.momentum, "momentum"),
        )

    def init(self, theta: FloatArray) -> SutskeverState:
        """No steps yet, and a zero velocity."""
        return SutskeverState(0, np.zeros_like(theta, dtype=np.float64))

    def step(
        self, theta: FloatArray, grad: FloatArray, state: SutskeverState
    ) -> tuple[FloatArray, SutskeverState]:
        """One update: the next parameters and state."""
        eta = lr_at(self.lr, state.step)
        u = self.momentum * state.velocity - eta * grad
        return theta + u, SutskeverState(state.step + 1, u)
