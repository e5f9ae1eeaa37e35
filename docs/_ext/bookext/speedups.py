"""Work that Sphinx and its extensions repeat within a build, done once.

Measured on a build that reads every page (``sphinx-build -E``, profiled):

- Each ``{numref}`` resolved while the pages are written unpickles the whole doctree of the
  page it points to, only to look at the one numbered item: 170 references, 170 doctrees,
  about a fifth of the writing time. The doctrees are complete once reading ends, so each
  is unpickled at most once while writing, and only for this lookup (nothing modifies it).
- ``sphinxcontrib-bibtex`` asks pybtex for its style and backend plugins at each
  ``{footcite}``, and pybtex scans every installed package's entry points each time.
  Plugins do not change while Sphinx runs: each is looked up once.
"""

from __future__ import annotations

import functools
from typing import Any

import pybtex.plugin
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.environment import BuildEnvironment
from sphinxcontrib.bibtex import foot_roles, roles

from bookext import metadata

_targets: dict[str, nodes.document] = {}
_sphinx_numref = StandardDomain._resolve_numref_xref


def _resolve_numref_xref(self: StandardDomain, env: BuildEnvironment, *args: Any) -> Any:
    full = env.get_doctree

    def get_doctree(docname: str) -> nodes.document:
        if docname not in _targets:
            _targets[docname] = full(docname)
        return _targets[docname]

    env.get_doctree = get_doctree  # type: ignore[method-assign]
    try:
        return _sphinx_numref(self, env, *args)
    finally:
        del env.get_doctree


def _forget(*_: Any) -> None:
    _targets.clear()


_pybtex_find_plugin = pybtex.plugin.find_plugin


@functools.cache
def _cached_plugin(group: str, name: str | None) -> Any:
    return _pybtex_find_plugin(group, name)


def find_plugin(plugin_group: str, name: Any = None, filename: Any = None) -> Any:
    """pybtex's ``find_plugin``, remembering what it found by group and name."""
    if filename is None and (name is None or isinstance(name, str)):
        return _cached_plugin(plugin_group, name)
    return _pybtex_find_plugin(plugin_group, name, filename)


def setup(app: Sphinx) -> dict[str, Any]:
    StandardDomain._resolve_numref_xref = _resolve_numref_xref  # type: ignore[method-assign]
    # Forget the doctrees before reading starts and when the build ends.
    app.connect("env-before-read-docs", _forget)
    app.connect("env-updated", _forget)
    app.connect("build-finished", _forget)
    for module in (pybtex.plugin, foot_roles, roles):
        module.find_plugin = find_plugin  # type: ignore[attr-defined]
    return metadata()
