r"""Pictures of computational graphs, laid out from the graph itself.

:func:`layout` places every value of an :mod:`gdbook.autodiff` graph: in layers, each
value one layer after its deepest parent (inputs one layer before their first use), with
the order inside each layer chosen to reduce crossing edges. :func:`draw` draws it on the
axes it is given: a box per value with its name, forward value and (after ``backward``)
gradient, the operation that made it in a tab on the box, and an arrow per use of a value.
Everything is plain matplotlib, measured in inches, so a figure of
:func:`figure_size` shows the text at its stated size; nothing is random.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from gdbook import _checks, _layered
from gdbook.autodiff import Value

__all__ = ["Layout", "draw", "figure_size", "layout", "routes"]

Direction = Literal["down", "right"]

BOX_WIDTH, LINE, PAD = 1.1, 0.17, 0.1  # inches; a line of 8.5 pt text with its leading
GAP_ALONG, GAP_ACROSS, BEND = 0.15, 0.45, 0.15  # between boxes; between layers; a bend
ROOM = {"down": (0.0, 0.1), "right": (0.3, 0.0)}  # (width, height) left for the tab
MARGIN, TAB, SPREAD = 0.1, 0.1, 0.12  # around the drawing; a tab's reach; between arrows
FONT, SMALL = 8.5, 7.5  # points
INPUT, CONSTANT, OUTPUT, GRAD = "#56B4E9", "#999999", "#E69F00", "#D55E00"  # Okabe–Ito


@dataclass(frozen=True)
class Layout:
    r"""Where :func:`layout` put each value and edge, in inches.

    Parameters
    ----------
    centres : dict
        The centre :math:`(x, y)` of each value's box.
    layers : dict
        Each value's layer, 0 for the first inputs.
    edges : tuple
        One ``(parent, child, slot, points)`` per use of a value: ``parent`` is
        ``child.parents[slot]``, and ``points`` runs from the centre of the parent's box
        to the child's, through a bend in each layer that the edge crosses.
    box : tuple of float
        The width and height of every box.
    extent : tuple of float
        ``(xmin, xmax, ymin, ymax)`` of the whole drawing, margins included.
    crossings : int
        How many pairs of edges cross.
    """

    centres: dict[Value, tuple[float, float]]
    layers: dict[Value, int]
    edges: tuple[tuple[Value, Value, int, tuple[tuple[float, float], ...]], ...]
    box: tuple[float, float]
    extent: tuple[float, float, float, float]
    crossings: int


def layout(root: Value, *, direction: Direction = "down", grad: bool = True) -> Layout:
    r"""Place the graph of ``root`` in layers, from its inputs to ``root``.

    Parameters
    ----------
    root : gdbook.autodiff.Value
        The result whose graph is drawn.
    direction : {"down", "right"}
        Where the computation flows: ``"down"`` suits a phone, ``"right"`` a wide page.
    grad : bool
        Leave room in each box for a line with the gradient.

    Returns
    -------
    Layout

    Notes
    -----
    The layer of a value is the length of the longest path to it from an input,

    .. math:: \ell(v) = 1 + \max_{u \text{ a parent of } v} \ell(u),

    except that an input sits just before its first use. Long edges bend in each layer
    they cross; the order within the layers is improved by sweeps that sort each layer by
    the mean position of its neighbours in the previous one (the barycentre heuristic),
    keeping the order with the fewest crossings.

    Examples
    --------
    >>> w, x, b = Value(2.0, label="w"), Value(3.0, label="x"), Value(1.0, label="b")
    >>> plan = layout(w * x + b)
    >>> [plan.layers[v] for v in (w, x, b)], plan.crossings
    ([0, 0, 1], 0)
    """
    _checks.instance(root, Value, "root")
    if direction not in ROOM:
        raise ValueError(f"direction must be 'down' or 'right', got {direction!r}")
    nodes = root.topological_order()
    edges = [(p, c, slot) for c in nodes for slot, p in enumerate(c.parents)]
    layer = _layered.layers(nodes, [(p, c) for p, c, _ in edges])
    paths = _layered.chains([(p, c) for p, c, _ in edges], layer)
    rows = _layered.order(nodes, paths, layer)
    room = ROOM[direction]
    box = (BOX_WIDTH + room[0], PAD + LINE * (3 if grad else 2) + room[1])
    flow, along = (1, 0) if direction == "down" else (0, 1)
    centres: dict[_layered.Item, tuple[float, float]] = {}
    for depth, items in enumerate(rows):
        sizes = [box[along] if isinstance(i, Value) else BEND for i in items]
        s = -(sum(sizes) + GAP_ALONG * (len(items) - 1)) / 2
        for item, size in zip(items, sizes, strict=True):
            a, b = s + size / 2, -depth * (box[flow] + GAP_ACROSS)
            centres[item] = (a, b) if direction == "down" else (-b, -a)
            s += size + GAP_ALONG
    xs, ys = [c[0] for c in centres.values()], [c[1] for c in centres.values()]
    half_w, half_h = box[0] / 2 + MARGIN, box[1] / 2 + MARGIN
    return Layout(
        centres={v: centres[v] for v in nodes},
        layers={v: layer[v] for v in nodes},
        edges=tuple(
            (*edge, tuple(centres[i] for i in ch)) for edge, ch in zip(edges, paths, strict=True)
        ),
        box=box,
        extent=(min(xs) - half_w, max(xs) + half_w, min(ys) - half_h, max(ys) + half_h),
        crossings=_layered.crossings(rows, paths),
    )


def figure_size(
    root: Value, *, direction: Direction = "down", grad: bool = True
) -> tuple[float, float]:
    r"""The figure size, in inches, at which :func:`draw` shows its text at full size.

    Parameters
    ----------
    root : gdbook.autodiff.Value
        The result whose graph is drawn.
    direction : {"down", "right"}
        As in :func:`layout`.
    grad : bool
        As in :func:`layout`.

    Returns
    -------
    tuple of float
        ``(width, height)`` for ``plt.subplots(figsize=...)``.

    Examples
    --------
    >>> w, x = Value(2.0, label="w"), Value(3.0, label="x")
    >>> figure_size(w * x)
    (2.55, 2.07)
    """
    xmin, xmax, ymin, ymax = layout(root, direction=direction, grad=grad).extent
    return round(xmax - xmin, 2), round(ymax - ymin, 2)


def draw(
    ax: Axes,
    root: Value,
    *,
    direction: Direction = "down",
    grad: bool | None = None,
    local: bool = False,
) -> list[Artist]:
    r"""Draw the computational graph of ``root``: values, operations and gradients.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw: the only axes of a figure of :func:`figure_size` with constrained
        layout (as in the book's style), so that the text fits its boxes. Its limits
        and aspect are set to fit the graph, and its axis is turned off.
    root : gdbook.autodiff.Value
        The result whose graph is drawn.
    direction : {"down", "right"}
        As in :func:`layout`.
    grad : bool, optional
        Show each value's gradient; by default, once ``root.backward()`` has run.
    local : bool
        Write on each arrow the local derivative of the child with respect to the parent.

    Returns
    -------
    list of matplotlib.artist.Artist
        The boxes, texts and arrows drawn.

    Notes
    -----
    Each box is one value: its label (if it has one), its forward value and its
    gradient :math:`\partial\,\text{root} / \partial\,\text{value}`. Inputs with a
    label are filled blue, constants have a dashed grey border, and ``root`` is filled
    orange with a thick border. The operation that made a value sits in a tab on the
    side where its arrows arrive; an arrow runs from a value to each use of it.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> w, x = Value(2.0, label="w"), Value(3.0, label="x")
    >>> y = w * x
    >>> y.backward()
    >>> ax = Figure(figsize=figure_size(y)).subplots()
    >>> artists = draw(ax, y)
    >>> sorted(t.get_text() for t in ax.texts if t.get_text().startswith("grad"))
    ['grad 1', 'grad 2', 'grad 3']
    """
    _checks.instance(root, Value, "root")
    show_grad = root.grad != 0.0 if grad is None else grad
    plan = layout(root, direction=direction, grad=show_grad)
    artists: list[Artist] = []
    for v, centre in plan.centres.items():
        artists += _draw_value(ax, v, centre, plan.box, direction, show_grad, v is root)
    for (_, child, slot, _), vertices in zip(plan.edges, routes(plan, direction), strict=True):
        arrow = FancyArrowPatch(path=Path(vertices), arrowstyle="-|>", mutation_scale=9,
                                lw=1.0, color="#444444", zorder=1)  # fmt: skip
        artists.append(ax.add_patch(arrow))
        if local:
            (x0, y0), (x1, y1) = vertices[-2:]  # the last segment, into the child
            mid = ((x0 + x1) / 2, (y0 + y1) / 2)
            artists.append(ax.text(*mid, _number(child.local[slot]), ha="center",
                                   va="center", fontsize=SMALL, zorder=3,
                                   bbox={"boxstyle": "round,pad=0.1", "fc": "white",
                                         "ec": "none"}))  # fmt: skip
    xmin, xmax, ymin, ymax = plan.extent
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return artists


def _draw_value(
    ax: Axes,
    v: Value,
    centre: tuple[float, float],
    box: tuple[float, float],
    direction: Direction,
    show_grad: bool,
    is_root: bool,
) -> list[Artist]:
    """One value's box, its lines of text, and the tab of the operation that made it."""
    (x, y), (w, h) = centre, box
    style = _box_style(v, is_root)
    artists: list[Artist] = [ax.add_patch(FancyBboxPatch(
        (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.06", **style
    ))]  # fmt: skip
    lines = [(v.label, "bold", "black")] if v.label else []
    lines.append((f"value {_number(v.data)}", "normal", "black"))
    if show_grad:
        lines.append((f"grad {_number(v.grad)}", "normal", GRAD))
    dx, dy = (ROOM[direction][0] / 2, -ROOM[direction][1] / 2) if v.op else (0.0, 0.0)
    for k, (text, weight, colour) in enumerate(lines):
        line_y = y + dy + ((len(lines) - 1) / 2 - k) * LINE
        artists.append(ax.text(x + dx, line_y, text, ha="center", va="center",
                               fontsize=FONT, fontweight=weight, color=colour))  # fmt: skip
    if v.op:
        tab = (x, y + h / 2) if direction == "down" else (x - w / 2, y)
        artists.append(ax.text(*tab, _op_text(v.op), ha="center", va="center",
                               fontsize=FONT, fontweight="bold", zorder=4,
                               bbox={"boxstyle": "round,pad=0.25", "fc": "#eeeeee",
                                     "ec": "black", "lw": 0.8}))  # fmt: skip
    return artists


def routes(plan: Layout, direction: Direction = "down") -> list[list[tuple[float, float]]]:
    r"""The line each arrow of :func:`draw` follows, one list of points per edge of ``plan``.

    Parameters
    ----------
    plan : Layout
        From :func:`layout` with the same ``direction``.
    direction : {"down", "right"}
        As in :func:`layout`.

    Returns
    -------
    list of list of tuple
        From the edge of the parent's box to the tab of the child's, through each bend.

    Notes
    -----
    A bend is crossed straight, over the whole depth of its layer, so that the slanted
    parts of an edge lie between layers, where no box is, and never cut a box that sits
    beside the bend.

    Examples
    --------
    >>> w = Value(2.0, label="w")
    >>> plan = layout(w**2 + w)  # w's second use skips a layer: one bend
    >>> [len(route) for route in routes(plan)]
    [2, 2, 4]
    """
    w, h = plan.box
    lines = []
    for (*_, points), (start, end) in zip(plan.edges, _ends(plan, direction), strict=True):
        bends = points[1:-1]
        if direction == "down":
            across = [p for x, y in bends for p in ((x, y + h / 2), (x, y - h / 2))]
        else:
            across = [p for x, y in bends for p in ((x - w / 2, y), (x + w / 2, y))]
        lines.append([start, *across, end])
    return lines


def _ends(
    plan: Layout, direction: Direction
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Where each arrow starts and ends: spread along the boxes, in the order of the
    neighbouring points, so that arrows leaving or entering one box do not cross."""
    w, h = plan.box
    down = direction == "down"
    along = 0 if down else 1
    leaving: dict[Value, list[int]] = {}
    entering: dict[Value, list[int]] = {}
    for k, (parent, child, _, _) in enumerate(plan.edges):
        leaving.setdefault(parent, []).append(k)
        entering.setdefault(child, []).append(k)
    offset: dict[tuple[str, int], float] = {}
    for side, groups, neighbour in (("start", leaving, 1), ("end", entering, -2)):
        for ks in groups.values():
            ks = sorted(ks, key=lambda k: (plan.edges[k][3][neighbour][along], k))
            for rank, k in enumerate(ks):
                offset[side, k] = (rank - (len(ks) - 1) / 2) * SPREAD
    ends = []
    for k, (parent, child, _, _) in enumerate(plan.edges):
        (px, py), (cx, cy) = plan.centres[parent], plan.centres[child]
        if down:
            start = (px + offset["start", k], py - h / 2)
            end = (cx + offset["end", k], cy + h / 2 + TAB)
        else:
            start = (px + w / 2, py + offset["start", k])
            end = (cx - w / 2 - TAB - 0.035 * len(child.op), cy + offset["end", k])
        ends.append((start, end))
    return ends


def _box_style(v: Value, is_root: bool) -> dict[str, Any]:
    if is_root:
        return {"fc": _tint(OUTPUT), "ec": "black", "lw": 2.0}
    if not v.parents:
        if v.label:
            return {"fc": _tint(INPUT), "ec": "black", "lw": 1.0}
        return {"fc": "white", "ec": CONSTANT, "lw": 1.0, "ls": "--"}
    return {"fc": "white", "ec": "black", "lw": 1.0}


def _tint(colour: str) -> tuple[float, float, float]:
    """The colour mixed with three parts of white: a fill that text reads well on."""
    rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return (0.25 * rgb[0] + 0.75, 0.25 * rgb[1] + 0.75, 0.25 * rgb[2] + 0.75)


def _number(x: float) -> str:
    return f"{x:.3g}".replace("-", "\N{MINUS SIGN}")


def _op_text(op: str) -> str:
    """The operation as shown in its tab; a power ``^n`` as a superscript."""
    return rf"$(\cdot)^{{{op[1:]}}}$" if op.startswith("^") else op
