"""Line searches against closed forms and against the conditions that define them."""

from __future__ import annotations

import numpy as np
import pytest

from gdbook import optim, surfaces
from gdbook.optim import StopReason

QUADRATICS = {
    "parabola": surfaces.parabola(),
    "bowl": surfaces.bowl(20.0, L=2.0, angle=0.4, centre=(1.0, -1.0)),
    "valley": surfaces.narrow_valley(10.0),
    "deisenroth": surfaces.Quadratic([[2.0, 1.0], [1.0, 20.0]], [5.0, 3.0]),
}
SHARED = {**QUADRATICS, "rosenbrock": surfaces.Rosenbrock()}


def boyd_corners(gamma: float, n: int, scale: float = 1.0) -> np.ndarray:
    """Boyd and Vandenberghe's iterates on the valley, from (gamma, 1) times ``scale``."""
    k = np.arange(n + 1)[:, None]
    corners = np.column_stack([np.full(n + 1, gamma), (-1.0) ** k[:, 0]])
    return scale * ((gamma - 1) / (gamma + 1)) ** k * corners


@pytest.mark.parametrize("gamma", [2.0, 10.0, 0.25])
def test_exact_line_search_follows_boyd_and_vandenberghe_closed_form(gamma):
    valley = surfaces.narrow_valley(gamma)
    run = optim.exact_line_search(valley, [gamma, 1.0], n_steps=20)
    np.testing.assert_allclose(run.thetas, boyd_corners(gamma, 20), rtol=1e-12, atol=1e-300)


def test_exact_line_search_does_not_underflow_near_zero():
    """g·g underflows to 0 for a gradient of 1e-170; the step must not become 0/0."""
    run = optim.exact_line_search(surfaces.narrow_valley(10.0), [10e-170, 1e-170], n_steps=20)
    assert run.reason is StopReason.MAX_STEPS
    np.testing.assert_allclose(run.thetas, boyd_corners(10.0, 20, 1e-170), rtol=1e-12)


def test_exact_line_search_records_its_steps():
    q = QUADRATICS["deisenroth"]
    run = optim.exact_line_search(q, [-3.0, -1.0], n_steps=15)
    g = np.array([q.grad(t) for t in run.thetas[:-1]])
    expected = np.sum(g * g, axis=1) / np.einsum("ti,ij,tj->t", g, q.A, g)
    np.testing.assert_allclose(run.lrs, expected, rtol=1e-14)
    np.testing.assert_array_equal(run.thetas[1:], run.thetas[:-1] - run.lrs[:, None] * g)


def test_exact_line_search_gradients_zigzag_at_right_angles():
    q = QUADRATICS["deisenroth"]
    run = optim.exact_line_search(q, [-3.0, -1.0], grad_tol=1e-10)
    grads = np.array([q.grad(t) for t in run.thetas[:-1]])
    norms = np.linalg.norm(grads, axis=1)
    cosines = np.sum(grads[1:] * grads[:-1], axis=1) / (norms[1:] * norms[:-1])
    resolved = norms[1:] > 1e-6 * norms[0]  # below that, A θ - b is mostly rounding
    assert resolved.sum() > 10 and np.all(np.abs(cosines[resolved]) <= 1e-8)
    np.testing.assert_allclose(run.final, q.minimiser, atol=1e-9)


@pytest.mark.parametrize("function", [surfaces.Rosenbrock(), lambda theta: 0.0, "valley"])
def test_exact_line_search_rejects_anything_but_a_quadratic(function):
    with pytest.raises(ValueError, match=r"quadratic must be a gdbook\.surfaces\.Quadratic"):
        optim.exact_line_search(function, [1.0, 1.0])


@pytest.mark.parametrize("name", SHARED)
@pytest.mark.parametrize(("lr", "shrink", "c"), [(1.0, 0.5, 1e-4), (0.3, 0.8, 0.3)])
def test_every_backtracking_step_is_the_first_that_passes_armijo(name, lr, shrink, c):
    f = SHARED[name]
    start = np.full(f.minimiser.size, -0.7)
    run = optim.backtracking_line_search(f, f.grad, start, lr=lr, shrink=shrink, c=c, n_steps=60)
    assert run.n_steps >= (1 if name == "parabola" else 20)
    for t in range(run.n_steps):
        theta, g, eta = run.thetas[t], f.grad(run.thetas[t]), run.lrs[t]
        np.testing.assert_array_equal(run.thetas[t + 1], theta - eta * g)
        if eta == 0.0:  # no step passed before the asked-for decrease was lost in rounding
            assert run.reason is StopReason.STALLED and t == run.n_steps - 1
            trial = lr
            while f(theta) - c * trial * (g @ g) < f(theta):
                assert not f(theta - trial * g) <= f(theta) - c * trial * (g @ g)
                trial *= shrink
            continue
        assert f(theta - eta * g) <= f(theta) - c * eta * (g @ g)  # accepted: Armijo holds
        exponent = np.log(eta / lr) / np.log(shrink)
        assert exponent == pytest.approx(round(exponent), abs=1e-9)  # eta = lr * shrink^k
        if eta < lr:  # ... and the step before it in the sequence failed
            longer = eta / shrink
            assert not f(theta - longer * g) <= f(theta) - c * longer * (g @ g)


@pytest.mark.parametrize("name", QUADRATICS)
def test_backtracking_on_a_quadratic_takes_the_predicted_step(name):
    """On a quadratic, Armijo holds exactly for eta <= 2 (1 - c) g·g / g·A g."""
    q, c, shrink = QUADRATICS[name], 1e-4, 0.5
    run = optim.backtracking_line_search(q, q.grad, np.full(q.b.size, 3.0), n_steps=30)
    for t in range(run.n_steps):
        g = q.grad(run.thetas[t])
        longest = 2 * (1 - c) * (g @ g) / (g @ q.A @ g)
        k = max(0, int(np.ceil(np.log(longest) / np.log(shrink))))  # lr = 1
        assert run.lrs[t] == shrink**k


@pytest.mark.parametrize("name", SHARED)
def test_backtracking_solves_the_shared_problems(name):
    f = SHARED[name]
    run = optim.backtracking_line_search(
        f, f.grad, np.full(f.minimiser.size, 0.5), grad_tol=1e-6, n_steps=20_000
    )
    assert not run.diverged
    assert np.all(np.diff(run.losses) <= 0)  # a descent method: the loss never rises
    np.testing.assert_allclose(run.final, f.minimiser, atol=1e-5)


def test_backtracking_stops_when_no_step_lowers_the_loss():
    """A gradient that is not the loss's: no step passes, the step shrinks to nothing."""
    run = optim.backtracking_line_search(lambda t: 1.0, lambda t: np.ones(2), [0.0, 0.0])
    assert run.reason is StopReason.STALLED and run.n_steps == 1
    np.testing.assert_array_equal(run.thetas[1], run.thetas[0])


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"lr": 0.0}, "lr"),
        ({"shrink": 0.0}, "shrink"),
        ({"shrink": 1.0}, "shrink"),
        ({"c": 1.0}, "c"),
        ({"c": -0.1}, "c"),
        ({"grad_rtol": -1.0}, "grad_rtol"),
    ],
)
def test_backtracking_rejects_bad_input(kwargs, name):
    f = surfaces.parabola()
    with pytest.raises(ValueError, match=name):
        optim.backtracking_line_search(f, f.grad, [1.0], **kwargs)
