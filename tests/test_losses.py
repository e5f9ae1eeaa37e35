"""Losses of a line: values by hand, gradients against differences and autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gdbook import calculus, losses

THETAS = [np.array([3.5]), np.array([-2.0]), np.array([7.0, -20.0]), np.array([12.5, 80.0])]


def torch_mse(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """The MSE and its gradient, computed by PyTorch's autograd in float64."""
    t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    xs = torch.as_tensor(np.atleast_1d(x), dtype=torch.float64)
    ys = torch.as_tensor(np.atleast_1d(y), dtype=torch.float64)
    b = t[1] if t.numel() == 2 else 0.0
    loss = ((t[0] * xs + b - ys) ** 2).mean()
    loss.backward()
    return loss.item(), t.grad.numpy()


def test_values_by_hand():
    assert losses.predict([2.0, 1.0], [3.0]).tolist() == [7.0]
    assert losses.squared_error([2.0, 1.0], 3.0, 10.0) == 9.0
    assert losses.mse([1.0], [1.0, 2.0, 3.0], [2.0, 2.0, 2.0]) == pytest.approx(2 / 3)
    assert losses.mae([1.0], [1.0, 2.0, 3.0], [2.0, 2.0, 2.0]) == pytest.approx(2 / 3)
    assert losses.squared_error_grad([2.0, 1.0], 3.0, 10.0).tolist() == [-18.0, -6.0]


def test_origin_model_is_full_model_with_zero_intercept(line):
    x, y = line
    assert losses.mse([9.0], x, y) == losses.mse([9.0, 0.0], x, y)
    assert losses.mse_grad([9.0], x, y)[0] == losses.mse_grad([9.0, 0.0], x, y)[0]


def test_mse_is_the_mean_of_squared_errors(line):
    x, y = line
    theta = np.array([9.5, 30.0])
    each = [losses.squared_error(theta, xi, yi) for xi, yi in zip(x, y, strict=True)]
    assert losses.mse(theta, x, y) == pytest.approx(np.mean(each), rel=1e-14)
    grads = [losses.squared_error_grad(theta, xi, yi) for xi, yi in zip(x, y, strict=True)]
    np.testing.assert_allclose(losses.mse_grad(theta, x, y), np.mean(grads, axis=0), rtol=1e-12)


def test_one_sample_notes_formula(line):
    """The notes' dL/dw = 2 x^2 w - 2 x y for one sample and the line through the origin."""
    x, y = line
    w = 4.2
    expected = 2 * x[0] ** 2 * w - 2 * x[0] * y[0]
    assert losses.squared_error_grad([w], x[0], y[0])[0] == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("theta", THETAS, ids=str)
def test_mse_grad_matches_central_differences(line, theta):
    x, y = line
    numeric = calculus.numerical_gradient(lambda t: losses.mse(t, x, y), theta)
    assert calculus.relative_error(losses.mse_grad(theta, x, y), numeric) <= 1e-7


@pytest.mark.parametrize("theta", THETAS, ids=str)
def test_squared_error_grad_matches_central_differences(line, theta):
    x, y = line
    for xi, yi in zip(x[:10], y[:10], strict=True):
        numeric = calculus.numerical_gradient(
            lambda t, xi=xi, yi=yi: losses.squared_error(t, xi, yi), theta
        )
        analytic = losses.squared_error_grad(theta, xi, yi)
        assert calculus.relative_error(analytic, numeric) <= 1e-7


@pytest.mark.parametrize("theta", THETAS, ids=str)
def test_mse_and_grad_match_torch_autograd(line, theta):
    x, y = line
    value, grad = torch_mse(theta, x, y)
    assert losses.mse(theta, x, y) == pytest.approx(value, rel=1e-13)
    assert calculus.relative_error(losses.mse_grad(theta, x, y), grad) <= 1e-13


@pytest.mark.parametrize("theta", THETAS, ids=str)
def test_squared_error_grad_matches_torch_autograd(line, theta):
    x, y = line
    value, grad = torch_mse(theta, x[3], y[3])
    assert losses.squared_error(theta, x[3], y[3]) == pytest.approx(value, rel=1e-13)
    assert calculus.relative_error(losses.squared_error_grad(theta, x[3], y[3]), grad) <= 1e-13


