"""Drivers: full-batch and mini-batch runs, the batches of an epoch, and what they record."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdbook import data, linreg, optim, schedules, surfaces
from gdbook.optim import StopReason


@pytest.fixture
def regression(line):
    x, y = line
    return linreg.design_matrix(data.scale(x, by=100)), data.scale(y, by=100)


def test_full_batch_sgd_is_gradient_descent_bit_for_bit():
    q = surfaces.bowl(20.0, L=2.0, angle=0.4, centre=(1.0, -1.0))
    plain = optim.gradient_descent(q, q.grad, [3.0, 3.0], lr=0.7, grad_tol=1e-9)
    driven = optim.full_batch(optim.SGD(lr=0.7), q, q.grad, [3.0, 3.0], grad_tol=1e-9)
    np.testing.assert_array_equal(driven.thetas, plain.thetas)
    assert driven.reason is plain.reason is StopReason.GRAD_TOL
    np.testing.assert_array_equal(driven.lrs, plain.lrs)


def test_a_whole_batch_in_order_is_gradient_descent(regression):
    X, y = regression
    q = linreg.quadratic(X, y)
    plain = optim.gradient_descent(q, q.grad, [0.0, 0.0], lr=0.5, n_steps=30)
    run = optim.minibatch(
        optim.SGD(lr=0.5), linreg.mse, linreg.mse_grad, [0.0, 0.0], X, y,
        batch_size=len(y), n_epochs=30, rng=None, sampling="sequential",
    )  # fmt: skip
    np.testing.assert_allclose(run.thetas, plain.thetas, rtol=1e-12)
    np.testing.assert_array_equal(run.work, len(y) * np.arange(31))


def test_the_notes_per_sample_loop(line):
    """The notes' model w·x on x/100, batch size 1, in order, at η = 1: w ← w − 2 e_i x_i."""
    x, y = line
    X, ys = linreg.design_matrix(data.scale(x, by=100), bias=False), data.scale(y, by=100)
    run = optim.minibatch(
        optim.SGD(lr=1.0), linreg.mse, linreg.mse_grad, [0.0], X, ys,
        batch_size=1, n_epochs=2, rng=None, sampling="sequential",
    )  # fmt: skip
    w = 0.0
    for _ in range(2):
        for xi, yi in zip(X[:, 0], ys, strict=True):
            w = w - 2 * (w * xi - yi) * xi
    assert run.reason is StopReason.MAX_STEPS
    assert run.final[0] == pytest.approx(w, rel=1e-12)
    assert run.n_steps == 2 * len(ys) and run.work[-1] == 2 * len(ys)


@pytest.mark.parametrize("sampling", ["shuffle", "replace"])
def test_the_driver_uses_the_batches_that_batches_draws(regression, sampling):
    X, y = regression
    run = optim.minibatch(
        optim.SGD(lr=0.3), linreg.mse, linreg.mse_grad, [0.0, 0.0], X, y,
        batch_size=32, n_epochs=3, rng=np.random.default_rng(7), sampling=sampling,
    )  # fmt: skip
    theta, rng = np.zeros(2), np.random.default_rng(7)
    rows = [theta]
    for _ in range(3):
        for batch in optim.batches(len(y), batch_size=32, rng=rng, sampling=sampling):
            theta = theta - 0.3 * linreg.mse_grad(theta, X[batch], y[batch])
            rows.append(theta)
    np.testing.assert_allclose(run.thetas, np.array(rows), rtol=1e-13)


