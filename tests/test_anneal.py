"""Simulated annealing: the Metropolis rule, cooling, reproducibility and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdbook import optim, surfaces
from gdbook._checks import WrongKindError


def test_one_step_accepts_uphill_moves_as_often_as_the_metropolis_rule_says():
    # On f(x) = x from x = 0, a move by s*xi is accepted always if xi <= 0 and with
    # probability exp(-s*xi/T) otherwise: P = 1/2 + exp(s^2 / 2T^2) * Phi(-s/T).
    s, T, m = 0.5, 0.4, 200_000
    ends = optim.anneal(lambda x: x, np.zeros(m), scale=s, temperature=T, n_steps=1,
                        rng=np.random.default_rng(1))  # fmt: skip
    r = s / T
    expected = 0.5 + math.exp(r * r / 2) * 0.5 * math.erfc(r / math.sqrt(2))
    moved = np.mean(ends != 0)
    assert abs(moved - expected) < 5 * math.sqrt(expected * (1 - expected) / m)


def test_at_zero_temperature_only_downhill_moves_are_taken():
    q = surfaces.bowl(4.0)
    starts = np.random.default_rng(2).normal(size=(500, 2))

    def heights(points):
        return np.array([q(p) for p in points])

    ends = optim.anneal(heights, starts, scale=0.3, temperature=0.0, n_steps=50,
                        rng=np.random.default_rng(3))  # fmt: skip
    assert np.all(heights(ends) <= heights(starts))
    assert np.mean(heights(ends) < heights(starts)) > 0.99


def test_annealing_leaves_the_local_minimum_where_cold_search_does_not():
    f = surfaces.two_minima()
    local = f.formulas[0]
    ends = optim.anneal(local, np.ones(2000), scale=0.5, temperature=0.5, n_steps=300,
                        rng=np.random.default_rng(4))  # fmt: skip
    cold = optim.anneal(local, np.ones(2000), scale=0.05, temperature=0.0, n_steps=300,
                        rng=np.random.default_rng(4))  # fmt: skip
    assert np.mean(ends < 0) > 0.9
    assert np.all(cold > 0)


def test_the_generator_decides_and_the_starts_are_not_changed():
    starts = np.ones(50)
    first = optim.anneal(np.abs, starts, scale=1.0, temperature=1.0, n_steps=20,
                         rng=np.random.default_rng(5))  # fmt: skip
    again = optim.anneal(np.abs, starts, scale=1.0, temperature=1.0, n_steps=20,
                         rng=np.random.default_rng(5))  # fmt: skip
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(starts, np.ones(50))
    assert optim.anneal(np.abs, starts, scale=1.0, temperature=1.0, n_steps=0,
                        rng=np.random.default_rng(5)).tolist() == starts.tolist()  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"scale": 0.0}, "scale"),
        ({"temperature": -1.0}, "temperature"),
        ({"n_steps": -1}, "n_steps"),
        ({"n_steps": 1.5}, "n_steps"),
        ({"starts": [[[1.0]]]}, "starts"),
        ({"starts": [np.nan]}, "starts"),
        ({"loss": lambda x: 0.0}, "loss"),
    ],
)
def test_bad_input_is_rejected(kwargs, name):
    args = {"loss": np.abs, "starts": [1.0, 2.0], "scale": 1.0, "temperature": 1.0,
            "n_steps": 3, "rng": np.random.default_rng(0)} | kwargs  # fmt: skip
    loss, starts = args.pop("loss"), args.pop("starts")
    with pytest.raises(ValueError, match=name):
        optim.anneal(loss, starts, **args)


def test_an_rng_that_is_not_a_generator_is_rejected():
    with pytest.raises(WrongKindError, match="rng"):
        optim.anneal(np.abs, [1.0], scale=1.0, temperature=1.0, n_steps=3, rng=0)


def test_every_run_follows_the_documented_steps_one_start_at_a_time():
    # A plain loop written from the docstring: T_t = T0 (1 - t/N); per step, all the
    # normal moves first, then one uniform per run; accept if f(x') <= f(x) or
    # u < exp(-(f(x') - f(x)) / T_t). Pins the schedule and the order of the draws.
    def loss(points):
        return np.sum(np.sin(3 * points) + points**2, axis=1)

    starts = np.random.default_rng(6).normal(size=(40, 2))
    T0, N, s = 0.7, 25, 0.4
    ends = optim.anneal(loss, starts, scale=s, temperature=T0, n_steps=N,
                        rng=np.random.default_rng(7))  # fmt: skip
    rng, x = np.random.default_rng(7), [row.copy() for row in starts]
    for t in range(N):
        T = T0 * (1 - t / N)
        xis, us = rng.standard_normal(starts.shape), rng.random(len(starts))
        for i in range(len(x)):
            proposal = x[i] + s * xis[i]
            rise = loss(proposal[None])[0] - loss(x[i][None])[0]
            if rise <= 0 or us[i] < math.exp(-rise / T):
                x[i] = proposal
    np.testing.assert_allclose(ends, np.array(x), rtol=0, atol=1e-12)
    assert not np.array_equal(ends, starts)


def test_proposals_with_a_nan_loss_are_never_taken():
    def half_line(x):  # undefined left of 0
        return np.where(x >= 0, x, np.nan)

    ends = optim.anneal(half_line, np.full(500, 0.1), scale=1.0, temperature=10.0,
                        n_steps=100, rng=np.random.default_rng(8))  # fmt: skip
    assert np.all(ends >= 0) and np.mean(ends != 0.1) > 0.9
