r"""Explorable figures: a figure of the book with sliders over a grid of parameter values.

A chapter draws a figure for a few parameter values; an explorable figure lets the reader
choose any value of a grid, in the static page, without a kernel. :func:`figure` calls
the chapter's drawing function once for every point of the grid (so every run comes from
the package's optimisers, at build time), keeps the lines that change from one point to
the next, and writes them into the page as compact numbers: their points in the
coordinates of the SVG drawing of the default figure, in tenths of a point. A small
script (``docs/_static/explore.js``) moves those lines when a slider moves; the rest of
the drawing (contours, axes, labels) is the static SVG itself.

In the book the result is the chapter's static figure together with the explorable one:
the static figure for print, the PDF and a browser without JavaScript, the explorable one
on screen. In Jupyter, which shows the HTML and runs no script of the book's, it is the
drawing for the default values with its status line.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import io
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from gdbook import optim

__all__ = ["Explorable", "decode", "figure", "verdict"]

#: How the book saves a figure as SVG (docs/_ext/ipython/ipython_kernel_config.py):
#: no date in the file, so that two builds give the same bytes.
_SVG_OPTIONS: dict[str, Any] = {"format": "svg", "metadata": {"Date": None}}
_SVG_RC: dict[Any, Any] = {"svg.hashsalt": "gdbook", "svg.fonttype": "path"}
_SCALE = 10  # points are written in tenths of an SVG unit (a typographic point)


def verdict(run: optim.Trajectory, *, minimum: float = 0.0, rtol: float = 1e-6) -> str:
    r"""Say in words what a run did: converges, converges slowly, oscillates or diverges.

    Parameters
    ----------
    run : gdbook.optim.Trajectory
        The run.
    minimum : float, default 0.0
        The loss's minimum :math:`L^\star`; the verdict is about the gap
        :math:`L(\theta_t) - L^\star`.
    rtol : float, default 1e-6
        A run converges when its last gap is at most ``rtol`` times its first.

    Returns
    -------
    str
        ``"diverges at step T"`` for a run stopped as diverged after ``T`` updates;
        ``"diverges"`` if the gap grew; ``"converges"`` if it fell below ``rtol`` times
        its start (or the run met its tolerance); ``"oscillates"`` if it fell by less
        than 1 % over the last ten steps while successive steps pointed in opposite
        directions; ``"converges slowly"`` otherwise.

    Examples
    --------
    >>> from gdbook import surfaces
    >>> f = surfaces.parabola()
    >>> [verdict(optim.gradient_descent(f, f.grad, [10.0], lr=lr, n_steps=20))
    ...  for lr in (0.4, 0.05, 1.0, 1.1)]
    ['converges', 'converges slowly', 'oscillates', 'diverges']
    """
    optim_run = _trajectory(run)
    if optim_run.diverged:
        return f"diverges at step {optim_run.n_steps}"
    gaps = optim_run.losses - float(minimum)
    first, last = gaps[0], gaps[-1]
    if last > first:
        return "diverges"
    if last <= rtol * first or optim_run.reason not in _UNFINISHED:
        return "converges"
    k = min(10, gaps.size - 1)
    steps = np.diff(optim_run.thetas[-k - 1 :], axis=0)
    turns = np.einsum("ij,ij->i", steps[1:], steps[:-1]) < 0
    if last >= 0.99 * gaps[-k - 1] and turns.size and turns.all():
        return "oscillates"
    return "converges slowly"


_UNFINISHED = (optim.StopReason.MAX_STEPS, optim.StopReason.STALLED)


def _trajectory(run: Any) -> optim.Trajectory:
    if not isinstance(run, optim.Trajectory):
        raise TypeError(f"run must be a gdbook.optim.Trajectory, got {type(run).__name__}")
    return run


@dataclass(frozen=True)
class Explorable:
    """A static figure and its explorable version, as a notebook and the book show them.

    Parameters
    ----------
    static : str
        The static figure, as SVG: what print, the PDF and a page without JavaScript show.
    html : str
        The explorable figure: sliders (``hidden`` until the page's script shows them), a
        status line and an SVG drawing whose lines the script moves.
    data : dict
        The numbers written into ``html``: for every slider its values; for every point
        of the grid (the last slider varies fastest) the lines, each a list of integers
        (see :func:`decode`), and the status line.
    """

    static: str
    html: str
    data: dict[str, Any]

    @property
    def gzipped_size(self) -> int:
        """Bytes of ``html`` once gzipped, as a static web server sends it."""
        return len(gzip.compress(self.html.encode("utf-8"), compresslevel=9, mtime=0))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        sliders = ", ".join(s["name"] for s in self.data["sliders"])
        text = f"<explorable figure: {len(self.data['runs'])} runs over {sliders}>"
        return {"image/svg+xml": self.static, "text/html": self.html, "text/plain": text}


def decode(numbers: Sequence[int]) -> np.ndarray:
    """The points of a line written by :func:`figure`, in SVG units, shape (m, 2).

    Each line is written as its first point and then the difference from each point to
    the next, in tenths of an SVG unit (small numbers, which compress well).

    Parameters
    ----------
    numbers : sequence of int
        One line of ``Explorable.data["lines"]``.

    Returns
    -------
    numpy.ndarray of float64, shape (m, 2)
        Its points, in the units of the SVG drawing (y downwards).

    Examples
    --------
    >>> decode([100, 200, 5, -5, 5, -5]).tolist()
    [[10.0, 20.0], [10.5, 19.5], [11.0, 19.0]]
    """
    values = np.asarray(numbers, dtype=np.int64).reshape(-1, 2)
    return np.cumsum(values, axis=0) / _SCALE


def figure(
    draw: Callable[..., Figure],
    grid: Mapping[str, Sequence[float]],
    *,
    default: Mapping[str, float],
    labels: Mapping[str, str],
    status: Callable[..., str],
    alt: str,
    static: Figure | None = None,
    formats: Mapping[str, str] | None = None,
) -> Explorable:
    r"""Make an explorable figure: ``draw(**params)`` for every point of a grid.

    Parameters
    ----------
    draw : callable
        Called with one keyword argument per slider; returns a matplotlib figure. Its
        axes' limits should not depend on the parameters: every run is drawn in the axes
        of the default figure.
    grid : mapping of str to sequence of float
        The values of each slider, in order, keyed by the keyword of ``draw``.
    default : mapping of str to float
        The value of each slider when the page opens; each must be one of its values.
    labels : mapping of str to str
        What each slider is called on the page (a screen reader reads it out).
    status : callable
        Called like ``draw``; returns the verdict on that run, for example
        :func:`verdict` of it, shown and announced after the slider values.
    alt : str
        A description of the drawing, for readers who cannot see it.
    static : matplotlib.figure.Figure, optional
        The chapter's static figure; by default ``draw(**default)``.
    formats : mapping of str to str, optional
        A format for each slider's values, such as ``"{:.2f}"``; by default ``"{:g}"``.

    Returns
    -------
    Explorable
        Shown by a notebook and the book as the static figure and its explorable version.

    Notes
    -----
    The figures it is given are closed, so that a notebook shows the explorable once.
    Lines (``Line2D``) whose points change over the grid are the ones that move; a text
    that changes (a title naming a value) is hidden, since the status line says it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gdbook import surfaces
    >>> f = surfaces.parabola()
    >>> def draw(lr):
    ...     run = optim.gradient_descent(f, f.grad, [1.0], lr=lr, n_steps=5)
    ...     fig, ax = plt.subplots()
    ...     ax.plot(run.steps, run.losses)
    ...     ax.set(xlim=(0, 5), ylim=(0, 1))
    ...     return fig
    >>> shown = figure(draw, {"lr": [0.1, 0.2]}, default={"lr": 0.1},
    ...                labels={"lr": "learning rate"}, status=lambda lr: "fine",
    ...                alt="A loss curve.")
    >>> [run["status"] for run in shown.data["runs"]]
    ['learning rate = 0.1: fine', 'learning rate = 0.2: fine']
    """
    import matplotlib.pyplot as plt  # to close the figures: not on importing gdbook

    for name, function in (("draw", draw), ("status", status)):
        if not callable(function):
            raise TypeError(f"{name} must be callable, got {type(function).__name__}")
    names = list(grid)
    values = {name: [np.asarray(v).item() for v in grid[name]] for name in names}
    if not names or not all(values.values()):
        raise ValueError(f"grid must give each slider at least one value, got {dict(grid)}")
    if set(default) != set(names) or set(labels) != set(names):
        raise ValueError(f"default and labels must name the sliders {names}")
    for name in names:
        if default[name] not in values[name]:
            raise ValueError(f"default {name}={default[name]} is not one of its values")
    formats = {name: (formats or {}).get(name, "{:g}") for name in names}
    points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values.values())]

    base = draw(**default)
    static_svg = _svg(static if static is not None else base, bbox_inches="tight")
    if static is not None:
        plt.close(static)
    line_data, hidden = _runs(draw, points, dict(default), base)
    key = hashlib.sha1(repr((names, values, alt)).encode()).hexdigest()[:8]
    drawing, encoded = _moving_lines(base, line_data, hidden, key)
    plt.close(base)

    table: dict[tuple[int, ...], int] = {}  # identical lines are written once
    runs: list[dict[str, Any]] = []
    for point, coded in zip(points, encoded, strict=True):
        shown = ", ".join(f"{labels[n]} = {formats[n].format(point[n])}" for n in names)
        refs = [table.setdefault(tuple(line), len(table)) for line in coded]
        runs.append({"lines": refs, "status": f"{shown}: {status(**point)}"})
    sliders: list[dict[str, Any]] = [
        {
            "name": n,
            "label": labels[n],
            "values": [formats[n].format(v) for v in values[n]],
            "default": values[n].index(default[n]),
        }
        for n in names
    ]
    data = {"key": key, "sliders": sliders, "lines": [list(t) for t in table], "runs": runs}
    start = sum(s["default"] * _stride(sliders, j) for j, s in enumerate(sliders))
    return Explorable(static_svg, _html(data, drawing, alt, runs[start]["status"]), data)


def _runs(
    draw: Callable[..., Figure], points: list[dict[str, Any]], default: dict[str, Any], base: Figure
) -> tuple[list[list[np.ndarray]], list[bool]]:
    """The points of every line for every grid point, and which texts change."""
    import matplotlib.pyplot as plt

    base_lines, base_texts = _lines(base), _texts(base)
    line_data: list[list[np.ndarray]] = []
    varies = [False] * len(base_texts)
    for point in points:
        fig = base if point == default else draw(**point)
        lines, texts = _lines(fig), _texts(fig)
        if len(lines) != len(base_lines) or len(texts) != len(base_texts):
            raise ValueError(f"draw({point}) drew other lines or texts than the default")
        line_data.append([np.asarray(line.get_xydata(), dtype=float) for line in lines])
        varies = [
            v or t.get_text() != b.get_text()
            for v, t, b in zip(varies, texts, base_texts, strict=True)
        ]
        if fig is not base:
            plt.close(fig)
    return line_data, varies


def _moving_lines(
    base: Figure, line_data: list[list[np.ndarray]], hidden: list[bool], key: str
) -> tuple[str, list[list[list[int]]]]:
    """The default figure's SVG, its moving lines tagged, and those lines for every run."""
    lines = _lines(base)
    moving = [
        i
        for i in range(len(lines))
        if any(not np.array_equal(run[i], line_data[0][i], equal_nan=True) for run in line_data)
    ]
    for k, i in enumerate(moving):
        lines[i].set_gid(f"gd{key}-l{k}")
    for k, text in enumerate(t for t, h in zip(_texts(base), hidden, strict=True) if h):
        text.set_gid(f"gd{key}-hide{k}")
    drawing = _svg(base)  # no tight box: the lines' coordinates are the figure's
    width, height = base.get_figwidth() * 72, base.get_figheight() * 72
    encoded = [[_encode(lines[i], run[i], width, height) for i in moving] for run in line_data]
    return drawing, encoded


def _stride(sliders: list[dict[str, Any]], j: int) -> int:
    return int(np.prod([len(s["values"]) for s in sliders[j + 1 :]], dtype=np.int64))


def _lines(fig: Figure) -> list[Line2D]:
    return [line for ax in fig.axes for line in ax.get_lines()]


def _texts(fig: Figure) -> list[Any]:
    found = [ax.title for ax in fig.axes] + list(fig.texts)
    for ax in fig.axes:
        legend = ax.get_legend()
        found += list(legend.get_texts()) if legend is not None else []
    return found


def _svg(fig: Figure, **options: Any) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(_SVG_RC):
        fig.savefig(buffer, **_SVG_OPTIONS, **options)
    return buffer.getvalue()


def _encode(line: Line2D, xy: np.ndarray, width: float, height: float) -> list[int]:
    """Points of ``xy`` (data coordinates of ``line``'s axes) in SVG units, delta-coded."""
    scale = 72 / line.figure.dpi
    with np.errstate(all="ignore"):
        pts = line.get_transform().transform(np.asarray(xy, dtype=float)) * scale
    pts[:, 1] = height - pts[:, 1]
    pts = pts[np.isfinite(pts).all(axis=1)]
    # Points far outside the figure (a diverging path, a log scale near 0) are not
    # drawn; the segments that join them to points inside are cut at a box three times
    # the figure's size, so that what shows keeps its direction.
    low, high = np.array([-width, -height]), np.array([2 * width, 2 * height])
    far = np.any((pts < low) | (pts > high), axis=1).tolist()
    kept = []
    for i in range(len(pts)):
        if not far[i]:
            kept.append(pts[i])
            continue
        for j in (i - 1, i + 1):  # a neighbour inside: cut the segment towards it
            if 0 <= j < len(pts) and not far[j]:
                kept.append(_cut(pts[j], pts[i], low, high))
    pts = np.array(kept).reshape(-1, 2)
    tenths = np.rint(pts * _SCALE).astype(np.int64)
    return np.diff(tenths, axis=0, prepend=np.zeros((1, 2), np.int64)).ravel().tolist()


def _cut(inside: np.ndarray, outside: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The point where the segment from ``inside`` to ``outside`` leaves the box."""
    limits = np.where(outside > inside, high, low)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(outside != inside, (limits - inside) / (outside - inside), np.inf)
    cut: np.ndarray = inside + min(max(float(np.nanmin(share)), 0.0), 1.0) * (outside - inside)
    return cut


def _html(data: dict[str, Any], drawing: str, alt: str, status: str) -> str:
    key = data["key"]
    svg = drawing[drawing.index("<svg") :]
    svg = re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
        rf'<svg\1 role="img" aria-label="{html.escape(alt)}"',
        svg,
        count=1,
    )
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    controls = []
    for s in data["sliders"]:
        ident = f"gd{key}-{s['name']}"
        value = s["values"][s["default"]]
        controls.append(
            f'<div class="gd-explore-slider"><label for="{ident}">{html.escape(s["label"])}</label>'
            f'<input type="range" id="{ident}" min="0" max="{len(s["values"]) - 1}" step="1" '
            f'value="{s["default"]}" aria-valuetext="{html.escape(value)}">'
            f'<output for="{ident}" aria-hidden="true">{html.escape(value)}</output></div>'
        )
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    return (
        f'<div class="gd-explore" id="gd{key}">'
        f'<div class="gd-explore-controls" hidden>{"".join(controls)}</div>'
        f'<p class="gd-explore-status" aria-live="polite">{html.escape(status)}</p>'
        f'<div class="gd-explore-drawing">{svg.strip()}</div>'
        f'<script type="application/json">{payload}</script></div>'
    )
