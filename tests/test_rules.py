"""Update rules against torch.optim, step for step in float64, with PyTorch's own defaults."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdbook import data, linreg, optim, schedules, surfaces

torch = pytest.importorskip("torch")

#: Largest relative difference from torch.optim seen per rule (read by the report script).
LARGEST: dict[str, float] = {}
# Adaptive rules never settle on a noiseless quadratic at a fixed learning rate: they end
# in an oscillation of size about lr whose steps are nearly sign(g) * lr, which doubles
# rounding differences every few steps. Comparisons are meaningful only before that, and
# 150 steps are, for every setting below (measured; some reach it after about 200).
STEPS = 150


def torch_default(cls: type, name: str):
    """A default of the installed torch, never a copy of it."""
    return inspect.signature(cls).parameters[name].default


def random_quadratic(rng: np.random.Generator, p: int = 5) -> surfaces.Quadratic:
    """A well-conditioned random quadratic: eigenvalues in [0.5, 10], random axes."""
    axes, _ = np.linalg.qr(rng.normal(size=(p, p)))
    A = axes @ np.diag(rng.uniform(0.5, 10.0, size=p)) @ axes.T
    return surfaces.Quadratic(0.5 * (A + A.T), rng.normal(size=p), 0.0)


def torch_iterates(
    torch_class: type,
    kwargs: dict,
    theta0: np.ndarray,
    grad: Callable[[np.ndarray], np.ndarray],
    n_steps: int,
    scheduler: Callable | None = None,
) -> np.ndarray:
    """torch.optim's iterates when it is handed the gradient ``grad`` at its own iterate."""
    theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    opt = torch_class([theta], **kwargs)
    sched = scheduler(opt) if scheduler else None
    rows = [theta.detach().numpy().copy()]
    for _ in range(n_steps):
        theta.grad = torch.tensor(grad(theta.detach().numpy()), dtype=torch.float64)
        opt.step()
        if sched:
            sched.step()
        rows.append(theta.detach().numpy().copy())
    return np.array(rows)


def relative_difference(ours: np.ndarray, theirs: np.ndarray) -> float:
    """max over steps of ‖θ_t − θ_t(torch)‖ / ‖θ_t(torch)‖."""
    gaps = np.linalg.norm(ours - theirs, axis=1)
    return float(np.max(gaps / np.linalg.norm(theirs, axis=1)))


