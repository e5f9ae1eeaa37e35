r"""Elementary functions with their derivatives, and the rules that combine them.

A :class:`Function` carries a function of one variable together with its derivative, both
applied elementwise to arrays. The table of derivatives the book teaches is here as
values (:data:`EXP`, :data:`SIN`, :data:`COS`, :data:`SIGMOID`, and :func:`constant` and
:func:`power` for families), and the sum, product and chain rules are functions that
build the derivative of a combination from the derivatives of its parts. Each rule can be
checked: compare ``fn.derivative(x)`` with :func:`gdbook.calculus.central_difference`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gdbook import _checks
from gdbook._checks import FloatArray

__all__ = [
    "COS",
    "EXP",
    "SIGMOID",
    "SIN",
    "Function",
    "add",
    "compose",
    "constant",
    "multiply",
    "power",
    "sigmoid",
]

Elementwise = Callable[[FloatArray], FloatArray]


@dataclass(frozen=True)
class Function:
    r"""A function of one variable and its derivative.

    Parameters
    ----------
    label : str
        How to print the function, in TeX without dollar signs, e.g. ``"\\sin x"``.
    f : callable
        The function, applied elementwise to a float64 array.
    df : callable
        Its derivative, applied elementwise.

    Examples
    --------
    >>> cube = power(3)
    >>> cube([1.0, 2.0]), cube.derivative([1.0, 2.0])
    (array([1., 8.]), array([ 3., 12.]))
    """

    label: str
    f: Elementwise
    df: Elementwise

    def __call__(self, x: npt.ArrayLike) -> FloatArray:
        """The function's values at ``x``."""
        return np.asarray(self.f(_checks.finite_array(x, "x")), dtype=np.float64)

    def derivative(self, x: npt.ArrayLike) -> FloatArray:
        """The derivative's values at ``x``."""
        return np.asarray(self.df(_checks.finite_array(x, "x")), dtype=np.float64)


def constant(c: float) -> Function:
    r"""The constant function :math:`f(x) = c`, whose derivative is 0.

    Parameters
    ----------
    c : float
        The constant.

    Returns
    -------
    Function
        :math:`c` and :math:`0`.

    Examples
    --------
    >>> constant(3.0)([1.0, 2.0]), constant(3.0).derivative([1.0, 2.0])
    (array([3., 3.]), array([0., 0.]))
    """
    value = float(_checks.finite_array(c, "c", ndim=0))
    return Function(f"{value:g}", lambda x: np.full_like(x, value), np.zeros_like)


def power(n: int) -> Function:
    r"""The power :math:`f(x) = x^n` for a whole number :math:`n \ge 0`.

    Parameters
    ----------
    n : int
        The exponent, a whole number; 0 gives the constant 1.

    Returns
    -------
    Function
        :math:`x^n` and its derivative :math:`n x^{n-1}`.

    Notes
    -----
    .. math:: \frac{d}{dx} x^n = n\, x^{n-1}

    Examples
    --------
    >>> power(2).derivative([3.0])
    array([6.])
    """
    k = _checks.count(n, "n", minimum=0)
    if k == 0:
        return constant(1.0)
    return Function(f"x^{{{k}}}" if k > 1 else "x", lambda x: x**k, lambda x: k * x ** (k - 1))


def sigmoid(x: npt.ArrayLike) -> FloatArray:
    r"""The logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, accurate for every x.

    Parameters
    ----------
    x : array_like
        Any finite numbers.

    Returns
    -------
    numpy.ndarray of float64
        :math:`\sigma(x)`, between 0 and 1, with a relative error of a few units in the
        last place wherever :math:`\sigma(x)` is a normal float64 number.

    Notes
    -----
    With :math:`e = e^{-|x|}`, which lies in :math:`(0, 1]` and so never overflows,

    .. math::

        \sigma(x) = \begin{cases}
            1 / (1 + e) & x \ge 0, \\
            e / (1 + e) & x < 0.
        \end{cases}

    Both forms equal the definition. Each rounds only a few times and never subtracts
    nearly equal numbers, so even :math:`\sigma(-700) \approx 10^{-304}` keeps its
    digits. The form :math:`\tfrac12(1 + \tanh(x/2))` does subtract them for negative
    :math:`x`: it loses digits as :math:`x` falls and returns 0 below
    :math:`x \approx -37`. Below :math:`x \approx -745` the true value is smaller than
    the smallest float64, and the result is 0.

    Examples
    --------
    >>> sigmoid([0.0, 2.0, -40.0])
    array([5.00000000e-01, 8.80797078e-01, 4.24835426e-18])
    >>> sigmoid([-800.0, 800.0])
    array([0., 1.])
    """
    xs = _checks.finite_array(x, "x")
    e = np.exp(-np.abs(xs))
    return np.asarray(np.where(xs >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), dtype=np.float64)


