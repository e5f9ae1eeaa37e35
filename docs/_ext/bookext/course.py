"""Course editions: a site (and with ``nox -s course``, a PDF) of chosen chapters only.

``-D book_course=1,2,5,6`` builds the front matter, chapters 1, 2, 5 and 6 and the back
matter, and leaves the other chapters out. Everything keeps the full book's numbers —
chapter 5 is still chapter 5, its equations (5.k) and figures 5.k — so a citation means
the same thing in the course edition as in the book. A reference to anything in a chapter
left out (``{ref}``, ``{eq}``, ``{numref}``, ``{prf:ref}``) becomes a link to that place in
the full book of the same version, with the text the full book shows ("(3.4)",
"Figure 4.2", "chapter 3").

What the left-out chapters hold is read from the full book's build: every build writes
``_static/book-labels.json`` (each label's page, anchor and displayed number or title) and
``_static/book-contents.json`` (the chapters and their numbers, see
:mod:`bookext.printing`); a course build reads them from ``book_full_html`` (default:
``docs/_build/html``), so ``nox -s course`` builds the full book first. A chapter number
that the book does not have stops the build with a message that lists those it has.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.errors import ConfigError

from bookext import metadata, versions
from bookext.numbering import _shift, _with_descendants

LABELS = "_static/book-labels.json"
CONTENTS = "_static/book-contents.json"


# -- Every build: the labels of the book --------------------------------------------------
def book_labels(app: Sphinx) -> dict[str, dict[str, str]]:
    """Each label of the book: its page, its anchor and the text a reference shows."""
    env = app.env
    numbers = env.toc_fignumbers
    found: dict[str, dict[str, str]] = {}
    for label, (docname, anchor, title) in env.domaindata["std"]["labels"].items():
        if not anchor or docname not in env.found_docs:
            continue
        text = str(title or "")
        for kind, ids in numbers.get(docname, {}).items():
            if anchor in ids and kind != "displaymath":
                number = ".".join(map(str, ids[anchor]))
                text = f"{_kind_name(kind)} {number}"
        found[label] = {"page": docname, "anchor": anchor, "text": text}
    for label, (docname, _) in env.domaindata["math"]["objects"].items():
        anchor = f"equation-{label}"
        number = numbers.get(docname, {}).get("displaymath", {}).get(anchor)
        found[f"eq:{label}"] = {
            "page": docname,
            "anchor": anchor,
            "text": f"({'.'.join(map(str, number))})" if number else f"({label})",
        }
    for label, proof in getattr(env, "proof_list", {}).items():
        docname = proof["docname"]
        number = numbers.get(docname, {}).get(proof.get("countertype", ""), {}).get(label)
        name = str(proof.get("realtype", "")).title()
        text = f"{name} {'.'.join(map(str, number))}" if number else name
        found[f"prf:{label}"] = {"page": docname, "anchor": label, "text": text}
    return found


def _kind_name(kind: str) -> str:
    return {"code-block": "Listing"}.get(kind, kind.title())


def _write_labels(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / LABELS
    target.parent.mkdir(parents=True, exist_ok=True)
    labels = dict(sorted(book_labels(app).items()))
    target.write_text(json.dumps(labels, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")


# -- A course build ------------------------------------------------------------------------
def _full(app: Sphinx) -> Path:
    folder = app.config.book_full_html or str(Path(app.srcdir) / "_build" / "html")
    return Path(folder)


def chosen(config: Config, contents: dict[str, Any]) -> dict[str, int]:
    """The chapters the course keeps: docname -> the full book's chapter number."""
    chapters = {p["chapter"]: p["docname"] for p in contents["pages"] if p["chapter"]}
    wanted: list[int] = []
    for word in re.split(r"[,\s]+", str(config.book_course).strip()):
        if not word.isdigit():
            raise ConfigError(f"book_course: {word!r} is not a chapter number")
        wanted.append(int(word))
    missing = [n for n in wanted if n not in chapters]
    if missing:
        have = sorted(chapters)
        span = f"{have[0]}–{have[-1]}" if have else "none"
        raise ConfigError(
            f"The book has no chapter {', '.join(map(str, missing))}: its chapters are "
            f"{span} ({', '.join(f'{n} {chapters[n]}' for n in have)})."
        )
    return {chapters[n]: n for n in sorted(set(wanted))}


