"""The site's search: ranked for readers, aware of their words, with clean excerpts.

Sphinx's search is kept (it works offline, even from ``file://``, which an index that
must be fetched does not), and tuned by ``search.js`` in this folder, which Sphinx loads
on the search page only (``html_search_scorer``). What that script needs is collected here
while the pages are read, for every page: the stemmed words of its title, of each of its
headings (by anchor), and how often each word occurs in its text. Formulas are left out of
the index (their TeX source, ``\\frac`` and ``\\theta``, is nobody's search word), and so
is the citation box on every chapter.

``search_synonyms`` in ``conf.py`` maps a word readers use that the book does not to words
the book uses; see ``tests/search_queries.txt`` for the queries the search must answer.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.search.en import SearchEnglish

from bookext import metadata

HERE = Path(__file__).parent
NO_SEARCH = "no-search"  # Sphinx's indexer skips elements with this class


def _words(env: BuildEnvironment) -> dict[str, dict[str, Any]]:
    if not hasattr(env, "gdbook_search"):
        env.gdbook_search = {}  # type: ignore[attr-defined]
    words: dict[str, dict[str, Any]] = env.gdbook_search  # type: ignore[attr-defined]
    return words


def _unsearchable(node: nodes.Node) -> bool:
    return isinstance(node, (nodes.math, nodes.math_block)) or (
        isinstance(node, nodes.Element) and "cite-chapter" in node.get("classes", [])
    )


def _collect(app: Sphinx, doctree: nodes.document) -> None:
    for node in doctree.findall(_unsearchable):
        node["classes"].append(NO_SEARCH)
    language = SearchEnglish(app.config.html_search_options)

    stemmed: dict[str, str] = {}  # a page says the same words again and again

    def stem(word: str) -> str:
        if word not in stemmed:
            stemmed[word] = language.stem(word).lower()
        return stemmed[word]

    def stems(text: str) -> list[str]:
        found = (stem(w) for w in language.split(text))
        return [s for s in found if language.word_filter(s) and len(s) > 1]

    counts: Counter[str] = Counter()
    for text in doctree.findall(nodes.Text):
        if not any(NO_SEARCH in p.get("classes", []) for p in _ancestors(text)):
            counts.update(stems(text.astext()))
    headings: dict[str, list[str]] = {}
    title: list[str] = []
    for section in doctree.findall(nodes.section):
        heading = section.next_node(nodes.title)
        if heading is None or not section["ids"]:
            continue
        words = sorted(set(stems(heading.astext())))
        if not title:
            title = words
        else:
            headings[section["ids"][0]] = words
    _words(app.env)[app.env.docname] = {
        "t": title,
        "h": headings,
        "c": dict(sorted(counts.items())),
        "n": sum(counts.values()),
    }


def _ancestors(node: nodes.Node) -> list[nodes.Element]:
    found = []
    parent = node.parent
    while parent is not None:
        found.append(parent)
        parent = parent.parent
    return found


def _write_scorer(app: Sphinx, env: BuildEnvironment) -> None:
    """Give Sphinx the script it appends to language_data.js, with the data filled in."""
    docs = {name: data for name, data in sorted(_words(env).items()) if name in env.found_docs}
    df: Counter[str] = Counter()
    for data in docs.values():
        df.update(data["c"].keys())
    payload = {
        "n": len(docs),
        "avg": sum(d["n"] for d in docs.values()) / max(len(docs), 1),
        "df": dict(sorted(df.items())),
        "docs": docs,
        "synonyms": app.config.search_synonyms,
    }
    target = Path(app.srcdir) / "_build" / "search-scorer.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    script = (HERE / "search.js").read_text(encoding="utf-8")
    data = json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    target.write_text(f"var GDBOOK_SEARCH = {data};\n{script}", encoding="utf-8")
    app.config.html_search_scorer = str(target)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _words(env).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: Any) -> None:
    _words(env).update({k: v for k, v in _words(other).items() if k in docnames})


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("search_synonyms", {}, "html", types=[dict])
    app.connect("doctree-read", _collect)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", _write_scorer)
    return metadata()
