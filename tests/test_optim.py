"""Optimisers against closed forms and torch.optim, never against "looks converged"."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gdbook import data, linreg, optim, surfaces
from gdbook.optim import StopReason

QUADRATICS = {
    "parabola": surfaces.parabola(),
    "bowl": surfaces.bowl(20.0, L=2.0, angle=0.4, centre=(1.0, -1.0)),
    "valley": surfaces.narrow_valley(10.0),
    "deisenroth": surfaces.Quadratic([[2.0, 1.0], [1.0, 20.0]], [5.0, 3.0]),
}


def start_for(q: surfaces.Quadratic) -> np.ndarray:
    return np.full(q.b.size, 3.0)


@pytest.mark.parametrize("name", QUADRATICS)
def test_gradient_descent_matches_the_eigen_decomposed_closed_form(name):
    q = QUADRATICS[name]
    run = optim.gradient_descent(q, q.grad, start_for(q), lr=0.9 * q.max_lr, n_steps=40)
    closed = q.iterates(start_for(q), lr=0.9 * q.max_lr, n_steps=40)
    np.testing.assert_allclose(run.thetas, closed, rtol=1e-9, atol=1e-12)


def test_the_three_learning_rates_of_x_squared():
    """Zhang et al.'s example: x0 = 10, ten steps, iterates (1 - 2 eta)^t x0."""
    f = surfaces.parabola()
    for lr in (0.2, 0.05, 1.1):
        run = optim.gradient_descent(f, f.grad, [10.0], lr=lr, n_steps=10)
        np.testing.assert_allclose(run.thetas[:, 0], (1 - 2 * lr) ** np.arange(11) * 10, rtol=1e-12)
        assert run.reason is StopReason.MAX_STEPS


@pytest.mark.parametrize("name", QUADRATICS)
def test_divergence_iff_learning_rate_above_two_over_l(name):
    q = QUADRATICS[name]
    below = optim.gradient_descent(q, q.grad, start_for(q), lr=0.98 * q.max_lr, n_steps=20000)
    above = optim.gradient_descent(q, q.grad, start_for(q), lr=1.02 * q.max_lr, n_steps=20000)
    assert not below.diverged and np.allclose(below.final, q.minimiser, atol=1e-6)
    assert above.reason is StopReason.DIVERGED
    assert np.isfinite(above.losses).all()  # detected before anything overflowed


def test_divergence_is_reported_not_raised_even_through_overflow():
    f = surfaces.parabola()
    with np.errstate(all="raise"):  # nothing may warn or raise on the way
        run = optim.gradient_descent(f, lambda t: np.exp(1e3 * t), [1.0], lr=1.0)
    assert run.reason is StopReason.DIVERGED and run.n_steps <= 2


def test_best_fixed_step_contracts_at_the_predicted_rate():
    q = QUADRATICS["bowl"]
    run = optim.gradient_descent(q, q.grad, [5.0, 5.0], lr=q.best_lr, n_steps=60)
    errors = np.linalg.norm(run.thetas - q.minimiser, axis=1)
    ratios = errors[1:] / errors[:-1]
    assert ratios.max() <= q.best_rate + 1e-12
    # The worst case is attained: the error shrinks by exactly the rate along both axes.
    np.testing.assert_allclose(ratios[-10:], q.best_rate, rtol=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"n_steps": 7}, StopReason.MAX_STEPS),
        ({"grad_tol": 1e-3}, StopReason.GRAD_TOL),
        ({"loss_tol": 1e-9}, StopReason.LOSS_TOL),
        ({"lr": 1.5}, StopReason.DIVERGED),
    ],
)
def test_each_criterion_stops_the_run_and_says_so(kwargs, expected):
    f = surfaces.parabola()
    run = optim.gradient_descent(f, f.grad, [10.0], **{"lr": 0.1, **kwargs})
    assert run.reason is expected
    if expected is StopReason.MAX_STEPS:
        assert run.n_steps == 7
    if expected is StopReason.GRAD_TOL:
        assert run.grad_norms[-1] <= 1e-3 < run.grad_norms[-2]
    if expected is StopReason.LOSS_TOL:
        changes = np.abs(np.diff(run.losses))
        assert changes[-1] <= 1e-9 < changes[-2]