def compare(key: str, ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.shape == theirs.shape
    worst = relative_difference(ours, theirs)
    LARGEST[key] = max(LARGEST.get(key, 0.0), worst)
    assert worst <= 1e-12, (key, worst)


# (name, our rule, torch class, torch keyword arguments); lr given where the default is slow.
CONFIGS = [
    ("SGD", optim.SGD(lr=0.05), torch.optim.SGD, {"lr": 0.05}),
    ("SGD", optim.SGD(lr=0.05, momentum=0.9), torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    (
        "SGD",
        optim.SGD(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1),
        torch.optim.SGD,
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1},
    ),
    (
        "SGD",
        optim.SGD(lr=0.05, momentum=0.9, nesterov=True),
        torch.optim.SGD,
        {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    ),
    ("SGD", optim.SGD(lr=0.05, dampening=0.5), torch.optim.SGD, {"lr": 0.05, "dampening": 0.5}),
    ("Adagrad", optim.Adagrad(lr=0.5), torch.optim.Adagrad, {"lr": 0.5}),
    (
        "Adagrad",
        optim.Adagrad(lr=0.5, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.3),
        torch.optim.Adagrad,
        {"lr": 0.5, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.3},
    ),
    ("Adagrad", optim.Adagrad(lr=0.5, eps=1e-3), torch.optim.Adagrad, {"lr": 0.5, "eps": 1e-3}),
    ("RMSprop", optim.RMSprop(lr=0.01), torch.optim.RMSprop, {"lr": 0.01}),
    # Centred, on a noiseless quadratic, with alpha well below 1: r - g_bar² cancels as the
    # gradient settles, the steps blow rounding up, and no two implementations agree.
    (
        "RMSprop",
        optim.RMSprop(lr=0.01, centered=True),
        torch.optim.RMSprop,
        {"lr": 0.01, "centered": True},
    ),
    (
        "RMSprop",
        optim.RMSprop(lr=0.002, alpha=0.9, momentum=0.5, weight_decay=0.1, eps=1e-6),
        torch.optim.RMSprop,
        {"lr": 0.002, "alpha": 0.9, "momentum": 0.5, "weight_decay": 0.1, "eps": 1e-6},
    ),
    (
        "RMSprop",
        optim.RMSprop(lr=0.005, momentum=0.5, centered=True),
        torch.optim.RMSprop,
        {"lr": 0.005, "momentum": 0.5, "centered": True},
    ),
    ("Adam", optim.Adam(lr=0.05), torch.optim.Adam, {"lr": 0.05}),
    (
        "Adam",
        optim.Adam(lr=0.05, betas=(0.8, 0.99), eps=1e-4, weight_decay=0.1),
        torch.optim.Adam,
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-4, "weight_decay": 0.1},
    ),
    ("Adam", optim.Adam(lr=0.05, amsgrad=True), torch.optim.Adam, {"lr": 0.05, "amsgrad": True}),
    (
        "Adam",
        optim.Adam(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True),
        torch.optim.Adam,
        {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True},
    ),
]
IDS = [f"{name}-{i}" for i, (name, *_) in enumerate(CONFIGS)]


@pytest.mark.parametrize(("name", "rule", "torch_class", "kwargs"), CONFIGS, ids=IDS)
def test_each_rule_equals_torch_on_random_quadratics(name, rule, torch_class, kwargs, rng):
    for _ in range(3):
        q = random_quadratic(rng)
        theta0 = rng.normal(size=q.b.size) * 3
        ours = optim.full_batch(rule, q, q.grad, theta0, n_steps=STEPS)
        assert ours.n_steps == STEPS
        compare(name, ours.thetas, torch_iterates(torch_class, kwargs, theta0, q.grad, STEPS))


@pytest.mark.parametrize(
    ("rule", "torch_class"),
    [
        (optim.SGD, torch.optim.SGD),
        (optim.Adagrad, torch.optim.Adagrad),
        (optim.RMSprop, torch.optim.RMSprop),
        (optim.Adam, torch.optim.Adam),
    ],
)
def test_defaults_are_read_from_torch_and_give_the_same_steps(rule, torch_class, rng):
    ours_defaults = {
        name: p.default
        for name, p in inspect.signature(rule).parameters.items()
        if name in inspect.signature(torch_class).parameters
    }
    assert ours_defaults, rule
    for name, value in ours_defaults.items():
        assert value == torch_default(torch_class, name), (rule.__name__, name)
    q = random_quadratic(rng)
    theta0 = rng.normal(size=q.b.size)
    ours = optim.full_batch(rule(), q, q.grad, theta0, n_steps=STEPS)
    compare(rule.__name__, ours.thetas, torch_iterates(torch_class, {}, theta0, q.grad, STEPS))


SCHEDULED = [
    (
        "SGD",
        optim.SGD(lr=schedules.step(lr=0.05, step_size=30, gamma=0.5), momentum=0.9),
        torch.optim.SGD,
        {"lr": 0.05, "momentum": 0.9},
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=30, gamma=0.5),
    ),
    (
        "Adagrad",
        optim.Adagrad(lr=schedules.exponential(lr=0.5, gamma=0.99)),
        torch.optim.Adagrad,
        {"lr": 0.5},
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.99),
    ),
    (
        "RMSprop",
        optim.RMSprop(lr=schedules.cosine(lr=0.01, T_max=STEPS), momentum=0.5),
        torch.optim.RMSprop,
        {"lr": 0.01, "momentum": 0.5},
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=STEPS),
    ),
    (
        "Adam",
        optim.Adam(lr=schedules.warmup(schedules.constant(lr=0.05), total_iters=20)),
        torch.optim.Adam,
        {"lr": 0.05},
        lambda o: torch.optim.lr_scheduler.LinearLR(o, total_iters=20),
    ),
]