def test_an_epoch_of_shuffled_batches_is_a_permutation():
    rng = np.random.default_rng(3)
    for n, size in ((10, 3), (12, 4), (7, 7), (5, 1)):
        parts = optim.batches(n, batch_size=size, rng=rng)
        assert [len(p) for p in parts] == [size] * (n // size) + ([n % size] if n % size else [])
        np.testing.assert_array_equal(np.sort(np.concatenate(parts)), np.arange(n))
        dropped = optim.batches(n, batch_size=size, rng=rng, drop_last=True)
        assert [len(p) for p in dropped] == [size] * (n // size)


def test_epochs_differ_and_the_generator_decides():
    first = optim.batches(50, batch_size=50, rng=np.random.default_rng(1))[0]
    again = optim.batches(50, batch_size=50, rng=np.random.default_rng(1))[0]
    rng = np.random.default_rng(1)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(
        optim.batches(50, batch_size=50, rng=rng)[0], optim.batches(50, batch_size=50, rng=rng)[0]
    )


def test_sampling_with_replacement_touches_about_1_minus_1_over_e_of_the_samples():
    rng, n = np.random.default_rng(11), 10_000
    seen = [
        np.unique(
            np.concatenate(optim.batches(n, batch_size=100, rng=rng, sampling="replace"))
        ).size
        for _ in range(20)
    ]
    assert np.mean(seen) / n == pytest.approx(1 - np.exp(-1), abs=0.005)
    drawn = np.concatenate(optim.batches(n, batch_size=100, rng=rng, sampling="replace"))
    assert drawn.size == n and np.unique(drawn).size < n


def test_x_and_y_are_always_reordered_together():
    """On data that a line fits exactly, any batch's gradient is zero at that line."""
    x = np.linspace(-1.0, 1.0, 40)
    X, y = linreg.design_matrix(x), 3.0 * x - 2.0
    for sampling in ("shuffle", "replace"):
        run = optim.minibatch(
            optim.SGD(lr=0.5), linreg.mse, linreg.mse_grad, [3.0, -2.0], X, y,
            batch_size=7, n_epochs=3, rng=np.random.default_rng(0), sampling=sampling,
        )  # fmt: skip
        np.testing.assert_allclose(run.thetas, [[3.0, -2.0]] * len(run.thetas), atol=1e-13)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    size=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
    theta=st.tuples(st.floats(-5, 5), st.floats(-5, 5)).map(np.array),
)
def test_minibatch_gradients_average_to_the_full_gradient_over_an_epoch(n, size, seed, theta):
    """Sampling without replacement: sum over the epoch of |B|/n times each batch gradient."""
    size = min(size, n)
    rng = np.random.default_rng(seed)
    X, y = linreg.design_matrix(rng.normal(size=n)), rng.normal(size=n)
    parts = optim.batches(n, batch_size=size, rng=rng)
    mean = sum(len(b) / n * linreg.mse_grad(theta, X[b], y[b]) for b in parts)
    full = linreg.mse_grad(theta, X, y)
    np.testing.assert_allclose(mean, full, rtol=1e-9, atol=1e-12 * (1 + np.abs(full).max()))


def test_records_every_k_steps_and_counts_the_work(regression):
    X, y = regression  # 100 samples: 4 batches of 32, 32, 32 and 4
    run = optim.minibatch(
        optim.SGD(lr=0.3, momentum=0.5), linreg.mse, linreg.mse_grad, [0.0, 0.0], X, y,
        batch_size=32, n_epochs=5, rng=np.random.default_rng(2), record_every=3,
    )  # fmt: skip
    np.testing.assert_array_equal(run.steps, [0, 3, 6, 9, 12, 15, 18, 20])
    work_per_step = np.cumsum([0] + [32, 32, 32, 4] * 5)
    np.testing.assert_array_equal(run.work, work_per_step[run.steps])
    assert run.lrs.shape == (20,) and run.n_steps == 20
    for theta, value, size in zip(run.thetas, run.losses, run.grad_norms, strict=True):
        assert value == linreg.mse(theta, X, y)  # the loss on all the data
        assert size == pytest.approx(np.linalg.norm(linreg.mse_grad(theta, X, y)), rel=1e-15)
    every = optim.minibatch(
        optim.SGD(lr=0.3, momentum=0.5), linreg.mse, linreg.mse_grad, [0.0, 0.0], X, y,
        batch_size=32, n_epochs=5, rng=np.random.default_rng(2),
    )  # fmt: skip
    np.testing.assert_array_equal(every.thetas[run.steps], run.thetas)
    dropped = optim.minibatch(
        optim.SGD(lr=0.3), linreg.mse, linreg.mse_grad, [0.0, 0.0], X, y,
        batch_size=32, n_epochs=5, rng=np.random.default_rng(2), drop_last=True,
    )  # fmt: skip
    assert dropped.n_steps == 15 and dropped.work[-1] == 15 * 32


def test_a_stochastic_run_stops_on_the_full_gradient(regression):
    X, y = regression
    run = optim.minibatch(
        optim.SGD(lr=0.5), linreg.mse, linreg.mse_grad, [0.0, 0.0], X, y,
        batch_size=100, n_epochs=10_000, rng=None, sampling="sequential", grad_rtol=1e-6,
    )  # fmt: skip
    assert run.reason is StopReason.GRAD_RTOL and run.n_steps < 10_000
    assert run.grad_norms[-1] <= 1e-6 * run.grad_norms[0]


def test_divergence_is_recorded_at_the_step_it_happens(regression):
    X, y = regression
    run = optim.minibatch(
        optim.SGD(lr=1e200), linreg.mse, linreg.mse_grad, [0.0, 0.0], X, y,
        batch_size=10, n_epochs=50, rng=np.random.default_rng(0), record_every=1000,
    )  # fmt: skip
    assert run.reason is StopReason.DIVERGED and run.n_steps < 10


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 101}, "batch_size"),
        ({"batch_size": 2.0}, "batch_size"),
        ({"n_epochs": -1}, "n_epochs"),
        ({"record_every": 0}, "record_every"),
        ({"rng": 42}, "rng"),
        ({"rng": np.random.RandomState(0)}, "rng"),
        ({"rng": None}, "rng"),
        ({"rng": None, "sampling": "replace"}, "rng"),
        ({"sampling": "random"}, "sampling"),
        ({"y": np.zeros(99)}, "samples"),
        ({"grad_tol": -1.0}, "grad_tol"),
    ],
)
def test_bad_input_to_minibatch_is_rejected(regression, kwargs, name):
    X, y = regression
    args = {"X": X, "y": y, "batch_size": 10, "n_epochs": 1, "rng": np.random.default_rng(0)}
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        optim.minibatch(
            optim.SGD(lr=0.1), linreg.mse, linreg.mse_grad, [0.0, 0.0], args.pop("X"),
            args.pop("y"), **args,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n": 0}, "n"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 11}, "batch_size"),
        ({"rng": "seed"}, "rng"),
        ({"rng": 1, "sampling": "sequential"}, "rng"),
    ],
)
def test_bad_input_to_batches_is_rejected(kwargs, name):
    args = {"n": 10, "batch_size": 3, "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(ValueError, match=name):
        optim.batches(args.pop("n"), **args)


def test_a_zero_gradient_stops_gradient_descent_where_it_lands():
    # On 1.5 x^2, lr = 1/3 lands exactly on the minimum in one step and would stay there.
    line = surfaces.Quadratic([[3.0]], [0.0])
    run = optim.full_batch(optim.SGD(lr=1 / 3), line, line.grad, [2.0], n_steps=10)
    assert run.reason is StopReason.GRAD_TOL and run.n_steps == 1
    assert run.final[0] == 0.0


def test_momentum_coasts_through_a_point_of_zero_gradient():
    # The same first step lands on the minimum, but the velocity carries momentum past it
    # (v_0 = g_0, so theta_2 = -beta * theta_0): the run must go on, as torch.optim does.
    line = surfaces.Quadratic([[3.0]], [0.0])
    rule = optim.SGD(lr=1 / 3, momentum=0.7)
    run = optim.full_batch(rule, line, line.grad, [2.0], n_steps=6)
    assert run.reason is StopReason.MAX_STEPS and run.n_steps == 6
    theta, state = np.array([2.0]), rule.init(np.array([2.0]))
    for t in range(6):
        theta, state = rule.step(theta, line.grad(theta), state)
        assert run.thetas[t + 1][0] == theta[0]
    assert run.thetas[1][0] == 0.0 and np.isclose(run.thetas[2][0], -0.7 * 2.0)


def test_weight_decay_is_not_at_rest_where_the_loss_gradient_vanishes():
    def flat(theta):  # a loss that is constant: its gradient is zero everywhere
        return 0.0

    def flat_grad(theta):
        return np.zeros_like(theta)

    decay = optim.SGD(lr=0.1, weight_decay=0.5)
    decayed = optim.full_batch(decay, flat, flat_grad, [1.0], n_steps=3)
    assert decayed.n_steps == 3 and np.isclose(decayed.final[0], 0.95**3)
    plain = optim.full_batch(optim.SGD(lr=0.1), flat, flat_grad, [1.0], n_steps=3)
    assert plain.n_steps == 0 and plain.reason is StopReason.GRAD_TOL


def test_a_zero_gradient_at_the_step_cap_asks_no_learning_rate_past_it():
    # The first step lands on the minimum, at the cap. A schedule defined only for the
    # steps the run takes (a cosine down to 0 at T_max, a list) must not be asked for
    # lr(n_steps): the run ends there anyway, reporting the zero gradient as gradient
    # descent does.
    line = surfaces.Quadratic([[3.0]], [0.0])
    etas = [1 / 3]
    for lr in (schedules.cosine(lr=1 / 3, T_max=1), lambda t: etas[t]):
        run = optim.full_batch(optim.SGD(lr=lr), line, line.grad, [2.0], n_steps=1)
        assert run.reason is StopReason.GRAD_TOL and run.final[0] == 0.0
