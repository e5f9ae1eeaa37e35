"""PyTorch's training loop, run by torchtools, equals gdbook's NumPy gradient descent step
for step in float64, for the squared error and for logistic regression."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gdbook import data, linreg, logistic, optim, torchtools


def test_parameters_round_trip():
    for theta, bias in [([2.0, -1.0, 0.5], True), ([3.0], False), ([1.0, 2.0], False)]:
        model = torchtools.linear(theta, bias=bias)
        assert model.weight.dtype == torch.float64
        assert (model.bias is not None) == bias
        np.testing.assert_array_equal(torchtools.theta_of(model), theta)


def test_linear_predicts_like_the_design_matrix(rng):
    x, theta = rng.normal(size=(5, 2)), np.array([0.5, -2.0, 3.0])
    X = np.column_stack([x, np.ones(5)])
    with torch.no_grad():
        predicted = torchtools.linear(theta)(torch.from_numpy(x)).squeeze(-1).numpy()
    np.testing.assert_allclose(predicted, X @ theta, rtol=1e-15)


@pytest.mark.parametrize("bias", [True, False])
def test_regression_loop_equals_gdbook_gradient_descent(rng, bias):
    x, y = data.line_data(50, rng=rng)
    x, y = data.scale(x, by=100), data.scale(y, by=100)  # the notes' scaling
    X = linreg.design_matrix(x, bias=bias)
    theta0 = np.zeros(X.shape[1])
    run = optim.gradient_descent(
        lambda t: linreg.mse(t, X, y), lambda t: linreg.mse_grad(t, X, y), theta0,
        lr=0.2, n_steps=100,
    )  # fmt: skip
    thetas, losses = torchtools.sgd_iterates(
        torchtools.linear(theta0, bias=bias), torch.nn.MSELoss(), x[:, None], y,
        lr=0.2, n_steps=100,
    )  # fmt: skip
    np.testing.assert_allclose(thetas, run.thetas, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(losses, run.losses, rtol=1e-12)
    assert losses[-1] < 0.5 * losses[0]  # the runs compared really moved


def test_logistic_loop_equals_gdbook_gradient_descent(rng):
    features, labels = data.two_classes(80, rng=rng)
    X = np.column_stack([features, np.ones(len(labels))])
    theta0 = np.array([0.1, -0.2, 0.0])
    run = optim.gradient_descent(
        lambda t: logistic.cross_entropy(t, X, labels),
        lambda t: logistic.cross_entropy_grad(t, X, labels),
        theta0, lr=0.5, n_steps=200,
    )  # fmt: skip
    thetas, losses = torchtools.sgd_iterates(
        torchtools.linear(theta0), torch.nn.BCEWithLogitsLoss(), features, labels,
        lr=0.5, n_steps=200,
    )  # fmt: skip
    np.testing.assert_allclose(thetas, run.thetas, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(losses, run.losses, rtol=1e-12)
    assert losses[-1] < 0.9 * losses[0]
    assert np.abs(thetas[-1] - theta0).max() > 0.5


def test_the_starting_model_is_left_unchanged():
    model = torchtools.linear([1.0, 1.0])
    torchtools.sgd_iterates(model, torch.nn.MSELoss(), [[1.0]], [0.0], lr=0.1, n_steps=3)
    np.testing.assert_array_equal(torchtools.theta_of(model), [1.0, 1.0])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: torchtools.linear([1.0]), ValueError, r"^theta must hold a weight"),
        (lambda: torchtools.linear([]), ValueError, r"^theta must not be empty"),
        (lambda: torchtools.theta_of(np.zeros(2)), TypeError, r"^model must be a torch"),
        (
            lambda: torchtools.sgd_iterates(
                torchtools.linear([0.0, 0.0]),
                torch.nn.MSELoss(),
                [[1.0]],
                [1.0, 2.0],
                lr=0.1,
                n_steps=1,
            ),
            ValueError,
            r"^inputs has 1 rows but targets has 2",
        ),
        (
            lambda: torchtools.sgd_iterates(
                torchtools.linear([0.0, 0.0]),
                torch.nn.MSELoss(),
                [1.0],
                [1.0],
                lr=0.1,
                n_steps=1,
            ),
            ValueError,
            r"^inputs must have 2 dimension",
        ),
        (
            lambda: torchtools.sgd_iterates(
                torchtools.linear([0.0, 0.0]),
                torch.nn.MSELoss(),
                [[1.0]],
                [1.0],
                lr=-0.1,
                n_steps=1,
            ),
            ValueError,
            r"^lr",
        ),
    ],
)
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