def _sigmoid_derivative(x: FloatArray) -> FloatArray:
    # σ'(x) = σ(x) σ(−x) = e / (1 + e)², e = e^{−|x|}: s (1 − s) would cancel for large x.
    e = np.exp(-np.abs(x))
    return np.asarray(e / (1.0 + e) ** 2, dtype=np.float64)


#: :math:`e^x`, its own derivative.
EXP = Function("e^x", np.exp, np.exp)
#: :math:`\sin x`, with derivative :math:`\cos x`.
SIN = Function(r"\sin x", np.sin, np.cos)
#: :math:`\cos x`, with derivative :math:`-\sin x`.
COS = Function(r"\cos x", np.cos, lambda x: -np.sin(x))
#: :math:`\sigma(x)`, with derivative :math:`\sigma(x)\,(1 - \sigma(x)) = \sigma(x)\,\sigma(-x)`.
SIGMOID = Function(r"\sigma(x)", sigmoid, _sigmoid_derivative)


def add(f: Function, g: Function) -> Function:
    r"""The sum :math:`f + g`, differentiated by the sum rule.

    Parameters
    ----------
    f, g : Function
        The two terms.

    Returns
    -------
    Function
        :math:`f(x) + g(x)` with derivative :math:`f'(x) + g'(x)`.

    Examples
    --------
    >>> add(power(2), SIN).derivative([0.0])
    array([1.])
    """
    f, g = _function(f, "f"), _function(g, "g")
    return Function(
        f"{f.label} + {g.label}", lambda x: f.f(x) + g.f(x), lambda x: f.df(x) + g.df(x)
    )


def multiply(f: Function, g: Function) -> Function:
    r"""The product :math:`f\,g`, differentiated by the product rule.

    Parameters
    ----------
    f, g : Function
        The two factors.

    Returns
    -------
    Function
        :math:`f(x)\,g(x)` with derivative :math:`f'(x)\,g(x) + f(x)\,g'(x)`.

    Notes
    -----
    .. math:: (f g)' = f' g + f g'

    Examples
    --------
    >>> multiply(power(1), EXP).derivative([0.0])  # (x e^x)' = e^x + x e^x
    array([1.])
    """
    f, g = _function(f, "f"), _function(g, "g")
    return Function(
        rf"\left({f.label}\right)\left({g.label}\right)",
        lambda x: f.f(x) * g.f(x),
        lambda x: f.df(x) * g.f(x) + f.f(x) * g.df(x),
    )


def compose(outer: Function, inner: Function, *, label: str | None = None) -> Function:
    r"""The composition :math:`f(g(x))`, differentiated by the chain rule.

    Parameters
    ----------
    outer : Function
        :math:`f`, applied second.
    inner : Function
        :math:`g`, applied first.
    label : str, optional
        TeX for the composition; by default written with :math:`\circ`.

    Returns
    -------
    Function
        :math:`f(g(x))` with derivative :math:`f'(g(x))\, g'(x)`.

    Notes
    -----
    .. math:: \frac{d}{dx} f(g(x)) = f'(g(x))\; g'(x)

    With :math:`u = g(x)` this is :math:`\frac{df}{dx} = \frac{df}{du}\frac{du}{dx}`.

    Examples
    --------
    >>> sin_of_square = compose(SIN, power(2), label=r"\sin(x^2)")
    >>> bool(np.isclose(sin_of_square.derivative(1.0), np.cos(1.0) * 2.0))
    True
    """
    outer, inner = _function(outer, "outer"), _function(inner, "inner")
    return Function(
        label or rf"\left({outer.label}\right) \circ \left({inner.label}\right)",
        lambda x: outer.f(inner.f(x)),
        lambda x: outer.df(inner.f(x)) * inner.df(x),
    )


def _function(value: object, name: str) -> Function:
    return _checks.instance(value, Function, name)