def test_gradient_vanishes_at_least_squares_solution(line):
    x, y = line
    design = np.column_stack([x, np.ones_like(x)])
    theta, *_ = np.linalg.lstsq(design, y, rcond=None)
    scale = np.linalg.norm(losses.mse_grad(theta + 1.0, x, y))
    assert np.linalg.norm(losses.mse_grad(theta, x, y)) <= 1e-10 * scale
    w_origin = np.sum(x * y) / np.sum(x * x)
    assert abs(losses.mse_grad([w_origin], x, y)[0]) <= 1e-10 * scale


def test_curve_and_surfaces_agree_with_pointwise_calls(line):
    x, y = line
    w = np.linspace(5, 15, 7)
    b = np.linspace(-50, 100, 5)
    curve = losses.mse_curve(w, x, y)
    np.testing.assert_allclose(curve, [losses.mse([wj], x, y) for wj in w], rtol=1e-13)
    surface = losses.mse_surface(w, b, x, y)
    dw, db = losses.mse_grad_surface(w, b, x, y)
    assert surface.shape == dw.shape == db.shape == (b.size, w.size)
    for i, bi in enumerate(b):
        for j, wj in enumerate(w):
            assert surface[i, j] == pytest.approx(losses.mse([wj, bi], x, y), rel=1e-13)
            grad = losses.mse_grad([wj, bi], x, y)
            np.testing.assert_allclose([dw[i, j], db[i, j]], grad, rtol=1e-12)


def test_curve_of_one_sample_is_its_squared_error(line):
    x, y = line
    w = np.linspace(-5, 25, 11)
    expected = [losses.squared_error([wj], x[0], y[0]) for wj in w]
    np.testing.assert_allclose(losses.mse_curve(w, x[0], y[0]), expected, rtol=1e-13)


finite = st.floats(-100, 100, allow_nan=False)


@given(
    theta=hnp.arrays(np.float64, st.sampled_from([1, 2]), elements=finite),
    xy=hnp.arrays(np.float64, st.tuples(st.just(2), st.integers(1, 30)), elements=finite),
)
def test_mse_grad_matches_torch_on_random_data(theta, xy):
    x, y = xy
    value, grad = torch_mse(theta, x, y)
    assert losses.mse(theta, x, y) == pytest.approx(value, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(losses.mse_grad(theta, x, y), grad, rtol=1e-10, atol=1e-9)


@given(
    theta=hnp.arrays(np.float64, 2, elements=finite),
    xy=hnp.arrays(np.float64, st.tuples(st.just(2), st.integers(1, 30)), elements=finite),
)
def test_mse_is_nonnegative_and_bounds_mae(theta, xy):
    x, y = xy
    # Jensen: the mean of squares is at least the square of the mean.
    assert losses.mse(theta, x, y) >= losses.mae(theta, x, y) ** 2 * (1 - 1e-12) >= 0


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: losses.mse([1.0, 2.0, 3.0], [1.0], [1.0]), "theta"),
        (lambda: losses.mse([np.nan], [1.0], [1.0]), "theta"),
        (lambda: losses.mse([[1.0]], [1.0], [1.0]), "theta"),
        (lambda: losses.mse([1.0], [1.0, 2.0], [1.0]), "x and y"),
        (lambda: losses.mse([1.0], [], []), "at least one"),
        (lambda: losses.mse([1.0], [1.0, np.inf], [1.0, 2.0]), "x"),
        (lambda: losses.mse_grad([1.0], [1.0], [np.nan]), "y"),
        (lambda: losses.squared_error([1.0], [1.0, 2.0], 1.0), "x"),
        (lambda: losses.squared_error_grad([1.0], 1.0, [1.0, 2.0]), "y"),
        (lambda: losses.mse_curve([[1.0]], [1.0], [1.0]), "w"),
        (lambda: losses.mse_surface([1.0], [], [1.0], [1.0]), "b"),
        (lambda: losses.predict([1.0], [[1.0]]), "x"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