@pytest.mark.parametrize(
    ("name", "rule", "torch_class", "kwargs", "scheduler"), SCHEDULED, ids=[s[0] for s in SCHEDULED]
)
def test_each_rule_equals_torch_under_a_schedule(name, rule, torch_class, kwargs, scheduler, rng):
    q = random_quadratic(rng)
    theta0 = rng.normal(size=q.b.size) * 3
    ours = optim.full_batch(rule, q, q.grad, theta0, n_steps=STEPS)
    theirs = torch_iterates(torch_class, kwargs, theta0, q.grad, STEPS, scheduler)
    compare(name, ours.thetas, theirs)
    np.testing.assert_array_equal(ours.lrs, rule.lr(np.arange(STEPS)))


def regression(rng: np.random.Generator):
    x, y = data.line_data(100, rng=rng)
    return linreg.design_matrix(data.scale(x, by=100)), data.scale(y, by=100)


@pytest.mark.parametrize(("name", "rule", "torch_class", "kwargs"), CONFIGS, ids=IDS)
@pytest.mark.parametrize(("batch_size", "drop_last"), [(100, False), (16, False), (16, True)])
def test_each_rule_equals_torch_on_the_regression(
    name, rule, torch_class, kwargs, batch_size, drop_last, rng
):
    """Full batch and mini-batches: torch gets the same batches and its own autograd."""
    X, y = regression(rng)
    seed = int(rng.integers(2**32))
    ours = optim.minibatch(
        rule, linreg.mse, linreg.mse_grad, [0.5, -0.5], X, y, batch_size=batch_size,
        n_epochs=4, rng=np.random.default_rng(seed), drop_last=drop_last,
    )  # fmt: skip
    theta = torch.tensor([0.5, -0.5], dtype=torch.float64, requires_grad=True)
    opt = torch_class([theta], **kwargs)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    rows, same_batches = [theta.detach().numpy().copy()], np.random.default_rng(seed)
    for _ in range(4):
        for batch in optim.batches(
            len(y), batch_size=batch_size, rng=same_batches, drop_last=drop_last
        ):
            opt.zero_grad()
            ((Xt[batch] @ theta - yt[batch]) ** 2).mean().backward()
            opt.step()
            rows.append(theta.detach().numpy().copy())
    compare(name, ours.thetas, np.array(rows))


def test_sutskever_momentum_agrees_with_pytorchs_at_a_constant_rate_and_not_under_a_schedule(rng):
    q = random_quadratic(rng)
    theta0 = rng.normal(size=q.b.size)
    runs = {}
    for lr in (0.05, schedules.step(lr=0.05, step_size=20, gamma=0.3)):
        for rule in (optim.SGD(lr=lr, momentum=0.9), optim.SutskeverMomentum(lr=lr, momentum=0.9)):
            runs[type(rule).__name__, callable(lr)] = optim.full_batch(
                rule, q, q.grad, theta0, n_steps=STEPS
            ).thetas
    constant = relative_difference(runs["SutskeverMomentum", False], runs["SGD", False])
    LARGEST["SutskeverMomentum vs SGD, constant lr"] = constant
    assert constant <= 1e-12
    scheduled = relative_difference(runs["SutskeverMomentum", True], runs["SGD", True])
    assert scheduled > 1e-2
    # Up to the first decay the schedule is constant, and the two agree there too.
    early = runs["SutskeverMomentum", True][:21] - runs["SGD", True][:21]
    assert np.abs(early).max() <= 1e-12 * np.abs(runs["SGD", True][:21]).max()


