r"""The book's figures, one drawing function per kind of picture.

Every function draws on the :class:`~matplotlib.axes.Axes` it is given and returns the
artists it drew; none creates a figure or touches matplotlib's global state. The pages
make their own figures (``fig, ax = plt.subplots()``) and may apply the book's style with
``plt.style.use("gdbook.book")``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.contour import QuadContourSet
from matplotlib.lines import Line2D
from matplotlib.quiver import Quiver

from gdbook import _checks, calculus, functions, losses, optim
from gdbook._checks import FloatArray

__all__ = [
    "contour_with_gradient",
    "data_with_line",
    "function_and_derivative",
    "line",
    "loss_curve",
    "loss_history",
    "minimum",
    "path",
    "residuals",
    "tangent_lines",
]


def loss_curve(
    ax: Axes,
    w: npt.ArrayLike,
    loss: npt.ArrayLike,
    *,
    label: str | None = None,
    xlabel: str | None = "$w$",
    ylabel: str | None = "loss",
) -> Line2D:
    r"""Draw a loss as a curve over a grid of a single parameter.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    w : array_like, shape (m,)
        Parameter values, in increasing order.
    loss : array_like, shape (m,)
        The loss at each value, for example from :func:`gdbook.losses.mse_curve`.
    label : str, optional
        Legend entry.
    xlabel, ylabel : str or None
        Axis labels; ``None`` leaves the axis label as it is.

    Returns
    -------
    matplotlib.lines.Line2D
        The curve.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> line = loss_curve(ax, [0.0, 1.0, 2.0], [1.0, 0.0, 1.0])
    >>> line.get_ydata().tolist()
    [1.0, 0.0, 1.0]
    """
    ws = _checks.vector(w, "w")
    values = _checks.vector(loss, "loss")
    if ws.shape != values.shape:
        raise ValueError(f"w and loss must have the same length, got {ws.size} and {values.size}")
    (line,) = ax.plot(ws, values, label=label)
    _label_axes(ax, xlabel, ylabel)
    return line


def tangent_lines(
    ax: Axes,
    x0: npt.ArrayLike,
    y0: npt.ArrayLike,
    slope: npt.ArrayLike,
    *,
    half_width: float,
) -> tuple[list[Line2D], Line2D]:
    r"""Draw a short tangent segment and its point of contact at each given point.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    x0, y0, slope : array_like, shape (k,)
        Points of contact :math:`(x_0, f(x_0))` and the slopes :math:`f'(x_0)`.
    half_width : float
        Each segment spans ``x0 - half_width`` to ``x0 + half_width``.

    Returns
    -------
    segments : list of matplotlib.lines.Line2D
        One dashed line per point.
    points : matplotlib.lines.Line2D
        The points of contact, as markers.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> segments, points = tangent_lines(ax, [1.0], [1.0], [2.0], half_width=0.5)
    >>> segments[0].get_ydata().tolist()
    [0.0, 2.0]
    """
    xs = np.atleast_1d(_checks.finite_array(x0, "x0", ndim=(0, 1)))
    ys = np.atleast_1d(_checks.finite_array(y0, "y0", ndim=(0, 1)))
    slopes = np.atleast_1d(_checks.finite_array(slope, "slope", ndim=(0, 1)))
    if not xs.shape == ys.shape == slopes.shape:
        raise ValueError(
            f"x0, y0 and slope must have the same length, got {xs.size}, {ys.size}, {slopes.size}"
        )
    width = _checks.positive(half_width, "half_width")
    segments = []
    for x_k, y_k, s_k in zip(xs, ys, slopes, strict=True):
        span = np.array([x_k - width, x_k + width])
        values = calculus.tangent_line(span, x0=x_k, y0=y_k, slope=s_k)
        (segment,) = ax.plot(span, values, linestyle="--", linewidth=1.5)
        segments.append(segment)
    (points,) = ax.plot(xs, ys, linestyle="none", marker="o", color="black", zorder=3)
    return segments, points


def contour_with_gradient(
    ax: Axes,
    w: npt.ArrayLike,
    b: npt.ArrayLike,
    z: npt.ArrayLike,
    grad_w: npt.ArrayLike,
    grad_b: npt.ArrayLike,
    *,
    levels: int | npt.ArrayLike = 15,
    every: int = 8,
    descent: bool = False,
    normalise: bool = False,
    arrow_scale: float | None = None,
) -> tuple[QuadContourSet, Quiver]:
    r"""Draw the contour lines of a surface with gradient arrows on top.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    w : array_like, shape (m,)
        Grid values along the horizontal axis.
    b : array_like, shape (k,)
        Grid values along the vertical axis.
    z : array_like, shape (k, m)
        The surface, laid out as :func:`gdbook.losses.mse_surface` returns it.
    grad_w, grad_b : array_like, shape (k, m)
        The gradient's components at each grid point, as from
        :func:`gdbook.losses.mse_grad_surface`.
    levels : int or array_like
        The number of contour levels, or the levels themselves in increasing order (a
        loss whose valley is much deeper than wide reads better with levels spaced
        geometrically above its minimum).
    every : int
        Draw an arrow at every ``every``-th grid point in each direction.
    descent : bool
        Draw :math:`-\nabla` (the way down) instead of :math:`\nabla`.
    normalise : bool
        Draw every arrow with the same length, to show directions only.
    arrow_scale : float, optional
        Draw an arrow of length :math:`\ell` in data units as :math:`\ell/` ``arrow_scale``
        (matplotlib's ``scale`` with ``scale_units="xy"``); by default matplotlib
        chooses a scale from the longest arrows.

    Returns
    -------
    contours : matplotlib.contour.QuadContourSet
        The contour lines.
    arrows : matplotlib.quiver.Quiver
        The arrows.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> g = np.linspace(-1.0, 1.0, 9)
    >>> gw, gb = np.meshgrid(2 * g, 2 * g)
    >>> contours, arrows = contour_with_gradient(ax, g, g, gw**2 / 4 + gb**2 / 4, gw, gb, every=4)
    >>> arrows.N
    9
    """
    ws = _checks.vector(w, "w")
    bs = _checks.vector(b, "b")
    grid = (bs.size, ws.size)
    fields = []
    for name, value in (("z", z), ("grad_w", grad_w), ("grad_b", grad_b)):
        array = _checks.finite_array(value, name, ndim=2)
        if array.shape != grid:
            raise ValueError(f"{name} must have shape (len(b), len(w)) = {grid}, got {array.shape}")
        fields.append(array)
    surface, gw, gb = fields
    step = _checks.count(every, "every")
    if isinstance(levels, (int, np.integer)):
        chosen: int | FloatArray = _checks.count(levels, "levels")
    else:
        chosen = _checks.vector(levels, "levels")
        if np.any(np.diff(chosen) <= 0):
            raise ValueError(f"levels must increase, got {chosen}")
    contours = ax.contour(ws, bs, surface, levels=chosen)
    sign = -1.0 if descent else 1.0
    u, v = sign * gw[::step, ::step], sign * gb[::step, ::step]
    if normalise:
        length = np.hypot(u, v)
        length[length == 0.0] = 1.0
        u, v = u / length, v / length
    W, B = np.meshgrid(ws[::step], bs[::step])
    scaling: dict[str, Any] = {}
    if arrow_scale is not None:
        scaling = {"scale_units": "xy", "scale": _checks.positive(arrow_scale, "arrow_scale")}
    arrows = ax.quiver(W, B, u, v, angles="xy", color="black", width=0.004, **scaling)
    return contours, arrows


def line(
    ax: Axes,
    theta: npt.ArrayLike,
    x: npt.ArrayLike,
    *,
    label: str | None = None,
    color: str | None = None,
) -> Line2D:
    r"""Draw the line with parameters ``theta`` across the range of ``x``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    theta : array_like, shape (1,) or (2,)
        ``(w,)`` or ``(w, b)`` of the line.
    x : array_like, shape (n,)
        Inputs; the line runs from their smallest to their largest value.
    label : str, optional
        Legend entry.
    color : str, optional
        A matplotlib colour; by default the next colour of the axes' cycle.

    Returns
    -------
    matplotlib.lines.Line2D
        The line.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> line(ax, [2.0, 1.0], [3.0, 1.0, 2.0]).get_ydata().tolist()
    [3.0, 7.0]
    """
    xs = _checks.vector(x, "x")
    span = np.array([xs.min(), xs.max()])
    (drawn,) = ax.plot(span, losses.predict(theta, span), label=label, color=color)
    return drawn


def data_with_line(
    ax: Axes,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    theta: npt.ArrayLike,
    *,
    label: str | None = None,
) -> tuple[PathCollection, Line2D]:
    r"""Draw data points and the line with parameters ``theta`` across their range.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    x, y : array_like, shape (n,)
        The data.
    theta : array_like, shape (1,) or (2,)
        ``(w,)`` or ``(w, b)`` of the line to draw.
    label : str, optional
        Legend entry for the line.

    Returns
    -------
    points : matplotlib.collections.PathCollection
        The scattered data (first colour of the cycle).
    line : matplotlib.lines.Line2D
        The line (second colour), from the smallest to the largest ``x``; draw more lines
        on the same axes with :func:`line`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> points, fitted = data_with_line(ax, [1.0, 3.0], [2.0, 6.0], [2.0])
    >>> fitted.get_ydata().tolist()
    [2.0, 6.0]
    """
    xs, ys = _checks.samples(x, y)
    points = ax.scatter(xs, ys, s=14, alpha=0.7, color="C0")
    fitted = line(ax, theta, xs, label=label, color="C1")
    _label_axes(ax, "$x$", "$y$")
    return points, fitted


def residuals(ax: Axes, x: npt.ArrayLike, y: npt.ArrayLike, theta: npt.ArrayLike) -> LineCollection:
    r"""Draw each error :math:`e_i = \hat y_i - y_i` as a vertical segment.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    x, y : array_like, shape (n,)
        The data.
    theta : array_like, shape (1,) or (2,)
        ``(w,)`` or ``(w, b)`` of the line the errors are measured from.

    Returns
    -------
    matplotlib.collections.LineCollection
        One segment per point, from :math:`(x_i, y_i)` to :math:`(x_i, \hat y_i)`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> segments = residuals(ax, [1.0, 2.0], [3.0, 3.0], [2.0])
    >>> [segment[:, 1].tolist() for segment in segments.get_segments()]
    [[3.0, 2.0], [3.0, 4.0]]
    """
    xs, ys = _checks.samples(x, y)
    return ax.vlines(xs, ys, losses.predict(theta, xs), colors="C2", linewidth=1.0)


def function_and_derivative(
    ax: Axes, fn: functions.Function, x: npt.ArrayLike
) -> tuple[Line2D, Line2D]:
    r"""Draw a function and its derivative over ``x``, labelled with their formulas.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    fn : gdbook.functions.Function
        The function and its derivative.
    x : array_like, shape (m,)
        Where to evaluate them, in increasing order.

    Returns
    -------
    function, derivative : matplotlib.lines.Line2D
        The function (solid) and its derivative (dashed).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> f, df = function_and_derivative(ax, functions.SIN, [0.0, 1.0])
    >>> f.get_label(), df.get_label()
    ('$\\sin x$', 'derivative of $\\sin x$')
    """
    xs = _checks.vector(x, "x")
    (value,) = ax.plot(xs, fn(xs), label=f"${fn.label}$")
    (slope,) = ax.plot(xs, fn.derivative(xs), linestyle="--", label=f"derivative of ${fn.label}$")
    _label_axes(ax, "$x$", None)
    return value, slope


def path(
    ax: Axes,
    trajectory: optim.Trajectory,
    *,
    label: str | None = None,
    color: str | None = None,
) -> Line2D:
    r"""Draw the iterates of an optimiser as a path of points joined by lines.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    trajectory : gdbook.optim.Trajectory
        The run. With two parameters the path is drawn in the parameter plane (on top of
        a contour plot, say); with one, each iterate is drawn at the height of its loss,
        on the loss curve.
    label : str, optional
        Legend entry.
    color : str, optional
        A matplotlib colour.

    Returns
    -------
    matplotlib.lines.Line2D
        The path; its first point is the start.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from gdbook import surfaces
    >>> f = surfaces.parabola()
    >>> run = optim.gradient_descent(f, f.grad, [2.0], lr=0.25, n_steps=2)
    >>> drawn = path(Figure().subplots(), run)
    >>> drawn.get_xdata().tolist(), drawn.get_ydata().tolist()
    ([2.0, 1.0, 0.5], [4.0, 1.0, 0.25])
    """
    thetas = trajectory.thetas
    if thetas.shape[1] == 1:
        xs, ys = thetas[:, 0], trajectory.losses
    elif thetas.shape[1] == 2:
        xs, ys = thetas[:, 0], thetas[:, 1]
    else:
        raise ValueError(f"trajectory must have 1 or 2 parameters to draw, got {thetas.shape[1]}")
    (drawn,) = ax.plot(xs, ys, marker="o", markersize=4, linewidth=1.2, label=label, color=color)
    return drawn


def loss_history(
    ax: Axes,
    trajectory: optim.Trajectory,
    *,
    minimum: float | None = None,
    label: str | None = None,
) -> Line2D:
    r"""Draw the loss at every step of a run, on a logarithmic scale.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    trajectory : gdbook.optim.Trajectory
        The run.
    minimum : float, optional
        The lowest possible loss :math:`L^\star`; if given, the distance to it,
        :math:`L(\theta_t) - L^\star`, is drawn, which shows the rate of convergence as
        the slope of a straight line.
    label : str, optional
        Legend entry.

    Returns
    -------
    matplotlib.lines.Line2D
        The curve against the step number (``trajectory.steps``: a run that records
        every k-th step is drawn at those steps).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from gdbook import surfaces
    >>> f = surfaces.parabola()
    >>> run = optim.gradient_descent(f, f.grad, [2.0], lr=0.25, n_steps=2)
    >>> loss_history(Figure().subplots(), run).get_ydata().tolist()
    [4.0, 1.0, 0.25]
    """
    values = trajectory.losses
    if minimum is not None:
        values = values - float(_checks.finite_array(minimum, "minimum", ndim=0))
    (drawn,) = ax.plot(trajectory.steps, values, label=label)
    ax.set_yscale("log")
    _label_axes(ax, "step $t$", "loss" if minimum is None else "$L(\\theta_t) - L^\\star$")
    return drawn


def minimum(
    ax: Axes,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    label: str | None = "minimum",
) -> Line2D:
    r"""Mark a minimum (or minimiser) with the book's one marker for it.

    Every figure of the book marks "the minimum" the same way: a large black star with a
    white edge, drawn above lines and contours, so it reads on any colour and in greyscale.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    x, y : array_like
        Where the minimum is: a point, or several points of the same kind.
    label : str or None
        Legend entry; ``None`` for none.

    Returns
    -------
    matplotlib.lines.Line2D
        The marker(s), with no line between them.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> star = minimum(ax, 1.0, 0.0)
    >>> star.get_marker(), star.get_color(), star.get_label()
    ('*', 'black', 'minimum')
    """
    xs = np.atleast_1d(_checks.finite_array(x, "x", ndim=(0, 1)))
    ys = np.atleast_1d(_checks.finite_array(y, "y", ndim=(0, 1)))
    if xs.shape != ys.shape:
        raise ValueError(f"x and y must have the same length, got {xs.size} and {ys.size}")
    (marker,) = ax.plot(
        xs,
        ys,
        linestyle="none",
        marker="*",
        markersize=15,
        color="black",
        markeredgecolor="white",
        markeredgewidth=1.0,
        zorder=5,
        label=label,
    )
    return marker


def _label_axes(ax: Axes, xlabel: str | None, ylabel: str | None) -> None:
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
