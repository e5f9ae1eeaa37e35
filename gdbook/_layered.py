"""A layered drawing of a directed acyclic graph: the Sugiyama method, kept small.

Nodes get layers so that every edge points to a later layer; an edge that spans several
layers gets a *bend* (an item of its own) in each layer it crosses; the items of each
layer are ordered by barycentre sweeps to reduce crossings. Nodes are any hashable
objects; a bend is the pair ``(edge index, layer)``. :mod:`gdbook.graphs` uses this for
computational graphs.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence

Item = Hashable
Edge = tuple[Hashable, Hashable]


def layers(nodes: Sequence[Hashable], edges: Sequence[Edge]) -> dict[Hashable, int]:
    """Each node's layer: one after its deepest parent; a source just before its first use.

    ``nodes`` must list every parent before its children (a topological order).
    """
    parents: dict[Hashable, list[Hashable]] = {v: [] for v in nodes}
    children: dict[Hashable, list[Hashable]] = {v: [] for v in nodes}
    for p, c in edges:
        parents[c].append(p)
        children[p].append(c)
    layer: dict[Hashable, int] = {}
    for v in nodes:
        layer[v] = 1 + max((layer[p] for p in parents[v]), default=-1)
    for v in nodes:
        if not parents[v] and children[v]:
            layer[v] = min(layer[c] for c in children[v]) - 1
    return layer


def chains(edges: Sequence[Edge], layer: dict[Hashable, int]) -> list[list[Item]]:
    """For each edge, the items it passes: its parent, a bend per layer crossed, its child."""
    return [
        [p, *((e, d) for d in range(layer[p] + 1, layer[c])), c] for e, (p, c) in enumerate(edges)
    ]


def order(
    nodes: Sequence[Hashable], paths: list[list[Item]], layer: dict[Hashable, int]
) -> list[list[Item]]:
    """The items of each layer, in the order with the fewest crossings that the sweeps found.

    A downward sweep sorts each layer by the mean position of each item's neighbours in
    the layer above; an upward sweep uses the layer below. Ties keep the current order,
    so the result depends only on the order of ``nodes`` and ``paths``.
    """
    rows: list[list[Item]] = [[] for _ in range(max(layer.values()) + 1)]
    for v in nodes:
        rows[layer[v]].append(v)
    above: dict[Item, list[Item]] = {}
    below: dict[Item, list[Item]] = {}
    for path in paths:
        for bend in path[1:-1]:
            rows[bend[1]].append(bend)  # type: ignore[index]
        for a, b in itertools.pairwise(path):
            below.setdefault(a, []).append(b)
            above.setdefault(b, []).append(a)
    best, fewest = [list(row) for row in rows], crossings(rows, paths)
    for sweep in range(8):
        down = sweep % 2 == 0
        for d in range(1, len(rows)) if down else range(len(rows) - 2, -1, -1):
            where = {item: k for k, item in enumerate(rows[d - 1 if down else d + 1])}
            near = above if down else below
            keys = [_mean([where[n] for n in near.get(i, [])], k) for k, i in enumerate(rows[d])]
            rows[d] = [rows[d][k] for k in sorted(range(len(rows[d])), key=keys.__getitem__)]
        found = crossings(rows, paths)
        if found < fewest:
            best, fewest = [list(row) for row in rows], found
    return best


def crossings(rows: list[list[Item]], paths: list[list[Item]]) -> int:
    """Pairs of segments between the same two layers whose ends are in opposite order."""
    where = {item: (d, k) for d, row in enumerate(rows) for k, item in enumerate(row)}
    between: list[list[tuple[int, int]]] = [[] for _ in rows]
    for path in paths:
        for a, b in itertools.pairwise(path):
            between[where[a][0]].append((where[a][1], where[b][1]))
    return sum(
        (a1 - a2) * (b1 - b2) < 0
        for segments in between
        for (a1, b1), (a2, b2) in itertools.combinations(segments, 2)
    )


def _mean(positions: list[int], own: int) -> tuple[float, int]:
    """Sort key of an item: its neighbours' mean position (its own if none), then its own."""
    return (sum(positions) / len(positions) if positions else float(own), own)
