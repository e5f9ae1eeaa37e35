"""Optimisers against closed forms and torch.optim, never against "looks converged"."""

from __future__ import annotations

import dataclasses
import inspect
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdbook import _run, data, linreg, optim, surfaces
from gdbook.optim import StopReason

torch = pytest.importorskip("torch")

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


def test_every_name_the_chapters_use_is_still_in_optim():
    """optim.py was split into modules; ``from gdbook import optim`` keeps every name."""
    for name in (
        "gradient_descent",
        "normalised_gradient_descent",
        "clipped_gradient_descent",
        "exact_line_search",
        "backtracking_line_search",
        "Trajectory",
        "StopReason",
        "DIVERGENCE_FACTOR",
    ):
        assert name in optim.__all__ and hasattr(optim, name), name
    assert optim.DIVERGENCE_FACTOR == 1e10
    assert inspect.getdoc(optim.Trajectory.diverged)  # every public property is documented


def test_a_tiny_gradient_is_measured_not_rounded_to_zero():
    """np.linalg.norm squares first: ‖(2e-170)‖ came out 0 and stopped the run at once."""
    f = surfaces.parabola()
    run = optim.normalised_gradient_descent(f, f.grad, [1e-170], lr=0.1, n_steps=4)
    assert run.grad_norms[0] == 2e-170
    assert run.reason is StopReason.MAX_STEPS and run.n_steps == 4
    np.testing.assert_allclose(np.abs(np.diff(run.thetas[:, 0])), 0.1, rtol=1e-12)


def test_a_huge_finite_gradient_is_clipped_not_called_divergence():
    """‖(1e200, 1e200)‖ overflowed to inf, and the run was 'diverged' at step 0."""
    run = optim.clipped_gradient_descent(
        lambda t: float(1e200 * t.sum()),
        lambda t: np.full(2, 1e200),
        [0.0, 0.0],
        lr=0.5,
        max_norm=1.0,
        n_steps=3,
    )
    assert run.reason is StopReason.MAX_STEPS
    np.testing.assert_allclose(run.grad_norms, 1e200 * np.sqrt(2), rtol=1e-15)
    np.testing.assert_allclose(np.linalg.norm(np.diff(run.thetas, axis=0), axis=1), 0.5)


@settings(max_examples=200, deadline=None)
@given(
    entries=st.lists(st.floats(-1e3, 1e3, allow_subnormal=False), min_size=1, max_size=6),
    power=st.integers(-1070, 1020),
)
def test_norm_is_numpys_where_numpy_is_right_and_scales_exactly_elsewhere(entries, power):
    v = np.array(entries)
    if 1e-145 < np.abs(v).max() < 1e145:
        assert _run.norm(v) == np.linalg.norm(v)  # bit for bit in the ordinary range
    with np.errstate(over="ignore"):
        scaled = np.ldexp(v, power)
    if np.all(np.ldexp(scaled, -power) == v):  # scaling lost nothing (no inf, no subnormal)
        exact = math.hypot(*v)  # Python's hypot does not under- or overflow either
        try:
            expected = math.ldexp(exact, power)
        except OverflowError:  # the norm itself is beyond the largest float
            expected = math.inf
        assert _run.norm(scaled) == pytest.approx(expected, rel=1e-15, abs=0.0)


def test_an_update_that_overflows_is_reported_as_divergence():
    """The update itself overflows to -inf: it used to warn, then the loss raised."""
    f = surfaces.parabola()
    for method in (optim.gradient_descent, optim.normalised_gradient_descent):
        run = method(f, lambda t: np.full(1, 1e100), [1.0], lr=1e300)
        assert run.reason is StopReason.DIVERGED and run.n_steps == 1
        assert np.isneginf(run.thetas[1, 0]) and np.isnan(run.losses[1])


@pytest.mark.parametrize("rtol", [1e-3, 1e-8])
def test_relative_gradient_tolerance_stops_at_the_predicted_step(rtol):
    """On x² from 10 with η = 0.2, ‖∇f(x_t)‖ / ‖∇f(x_0)‖ = 0.6^t."""
    f = surfaces.parabola()
    run = optim.gradient_descent(f, f.grad, [10.0], lr=0.2, grad_rtol=rtol)
    assert run.reason is StopReason.GRAD_RTOL
    assert run.n_steps == np.ceil(np.log(rtol) / np.log(0.6))
    assert run.grad_norms[-1] <= rtol * run.grad_norms[0] < run.grad_norms[-2]


def test_relative_loss_tolerance_is_scale_free():
    """Multiplying the loss by 10^6 changes when loss_tol stops, not when loss_rtol does."""
    f, big = surfaces.parabola(), surfaces.Quadratic([[2e6]], [0.0], 1e6)
    runs = {}
    for name, g in (("small", f), ("big", big)):
        for rule in ("loss_tol", "loss_rtol"):
            runs[name, rule] = optim.gradient_descent(
                g, lambda t, g=g: g.grad(t) / g.A[0, 0] * 2, [10.0], lr=0.2, **{rule: 1e-6}
            )
    assert runs["small", "loss_rtol"].n_steps == runs["big", "loss_rtol"].n_steps
    assert runs["small", "loss_tol"].n_steps < runs["big", "loss_tol"].n_steps
    run = runs["big", "loss_rtol"]
    assert run.reason is StopReason.LOSS_RTOL
    losses = run.losses
    scale = np.maximum(np.maximum(np.abs(losses[1:]), np.abs(losses[:-1])), 1.0)
    passed = np.abs(np.diff(losses)) <= 1e-6 * scale
    assert passed[-1] and not passed[:-1].any()


def test_every_update_records_its_learning_rate():
    f = surfaces.parabola()
    run = optim.gradient_descent(f, f.grad, [10.0], lr=0.2, n_steps=5)
    np.testing.assert_array_equal(run.lrs, np.full(5, 0.2))
    start = optim.gradient_descent(f, f.grad, [0.0], lr=0.2)
    assert start.lrs.shape == (0,)
