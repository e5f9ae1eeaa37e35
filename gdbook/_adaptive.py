r"""Per-coordinate steps from the squared gradients: :class:`Adagrad` and :class:`RMSprop`.

Public through :mod:`gdbook.optim`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from gdbook import _rule
from gdbook._checks import FloatArray
from gdbook._rule import LearningRate, lr_at


class AdagradState(NamedTuple):
    """:class:`Adagrad`'s state: updates made so far and the sum of squared gradients."""

    step: int
    sum: FloatArray


@dataclass(frozen=True, kw_only=True)
class Adagrad:
    r"""Adagrad, exactly as :class:`torch.optim.Adagrad`.

    Parameters
    ----------
    lr : float or callable
        The learning rate :math:`\eta > 0`, or a schedule :math:`t \mapsto \eta_t`.
    lr_decay : float
        :math:`\delta \ge 0`: the learning rate of update :math:`t` is divided by
        :math:`1 + \delta t`.
    weight_decay : float
        :math:`\lambda \ge 0`: adds :math:`\lambda\theta` to every gradient.
    initial_accumulator_value : float
        :math:`s_{-1} \ge 0`, the starting value of every coordinate of the sum.
    eps : float
        :math:`\epsilon \ge 0`, added to the square root against division by zero.

    Notes
    -----
    With :math:`g_t = \nabla L(\theta_t) + \lambda\theta_t` and all operations taken
    coordinate by coordinate,

    .. math::

        \begin{aligned}
        s_t &= s_{t-1} + g_t^2, \\
        \theta_{t+1} &= \theta_t - \frac{\eta_t}{1 + \delta t}\,
            \frac{g_t}{\sqrt{s_t} + \epsilon} .
        \end{aligned}

    Each coordinate gets its own step, which shrinks as its squared gradients add up:
    on a constant gradient it falls like :math:`1/\sqrt{t + 1}`. The defaults are
    PyTorch's.

    Examples
    --------
    >>> rule = Adagrad(lr=0.5)
    >>> theta = np.array([1.0, 1.0])
    >>> state = rule.init(theta)
    >>> theta, state = rule.step(theta, np.array([100.0, 0.01]), state)
    >>> theta  # both coordinates move by the learning rate, whatever their gradient
    array([0.5, 0.5])
    """

    lr: LearningRate = 1e-2
    lr_decay: float = 0.0
    weight_decay: float = 0.0
    initial_accumulator_value: float = 0.0
    eps: float = 1e-10

    def __post_init__(self) -> None:
        _rule.set_fields(
            self,
            lr=_rule.learning_rate(self.lr),
            lr_decay=_rule.nonnegative(self.lr_decay, "lr_decay"),
            weight_decay=_rule.nonnegative(self.weight_decay, "weight_decay"),
            initial_accumulator_value=_rule.nonnegative(
                self.initial_accumulator_value, "initial_accumulator_value"
            ),
            eps=_rule.nonnegative(self.eps, "eps"),
        )

    def init(self, theta: FloatArray) -> AdagradState:
        """No steps yet; every coordinate of the sum at ``initial_accumulator_value``."""
        return AdagradState(0, np.full_like(theta, self.initial_accumulator_value, np.float64))

    def step(
        self, theta: FloatArray, grad: FloatArray, state: AdagradState
    ) -> tuple[FloatArray, AdagradState]:
        """One update: the next parameters and state."""
        t = state.step
        eta = lr_at(self.lr, t) / (1 + t * self.lr_decay)
        g = _rule.decay(grad, theta, self.weight_decay)
        s = state.sum + g * g
        return theta - eta * g / (np.sqrt(s) + self.eps), AdagradState(t + 1, s)


class RMSpropState(NamedTuple):
    """:class:`RMSprop`'s state, with PyTorch's names."""

    step: int
    square_avg: FloatArray
    grad_avg: FloatArray
    momentum_buffer: FloatArray