def test_a_start_at_the_minimum_stops_at_once():
    f = surfaces.parabola()
    run = optim.gradient_descent(f, f.grad, [0.0], lr=0.1)
    assert run.n_steps == 0 and run.reason is StopReason.GRAD_TOL


def test_matches_torch_sgd_step_for_step(line):
    x, y = line
    X = linreg.design_matrix(data.scale(x, by=100))
    ys = data.scale(y, by=100)
    run = optim.gradient_descent(
        lambda t: linreg.mse(t, X, ys),
        lambda t: linreg.mse_grad(t, X, ys),
        [0.1, 0.1],
        lr=0.3,
        n_steps=50,
    )
    theta = torch.tensor([0.1, 0.1], dtype=torch.float64, requires_grad=True)
    sgd = torch.optim.SGD([theta], lr=0.3)
    Xt, yt = torch.tensor(X), torch.tensor(ys)
    for t in range(50):
        np.testing.assert_allclose(run.thetas[t], theta.detach().numpy(), rtol=1e-12)
        sgd.zero_grad()
        ((Xt @ theta - yt) ** 2).mean().backward()
        sgd.step()
    np.testing.assert_allclose(run.final, theta.detach().numpy(), rtol=1e-12)


def test_reaches_the_least_squares_solution(line):
    x, y = line
    X = linreg.design_matrix(data.standardise(x)[0])
    target = linreg.least_squares(X, y)
    q = linreg.quadratic(X, y)
    run = optim.gradient_descent(q, q.grad, [0.0, 0.0], lr=q.best_lr, grad_tol=1e-10)
    assert run.reason is StopReason.GRAD_TOL
    np.testing.assert_allclose(run.final, target, rtol=1e-9)


def test_normalised_steps_all_have_length_lr_and_stall_near_the_minimum():
    f = surfaces.parabola()
    run = optim.normalised_gradient_descent(f, f.grad, [1.03], lr=0.1, n_steps=200)
    np.testing.assert_allclose(np.abs(np.diff(run.thetas[:, 0])), 0.1, rtol=1e-12)
    tail = np.abs(run.thetas[-50:, 0])
    assert tail.max() <= 0.1 and tail.min() > 0.01  # never closer than ~lr, never converges
    plain = optim.gradient_descent(f, f.grad, [1.03], lr=0.1, n_steps=200)
    assert abs(plain.final[0]) < 1e-15


def test_normalised_steps_on_a_bowl_have_length_lr():
    q = QUADRATICS["bowl"]
    run = optim.normalised_gradient_descent(q, q.grad, [4.0, 4.0], lr=0.05, n_steps=300)
    np.testing.assert_allclose(
        np.linalg.norm(np.diff(run.thetas, axis=0), axis=1), 0.05, rtol=1e-12
    )
    distance = np.linalg.norm(run.thetas[-100:] - q.minimiser, axis=1)
    assert distance.min() > 1e-3 and distance.max() < 0.5


def test_clipping_caps_far_steps_and_agrees_with_torch():
    q = QUADRATICS["bowl"]
    run = optim.clipped_gradient_descent(
        q, q.grad, [40.0, -30.0], lr=0.2, max_norm=1.0, grad_tol=1e-9, n_steps=10_000
    )
    steps = np.linalg.norm(np.diff(run.thetas, axis=0), axis=1)
    assert steps.max() <= 0.2 + 1e-12 and np.isclose(steps[0], 0.2)
    assert run.reason is StopReason.GRAD_TOL  # unlike normalised steps, it converges
    assert np.allclose(run.final, q.minimiser, atol=1e-7)
    theta = torch.tensor([40.0, -30.0], dtype=torch.float64, requires_grad=True)
    sgd = torch.optim.SGD([theta], lr=0.2)
    A, b = torch.tensor(q.A), torch.tensor(q.b)
    for t in range(30):
        np.testing.assert_allclose(run.thetas[t], theta.detach().numpy(), rtol=1e-5)
        sgd.zero_grad()
        (0.5 * theta @ A @ theta - b @ theta).backward()
        torch.nn.utils.clip_grad_norm_([theta], max_norm=1.0)
        sgd.step()


