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
    s = functions.sigmoid(X)
    np.testing.assert_allclose(functions.SIGMOID.derivative(X), s * (1 - s), rtol=1e-15)


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
