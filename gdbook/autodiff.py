r"""A scalar reverse-mode automatic differentiation engine, small enough to read in full.

A :class:`Value` holds one number. Each operation on values (``+``, ``-``, ``*``, ``/``,
``**`` and the methods ``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu``) makes a new
value that remembers three things: the operation's name, the values it was computed from
(its *parents*), and its *local derivatives*, the derivative of the new value with respect
to each parent at the numbers just computed. Together the values form the
*computational graph* of a result, which :mod:`gdbook.graphs` draws, and
:meth:`Value.backward` runs the chain rule over that graph from the result back to its
inputs. :func:`value_and_grad` wraps both passes for a function of a parameter vector.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import ClassVar, NoReturn

import numpy as np
import numpy.typing as npt

from gdbook import _checks, functions
from gdbook._checks import FloatArray

__all__ = ["Value", "value_and_grad"]

_VALUE_EXPONENT = "the exponent must be a number, not a Value: write (y * x.log()).exp() for x ** y"


class Value:
    r"""A number that remembers how it was computed, so that gradients can flow back.

    Parameters
    ----------
    data : float
        The number.
    parents, op, local
        Set by the operations, not by hand: the values this one was computed from, the
        operation's name, and :math:`\partial\,\text{self} / \partial\,\text{parent}`
        for each parent.
    label : str
        A name for drawings of the graph, such as ``"w"``.

    Notes
    -----
    After ``L.backward()``, each value :math:`u` that :math:`L` depends on has
    ``u.grad`` :math:`= \partial L / \partial u`, computed children first by

    .. math:: \frac{\partial L}{\partial u}
              = \sum_{v \text{ a child of } u}
                \frac{\partial v}{\partial u}\,\frac{\partial L}{\partial v},

    where :math:`\partial v / \partial u` is the local derivative stored in :math:`v`.
    A value used twice has two children, and its gradient is the sum of both terms.
    Unlike PyTorch, which adds to ``.grad`` on every call, ``backward`` starts every
    gradient of the graph from zero, so calling it twice gives the same gradients. An
    operation whose result or local derivative would not be a finite float64 number
    raises a ``ValueError`` that names the operation, rather than let an ``inf`` or a
    ``nan`` into the graph. The backward pass does not check: a gradient, a product of
    finite local derivatives, can still exceed float64 and come out ``inf``.

    Examples
    --------
    >>> w, x = Value(3.0, label="w"), Value(2.0, label="x")
    >>> loss = (w * x - 1.0) ** 2
    >>> loss.backward()
    >>> loss.data, w.grad, x.grad  # ∂/∂w = 2 (wx − 1) x, ∂/∂x = 2 (wx − 1) w
    (25.0, 20.0, 30.0)
    """

    __array_ufunc__: ClassVar[None] = None  # NumPy hands `array + value` to us, to refuse

    def __init__(
        self,
        data: float,
        parents: tuple[Value, ...] = (),
        op: str = "",
        local: tuple[float, ...] = (),
        *,
        label: str = "",
    ) -> None:
        self.data = _number(data, f"the result of {op!r}" if op else "data")
        if not all(map(math.isfinite, local)):  # e.g. 1 / x for a tiny x: the slope overflows
            raise ValueError(f"the derivatives of {op!r} must be finite, got {local}")
        self.grad = 0.0
        self.parents, self.op, self.local, self.label = parents, op, local, label

    def __add__(self, other: Value | float) -> Value:
        other = _value(other)
        return Value(self.data + other.data, (self, other), "+", (1.0, 1.0))

    def __sub__(self, other: Value | float) -> Value:
        other = _value(other)
        return Value(self.data - other.data, (self, other), "−", (1.0, -1.0))

    def __mul__(self, other: Value | float) -> Value:
        other = _value(other)
        return Value(self.data * other.data, (self, other), "×", (other.data, self.data))

    def __truediv__(self, other: Value | float) -> Value:
        other = _value(other)
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by a Value that is 0: {self!r} / {other!r}")
        q = self.data / other.data
        return Value(q, (self, other), "÷", (1.0 / other.data, -q / other.data))

    def __pow__(self, n: float) -> Value:
        n = _exponent(self.data, n)
        op = f"^{n:g}"
        try:
            local = n * self.data ** (n - 1) if n != 0 else 0.0
            return Value(self.data**n, (self,), op, (local,))
        except OverflowError:  # float ** raises where float * gives inf
            raise ValueError(f"the result of {op!r} must be finite: {self.data!r} ** {n:g} "
                             "or its derivative overflows float64") from None  # fmt: skip

    def __rpow__(self, other: float) -> NoReturn:
        raise TypeError(_VALUE_EXPONENT)

    def __neg__(self) -> Value:
        return Value(-self.data, (self,), "neg", (-1.0,))

    def __radd__(self, other: float) -> Value:
        return _value(other) + self

    def __rsub__(self, other: float) -> Value:
        return _value(other) - self

    def __rmul__(self, other: float) -> Value:
        return _value(other) * self

    def __rtruediv__(self, other: float) -> Value:
        return _value(other) / self

    def exp(self) -> Value:
        """:math:`e^x`, whose derivative is itself."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise ValueError(f"the result of 'exp' must be finite: exp({self.data!r}) "
                             "overflows float64") from None  # fmt: skip
        return Value(e, (self,), "exp", (e,))

    def log(self) -> Value:
        r"""The natural logarithm :math:`\ln x` of a positive value; derivative :math:`1/x`."""
        if self.data <= 0.0:
            raise ValueError(f"log of a non-positive value: {self!r}; log needs data > 0")
        return Value(math.log(self.data), (self,), "log", (1.0 / self.data,))

    def tanh(self) -> Value:
        r""":math:`\tanh x`, with derivative :math:`1 - \tanh^2 x`."""
        t = math.tanh(self.data)
        return Value(t, (self,), "tanh", (1.0 - t * t,))

    def sigmoid(self) -> Value:
        r""":math:`\sigma(x)`, with derivative :math:`\sigma(x)\,\sigma(-x)`."""
        s, ds = functions.sigmoid(self.data), functions.SIGMOID.derivative(self.data)
        return Value(float(s), (self,), "σ", (float(ds),))

    def relu(self) -> Value:
        r""":math:`\max(x, 0)`, with derivative 1 for :math:`x > 0` and 0 otherwise (as PyTorch)."""
        return Value(max(self.data, 0.0), (self,), "relu", (float(self.data > 0.0),))

    def backward(self) -> None:
        """Set ``v.grad`` to the derivative of this value for every value ``v`` in its graph."""
        order = self.topological_order()
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        # Children before parents, so each gradient is complete before it is passed on.
        for v in reversed(order):
            for parent, local in zip(v.parents, v.local, strict=True):
                parent.grad += local * v.grad  # += : every path into `parent` adds its share

    def topological_order(self) -> list[Value]:
        """Every value of the graph once, each after all of its parents; this one last."""
        order: list[Value] = []
        seen: set[Value] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:  # a loop with a stack, not recursion: deep graphs are fine
            v, parents_done = stack.pop()
            if parents_done:
                order.append(v)
            elif v not in seen:
                seen.add(v)
                stack.append((v, True))
                stack.extend((p, False) for p in reversed(v.parents))
        return order

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"