def _configure(app: Sphinx, config: Config) -> None:
    if not config.book_course:
        return
    full = _full(app)
    try:
        contents = json.loads((full / CONTENTS).read_text(encoding="utf-8"))
        labels = json.loads((full / LABELS).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigError(
            f"A course build needs the full book built first ({error.filename} is missing): "
            "run `nox -s docs`, or use `nox -s course`, which does."
        ) from None
    keep = chosen(config, contents)
    left_out = [
        p["docname"] for p in contents["pages"] if p["chapter"] and p["docname"] not in keep
    ]
    _COURSE.update(keep=keep, left_out=left_out, labels=labels, site=versions.page_url(app, ""))
    config.exclude_patterns = [*config.exclude_patterns, *(f"{d}.*" for d in left_out)]
    numbers = ", ".join(str(n) for n in keep.values())
    config.html_title = f"{config.html_title} — chapters {numbers}"


#: The course being built (set once the configuration is read); empty for the full book.
_COURSE: dict[str, Any] = {}


def _course(app: Sphinx | None = None) -> dict[str, Any] | None:
    return _COURSE or None


def _filter_index(app: Sphinx, docname: str, source: list[str]) -> None:
    course = _course(app)
    if course is None or docname != app.config.root_doc:
        return
    left_out = set(course["left_out"])
    text = source[0]
    lines = [line for line in text.split("\n") if line.strip() not in left_out]
    text = "\n".join(lines)
    # A part with no chapter kept loses its table of contents altogether.
    blocks = re.split(r"(```\{toctree\}\n.*?```)", text, flags=re.DOTALL)
    for i, block in enumerate(blocks):
        if block.startswith("```{toctree}") and ":numbered:" in block:
            entries = [
                ln
                for ln in block.split("\n")[1:-1]
                if ln.strip() and not ln.strip().startswith(":")
            ]
            if not entries:
                blocks[i] = ""
    numbers = ", ".join(str(n) for n in course["keep"].values())
    full = versions.page_url(app, "index.html")
    note = (
        f"\n```{{note}}\nThis is a course edition of the book with chapters {numbers} only. "
        "Chapters, equations and figures keep the numbers they have in the full book, and "
        f"references to the other chapters lead to the full book, at <{full}>.\n```\n\n"
    )
    text = "".join(blocks)
    first_toctree = text.find("```{toctree}")
    at = first_toctree if first_toctree >= 0 else len(text)
    source[0] = text[:at] + note + text[at:]


_assign = TocTreeCollector.assign_section_numbers  # bookext.numbering's, set in setup()


def _assign_full_numbers(self: TocTreeCollector, env: BuildEnvironment) -> list[str]:
    before = dict(env.toc_secnumbers)
    changed = set(_assign(self, env))
    course = _course()
    if course is not None:
        for docname, wanted in course["keep"].items():
            number = env.toc_secnumbers.get(docname, {}).get("")
            if number and number[0] != wanted:
                for doc in _with_descendants(env, [docname]):
                    _shift(env, doc, wanted - number[0])
        changed |= {d for d, n in env.toc_secnumbers.items() if n != before.get(d)}
    return sorted(changed)


def _to_full_book(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.Element
) -> nodes.reference | None:
    course = _course(app)
    if course is None:
        return None
    target = str(node.get("reftarget", ""))
    kind = f"{node.get('refdomain', '')}:{node.get('reftype', '')}"
    key = {"math:eq": f"eq:{target}", "prf:ref": f"prf:{target}"}.get(kind, target.lower())
    found = course["labels"].get(key) or course["labels"].get(target)
    if found is None or found["page"] not in course["left_out"]:
        return None
    shown = contnode.astext()
    explicit = node.get("refexplicit", False)
    if kind == "std:numref" and ("%s" in shown or "{number}" in shown):
        number = found["text"].split(" ", 1)[-1]
        text = shown.replace("%s", number).replace("{number}", number)
    elif explicit and kind != "math:eq" and shown != target:
        text = shown
    else:
        text = found["text"]
    url = f"{course['site']}{found['page']}.html#{found['anchor']}"
    return nodes.reference(text, text, refuri=url, internal=False, classes=["full-book"])


def _patch_proof_domain(app: Sphinx) -> None:
    """sphinx-proof warns before it asks other extensions about a missing label."""
    try:
        from sphinx_proof.domain import ProofDomain
    except ImportError:
        return
    original = ProofDomain.resolve_xref

    def resolve_xref(
        self: Any,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Any,
        typ: str,
        target: str,
        node: Any,
        contnode: Any,
    ) -> Any:
        if target not in getattr(env, "proof_list", {}) and _course() is not None:
            return _to_full_book(None, env, node, contnode)  # type: ignore[arg-type]
        return original(self, env, fromdocname, builder, typ, target, node, contnode)

    ProofDomain.resolve_xref = resolve_xref  # type: ignore[method-assign]


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("bookext.numbering")
    app.setup_extension("bookext.versions")
    app.add_config_value("book_course", "", "env", types=[str])
    app.add_config_value("book_full_html", "", "env", types=[str])
    app.connect("config-inited", _configure)
    app.connect("source-read", _filter_index)
    app.connect("missing-reference", _to_full_book)
    app.connect("build-finished", _write_labels)
    global _assign
    if TocTreeCollector.assign_section_numbers is not _assign_full_numbers:
        _assign = TocTreeCollector.assign_section_numbers
        TocTreeCollector.assign_section_numbers = _assign_full_numbers  # type: ignore[method-assign]
    _patch_proof_domain(app)
    return metadata(parallel_read_safe=False)
