"""Test surfaces: gradients against differences and autograd, minima, closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from gdbook import calculus, optim, surfaces

QUADRATICS = [
    surfaces.parabola(),
    surfaces.bowl(10.0, L=2.0, angle=0.6, centre=(1.0, -2.0)),
    surfaces.narrow_valley(25.0),
    surfaces.Quadratic([[2.0, 1.0], [1.0, 20.0]], [5.0, 3.0], 1.5),
]


@pytest.mark.parametrize("q", QUADRATICS, ids=range(len(QUADRATICS)))
def test_quadratic_gradient_and_minimiser(q, rng):
    for _ in range(5):
        theta = rng.normal(size=q.b.size) * 3
        numeric = calculus.numerical_gradient(q, theta)
        assert calculus.relative_error(q.grad(theta), numeric) <= 1e-7
        t = torch.tensor(theta, requires_grad=True)
        A, b = torch.tensor(q.A), torch.tensor(q.b)
        (0.5 * t @ A @ t - b @ t + q.c).backward()
        assert calculus.relative_error(q.grad(theta), t.grad.numpy()) <= 1e-13
    assert np.linalg.norm(q.grad(q.minimiser)) <= 1e-12 * max(1.0, np.linalg.norm(q.b))
    assert q.minimum <= q(q.minimiser + 1e-3)


def test_bowl_has_the_requested_curvatures_and_minimum():
    q = surfaces.bowl(40.0, L=4.0, angle=1.1, centre=(2.0, 3.0))
    assert q.L == pytest.approx(4.0) and q.mu == pytest.approx(0.1) and q.kappa == pytest.approx(40)
    np.testing.assert_allclose(q.minimiser, [2.0, 3.0], rtol=1e-12)
    assert q.minimum == pytest.approx(0.0, abs=1e-12)


def test_learning_rate_facts_in_closed_form():
    q = surfaces.bowl(9.0, L=3.0)
    assert q.max_lr == pytest.approx(2 / 3)
    assert q.best_lr == pytest.approx(2 / (3 + 1 / 3))
    assert q.best_rate == pytest.approx(0.8)
    assert q.rate(q.best_lr) == pytest.approx(q.best_rate)
    # The best fixed step minimises the worst-case contraction.
    grid = np.linspace(0.01, q.max_lr, 2000)
    assert min(q.rate(lr) for lr in grid) >= q.best_rate - 1e-12


@given(
    eigenvalues=st.lists(st.floats(0.1, 10.0), min_size=2, max_size=4),
    angle=st.floats(0, np.pi),
    lr=st.floats(0.01, 0.19),
)
def test_closed_form_iterates_follow_the_update(eigenvalues, angle, lr):
    p = len(eigenvalues)
    rotation, _ = np.linalg.qr(np.random.default_rng(int(angle * 1e6)).normal(size=(p, p)))
    A = rotation @ np.diag(eigenvalues) @ rotation.T
    q = surfaces.Quadratic(0.5 * (A + A.T), np.arange(1.0, p + 1))
    path = q.iterates(np.ones(p), lr=lr, n_steps=6)
    for t in range(6):
        np.testing.assert_allclose(path[t + 1], path[t] - lr * q.grad(path[t]), atol=1e-10)


def test_on_grid_agrees_with_pointwise_values():
    x, y = np.linspace(-2, 2, 7), np.linspace(-1, 3, 5)
    for f in (QUADRATICS[1], surfaces.Rosenbrock(a=1.5, b=20.0)):
        grid = f.on_grid(x, y)
        assert grid.shape == (5, 7)
        for i, yi in enumerate(y):
            for j, xj in enumerate(x):
                assert grid[i, j] == pytest.approx(f([xj, yi]), rel=1e-12, abs=1e-12)


def test_rosenbrock_gradient_and_minimum(rng):
    f = surfaces.Rosenbrock(a=1.5, b=20.0)
    for _ in range(5):
        theta = rng.uniform(-2, 2, size=2)
        assert calculus.relative_error(f.grad(theta), calculus.numerical_gradient(f, theta)) < 1e-7
        t = torch.tensor(theta, requires_grad=True)
        ((1.5 - t[0]) ** 2 + 20.0 * (t[1] - t[0] ** 2) ** 2).backward()
        assert calculus.relative_error(f.grad(theta), t.grad.numpy()) <= 1e-13
    np.testing.assert_array_equal(f.minimiser, [1.5, 2.25])
    assert f(f.minimiser) == f.minimum == 0.0


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: surfaces.Quadratic([[1.0, 2.0], [0.0, 1.0]], [0.0, 0.0]), "symmetric"),
        (lambda: surfaces.Quadratic([[1.0, 0.0], [0.0, -1.0]], [0.0, 0.0]), "positive definite"),
        (lambda: surfaces.Quadratic([[1.0]], [0.0, 0.0]), "A must have shape"),
        (lambda: surfaces.Quadratic([[np.nan]], [0.0]), "A"),
        (lambda: surfaces.parabola()([1.0, 2.0]), "theta"),
        (lambda: surfaces.bowl(0.5), "kappa"),
        (lambda: surfaces.bowl(2.0, L=0.0), "L"),
        (lambda: surfaces.bowl(2.0, centre=(1.0,)), "centre"),
        (lambda: surfaces.narrow_valley(-1.0), "gamma"),
        (lambda: surfaces.Rosenbrock(b=0.0), "b"),
        (lambda: surfaces.parabola().rate(0.0), "lr"),
        (lambda: surfaces.parabola().on_grid([0.0], [0.0]), "2 variables"),
    ],
)
def test_bad_input_is_rejected(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_quadratic_is_immutable():
    q = surfaces.bowl(4.0)
    with pytest.raises(ValueError):
        q.A[0, 0] = 5.0


def test_closed_form_iterates_converge_where_gradient_descent_does():
    """A diverging mode that starts at exactly 0 stays at 0: no NaN, no overflow warning."""
    q = surfaces.bowl(10.0)  # curvatures 0.1 and 1: lr = 2.5 makes the second mode grow
    path = q.iterates([1.0, 0.0], lr=2.5, n_steps=5000)
    run = optim.gradient_descent(q, q.grad, [1.0, 0.0], lr=2.5, n_steps=5000)
    assert np.all(np.isfinite(path)) and np.all(path[:, 1] == 0.0)
    np.testing.assert_allclose(path[: run.n_steps + 1], run.thetas, rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("angle", [0.0, 0.3])
def test_closed_form_iterates_of_a_diverging_run_overflow_quietly(angle):
    q = surfaces.bowl(10.0, angle=angle)
    path = q.iterates([1.0, 1.0], lr=2.5, n_steps=5000)
    early = optim.gradient_descent(q, q.grad, [1.0, 1.0], lr=2.5, n_steps=20)
    np.testing.assert_allclose(path[:21], early.thetas, rtol=1e-9)
    if angle == 0.0:  # the modes are the coordinates: the steady one stays finite
        assert np.all(np.isfinite(path[:, 0])) and np.isinf(path[-1, 1])
    else:
        assert np.all(np.isinf(path[-1]))


def test_rate_of_an_absurd_learning_rate_is_infinite_without_a_warning():
    assert surfaces.bowl(10.0, L=20.0).rate(1e308) == np.inf


def test_every_surface_offers_what_the_protocol_promises():
    assert "on_grid" in dir(surfaces.Surface)
    for f in (*QUADRATICS[1:], surfaces.Rosenbrock()):
        for name in dir(surfaces.Surface):
            if not name.startswith("_"):
                assert hasattr(f, name), (f, name)
