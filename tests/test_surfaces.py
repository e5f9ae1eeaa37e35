"""Test surfaces: gradients against differences and autograd, minima, closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdbook import calculus, optim, surfaces

torch = pytest.importorskip("torch")

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


LANDSCAPES = {
    "two_minima": surfaces.two_minima(),
    "two_minima_2d": surfaces.two_minima_2d(),
    "saddle": surfaces.saddle(),
    "himmelblau": surfaces.himmelblau(),
    "rosenbrock": surfaces.Rosenbrock(a=1.5, b=20.0),
    "bowl": QUADRATICS[1],
}


def torch_function(name: str):
    """Each landscape written again, in torch, for autograd."""
    return {
        "two_minima": lambda t: t[0] ** 4 / 4 + t[0] ** 3 / 3 - t[0] ** 2,
        "two_minima_2d": lambda t: t[0] ** 4 / 4 + t[0] ** 3 / 3 - t[0] ** 2 + t[1] ** 2,
        "saddle": lambda t: t[0] ** 2 - t[1] ** 2,
        "himmelblau": lambda t: (t[0] ** 2 + t[1] - 11) ** 2 + (t[0] + t[1] ** 2 - 7) ** 2,
        "rosenbrock": lambda t: (1.5 - t[0]) ** 2 + 20.0 * (t[1] - t[0] ** 2) ** 2,
        "bowl": lambda t: (
            0.5 * t @ torch.tensor(QUADRATICS[1].A) @ t
            - torch.tensor(QUADRATICS[1].b) @ t
            + QUADRATICS[1].c
        ),
    }[name]


@pytest.mark.parametrize("name", LANDSCAPES)
def test_values_gradients_and_hessians_against_autograd_and_differences(name, rng):
    f, g = LANDSCAPES[name], torch_function(name)
    p = f.critical_points[0].point.size
    for _ in range(5):
        theta = rng.uniform(-4, 4, size=p)
        t = torch.tensor(theta, requires_grad=True)
        value = g(t)
        value.backward()
        assert f(theta) == pytest.approx(value.item(), rel=1e-13, abs=1e-13)
        assert calculus.relative_error(f.grad(theta), t.grad.numpy()) <= 1e-13
        assert calculus.relative_error(f.grad(theta), calculus.numerical_gradient(f, theta)) < 1e-7
        H = torch.autograd.functional.hessian(g, torch.tensor(theta)).numpy()
        assert calculus.relative_error(f.hessian(theta), H) <= 1e-13
        columns = [
            calculus.numerical_gradient(lambda s, j=j: f.grad(s)[j], theta) for j in range(p)
        ]
        assert calculus.relative_error(f.hessian(theta), np.array(columns)) < 1e-6


@pytest.mark.parametrize("name", LANDSCAPES)
def test_every_critical_point_has_zero_gradient_and_its_hessians_kind(name):
    f = LANDSCAPES[name]
    for point, value, kind in f.critical_points:
        scale = 1.0 + np.abs(point).max() ** 3  # the gradients grow like the cube
        assert np.abs(f.grad(point)).max() <= 1e-13 * scale, (name, point)
        assert value == f(point) and kind == surfaces.classify(f.hessian(point))
        if isinstance(f, surfaces.Landscape):  # shared between calls: read-only
            assert not point.flags.writeable


def test_the_exact_critical_points_and_values():
    expect = {
        "two_minima": [
            ([-2.0], -8 / 3, "minimum"),
            ([0.0], 0.0, "maximum"),
            ([1.0], -5 / 12, "minimum"),
        ],
        "two_minima_2d": [
            ([-2.0, 0.0], -8 / 3, "minimum"),
            ([0.0, 0.0], 0.0, "saddle"),
            ([1.0, 0.0], -5 / 12, "minimum"),
        ],
        "saddle": [([0.0, 0.0], 0.0, "saddle")],
    }
    for name, points in expect.items():
        found = [(p.point.tolist(), p.value, p.kind) for p in LANDSCAPES[name].critical_points]
        assert found == [(point, pytest.approx(v, rel=1e-15), k) for point, v, k in points]
    assert surfaces.two_minima().minimiser.tolist() == [-2.0]
    assert surfaces.two_minima_2d().minimum == pytest.approx(-8 / 3, rel=1e-15)
    assert [p.point.tolist() for p in surfaces.two_minima().minima] == [[-2.0], [1.0]]


def test_himmelblau_has_exactly_nine_critical_points_found_to_machine_precision():
    f = surfaces.himmelblau()
    kinds = [p.kind for p in f.critical_points]
    assert kinds.count("minimum") == 4 and kinds.count("maximum") == 1
    assert kinds.count("saddle") == 4
    assert [p.value for p in f.minima] == pytest.approx([0.0] * 4, abs=1e-28)
    np.testing.assert_array_equal(f.minimiser, [3.0, 2.0])
    (maximum,) = [p for p in f.critical_points if p.kind == "maximum"]
    assert maximum.value == pytest.approx(181.6165215, rel=1e-9)
    # Newton's method from every point of a grid finds no critical point but these nine.
    known = np.array([p.point for p in f.critical_points])
    for x in np.linspace(-5, 5, 21):
        for y in np.linspace(-5, 5, 21):
            point = np.array([x, y])
            for _ in range(60):
                H = f.hessian(point)
                if abs(np.linalg.det(H)) < 1e-12:
                    break
                point = point - np.linalg.solve(H, f.grad(point))
            if np.abs(f.grad(point)).max() < 1e-8 and np.abs(point).max() < 10:
                assert np.min(np.linalg.norm(known - point, axis=1)) < 1e-9, point


def test_gradient_descent_ends_in_the_basin_it_starts_in():
    f = surfaces.two_minima_2d()
    for x0, expected in ((0.3, [1.0, 0.0]), (-0.3, [-2.0, 0.0]), (0.0, [0.0, 0.0])):
        run = optim.gradient_descent(f, f.grad, [x0, 1.5], lr=0.1, grad_tol=1e-10, n_steps=10_000)
        assert run.reason is optim.StopReason.GRAD_TOL
        np.testing.assert_allclose(run.final, expected, atol=1e-9)


def test_the_saddle_holds_a_run_started_on_its_stable_line_and_no_other():
    f = surfaces.saddle()
    stays = optim.gradient_descent(f, f.grad, [1.0, 0.0], lr=0.1, grad_tol=1e-12)
    assert stays.reason is optim.StopReason.GRAD_TOL and np.abs(stays.final).max() < 1e-12
    leaves = optim.gradient_descent(f, f.grad, [1.0, 1e-12], lr=0.1, n_steps=10_000)
    assert leaves.reason is optim.StopReason.DIVERGED  # the loss falls without bound
    with pytest.raises(ValueError, match="no minimum"):
        f.minimiser  # noqa: B018


def test_quadratics_and_rosenbrock_list_their_one_critical_point():
    for f in (*QUADRATICS, surfaces.Rosenbrock()):
        ((point, value, kind),) = f.critical_points
        np.testing.assert_array_equal(point, f.minimiser)
        assert value == f.minimum and kind == "minimum"
    np.testing.assert_array_equal(QUADRATICS[3].hessian([0.0, 0.0]), QUADRATICS[3].A)


def test_landscapes_on_a_grid_agree_with_pointwise_values():
    x, y = np.linspace(-3, 3, 5), np.linspace(-2, 2, 4)
    f = surfaces.himmelblau()
    grid = f.on_grid(x, y)
    assert grid.shape == (4, 5)
    assert grid[2, 3] == f([x[3], y[2]])
    curve = surfaces.two_minima().on_grid(x)
    np.testing.assert_array_equal(curve, [surfaces.two_minima()([xi]) for xi in x])
    with pytest.raises(ValueError, match="without y"):
        surfaces.two_minima().on_grid(x, y)
    with pytest.raises(ValueError, match="needs x and y"):
        f.on_grid(x)


@settings(deadline=None)
@given(
    signs=st.lists(st.sampled_from([-1.0, 1.0]), min_size=1, max_size=4),
    sizes=st.lists(st.floats(1e-3, 1e3), min_size=4, max_size=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_classify_reads_the_signs_of_the_eigenvalues(signs, sizes, seed):
    p = len(signs)
    axes, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(p, p)))
    H = axes @ np.diag(np.array(signs) * sizes[:p]) @ axes.T
    expected = "minimum" if min(signs) > 0 else "maximum" if max(signs) < 0 else "saddle"
    assert surfaces.classify(0.5 * (H + H.T)) == expected


def test_classify_says_when_the_hessian_cannot_tell():
    assert surfaces.classify([[1.0, 0.0], [0.0, 0.0]]) == "degenerate"
    assert surfaces.classify([[0.0, 0.0], [0.0, 0.0]]) == "degenerate"
    assert surfaces.classify([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, -1.0]]) == "saddle"
    for bad, name in (([[1.0, 2.0], [0.0, 1.0]], "symmetric"), ([[1.0, 2.0]], "square")):
        with pytest.raises(ValueError, match=name):
            surfaces.classify(bad)
