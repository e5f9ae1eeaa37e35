"""Linear regression in matrix form: gradient checks, least squares, the quadratic view."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdbook import calculus, data, linreg, losses


@pytest.mark.parametrize("bias", [True, False])
def test_mse_grad_matches_central_differences_and_torch(line, rng, bias):
    x, y = line
    X = linreg.design_matrix(x, bias=bias)
    for _ in range(4):
        theta = rng.normal(size=X.shape[1]) * 10
        grad = linreg.mse_grad(theta, X, y)
        numeric = calculus.numerical_gradient(lambda t: linreg.mse(t, X, y), theta)
        assert calculus.relative_error(grad, numeric) <= 1e-7
        t = torch.tensor(theta, requires_grad=True)
        ((torch.tensor(X) @ t - torch.tensor(y)) ** 2).mean().backward()
        assert calculus.relative_error(grad, t.grad.numpy()) <= 1e-13


def test_matrix_form_agrees_with_chapter_one(line):
    x, y = line
    theta = np.array([9.0, 30.0])
    X = linreg.design_matrix(x)
    assert linreg.mse(theta, X, y) == pytest.approx(losses.mse(theta, x, y), rel=1e-13)
    np.testing.assert_allclose(
        linreg.mse_grad(theta, X, y), losses.mse_grad(theta, x, y), rtol=1e-12
    )


def test_least_squares_matches_numpy_and_zeroes_the_gradient(line):
    x, y = line
    X = linreg.design_matrix(x)
    theta = linreg.least_squares(X, y)
    np.testing.assert_allclose(theta, np.polyfit(x, y, 1), rtol=1e-10)
    scale = np.linalg.norm(linreg.mse_grad(theta + 1.0, X, y))
    assert np.linalg.norm(linreg.mse_grad(theta, X, y)) <= 1e-10 * scale


def test_quadratic_view_has_the_same_value_gradient_and_minimiser(line, rng):
    x, y = line
    X = linreg.design_matrix(data.scale(x, by=100))
    q = linreg.quadratic(X, y)
    for _ in range(4):
        theta = rng.normal(size=2) * 100
        assert q(theta) == pytest.approx(linreg.mse(theta, X, y), rel=1e-10)
        np.testing.assert_allclose(q.grad(theta), linreg.mse_grad(theta, X, y), rtol=1e-10)
    np.testing.assert_allclose(q.minimiser, linreg.least_squares(X, y), rtol=1e-10)
    np.testing.assert_allclose(q.A, linreg.hessian(X), rtol=1e-15)
    assert q.kappa == pytest.approx(linreg.condition_number(X), rel=1e-12)


def test_scaling_the_input_changes_the_condition_number(line):
    x, _ = line
    raw = linreg.condition_number(linreg.design_matrix(x))
    divided = linreg.condition_number(linreg.design_matrix(data.scale(x, by=100)))
    standardised = linreg.condition_number(linreg.design_matrix(data.standardise(x)[0]))
    assert raw > 1000 > divided > standardised
    assert standardised == pytest.approx(1.0, abs=1e-12)  # mean 0, variance 1: H = 2 I


def test_one_gradient_step_on_a_million_samples_is_two_matrix_products(rng):
    x, y = data.line_data(1_000_000, rng=rng)
    X = linreg.design_matrix(x)
    grad = linreg.mse_grad(np.array([1.0, 1.0]), X, y)
    assert grad.shape == (2,) and np.all(np.isfinite(grad))


finite = st.floats(-50, 50)


@given(
    xy=hnp.arrays(np.float64, st.tuples(st.just(2), st.integers(2, 25)), elements=finite),
    theta=hnp.arrays(np.float64, 2, elements=finite),
)
def test_gradient_formula_on_random_data(xy, theta):
    x, y = xy
    X = linreg.design_matrix(x)
    t = torch.tensor(theta, requires_grad=True)
    ((torch.tensor(X) @ t - torch.tensor(y)) ** 2).mean().backward()
    np.testing.assert_allclose(linreg.mse_grad(theta, X, y), t.grad.numpy(), rtol=1e-9, atol=1e-9)


@given(bad=st.sampled_from([np.nan, np.inf, -np.inf]), where=st.sampled_from(["theta", "X", "y"]))
def test_non_finite_input_is_rejected_by_name(bad, where):
    args = {"theta": np.array([1.0, 2.0]), "X": np.ones((3, 2)), "y": np.ones(3)}
    args[where] = args[where].copy()
    args[where].flat[0] = bad
    with pytest.raises(ValueError, match=where):
        linreg.mse_grad(args["theta"], args["X"], args["y"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: linreg.mse([1.0, 2.0, 3.0], np.ones((3, 2)), np.ones(3)), "theta has 3 values"),
        (lambda: linreg.mse([1.0, 2.0], np.ones((3, 2)), np.ones(4)), "X has 3 rows"),
        (lambda: linreg.least_squares(np.ones((3, 2)), np.ones(3)), "full column rank"),
        (lambda: linreg.quadratic(np.ones((3, 2)), np.ones(3)), "positive definite"),
        (lambda: linreg.design_matrix([]), "x"),
        (lambda: linreg.hessian(np.ones(3)), "X"),
    ],
)
def test_bad_input_is_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_condition_number_of_a_singular_design_is_infinite():
    assert linreg.condition_number(np.ones((3, 2))) == float("inf")


NO_ROWS = (np.empty((0, 2)), np.empty(0), np.ones(2))
NO_COLUMNS = (np.empty((3, 0)), np.ones(3), np.empty(0))


@pytest.mark.parametrize(("X", "y", "theta"), [NO_ROWS, NO_COLUMNS], ids=["rows", "columns"])
@pytest.mark.parametrize(
    "call",
    [
        lambda X, y, theta: linreg.mse(theta, X, y),
        lambda X, y, theta: linreg.mse_grad(theta, X, y),
        lambda X, y, theta: linreg.least_squares(X, y),
        lambda X, y, theta: linreg.hessian(X),
        lambda X, y, theta: linreg.condition_number(X),
        lambda X, y, theta: linreg.quadratic(X, y),
    ],
    ids=["mse", "mse_grad", "least_squares", "hessian", "condition_number", "quadratic"],
)
def test_an_empty_design_matrix_is_rejected_by_name(call, X, y, theta):
    with pytest.raises(ValueError, match=r"^X must have at least one (row|column)"):
        call(X, y, theta)
