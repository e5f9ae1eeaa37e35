"""Learning-rate schedules against torch.optim.lr_scheduler, value for value."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from gdbook import schedules

torch = pytest.importorskip("torch")
S = torch.optim.lr_scheduler
T = 300  # updates compared

#: The largest relative difference from PyTorch seen so far, per schedule (for the report).
LARGEST: dict[str, float] = {}


def torch_lrs(make, *, lr: float, n: int = T) -> np.ndarray:
    """The learning rate of each of ``n`` updates: optimizer.step(), then scheduler.step()."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    scheduler = make(opt)
    values = []
    for _ in range(n):
        values.append(opt.param_groups[0]["lr"])
        opt.step()
        if scheduler is not None:
            scheduler.step()
    return np.array(values)


def default(cls, name: str):
    return inspect.signature(cls).parameters[name].default


CASES = {
    "constant": (schedules.constant(lr=0.3), lambda o: None, 0.3),
    "step": (
        schedules.step(lr=0.3, step_size=7, gamma=0.5),
        lambda o: S.StepLR(o, step_size=7, gamma=0.5),
        0.3,
    ),
    "step-default-gamma": (
        schedules.step(lr=0.3, step_size=50),
        lambda o: S.StepLR(o, step_size=50),
        0.3,
    ),
    "exponential": (
        schedules.exponential(lr=0.3, gamma=0.99),
        lambda o: S.ExponentialLR(o, gamma=0.99),
        0.3,
    ),
    "inverse_time": (
        schedules.inverse_time(lr=0.3, decay=0.05),
        lambda o: S.LambdaLR(o, lambda t: 1 / (1 + 0.05 * t)),
        0.3,
    ),
    "cosine": (
        schedules.cosine(lr=0.3, T_max=100),
        lambda o: S.CosineAnnealingLR(o, T_max=100),
        0.3,
    ),
    "cosine-eta_min": (
        schedules.cosine(lr=0.3, T_max=120, eta_min=0.01),
        lambda o: S.CosineAnnealingLR(o, T_max=120, eta_min=0.01),
        0.3,
    ),
    "warmup": (
        schedules.warmup(schedules.constant(lr=0.3), start_factor=0.1, total_iters=20),
        lambda o: S.LinearLR(o, start_factor=0.1, total_iters=20),
        0.3,
    ),
    "warmup-defaults": (
        schedules.warmup(schedules.constant(lr=0.3)),
        lambda o: S.LinearLR(o),
        0.3,
    ),
    "warmup-then-cosine": (
        schedules.warmup(schedules.cosine(lr=0.3, T_max=200), start_factor=0.2, total_iters=30),
        lambda o: S.SequentialLR(
            o,
            [S.LinearLR(o, start_factor=0.2, total_iters=30), S.CosineAnnealingLR(o, T_max=200)],
            milestones=[30],
        ),
        0.3,
    ),
    "warmup-then-step": (
        schedules.warmup(schedules.step(lr=0.3, step_size=25, gamma=0.5), total_iters=10),
        lambda o: S.SequentialLR(
            o, [S.LinearLR(o, total_iters=10), S.StepLR(o, step_size=25, gamma=0.5)], [10]
        ),
        0.3,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_each_schedule_equals_its_lr_scheduler(name):
    schedule, make, lr = CASES[name]
    expected = torch_lrs(make, lr=lr)
    ours = schedule(np.arange(T))
    # Relative to the first learning rate: the cosine schedules come down to 0, where a
    # difference relative to the value itself means nothing.
    worst = float(np.max(np.abs(ours - expected)) / lr)
    LARGEST[name] = worst
    assert worst <= 1e-12, name
    for t in (0, 1, T // 2, T - 1):
        assert schedule(t) == ours[t]  # one step at a time is the same as all at once


def test_the_defaults_are_pytorchs():
    assert default(S.StepLR, "gamma") == 0.1
    assert schedules.step(lr=1.0, step_size=1)(1) == pytest.approx(default(S.StepLR, "gamma"))
    warm = schedules.warmup(schedules.constant(lr=1.0))
    assert warm(0) == pytest.approx(default(S.LinearLR, "start_factor"))
    assert warm(default(S.LinearLR, "total_iters")) == 1.0
    assert warm(default(S.LinearLR, "total_iters") - 1) < 1.0
    assert schedules.cosine(lr=1.0, T_max=10)(10) == default(S.CosineAnnealingLR, "eta_min")


def test_inverse_time_satisfies_robbins_monro_where_the_others_do_not():
    """Partial sums: 1/(1 + t) grows like log t, its squares stay below pi²/6."""
    t = np.arange(1_000_000)
    harmonic = schedules.inverse_time(lr=1.0, decay=1.0)(t)
    assert harmonic.sum() > 13.0 and (harmonic**2).sum() < np.pi**2 / 6
    assert schedules.exponential(lr=1.0, gamma=0.99)(t).sum() < 100.0  # finite: stops short


def test_schedules_are_values_with_a_readable_repr():
    schedule = schedules.warmup(schedules.cosine(lr=0.1, T_max=50), total_iters=5)
    assert repr(schedule) == (
        "warmup(cosine(lr=0.1, T_max=50, eta_min=0.0), "
        "start_factor=0.3333333333333333, total_iters=5)"
    )
    assert isinstance(schedule(3), float)
    assert schedule(np.arange(4)).shape == (4,)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: schedules.constant(lr=0.0), "lr"),
        (lambda: schedules.step(lr=0.1, step_size=0), "step_size"),
        (lambda: schedules.step(lr=0.1, step_size=2.5), "step_size"),
        (lambda: schedules.step(lr=0.1, step_size=2, gamma=-1.0), "gamma"),
        (lambda: schedules.exponential(lr=0.1, gamma=0.0), "gamma"),
        (lambda: schedules.inverse_time(lr=0.1, decay=-1.0), "decay"),
        (lambda: schedules.cosine(lr=0.1, T_max=0), "T_max"),
        (lambda: schedules.cosine(lr=0.1, T_max=5, eta_min=0.2), "eta_min"),
        (lambda: schedules.warmup(lambda t: 0.1), "schedule"),
        (lambda: schedules.warmup(schedules.constant(lr=0.1), start_factor=0.0), "start_factor"),
        (lambda: schedules.warmup(schedules.constant(lr=0.1), start_factor=2.0), "start_factor"),
        (lambda: schedules.warmup(schedules.constant(lr=0.1), total_iters=0), "total_iters"),
        (lambda: schedules.constant(lr=0.1)(-1), "t"),
        (lambda: schedules.constant(lr=0.1)(1.5), "t"),
    ],
)
def test_bad_input_is_rejected(call, name):
    with pytest.raises(ValueError, match=name):
        call()