@pytest.mark.parametrize("gamma", [2.0, 10.0, 0.25])
def test_exact_line_search_follows_boyd_and_vandenberghe_closed_form(gamma):
    valley = surfaces.narrow_valley(gamma)
    run = optim.exact_line_search(valley, [gamma, 1.0], n_steps=20)
    k = np.arange(21)[:, None]
    closed = ((gamma - 1) / (gamma + 1)) ** k * np.column_stack(
        [np.full(21, gamma), (-1.0) ** k[:, 0]]
    )
    np.testing.assert_allclose(run.thetas, closed, rtol=1e-12, atol=1e-300)


def test_exact_line_search_gradients_zigzag_at_right_angles():
    q = QUADRATICS["deisenroth"]
    run = optim.exact_line_search(q, [-3.0, -1.0], grad_tol=1e-10)
    grads = np.array([q.grad(t) for t in run.thetas[:-1]])
    norms = np.linalg.norm(grads, axis=1)
    cosines = np.sum(grads[1:] * grads[:-1], axis=1) / (norms[1:] * norms[:-1])
    resolved = norms[1:] > 1e-6 * norms[0]  # below that, A θ - b is mostly rounding
    assert resolved.sum() > 10 and np.all(np.abs(cosines[resolved]) <= 1e-8)
    np.testing.assert_allclose(run.final, q.minimiser, atol=1e-9)


def test_trajectory_is_an_immutable_value():
    f = surfaces.parabola()
    run = optim.gradient_descent(f, f.grad, [1.0], lr=0.1, n_steps=3)
    with pytest.raises(ValueError):
        run.thetas[0, 0] = 5.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.reason = StopReason.DIVERGED  # type: ignore[misc]
    assert run.thetas.shape == (4, 1) and run.losses.shape == run.grad_norms.shape == (4,)


@settings(max_examples=50)
@given(
    lr=st.one_of(st.floats(max_value=0.0), st.just(np.nan), st.just(np.inf)),
)
def test_a_learning_rate_that_is_not_positive_is_rejected(lr):
    f = surfaces.parabola()
    with pytest.raises(ValueError, match="lr"):
        optim.gradient_descent(f, f.grad, [1.0], lr=lr)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"theta0": [np.nan]}, "theta0"),
        ({"theta0": [[1.0]]}, "theta0"),
        ({"grad_tol": -1e-3}, "grad_tol"),
        ({"loss_tol": -1.0}, "loss_tol"),
        ({"n_steps": -1}, "n_steps"),
        ({"n_steps": 2.5}, "n_steps"),
        ({"grad": lambda t: np.zeros(2)}, "grad must return shape"),
    ],
)
def test_bad_input_is_rejected(kwargs, name):
    f = surfaces.parabola()
    args = {"loss": f, "grad": f.grad, "theta0": [1.0], "lr": 0.1, **kwargs}
    with pytest.raises(ValueError, match=name):
        optim.gradient_descent(args.pop("loss"), args.pop("grad"), args.pop("theta0"), **args)


def test_clipping_needs_a_positive_max_norm():
    f = surfaces.parabola()
    with pytest.raises(ValueError, match="max_norm"):
        optim.clipped_gradient_descent(f, f.grad, [1.0], lr=0.1, max_norm=0.0)


@pytest.mark.parametrize(
    "method",
    [optim.gradient_descent, optim.normalised_gradient_descent],
)
def test_every_optimiser_solves_the_shared_problems(method):
    """The shared test problems: the parabola, a bowl, and Rosenbrock's valley."""
    for f, lr, steps, tol in (
        (surfaces.parabola(), 0.1, 500, 0.1),
        (QUADRATICS["bowl"], 0.05, 2000, 0.1),
        (surfaces.Rosenbrock(), 1e-3, 20000, 0.1),
    ):
        run = method(f, f.grad, np.full(f.minimiser.size, 0.5), lr=lr, n_steps=steps)
        assert np.linalg.norm(run.final - f.minimiser) <= tol, (method.__name__, f)
