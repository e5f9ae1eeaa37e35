"""Elementary derivatives and the sum, product and chain rules, against central differences
and torch.autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from gdbook import calculus, functions

X = np.linspace(-3.0, 3.0, 61)

# Each function of the book's table, with the same function written in PyTorch.
TABLE = [
    (functions.constant(2.5), lambda t: 2.5 + 0 * t),
    (functions.power(0), lambda t: 1 + 0 * t),
    (functions.power(1), lambda t: t),
    (functions.power(2), lambda t: t**2),
    (functions.power(5), lambda t: t**5),
    (functions.EXP, torch.exp),
    (functions.SIN, torch.sin),
    (functions.COS, torch.cos),
    (functions.SIGMOID, torch.sigmoid),
    (functions.add(functions.power(3), functions.SIN), lambda t: t**3 + torch.sin(t)),
    (functions.multiply(functions.power(2), functions.EXP), lambda t: t**2 * torch.exp(t)),
    (functions.compose(functions.SIN, functions.power(2)), lambda t: torch.sin(t**2)),
    (functions.compose(functions.SIGMOID, functions.COS), lambda t: torch.sigmoid(torch.cos(t))),
    (
        functions.compose(functions.EXP, functions.multiply(functions.SIN, functions.power(1))),
        lambda t: torch.exp(torch.sin(t) * t),
    ),
]
IDS = [fn.label for fn, _ in TABLE]


@pytest.mark.parametrize(("fn", "reference"), TABLE, ids=IDS)
def test_derivative_matches_central_differences(fn, reference):
    numeric = calculus.central_difference(fn, X)
    assert calculus.relative_error(fn.derivative(X), numeric) <= 1e-8


@pytest.mark.parametrize(("fn", "reference"), TABLE, ids=IDS)
def test_value_and_derivative_match_torch(fn, reference):
    t = torch.tensor(X, requires_grad=True)
    value = reference(t)
    (slope,) = torch.autograd.grad(value.sum(), t)
    np.testing.assert_allclose(fn(X), value.detach().numpy(), rtol=1e-13, atol=1e-15)
    assert calculus.relative_error(fn.derivative(X), slope.numpy()) <= 1e-13


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma():
    # σ(1 − σ) = σ(x) σ(−x); the second form keeps its accuracy for large |x|.
    s = functions.sigmoid(X)
    np.testing.assert_allclose(functions.SIGMOID.derivative(X), s * (1 - s), rtol=5e-15)
    wide = np.linspace(-700.0, 700.0, 14_001)
    product = functions.sigmoid(wide) * functions.sigmoid(-wide)
    np.testing.assert_allclose(functions.SIGMOID.derivative(wide), product, rtol=1.2e-15)


@given(st.floats(-700, 700))
def test_sigmoid_is_stable_and_in_range(x):
    with np.errstate(over="raise", invalid="raise"):  # underflow to 0 is harmless
        value = float(functions.sigmoid(x))
    assert 0.0 <= value <= 1.0
    assert value == pytest.approx(1 / (1 + np.exp(-x)) if x > -700 else 0.0, abs=1e-15)


def test_chain_rule_worked_example():
    sin_x2 = functions.compose(functions.SIN, functions.power(2), label=r"\sin(x^2)")
    np.testing.assert_allclose(sin_x2.derivative(X), np.cos(X**2) * 2 * X, rtol=1e-15)
    assert sin_x2.label == r"\sin(x^2)"


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: functions.power(-1), "n"),
        (lambda: functions.power(1.5), "n"),
        (lambda: functions.constant(np.nan), "c"),
        (lambda: functions.SIN([np.inf]), "x"),
        (lambda: functions.sigmoid([np.nan]), "x"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# The sigmoid and its derivative against references computed in extended precision
# (numpy's longdouble: a 64-bit significand on x86-64, 11 bits more than float64). Errors
# are measured in units in the last place of the float64 result, which also covers the
# subnormal range below about −708, where the spacing of floats is absolute. Measured on
# two million random points: at most 2.4 ulps for σ and 4.2 ulps for σ'.
GRID = np.concatenate([np.linspace(-750.0, 40.0, 20_001), np.linspace(-40.0, 40.0, 8001)])


def sigmoid_reference(x):
    xl = np.asarray(x, dtype=np.longdouble)
    return 1 / (1 + np.exp(-xl))


def sigmoid_derivative_reference(x):
    e = np.exp(-np.abs(np.asarray(x, dtype=np.longdouble)))
    return e / (1 + e) ** 2


def ulps(value, reference):
    """|value − reference| in units of the float64 spacing at the reference."""
    nearest = reference.astype(np.float64)
    spacing = np.spacing(np.abs(nearest)).astype(np.longdouble)
    return np.abs(np.asarray(value, dtype=np.longdouble) - reference) / spacing


def test_longdouble_is_extended_precision():
    assert np.finfo(np.longdouble).nmant >= 63, "the references need extended precision"


@pytest.mark.parametrize(
    ("fn", "reference"),
    [
        (functions.sigmoid, sigmoid_reference),
        (functions.SIGMOID.derivative, sigmoid_derivative_reference),
    ],
    ids=["sigmoid", "derivative"],
)
def test_sigmoid_and_derivative_are_accurate_to_a_few_ulps_everywhere(fn, reference):
    assert ulps(fn(GRID), reference(GRID)).max() <= (3 if fn is functions.sigmoid else 5)


@given(st.floats(-800.0, 800.0))
def test_sigmoid_and_derivative_are_accurate_at_any_float(x):
    assert ulps(functions.sigmoid(x), sigmoid_reference(x)) <= 3
    assert ulps(functions.SIGMOID.derivative(x), sigmoid_derivative_reference(x)) <= 5


def test_sigmoid_far_left_is_not_zero():
    # σ(−40) ≈ 4.25e-18 and σ'(−40) ≈ 4.25e-18 are normal float64 numbers; so is σ(−700).
    for x in (-20.0, -30.0, -40.0, -700.0):
        assert functions.sigmoid(x) > 0
        assert ulps(functions.sigmoid(x), sigmoid_reference(x)) <= 3
        assert ulps(functions.SIGMOID.derivative(x), sigmoid_derivative_reference(x)) <= 5


def test_sigmoid_matches_torch_in_float64_on_the_left():
    # torch.sigmoid computes 1 / (1 + e^{-x}), accurate wherever e^{-x} does not overflow.
    x = np.linspace(-700.0, 0.0, 7001)
    expected = torch.sigmoid(torch.tensor(x, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(functions.sigmoid(x), expected, rtol=4e-16, atol=0)


def test_sigmoid_symmetries():
    x = np.linspace(-36.0, 36.0, 721)
    sums = functions.sigmoid(x) + functions.sigmoid(-x)
    np.testing.assert_allclose(sums, 1.0, rtol=0, atol=4.5e-16)  # two roundings of a few ulps
    d = functions.SIGMOID.derivative
    assert np.array_equal(d(x), d(-x))


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: functions.add(np.sin, functions.SIN), "f"),
        (lambda: functions.add(functions.SIN, "x"), "g"),
        (lambda: functions.multiply(functions.EXP, 2.0), "g"),
        (lambda: functions.compose(np.exp, functions.SIN), "outer"),
        (lambda: functions.compose(functions.SIN, None), "inner"),
    ],
)
def test_rules_reject_what_is_not_a_function(call, name):
    with pytest.raises(TypeError, match=rf"^{name} must be a gdbook\.functions\.Function"):
        call()
