"""Citations that last: the cite box's addresses, its BibTeX, and what the text says of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_book_build import MiniBook, chapter
from test_book_build import mini as mini_book  # noqa: F401  (a fixture)

from book import DOCS, ROOT, chapter_docnames

CHAPTERS = chapter_docnames()
SITE = "https://gdbook.github.io/gdbook/"


def cite_box(html: Path, docname: str):
    page = BeautifulSoup((html / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")
    return page.select_one("article.bd-article .cite-chapter")


# Fields without which classic BibTeX's plain.bst warns ("empty publisher in ..."), as
# btxdoc lists them. pybtex's own plain style formats these entry types more leniently
# (publisher is optional there), so the check below adds them to pybtex's strict parse.
REQUIRED = {
    "article": ({"author"}, {"title"}, {"journal"}, {"year"}),
    "book": ({"author", "editor"}, {"title"}, {"publisher"}, {"year"}),
    "inbook": ({"author", "editor"}, {"title"}, {"chapter", "pages"}, {"publisher"}, {"year"}),
    "incollection": ({"author"}, {"title"}, {"booktitle"}, {"publisher"}, {"year"}),
    "misc": (),
}


def check_bibtex(entry: str) -> list[str]:
    """Parse with pybtex and format with the plain style; every warning is an error."""
    import pybtex.errors
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    pybtex.errors.set_strict_mode(True)
    problems = []
    try:
        data = parse_string(entry, "bibtex")
        for key, item in data.entries.items():
            if item.type not in REQUIRED:
                problems.append(f"{key}: @{item.type} is not an entry type this check knows")
                continue
            fields = {name.lower() for name, value in item.fields.items() if value.strip()}
            fields |= {role.lower() for role in item.persons}
            for alternatives in REQUIRED[item.type]:
                if not alternatives & fields:
                    problems.append(f"empty {' or '.join(sorted(alternatives))} in {key}")
        style = find_plugin("pybtex.style.formatting", "plain")()
        formatted = list(style.format_entries(data.entries.values()))
        if not formatted[0].text.render_as("text").strip():
            problems.append("nothing formatted")
    except Exception as error:  # pybtex raises its warnings in strict mode
        problems.append(f"{type(error).__name__}: {error}")
    finally:
        pybtex.errors.set_strict_mode(False)
    return problems


@pytest.mark.site
@pytest.mark.parametrize("docname", CHAPTERS)
def test_cite_box_gives_the_versioned_and_the_latest_address(html_dir, version, docname):
    box = cite_box(html_dir, docname)
    hrefs = [a["href"] for a in box.select("a[href]")]
    assert f"{SITE}{version}/{docname}.html" in hrefs, "the address of this version"
    assert f"{SITE}latest/{docname}.html" in hrefs, "and the latest one"
    bibtex = box.select_one("pre").get_text()
    assert re.search(rf"url\s*=\s*\{{{re.escape(SITE)}{version}/{docname}\.html\}}", bibtex)
    assert re.search(rf"note\s*=\s*\{{Version {re.escape(version)}\}}", bibtex)
    assert check_bibtex(bibtex) == []


def test_bibtex_checker_catches_what_classic_bibtex_warns_about():
    entry = "@incollection{x, author={A}, title={T}, booktitle={B}, year={2026}}"
    assert check_bibtex(entry), "an @incollection without a publisher must be reported"


@pytest.mark.site
def test_the_text_says_where_the_cite_box_is(html_dir):
    box = cite_box(html_dir, CHAPTERS[0])
    title = box.find_previous_sibling()
    assert title.name == "h1", "the box comes right under the chapter's title"
    for page in ("preface.md", "teachers.md"):
        text = " ".join((DOCS / page).read_text(encoding="utf-8").split())
        assert "ends with a *Cite this chapter*" not in text
        assert "under its title" in text, page


def test_citation_metadata_names_a_publisher():
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["preferred-citation"]["publisher"]["name"]


@pytest.mark.slow
@pytest.mark.parametrize("published", ["0.1.0", ""])
def test_latest_build_cites_the_release_or_says_it_has_none(
    mini_book: MiniBook,  # noqa: F811  (the fixture imported above)
    version,
    published,
):
    mini_book.index(["part1/one"])
    mini_book.write("part1/one.md", chapter("ch-one", "One", "Text.\n"))
    releases = version if published else ""
    result = mini_book.build("-D", "book_site_version=latest", "-D", f"book_versions={releases}")
    assert result.returncode == 0, result.output
    box = cite_box(mini_book.html, "part1/one")
    text = box.get_text(" ", strip=True)
    hrefs = [a["href"] for a in box.select("a[href]")]
    if published:
        assert f"{SITE}{version}/part1/one.html" in hrefs
    else:
        assert f"{SITE}{version}/part1/one.html" not in hrefs
        assert "not published as a release yet" in text
    assert f"{SITE}latest/part1/one.html" in hrefs
    switcher = BeautifulSoup((mini_book.html / "part1" / "one.html").read_text(), "html.parser")
    versions = {a.get_text(strip=True): a["href"] for a in switcher.select(".book-versions a")}
    assert versions["latest"] == f"{SITE}latest/part1/one.html"
    assert (version in versions) == bool(published)
