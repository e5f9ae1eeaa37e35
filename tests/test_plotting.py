from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from gdbook import functions, linreg, losses, optim, plotting, surfaces


@pytest.fixture
def ax():
    return Figure().subplots()


@pytest.fixture(autouse=True)
def untouched_global_state():
    """No drawing function may create a pyplot figure or change rcParams."""
    figures, params = plt.get_fignums(), dict(matplotlib.rcParams)
    yield
    assert plt.get_fignums() == figures
    assert dict(matplotlib.rcParams) == params


def test_loss_curve(ax):
    w = np.linspace(0, 20, 50)
    line = plotting.loss_curve(ax, w, (w - 10) ** 2, label="parabola")
    np.testing.assert_array_equal(line.get_xdata(), w)
    assert ax.get_xlabel() == "$w$" and ax.get_ylabel() == "loss"
    assert line.get_label() == "parabola"


def test_tangent_lines_touch_the_curve_with_the_given_slope(ax):
    x0, y0, slope = np.array([-1.0, 2.0]), np.array([1.0, 4.0]), np.array([-2.0, 4.0])
    segments, points = plotting.tangent_lines(ax, x0, y0, slope, half_width=0.5)
    assert len(segments) == 2
    for segment, xk, yk, sk in zip(segments, x0, y0, slope, strict=True):
        xs, ys = segment.get_xdata(), segment.get_ydata()
        assert np.mean(xs) == pytest.approx(xk) and np.mean(ys) == pytest.approx(yk)
        assert (ys[1] - ys[0]) / (xs[1] - xs[0]) == pytest.approx(sk)
    np.testing.assert_array_equal(points.get_xdata(), x0)


def test_contour_with_gradient_draws_subsampled_arrows(ax, line):
    x, y = line
    w, b = np.linspace(0, 20, 41), np.linspace(-100, 200, 31)
    z = losses.mse_surface(w, b, x, y)
    gw, gb = losses.mse_grad_surface(w, b, x, y)
    contours, arrows = plotting.contour_with_gradient(ax, w, b, z, gw, gb, every=10, descent=True)
    assert arrows.N == len(range(0, 31, 10)) * len(range(0, 41, 10))
    np.testing.assert_allclose(arrows.U, -gw[::10, ::10].ravel())
    assert len(contours.levels) > 5


def test_contour_with_gradient_normalises(ax):
    g = np.linspace(-1, 1, 5)
    gw, gb = np.meshgrid(3 * g, g)
    _, arrows = plotting.contour_with_gradient(ax, g, g, gw + gb, gw, gb, every=1, normalise=True)
    lengths = np.hypot(arrows.U, arrows.V)
    np.testing.assert_allclose(lengths[lengths > 0], 1.0)


def test_contour_with_gradient_takes_explicit_levels_and_arrow_scale(ax):
    g = np.linspace(-1, 1, 9)
    gw, gb = np.meshgrid(2 * g, 2 * g)
    z = (gw**2 + gb**2) / 4
    contours, arrows = plotting.contour_with_gradient(
        ax, g, g, z, gw, gb, levels=[0.1, 0.4, 0.9], arrow_scale=8.0, every=4
    )
    np.testing.assert_allclose(contours.levels, [0.1, 0.4, 0.9])
    assert arrows.scale == 8.0 and arrows.scale_units == "xy"
    with pytest.raises(ValueError, match="levels must increase"):
        plotting.contour_with_gradient(ax, g, g, z, gw, gb, levels=[0.5, 0.1])


def test_contour_with_gradient_checks_shapes(ax):
    g = np.linspace(-1, 1, 5)
    with pytest.raises(ValueError, match="grad_b"):
        plotting.contour_with_gradient(ax, g, g, np.zeros((5, 5)), np.zeros((5, 5)), np.zeros(5))


def test_data_with_line(ax, line):
    x, y = line
    points, fitted = plotting.data_with_line(ax, x, y, [10.0, 50.0], label="fit")
    assert points.get_offsets().shape == (x.size, 2)
    np.testing.assert_array_equal(fitted.get_xdata(), [x.min(), x.max()])
    np.testing.assert_array_equal(fitted.get_ydata(), 10 * np.array([x.min(), x.max()]) + 50)


def test_line_spans_the_inputs(ax):
    drawn = plotting.line(ax, [2.0, 1.0], [5.0, -1.0, 3.0], label="l", color="C2")
    assert drawn.get_xdata().tolist() == [-1.0, 5.0]
    assert drawn.get_ydata().tolist() == [-1.0, 11.0]
    assert drawn.get_color() == "C2" and drawn.get_label() == "l"


