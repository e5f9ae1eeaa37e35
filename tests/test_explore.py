from __future__ import annotations

import json
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from gdbook import explore, optim, surfaces

F = surfaces.Quadratic(np.diag([0.2, 4.0]), np.zeros(2))
START = np.array([-5.0, -2.0])
GRID = {"lr": [0.1, 0.3, 0.5, 0.6], "momentum": [0.0, 0.5, 0.9]}


def run(lr, momentum):
    return optim.full_batch(optim.SGD(lr=lr, momentum=momentum), F, F.grad, START, n_steps=30)


def draw(lr, momentum):
    """A path on the contours and a loss curve, as the chapters draw them."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.4))
    x1, x2 = np.linspace(-6, 6, 61), np.linspace(-3, 3, 31)
    left.contour(x1, x2, F.on_grid(x1, x2), levels=[0.5, 2, 5], colors="grey")
    trajectory = run(lr, momentum)
    left.plot(*trajectory.thetas.T, marker="o", ms=3)
    left.plot(0, 0, marker="*", color="black")
    left.set(xlim=(-6, 6), ylim=(-3, 3), title=f"lr = {lr}")
    right.semilogy(trajectory.steps, trajectory.losses)
    right.set(xlim=(0, 30), ylim=(1e-12, 1e6))
    return fig


@pytest.fixture(autouse=True)
def untouched_global_state():
    """The explorable closes every figure it draws and leaves rcParams alone."""
    figures, params = plt.get_fignums(), dict(matplotlib.rcParams)
    yield
    assert plt.get_fignums() == figures
    assert dict(matplotlib.rcParams) == params


@pytest.fixture(scope="module")
def shown():
    return explore.figure(
        draw,
        GRID,
        default={"lr": 0.6, "momentum": 0.5},
        labels={"lr": "learning rate η", "momentum": "momentum β"},
        status=lambda lr, momentum: explore.verdict(run(lr, momentum)),
        alt="Paths and losses.",
    )


def expected_points(lr, momentum, index):
    """Line `index` of a fresh run, in the SVG units of a fresh default figure."""
    fig = draw(0.6, 0.5)
    fig.savefig(__import__("io").StringIO(), format="svg")  # lays the figure out
    line = [ln for ax in fig.axes for ln in ax.get_lines()][index]
    fresh = run(lr, momentum)
    data = fresh.thetas if index == 0 else np.column_stack([fresh.steps, fresh.losses])
    points = line.get_transform().transform(data) * 72 / fig.dpi
    points[:, 1] = fig.get_figheight() * 72 - points[:, 1]
    plt.close(fig)
    return points


def test_every_grid_point_is_a_fresh_run_of_the_optimiser(shown):
    runs = shown.data["runs"]
    points = [(lr, b) for lr in GRID["lr"] for b in GRID["momentum"]]
    assert len(runs) == len(points)
    for (lr, b), written in zip(points, runs, strict=True):
        # The moving lines are the path (0) and the loss curve (2); the star (1) is fixed.
        assert len(written["lines"]) == 2
        for k, index in enumerate((0, 2)):
            drawn = explore.decode(shown.data["lines"][written["lines"][k]])
            want = expected_points(lr, b, index)
            m = len(drawn)
            if m == len(want):  # every point, to the nearest tenth of an SVG unit
                np.testing.assert_allclose(drawn, want, atol=0.05 + 1e-9)
                continue
            # A diverging run ends at its first point far outside the drawing, pulled
            # back along its segment.
            np.testing.assert_allclose(drawn[:-1], want[: m - 1], atol=0.05 + 1e-9)
            a, b_, end = want[m - 2], want[m - 1], drawn[-1]
            assert np.any(np.abs(want[m - 1]) > 500)
            cross = (b_ - a)[0] * (end - a)[1] - (b_ - a)[1] * (end - a)[0]
            assert abs(cross) <= 0.1 * np.linalg.norm(b_ - a)
        assert written["status"].endswith(explore.verdict(run(lr, b)))


def test_the_page_holds_the_default_run_and_its_controls(shown):
    html = shown.html
    # Jupyter shows the drawing and the status; the sliders wait for the book's script.
    assert html.startswith('<div class="gd-explore" id=')
    assert '<div class="gd-explore-controls" hidden>' in html
    assert html.count('type="range"') == 2 and html.count("<label for=") == 2
    assert 'aria-live="polite"' in html and 'role="img"' in html
    payload = re.search(r'<script type="application/json">(.*?)</script>', html).group(1)
    assert json.loads(payload) == shown.data
    # The SVG's own lines are those of the default run.
    key = shown.data["key"]
    default = shown.data["runs"][2 * 3 + 1]
    path = re.search(rf'<g id="gd{key}-l0">\s*<path d="([^"]+)"', html).group(1)
    numbers = np.array(re.findall(r"-?[\d.]+", path), dtype=float).reshape(-1, 2)
    drawn = explore.decode(shown.data["lines"][default["lines"][0]])
    # matplotlib cuts the path where it leaves the axes; its start is the run's start.
    np.testing.assert_allclose(drawn[0], numbers[0], atol=0.05 + 1e-6)
    # The title names a value, so it is hidden on the page: the status line says it.
    assert f'id="gd{key}-hide0"' in html and f'id="gd{key}-hide1"' not in html
    assert "momentum β = 0.5" in default["status"]


def test_the_static_figure_is_the_default_drawing_and_deterministic(shown):
    again = explore.figure(
        draw,
        GRID,
        default={"lr": 0.6, "momentum": 0.5},
        labels={"lr": "learning rate η", "momentum": "momentum β"},
        status=lambda lr, momentum: explore.verdict(run(lr, momentum)),
        alt="Paths and losses.",
    )
    assert again.html == shown.html and again.static == shown.static
    assert shown.static.lstrip().startswith("<?xml") and "<dc:date>" not in shown.static
    bundle = shown._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/html", "text/plain"}
    assert shown.gzipped_size < 30_000


def test_a_static_figure_of_its_own_is_kept():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    shown = explore.figure(
        lambda lr: draw(lr, 0.0),
        {"lr": [0.1, 0.2]},
        default={"lr": 0.1},
        labels={"lr": "η"},
        status=lambda lr: "ok",
        alt="x",
        static=fig,
    )
    assert "line2d_1" in shown.static and "gd" not in shown.static.split("<svg", 1)[1][:200]
    assert [r["status"] for r in shown.data["runs"]] == ["η = 0.1: ok", "η = 0.2: ok"]


def test_a_diverging_path_is_cut_where_it_leaves_the_drawing():
    def steep(lr):
        fig, ax = plt.subplots()
        trajectory = optim.gradient_descent(F, F.grad, START, lr=lr, n_steps=40)
        ax.plot(*trajectory.thetas.T)
        ax.set(xlim=(-6, 6), ylim=(-3, 3))
        return fig

    shown = explore.figure(
        steep,
        {"lr": [0.1, 0.9]},
        default={"lr": 0.1},
        labels={"lr": "η"},
        status=lambda lr: "",
        alt="x",
    )
    far = explore.decode(shown.data["lines"][shown.data["runs"][1]["lines"][0]])
    assert 2 < len(far) < 41
    assert np.all(np.abs(far) < 3 * 72 * 8)  # within three figure sizes


def test_a_line_from_far_outside_keeps_its_direction():
    """A loss of 0 on a log scale: the segment to the next point is cut, not dropped."""

    def from_zero(lr):
        fig, ax = plt.subplots()
        ax.semilogy([0, 1, 2, 3], [0.0, lr, lr / 10, lr / 100])
        ax.set(xlim=(0, 3), ylim=(1e-4, 1))
        return fig

    shown = explore.figure(
        from_zero,
        {"lr": [0.1, 0.5]},
        default={"lr": 0.1},
        labels={"lr": "η"},
        status=lambda lr: "",
        alt="x",
    )
    for run in shown.data["runs"]:
        drawn = explore.decode(shown.data["lines"][run["lines"][0]])
        assert len(drawn) == 4  # the three points, and where the first segment enters
        first, second = drawn[0], drawn[1]
        assert first[1] > second[1] and abs(first[0] - second[0]) < 0.2 * (first[1] - second[1])


def test_verdicts():
    f = surfaces.parabola()
    said = {
        lr: explore.verdict(optim.gradient_descent(f, f.grad, [10.0], lr=lr, n_steps=20))
        for lr in (0.4, 0.05, 1.0, 1.1)
    }
    assert said == {0.4: "converges", 0.05: "converges slowly", 1.0: "oscillates", 1.1: "diverges"}
    blown = optim.gradient_descent(f, f.grad, [10.0], lr=3.0, n_steps=100)
    assert blown.diverged
    assert explore.verdict(blown) == f"diverges at step {blown.n_steps}"
    with pytest.raises(TypeError, match="run"):
        explore.verdict([1.0, 2.0])


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"default": {"lr": 0.7, "momentum": 0.5}}, "default lr=0.7"),
        ({"labels": {"lr": "η"}}, "sliders"),
        ({"grid": {"lr": [], "momentum": [0.5]}}, "grid"),
    ],
)
def test_bad_input_is_named(change, match):
    arguments = dict(
        grid=GRID,
        default={"lr": 0.6, "momentum": 0.5},
        labels={"lr": "η", "momentum": "β"},
        status=lambda lr, momentum: "",
        alt="x",
    )
    arguments.update(change)
    grid = arguments.pop("grid")
    with pytest.raises(ValueError, match=match):
        explore.figure(draw, grid, **arguments)


def test_draw_must_be_callable():
    with pytest.raises(TypeError, match="draw"):
        explore.figure(
            "figure",
            {"lr": [0.1]},
            default={"lr": 0.1},
            labels={"lr": "η"},
            status=lambda lr: "",
            alt="x",
        )


def test_a_verdict_is_about_the_gap_and_a_met_tolerance_converges():
    def f(x):
        return float(x[0] ** 2 + 5.0)  # minimum 5, not 0

    def grad(x):
        return 2 * np.asarray(x, dtype=float)

    fast = optim.gradient_descent(f, grad, [10.0], lr=0.4, n_steps=20)
    assert explore.verdict(fast, minimum=5.0) == "converges"
    assert explore.verdict(fast) == "converges slowly"  # the loss itself stays near 5
    # Stopped by its tolerance long before the gap fell by 1e-6: it converged.
    stopped = optim.gradient_descent(f, grad, [10.0], lr=0.05, grad_tol=1.0)
    assert stopped.reason is optim.StopReason.GRAD_TOL
    assert explore.verdict(stopped, minimum=5.0) == "converges"