def test_sutskever_velocity_is_minus_lr_times_pytorchs_at_a_constant_rate():
    g = np.array([2.0, -1.0])
    sgd, sut = optim.SGD(lr=0.1, momentum=0.5), optim.SutskeverMomentum(lr=0.1, momentum=0.5)
    theta, s1, s2 = np.zeros(2), sgd.init(np.zeros(2)), sut.init(np.zeros(2))
    for _ in range(5):
        _, s1 = sgd.step(theta, g, s1)
        _, s2 = sut.step(theta, g, s2)
    np.testing.assert_allclose(s2.velocity, -0.1 * s1.momentum_buffer, rtol=1e-15)


def kingma_ba_fast_form(
    grads: list[np.ndarray], *, lr: float, eps_hat: Callable[[int], float]
) -> np.ndarray:
    """The end of Kingma and Ba's section 2: the correction moved into the step size."""
    b1, b2 = 0.9, 0.999
    theta, m, v = np.zeros(2), np.zeros(2), np.zeros(2)
    for k, g in enumerate(grads, start=1):
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        alpha = lr * np.sqrt(1 - b2**k) / (1 - b1**k)
        theta = theta - alpha * m / (np.sqrt(v) + eps_hat(k))
    return theta


def test_adam_adds_eps_where_pytorch_does_not_where_kingma_and_bas_fast_form_does():
    """Gradients near eps in size, where the placement of eps matters."""
    grads = [np.array([3e-8, -1e-8]) * (1 + 0.1 * k) for k in range(50)]
    rule = optim.Adam(lr=0.1)
    theta, state = np.zeros(2), rule.init(np.zeros(2))
    for g in grads:
        theta, state = rule.step(theta, g, state)
    eps = torch_default(torch.optim.Adam, "eps")
    same = kingma_ba_fast_form(grads, lr=0.1, eps_hat=lambda k: eps * np.sqrt(1 - 0.999**k))
    np.testing.assert_allclose(theta, same, rtol=1e-12)
    naive = kingma_ba_fast_form(grads, lr=0.1, eps_hat=lambda k: eps)
    assert np.abs(naive - theta).max() > 0.3 * np.abs(theta).max()  # not even close


@settings(max_examples=100, deadline=None)
@given(
    g=st.lists(st.floats(1e-6, 1e6) | st.floats(-1e6, -1e-6), min_size=1, max_size=5).map(np.array),
    lr=st.floats(1e-4, 1.0),
)
def test_adams_first_step_is_at_most_lr_in_every_coordinate(g, lr):
    rule = optim.Adam(lr=lr)
    theta, _ = rule.step(np.zeros(g.size), g, rule.init(np.zeros(g.size)))
    assert np.all(np.abs(theta) <= lr)
    np.testing.assert_allclose(np.abs(theta), lr * np.abs(g) / (np.abs(g) + rule.eps), rtol=1e-12)


def test_adam_without_bias_correction_first_steps_about_3_16_lr():
    rule = optim.Adam(lr=0.01, bias_correction=False)
    g = np.array([5.0, -2.0, 1e4])
    theta, _ = rule.step(np.zeros(3), g, rule.init(np.zeros(3)))
    b1, b2 = rule.betas
    np.testing.assert_allclose(np.abs(theta) / 0.01, (1 - b1) / np.sqrt(1 - b2), rtol=1e-6)
    assert (1 - b1) / np.sqrt(1 - b2) == pytest.approx(3.16, abs=0.01)


@settings(max_examples=50, deadline=None)
@given(
    eigenvalues=st.lists(st.floats(0.1, 10.0), min_size=1, max_size=4),
    fraction=st.floats(0.01, 0.99),
    dampening=st.floats(0.0, 1.0),
)
def test_momentum_zero_is_plain_gradient_descent(eigenvalues, fraction, dampening):
    A = np.diag(eigenvalues)
    q = surfaces.Quadratic(A, np.ones(len(eigenvalues)))
    lr = fraction * q.max_lr
    start = np.full(len(eigenvalues), 3.0)
    plain = optim.gradient_descent(q, q.grad, start, lr=lr, n_steps=50)
    rule = optim.SGD(lr=lr, momentum=0.0, dampening=dampening)
    np.testing.assert_array_equal(
        optim.full_batch(rule, q, q.grad, start, n_steps=50).thetas, plain.thetas
    )