@dataclass(frozen=True, kw_only=True)
class RMSprop:
    r"""RMSprop, exactly as :class:`torch.optim.RMSprop`.

    Parameters
    ----------
    lr : float or callable
        The learning rate :math:`\eta > 0`, or a schedule :math:`t \mapsto \eta_t`.
    alpha : float
        The decay :math:`\alpha` in [0, 1) of the average of squared gradients.
    eps : float
        :math:`\epsilon \ge 0`, added to the root mean square.
    weight_decay : float
        :math:`\lambda \ge 0`: adds :math:`\lambda\theta` to every gradient.
    momentum : float
        :math:`\beta` in [0, 1): momentum on the scaled steps; 0 for none.
    centered : bool
        Divide by an estimate of the gradient's standard deviation instead of its root
        mean square.

    Notes
    -----
    With :math:`g_t = \nabla L(\theta_t) + \lambda\theta_t`, coordinate by coordinate,
    and all averages starting at 0,

    .. math::

        \begin{aligned}
        s_t &= \alpha s_{t-1} + (1 - \alpha)\, g_t^2, \\
        \theta_{t+1} &= \theta_t - \eta_t\, \frac{g_t}{\sqrt{s_t} + \epsilon} .
        \end{aligned}

    Unlike Adagrad's sum, the average forgets old gradients, so the step does not shrink
    for ever. With ``centered``, :math:`\bar g_t = \alpha\bar g_{t-1} + (1 - \alpha) g_t`
    and :math:`\sqrt{s_t}` becomes :math:`\sqrt{s_t - \bar g_t^2}`; with momentum
    :math:`\beta > 0`, :math:`b_t = \beta b_{t-1} + g_t / (\sqrt{s_t} + \epsilon)` and
    :math:`\theta_{t+1} = \theta_t - \eta_t b_t`. The defaults are PyTorch's.

    Examples
    --------
    >>> rule = RMSprop(lr=0.01)
    >>> theta = np.array([1.0, 1.0])
    >>> state = rule.init(theta)
    >>> theta, state = rule.step(theta, np.array([100.0, 0.01]), state)
    >>> (1 - theta).round(4)  # each coordinate moved by lr / sqrt(1 - alpha)
    array([0.1, 0.1])
    """

    lr: LearningRate = 1e-2
    alpha: float = 0.99
    eps: float = 1e-8
    weight_decay: float = 0.0
    momentum: float = 0.0
    centered: bool = False

    def __post_init__(self) -> None:
        _rule.set_fields(
            self,
            lr=_rule.learning_rate(self.lr),
            alpha=_rule.beta(self.alpha, "alpha"),
            eps=_rule.nonnegative(self.eps, "eps"),
            weight_decay=_rule.nonnegative(self.weight_decay, "weight_decay"),
            momentum=_rule.beta(self.momentum, "momentum"),
            centered=_rule.flag(self.centered, "centered"),
        )

    def init(self, theta: FloatArray) -> RMSpropState:
        """No steps yet; every average at 0."""
        zeros = np.zeros_like(theta, dtype=np.float64)
        return RMSpropState(0, zeros, zeros, zeros)

    def step(
        self, theta: FloatArray, grad: FloatArray, state: RMSpropState
    ) -> tuple[FloatArray, RMSpropState]:
        """One update: the next parameters and state."""
        eta, a = lr_at(self.lr, state.step), self.alpha
        g = _rule.decay(grad, theta, self.weight_decay)
        s = a * state.square_avg + (1 - a) * g * g
        g_bar = a * state.grad_avg + (1 - a) * g if self.centered else state.grad_avg
        scaled = g / (np.sqrt(s - g_bar * g_bar if self.centered else s) + self.eps)
        b = self.momentum * state.momentum_buffer + scaled if self.momentum else scaled
        return theta - eta * b, RMSpropState(state.step + 1, s, g_bar, b)
