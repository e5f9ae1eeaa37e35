"""The house rules of the book, checked on its sources (see STYLE in the README).

Every chapter and appendix: a permanent label before its title, learning objectives, at
least one figure with a caption and alt text, at least one checked claim (an ``assert``),
numbers glued rather than typed, a summary, 3-6 exercises each with a solution, and
references.
Nowhere: the global (legacy) random number generator.
"""

from __future__ import annotations

import re

import pytest
import yaml

from book import DOCS, ROOT, appendices, chapter_docnames

CHAPTERS = chapter_docnames()
PAGES = [*CHAPTERS, *appendices()]  # an appendix follows a chapter's house rules
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", re.MULTILINE | re.DOTALL)
LEGACY_RANDOM = re.compile(
    r"np\.random\.(seed|rand|randn|randint|random|random_sample|choice|shuffle|permutation|"
    r"normal|uniform|binomial|poisson)\(|torch\.manual_seed\(|\brandom\.seed\(|^import random$",
    re.MULTILINE,
)


def source(docname: str) -> str:
    return (DOCS / f"{docname}.md").read_text(encoding="utf-8")


def cells(text: str) -> list[tuple[dict, str]]:
    """(metadata, code) of every code cell; metadata from the cell's YAML or :tags: line."""
    found = []
    for body in CELL.findall(text):
        metadata: dict = {}
        if body.startswith("---\n"):
            header, _, body = body[4:].partition("\n---\n")
            metadata = yaml.safe_load(header) or {}
        elif body.startswith(":tags:"):
            first, _, body = body.partition("\n")
            metadata = {"tags": yaml.safe_load(first.split(":", 2)[2])}
        found.append((metadata, body))
    return found


@pytest.mark.parametrize("docname", PAGES)
def test_chapter_front_matter_and_label(docname):
    text = source(docname)
    front = yaml.safe_load(text.split("---\n", 2)[1])
    assert front["file_format"] == "mystnb"
    assert front["kernelspec"]["name"] == "python3"
    kind = "ch" if docname in CHAPTERS else "app"
    assert re.search(rf"^\({kind}-[a-z0-9-]+\)=\n# \S", text, re.MULTILINE), "label before title"


@pytest.mark.parametrize("docname", PAGES)
def test_chapter_has_every_part_of_the_standard(docname):
    text = source(docname)
    assert ":::{admonition} Learning objectives" in text
    for heading in ("## Summary", "## Exercises", "## References"):
        assert f"\n{heading}\n" in text, heading
    assert "```{footbibliography}" in text.split("## References", 1)[1]
    exercises = re.findall(r"```\{exercise\}[^\n]*\n:label: (\S+)", text)
    assert 3 <= len(exercises) <= 6
    for label in exercises:
        assert re.search(rf"\{{solution(?:-start)?\}} {re.escape(label)}\n", text), label


@pytest.mark.parametrize("docname", PAGES)
def test_chapter_figures_have_name_caption_and_alt_text(docname):
    figures = [m["mystnb"] for m, _ in cells(source(docname)) if "figure" in m.get("mystnb", {})]
    assert figures, "a chapter draws at least one figure"
    for figure in figures:
        assert figure["figure"].get("name") and figure["figure"].get("caption")
        assert len(figure.get("image", {}).get("alt", "")) > 20, figure["figure"]["name"]


@pytest.mark.parametrize("docname", PAGES)
def test_chapter_checks_its_claims_and_glues_its_numbers(docname):
    text = source(docname)
    code = "\n".join(body for _, body in cells(text))
    assert re.search(r"^\s*assert ", code, re.MULTILINE), "at least one checked claim"
    glued = set(re.findall(r"glue\(\s*[\"']([\w-]+)[\"']", code))
    used = set(re.findall(r"\{glue(?::text)?\}`([\w-]+)", text))
    assert used, "numbers computed by the chapter are glued into its prose"
    assert used <= glued, f"glued in prose but never computed: {used - glued}"


@pytest.mark.parametrize("docname", PAGES)
def test_chapter_randomness_comes_from_one_seeded_generator(docname):
    found = cells(source(docname))
    code = "\n".join(body for _, body in found)
    if re.search(r"\brng\b", code):
        assert re.search(r"rng = np\.random\.default_rng\(\d+\)", found[0][1]), (
            "the first cell creates the chapter's generator with a literal seed"
        )
    assert not re.search(r"default_rng\(\s*\)", code), "a generator without a seed"


@pytest.mark.parametrize("docname", PAGES)
def test_chapter_code_is_short_and_fits_the_page(docname):
    for metadata, body in cells(source(docname)):
        if {"remove-cell", "remove-input"} & set(metadata.get("tags", [])):
            continue
        for line in body.splitlines():
            assert len(line) <= 80, f"{docname}: {line!r}"


@pytest.mark.parametrize("docname", PAGES)
def test_chapter_labels_share_one_prefix(docname):
    """Equations, figures, exercises and results of a chapter are labelled <key>-..."""
    text = source(docname)
    labels = re.findall(r"^\$\$ \(([\w-]+)\)$", text, re.MULTILINE)
    labels += re.findall(r"^:label: ([\w-]+)$", text, re.MULTILINE)
    labels += [
        m["mystnb"]["figure"]["name"] for m, _ in cells(text) if "figure" in m.get("mystnb", {})
    ]
    prefixes = {label.split("-", 1)[0] for label in labels}
    assert len(prefixes) == 1, prefixes


def test_chapter_label_prefixes_are_unique():
    keys = []
    for docname in PAGES:
        labels = re.findall(r"^\$\$ \(([\w-]+)\)$", source(docname), re.MULTILINE)
        keys.append(labels[0].split("-", 1)[0])
    assert len(keys) == len(set(keys))


def test_no_legacy_global_random_state_anywhere():
    files = [*DOCS.rglob("*.md"), *DOCS.rglob("*.py"), *(ROOT / "gdbook").rglob("*.py")]
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in files
        if "_build" not in path.parts
        for match in LEGACY_RANDOM.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders


def test_every_page_is_in_a_toctree():
    index = source("index")
    for path in DOCS.rglob("*.md"):
        if "_build" in path.parts or path.name == "index.md":
            continue
        docname = path.relative_to(DOCS).with_suffix("").as_posix()
        assert re.search(rf"^{re.escape(docname)}$", index, re.MULTILINE), docname