def test_residuals_join_each_point_to_the_line(ax, line):
    x, y = line
    theta = np.array([10.0, 50.0])
    segments = plotting.residuals(ax, x, y, theta).get_segments()
    assert len(segments) == x.size
    for (x0, y0), (x1, y1) in (segment for segment in segments):
        assert x0 == x1
        assert y1 == pytest.approx(10 * x0 + 50) and y0 in y


def test_function_and_derivative(ax):
    x = np.linspace(-2, 2, 9)
    value, slope = plotting.function_and_derivative(ax, functions.SIGMOID, x)
    np.testing.assert_allclose(value.get_ydata(), functions.sigmoid(x))
    np.testing.assert_allclose(slope.get_ydata(), functions.SIGMOID.derivative(x))


def test_path_in_the_plane_and_on_the_curve(ax):
    q = surfaces.bowl(5.0)
    run = optim.gradient_descent(q, q.grad, [1.0, 2.0], lr=0.5, n_steps=4)
    drawn = plotting.path(ax, run, label="gd")
    np.testing.assert_array_equal(drawn.get_xdata(), run.thetas[:, 0])
    np.testing.assert_array_equal(drawn.get_ydata(), run.thetas[:, 1])
    f = surfaces.parabola()
    one = optim.gradient_descent(f, f.grad, [3.0], lr=0.1, n_steps=3)
    np.testing.assert_array_equal(plotting.path(ax, one).get_ydata(), one.losses)


def test_loss_history_uses_a_log_scale_and_subtracts_the_minimum(ax):
    q = surfaces.Quadratic([[2.0]], [2.0], 5.0)
    run = optim.gradient_descent(q, q.grad, [3.0], lr=0.1, n_steps=5)
    drawn = plotting.loss_history(ax, run, minimum=q.minimum)
    np.testing.assert_allclose(drawn.get_ydata(), run.losses - q.minimum)
    np.testing.assert_array_equal(drawn.get_xdata(), np.arange(6))
    assert ax.get_yscale() == "log"


def test_loss_history_draws_a_sparsely_recorded_run_at_its_steps(ax):
    X, y = np.column_stack([np.linspace(0, 1, 20), np.ones(20)]), np.linspace(1, 2, 20)
    run = optim.minibatch(
        optim.SGD(lr=0.1), linreg.mse, linreg.mse_grad, [0.0, 0.0], X, y,
        batch_size=5, n_epochs=3, rng=np.random.default_rng(0), record_every=4,
    )  # fmt: skip
    drawn = plotting.loss_history(ax, run)
    np.testing.assert_array_equal(drawn.get_xdata(), [0, 4, 8, 12])
    np.testing.assert_array_equal(drawn.get_ydata(), run.losses)


def test_bad_input_names_the_argument(ax):
    with pytest.raises(ValueError, match="loss"):
        plotting.loss_curve(ax, [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="half_width"):
        plotting.tangent_lines(ax, [1.0], [1.0], [1.0], half_width=0)


def test_book_style_is_colour_blind_safe_and_opaque():
    with plt.style.context("gdbook.book"):
        colours = [c["color"].upper() for c in matplotlib.rcParams["axes.prop_cycle"]]
        assert colours[:3] == ["#0072B2", "#D55E00", "#009E73"]
        assert matplotlib.rcParams["figure.facecolor"] == "white"


def test_minimum_is_one_black_star_above_everything(ax):
    ax.contour(np.arange(3.0), np.arange(3.0), np.ones((3, 3)) * np.arange(3.0))
    star = plotting.minimum(ax, [1.0, 2.0], [0.5, 1.5], label=None)
    assert star.get_marker() == "*" and star.get_color() == "black"
    assert star.get_linestyle() == "None"
    assert star.get_zorder() > max(c.get_zorder() for c in ax.collections)
    assert star.get_xdata().tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="same length"):
        plotting.minimum(ax, [1.0], [1.0, 2.0])


def test_the_house_style_tells_lines_apart_without_colour():
    with plt.style.context("gdbook.book"):
        cycle = plt.rcParams["axes.prop_cycle"].by_key()
        legend_framed = plt.rcParams["legend.frameon"]
        salt = plt.rcParams["svg.hashsalt"]
    first_four = list(zip(cycle["color"], cycle["linestyle"], strict=True))[:4]
    assert len({style for _, style in first_four}) == 4, "four lines, four dash patterns"
    assert legend_framed and salt
