r""":class:`Adam`: momentum and per-coordinate steps, with bias correction.

Public through :mod:`gdbook.optim`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from gdbook import _rule
from gdbook._checks import FloatArray
from gdbook._rule import LearningRate, lr_at


class AdamState(NamedTuple):
    """:class:`Adam`'s state, with PyTorch's names."""

    step: int
    exp_avg: FloatArray
    exp_avg_sq: FloatArray
    max_exp_avg_sq: FloatArray


@dataclass(frozen=True, kw_only=True)
class Adam:
    r"""Adam, exactly as :class:`torch.optim.Adam`, and optionally without bias correction.

    Parameters
    ----------
    lr : float or callable
        The learning rate :math:`\eta > 0`, or a schedule :math:`t \mapsto \eta_t`.
    betas : tuple of two floats
        The decays :math:`(\beta_1, \beta_2)`, each in [0, 1), of the averages of the
        gradients and of their squares.
    eps : float
        :math:`\epsilon \ge 0`, added to the root of the corrected average of squares.
    weight_decay : float
        :math:`\lambda \ge 0`: adds :math:`\lambda\theta` to every gradient (an L2
        penalty), or with ``decoupled_weight_decay`` shrinks :math:`\theta` directly.
    amsgrad : bool
        Divide by the largest average of squares so far (AMSGrad).
    decoupled_weight_decay : bool
        Multiply :math:`\theta` by :math:`1 - \eta_t\lambda` before the step instead of
        adding :math:`\lambda\theta` to the gradient (AdamW), as in PyTorch.
    bias_correction : bool
        Divide the averages by :math:`1 - \beta^{t+1}`, as PyTorch always does. Not a
        PyTorch option: ``False`` shows what the correction is for.

    Notes
    -----
    With :math:`g_t = \nabla L(\theta_t) + \lambda\theta_t`, coordinate by coordinate,
    :math:`m_{-1} = s_{-1} = 0` and :math:`k = t + 1` the number of the step,

    .. math::

        \begin{aligned}
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \\
        s_t &= \beta_2 s_{t-1} + (1 - \beta_2)\, g_t^2, \\
        \hat m_t &= m_t / (1 - \beta_1^k), \quad
        \hat s_t = s_t / (1 - \beta_2^k), \\
        \theta_{t+1} &= \theta_t - \eta_t\, \frac{\hat m_t}{\sqrt{\hat s_t} + \epsilon} .
        \end{aligned}

    PyTorch calls :math:`m_t` and :math:`s_t` ``exp_avg`` and ``exp_avg_sq`` (Kingma and
    Ba write :math:`v_t` for :math:`s_t`; the book keeps :math:`v` for momentum's velocity).
    On the first step :math:`\hat m_0 = g_0` and :math:`\sqrt{\hat s_0} = |g_0|`, so every
    coordinate moves by about :math:`\eta`, whatever the gradient's scale; without the
    correction it moves by :math:`\eta (1 - \beta_1)/\sqrt{1 - \beta_2}`, about
    :math:`3.16\,\eta` with the default betas.

    :math:`\epsilon` is added to :math:`\sqrt{\hat s_t}`, as in PyTorch and in Algorithm 1
    of Kingma and Ba (2015). Their faster form at the end of section 2, which
    TensorFlow's Adam follows, adds :math:`\hat\epsilon` to the uncorrected
    :math:`\sqrt{s_t}`: it is the same update only for
    :math:`\hat\epsilon = \epsilon\sqrt{1 - \beta_2^k}`, and the difference matters when
    :math:`\sqrt{\hat s_t}` is not much larger than :math:`\epsilon`. The defaults are
    PyTorch's.

    Examples
    --------
    >>> rule = Adam(lr=0.1)
    >>> theta = np.array([1.0, 1.0])
    >>> state = rule.init(theta)
    >>> theta, state = rule.step(theta, np.array([1e6, 1e-3]), state)
    >>> (1 - theta).round(4)  # the first step: lr in every coordinate
    array([0.1, 0.1])
    """

    lr: LearningRate = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False
    decoupled_weight_decay: bool = False
    bias_correction: bool = True

    def __post_init__(self) -> None:
        if not (isinstance(self.betas, (tuple, list)) and len(self.betas) == 2):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {self.betas!r}")
        _rule.set_fields(
            self,
            lr=_rule.learning_rate(self.lr),
            betas=(_rule.beta(self.betas[0], "betas[0]"), _rule.beta(self.betas[1], "betas[1]")),
            eps=_rule.nonnegative(self.eps, "eps"),
            weight_decay=_rule.nonnegative(self.weight_decay, "weight_decay"),
            amsgrad=_rule.flag(self.amsgrad, "amsgrad"),
            decoupled_weight_decay=_rule.flag(
                self.decoupled_weight_decay, "decoupled_weight_decay"
            ),
            bias_correction=_rule.flag(self.bias_correction, "bias_correction"),
        )

    def init(self, theta: FloatArray) -> AdamState:
        """No steps yet; every average at 0."""
        zeros = np.zeros_like(theta, dtype=np.float64)
        return AdamState(0, zeros, zeros, zeros)

    def step(
        self, theta: FloatArray, grad: FloatArray, state: AdamState
    ) -> tuple[FloatArray, AdamState]:
        """One update: the next parameters and state."""
        eta, (b1, b2), k = lr_at(self.lr, state.step), self.betas, state.step + 1
        if self.decoupled_weight_decay:
            theta, g = theta * (1 - eta * self.weight_decay), grad
        else:
            g = _rule.decay(grad, theta, self.weight_decay)
        m = b1 * state.exp_avg + (1 - b1) * g
        s = b2 * state.exp_avg_sq + (1 - b2) * g * g
        s_max = np.maximum(state.max_exp_avg_sq, s) if self.amsgrad else state.max_exp_avg_sq
        m_hat, s_hat = m, s_max if self.amsgrad else s
        if self.bias_correction:
            m_hat, s_hat = m_hat / (1 - b1**k), s_hat / (1 - b2**k)
        return theta - eta * m_hat / (np.sqrt(s_hat) + self.eps), AdamState(k, m, s, s_max)
