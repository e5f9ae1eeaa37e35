"""Layouts and drawings of computational graphs: structure, geometry, legibility."""

from __future__ import annotations

import io
import itertools

import matplotlib
import matplotlib.style
import numpy as np
import pytest
from hypothesis import assume, given, settings
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from test_autodiff import N_LEAVES, programs, run

from gdbook import graphs
from gdbook.autodiff import Value


def regression_loss() -> Value:
    """The squared error of one sample, as chapter 14 draws it: 8 values."""
    w, x, b, y = (Value(v, label=n) for v, n in [(2.0, "w"), (3.0, "x"), (1.0, "b"), (10.0, "y")])
    y_hat = w * x + b
    y_hat.label = "ŷ"
    loss = (y_hat - y) ** 2
    loss.label = "L"
    return loss


def ten_values() -> Value:
    """Ten values with fan-out, a constant and an edge that skips four layers."""
    x = Value(-1.5, label="x")
    a = x * x
    f = (a + a.exp()).tanh() * x + 2.0 * x.sigmoid()
    f.label = "f"
    return f


def boxes_overlap(plan: graphs.Layout) -> bool:
    w, h = plan.box
    centres = list(plan.centres.values())
    return any(
        abs(x1 - x2) < w and abs(y1 - y2) < h
        for (x1, y1), (x2, y2) in itertools.combinations(centres, 2)
    )


def geometric_crossings(plan: graphs.Layout) -> int:
    """Crossing pairs of edge segments, counted from the coordinates alone."""

    def cross(p, q, r, s):
        def orient(a, b, c):
            return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

        return orient(p, q, r) * orient(p, q, s) < 0 and orient(r, s, p) * orient(r, s, q) < 0

    segments = [seg for *_, pts in plan.edges for seg in itertools.pairwise(pts)]
    return sum(cross(*a, *b) for a, b in itertools.combinations(segments, 2))


@pytest.mark.parametrize("direction", ["down", "right"])
@pytest.mark.parametrize("make", [regression_loss, ten_values])
def test_layout_of_the_chapter_graphs(make, direction):
    root = make()
    plan = graphs.layout(root, direction=direction)
    nodes = root.topological_order()
    assert set(plan.centres) == set(nodes)
    assert len(plan.edges) == sum(len(v.parents) for v in nodes)
    for parent, child, slot, points in plan.edges:
        assert child.parents[slot] is parent
        assert plan.layers[parent] < plan.layers[child]
        assert points[0] == plan.centres[parent] and points[-1] == plan.centres[child]
        assert len(points) == plan.layers[child] - plan.layers[parent] + 1  # one bend a layer
    assert plan.layers[root] == max(plan.layers.values())
    assert plan.crossings == geometric_crossings(plan) == 0
    assert not boxes_overlap(plan)
    # Layers run down the page, or to the right.
    axis, sign = (1, -1) if direction == "down" else (0, 1)
    for u, v in itertools.combinations(nodes, 2):
        if plan.layers[u] < plan.layers[v]:
            assert sign * plan.centres[u][axis] < sign * plan.centres[v][axis]


def test_inputs_sit_just_before_their_first_use():
    loss = regression_loss()
    layers = {v.label: d for v, d in graphs.layout(loss).layers.items() if v.label}
    assert layers == {"w": 0, "x": 0, "b": 1, "ŷ": 2, "y": 2, "L": 4}


@settings(max_examples=60, deadline=None)
@given(programs())
def test_layout_of_random_graphs(program):
    try:
        root = run(program, [Value(0.1 * k, label=f"x{k}") for k in range(N_LEAVES)])
    except (OverflowError, ValueError):  # a value too large for float64
        assume(False)
    plan = graphs.layout(root)
    assert not boxes_overlap(plan)
    assert plan.crossings == geometric_crossings(plan)
    for parent, child, _, _ in plan.edges:
        assert plan.layers[parent] < plan.layers[child]


def used_twice() -> Value:
    """w ** 2 + w + b: w's second use skips the layer of the square (chapter 14)."""
    w, b = Value(2.0, label="w"), Value(3.0, label="b")
    return w**2 + w + b


@pytest.mark.parametrize("direction", ["down", "right"])
@pytest.mark.parametrize("make", [regression_loss, ten_values, used_twice])
def test_arrows_cut_no_box_but_their_own(make, direction):
    plan = graphs.layout(make(), direction=direction)
    w, h = plan.box
    for (parent, child, _, _), route in zip(
        plan.edges, graphs.routes(plan, direction), strict=True
    ):
        points = [
            (x0 + s * (x1 - x0), y0 + s * (y1 - y0))
            for (x0, y0), (x1, y1) in itertools.pairwise(route)
            for s in np.linspace(0, 1, 101)
        ]
        for v, (cx, cy) in plan.centres.items():
            if v is parent or v is child:
                continue
            assert not any(abs(x - cx) < w / 2 and abs(y - cy) < h / 2 for x, y in points)