def test_adagrads_step_on_a_constant_gradient_falls_like_one_over_root_t():
    rule = optim.Adagrad(lr=1.0, eps=0.0)
    theta, state, steps = np.zeros(1), rule.init(np.zeros(1)), []
    for _ in range(100):
        following, state = rule.step(theta, np.array([7.0]), state)
        steps.append(float(theta[0] - following[0]))
        theta = following
    np.testing.assert_allclose(steps, 1 / np.sqrt(np.arange(1, 101)), rtol=1e-12)


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: optim.SGD(lr=0.0), "lr"),
        (lambda: optim.SGD(lr=-1.0), "lr"),
        (lambda: optim.SGD(momentum=1.0), "momentum"),
        (lambda: optim.SGD(momentum=-0.1), "momentum"),
        (lambda: optim.SGD(dampening=1.5), "dampening"),
        (lambda: optim.SGD(weight_decay=-1.0), "weight_decay"),
        (lambda: optim.SGD(nesterov=True), "nesterov"),
        (lambda: optim.SGD(momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
        (lambda: optim.SGD(nesterov=1), "nesterov"),
        (lambda: optim.SutskeverMomentum(momentum=1.0), "momentum"),
        (lambda: optim.Adagrad(eps=-1e-10), "eps"),
        (lambda: optim.Adagrad(lr_decay=-0.1), "lr_decay"),
        (lambda: optim.Adagrad(initial_accumulator_value=-1.0), "initial_accumulator_value"),
        (lambda: optim.RMSprop(alpha=1.0), "alpha"),
        (lambda: optim.RMSprop(eps=-1e-8), "eps"),
        (lambda: optim.RMSprop(momentum=1.2), "momentum"),
        (lambda: optim.RMSprop(centered="yes"), "centered"),
        (lambda: optim.Adam(betas=(0.9, 1.0)), r"betas\[1\]"),
        (lambda: optim.Adam(betas=(-0.1, 0.999)), r"betas\[0\]"),
        (lambda: optim.Adam(betas=0.9), "betas"),
        (lambda: optim.Adam(eps=-1e-8), "eps"),
        (lambda: optim.Adam(eps=float("nan")), "eps"),
        (lambda: optim.Adam(amsgrad=None), "amsgrad"),
    ],
)
def test_bad_hyperparameters_are_rejected(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_a_schedule_that_returns_a_bad_learning_rate_is_caught_at_its_step():
    rule = optim.SGD(lr=lambda t: 0.1 if t < 3 else -1.0)
    q = surfaces.parabola()
    with pytest.raises(ValueError, match=r"lr\(3\)"):
        optim.full_batch(rule, q, q.grad, [1.0], n_steps=10)


@pytest.mark.parametrize(
    "rule", [optim.SGD(lr=5.0, momentum=0.9), optim.Adagrad(lr=1e200), optim.Adam(lr=1e300)]
)
def test_divergence_is_reported_not_raised(rule):
    q = surfaces.bowl(10.0)
    run = optim.full_batch(rule, q, q.grad, [1.0, 1.0], n_steps=5000)
    assert run.reason is optim.StopReason.DIVERGED


def test_rules_are_immutable_values_and_steps_are_pure():
    rule = optim.Adam(lr=0.1)
    theta = np.array([1.0, 2.0])
    state = rule.init(theta)
    before = [a.copy() for a in state[1:]]
    following, _ = rule.step(theta, np.array([1.0, 1.0]), state)
    np.testing.assert_array_equal(theta, [1.0, 2.0])  # nothing mutated
    for a, b in zip(state[1:], before, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(AttributeError):
        rule.lr = 0.2  # type: ignore[misc]
    assert rule.step(theta, np.array([1.0, 1.0]), state)[0].tolist() == following.tolist()