def value_and_grad(f: Callable[..., Value], theta: npt.ArrayLike) -> tuple[float, FloatArray]:
    r"""The value and gradient of ``f`` at ``theta``: one forward and one backward pass.

    Parameters
    ----------
    f : callable
        Called with one :class:`Value` per coordinate of ``theta``, as separate
        arguments; returns a :class:`Value`.
    theta : array_like, shape (p,)
        The point.

    Returns
    -------
    value : float
        :math:`f(\theta)`.
    grad : numpy.ndarray of float64, shape (p,)
        :math:`\nabla f(\theta)`, read from the leaves after ``backward``.

    Notes
    -----
    .. math:: \nabla f(\theta) = \Bigl(\frac{\partial f}{\partial \theta_1}, \dots,
              \frac{\partial f}{\partial \theta_p}\Bigr)

    One backward pass gives all :math:`p` partial derivatives, where central
    differences need :math:`2p` evaluations of :math:`f`.

    Examples
    --------
    >>> value_and_grad(lambda w, b: (2.0 * w + b - 7.0) ** 2, [3.0, 0.0])
    (1.0, array([-4., -2.]))
    """
    point = _checks.vector(theta, "theta")
    leaves = [Value(float(t), label=f"θ{j + 1}") for j, t in enumerate(point)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"f must return a Value, got {type(out).__name__}: {out!r}")
    out.backward()
    return out.data, np.array([leaf.grad for leaf in leaves])


def _number(x: object, name: str) -> float:
    """A finite Python float from a real number; anything else is refused by name."""
    if isinstance(x, np.ndarray):
        raise TypeError(
            f"{name} must be a single number, got a numpy array of shape {x.shape}: a Value "
            "holds one number, so apply the engine to each element (or use PyTorch)"
        )
    if isinstance(x, bool) or not isinstance(x, numbers.Real):  # True is no number here
        raise TypeError(f"{name} must be a real number or a Value, got {type(x).__name__}: {x!r}")
    number = float(x)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def _value(x: object) -> Value:
    """``x`` itself if it is a Value, else a constant Value (a leaf) holding it."""
    return x if isinstance(x, Value) else Value(_number(x, "the other operand"))


def _exponent(base: float, n: object) -> float:
    if isinstance(n, Value):
        raise TypeError(_VALUE_EXPONENT)
    p = _number(n, "the exponent")
    if base < 0.0 and not p.is_integer():
        raise ValueError(f"a negative base to a non-integer power is not real: {base} ** {p}")
    if base == 0.0 and p < 1.0 and p != 0.0:
        raise ValueError(f"0 ** {p} has no finite value or derivative")
    return p