def test_layout_is_deterministic():
    first, second = graphs.layout(ten_values()), graphs.layout(ten_values())
    assert list(first.centres.values()) == list(second.centres.values())
    assert [e[3] for e in first.edges] == [e[3] for e in second.edges]


def render(root, **kwargs):
    fig = Figure(figsize=graphs.figure_size(root, direction=kwargs.get("direction", "down")))
    ax = fig.subplots()
    artists = graphs.draw(ax, root, **kwargs)
    return fig, ax, artists


def test_draw_shows_every_value_operation_and_use():
    loss = regression_loss()
    _, ax, artists = render(loss)
    nodes = loss.topological_order()
    assert sum(isinstance(a, FancyBboxPatch) for a in artists) == len(nodes)
    assert sum(isinstance(a, FancyArrowPatch) for a in artists) == 7
    texts = [t.get_text() for t in ax.texts]
    assert [t for t in texts if t.startswith("grad")] == []  # before backward: no gradients
    assert {"w", "x", "b", "y", "ŷ", "L", "×", "+", "−", r"$(\cdot)^{2}$"} <= set(texts)
    assert "value 9" in texts and "value \N{MINUS SIGN}3" in texts
    loss.backward()
    _, ax, _ = render(loss, local=True)
    texts = [t.get_text() for t in ax.texts]
    grads = sorted(t for t in texts if t.startswith("grad"))
    assert grads == sorted(f"grad {g:g}".replace("-", "\N{MINUS SIGN}") for g in
                           [-18, -12, -6, -6, -6, 6, -6, 1])  # fmt: skip
    # The local derivatives: x and w on the product's arrows, 1 and −1 on the difference's.
    assert sorted(t for t in texts if t and t[-1].isdigit() and " " not in t) == sorted(
        ["3", "2", "1", "1", "1", "\N{MINUS SIGN}1", "\N{MINUS SIGN}6"]
    )


@pytest.mark.parametrize("style", ["gdbook.book", {"figure.constrained_layout.use": True}])
@pytest.mark.parametrize("direction", ["down", "right"])
def test_text_fits_in_its_box_at_the_figure_size(direction, style):
    """Every line of a box, rendered, lies inside the box: nothing spills or overlaps,
    with the book's style or matplotlib's defaults and constrained layout."""
    root = ten_values()
    root.backward()
    with matplotlib.style.context(style):
        fig, ax, artists = render(root, direction=direction)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [a.get_window_extent(renderer) for a in artists if isinstance(a, FancyBboxPatch)]
    inside = 0
    for text in ax.texts:
        if text.get_bbox_patch() is not None:  # an operation's tab straddles the border
            continue
        extent = text.get_window_extent(renderer)
        middle = ((extent.x0 + extent.x1) / 2, (extent.y0 + extent.y1) / 2)
        (box,) = [b for b in boxes if b.contains(*middle)]
        assert box.x0 < extent.x0 and extent.x1 < box.x1
        assert box.y0 < extent.y0 and extent.y1 < box.y1
        inside += 1
    assert inside == 10 * 2 + 2  # value and grad in each box, and the labels x and f
    assert min(t.get_fontsize() for t in ax.texts) >= 7.5


def test_ten_values_fit_a_phone_at_full_size():
    # A 390 px wide phone shows about 4.1 inches at 96 px per inch: the text stays at its
    # size when the figure is no wider.
    width, height = graphs.figure_size(ten_values())
    assert width <= 4.1
    assert height < 9


def test_drawing_is_identical_from_run_to_run():
    def svg():
        root = ten_values()
        root.backward()
        fig, _, _ = render(root, local=True)
        out = io.StringIO()
        with matplotlib.rc_context({"svg.hashsalt": "gdbook"}):
            fig.savefig(out, format="svg", metadata={"Date": None})
        return out.getvalue()

    assert svg() == svg()


def test_one_value_alone():
    _, ax, _ = render(Value(4.0, label="c"))
    assert [t.get_text() for t in ax.texts] == ["c", "value 4"]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: graphs.layout(3.0), TypeError, r"^root must be a gdbook\.autodiff\.Value"),
        (lambda: graphs.draw(Figure().subplots(), [Value(1.0)]), TypeError, r"^root"),
        (lambda: graphs.layout(Value(1.0), direction="up"), ValueError, r"^direction"),
    ],
)
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
