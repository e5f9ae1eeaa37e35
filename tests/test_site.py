"""Checks of the built HTML book: what every chapter page must have, and what no page may do."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from book import DOCS, ROOT, appendices, chapter_docnames

pytestmark = pytest.mark.site

CHAPTERS = chapter_docnames()
APPENDICES = appendices()
ANCHORS_FILE = ROOT / "tests" / "public_anchors.txt"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def pages(html_dir: Path) -> list[Path]:
    """Every page of the site (not the theme's template snippets under _static)."""
    return sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.parts)


def main_content(page: BeautifulSoup):
    return page.select_one("article.bd-article")


def test_the_book_has_chapters():
    assert CHAPTERS, "docs/index.md lists no numbered chapters"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_page(html_dir, version, docname):
    number = CHAPTERS.index(docname) + 1
    page = soup(html_dir / f"{docname}.html")
    article = main_content(page)
    title = article.find("h1")
    assert title.select_one(".section-number").get_text(strip=True) == f"{number}."

    equations = [e.get_text(" ", strip=True).rstrip("#").strip() for e in article.select(".eqno")]
    assert equations, "a chapter has numbered equations"
    assert equations == [f"({number}.{k})" for k in range(1, len(equations) + 1)]
    assert all(f.select_one("img") for f in article.select("figure")), "a figure lost its image"
    figures = [c.get_text(strip=True) for c in article.select("figcaption .caption-number")]
    assert figures == [f"Figure {number}.{k}" for k in range(1, len(figures) + 1)]
    assert figures, "a chapter has numbered figures"

    cite = article.select_one(".cite-chapter")
    assert cite is not None, "every chapter has a 'Cite this chapter' box"
    text = cite.get_text(" ", strip=True)
    assert f"Chapter {number} in" in text and f"version {version}" in text
    assert re.search(rf"chapter\s*=\s*\{{{number}\}}", cite.select_one("pre").get_text())
    assert cite.find("a")["href"].endswith(f"/{docname}.html")

    exercises = article.select("div.exercise")
    assert 3 <= len(exercises) <= 6
    assert len(article.select(".solution")) == len(exercises)
    assert all("dropdown" in s["class"] for s in article.select(".solution"))
    assert article.select("aside.footnote"), "a chapter ends with its references"


def test_a_link_that_names_a_chapter_number_leads_to_that_chapter(html_dir):
    # Prose writes "chapter 12" (or, in a table, "12") by hand as a link's text; if
    # chapters ever moved, the typed number would be wrong while the link still worked.
    # Typed numbers are a public contract too, so each such link is checked.
    numbers = {f"{docname}.html": k + 1 for k, docname in enumerate(CHAPTERS)}
    chapter_labels = {
        re.search(r"^\((ch-[\w-]+)\)=", (DOCS / f"{d}.md").read_text(encoding="utf-8"), re.M)[1]
        for d in CHAPTERS
    }
    root = html_dir.resolve()
    wrong = []
    for path in pages(html_dir):
        for link in soup(path).select("a.reference.internal[href]"):
            text = link.get_text(" ", strip=True)
            named = re.fullmatch(r"(?:[Cc]hapters?\s+)?(\d+)", text)
            if not named:
                continue
            target, fragment = urlsplit(link["href"]).path, urlsplit(link["href"]).fragment
            if text.isdigit() and not (target and fragment in ("", *chapter_labels)):
                continue  # a bare number is a chapter only where it links to a chapter's top
            page = (path.parent / unquote(target)).resolve() if target else path.resolve()
            number = numbers.get(page.relative_to(root).as_posix())
            if number != int(named[1]):
                wrong.append(f"{path.relative_to(html_dir)}: {link.get_text()!r} -> {link['href']}")
    assert not wrong, wrong


@pytest.mark.parametrize("docname", APPENDICES)
def test_appendix_page_is_numbered_by_its_letter(html_dir, docname):
    letter = APPENDICES[docname]
    article = main_content(soup(html_dir / f"{docname}.html"))
    title = article.find("h1")
    assert title.get_text(" ", strip=True).startswith(f"Appendix {letter}:")
    assert title.select_one(".section-number") is None, "an appendix is not a chapter"

    equations = [e.get_text(" ", strip=True).rstrip("#").strip() for e in article.select(".eqno")]
    assert equations, "the appendix has numbered equations"
    assert equations == [f"({letter}.{k})" for k in range(1, len(equations) + 1)]
    figures = [c.get_text(strip=True) for c in article.select("figcaption .caption-number")]
    assert figures == [f"Figure {letter}.{k}" for k in range(1, len(figures) + 1)]
    exercises = [
        e.select_one(".caption-number").get_text(strip=True) for e in article.select("div.exercise")
    ]
    assert exercises == [f"Exercise {letter}.{k}" for k in range(1, len(exercises) + 1)]
    results = [c.get_text(strip=True) for c in article.select("div.proof .caption-number")]
    assert all(re.fullmatch(rf"\w+ {letter}\.\d+", r) for r in results), results
    # A reference to one of its equations, from the page itself, shows the same number.
    numbers = {
        f"#{e.find_parent(class_='math')['id']}": number
        for e, number in zip(article.select(".eqno"), equations, strict=True)
    }
    refs = article.select("a.reference.internal[href^='#equation-']")
    assert refs, "the appendix refers to its own equations"
    assert all(a.get_text(strip=True) == numbers[a["href"]] for a in refs)


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_downloads_as_notebook_and_source(html_dir, docname):
    page = soup(html_dir / f"{docname}.html")
    links = {a["href"] for a in page.select(".dropdown-download-buttons a[href]")}
    folder = "../" * docname.count("/")
    assert f"{folder}_sources/{docname}.ipynb" in links
    assert f"{folder}_sources/{docname}.md" in links
    notebook = json.loads((html_dir / "_sources" / f"{docname}.ipynb").read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code and all(c.get("outputs") is not None for c in code)
    assert any(c["outputs"] for c in code), "the notebook carries the executed outputs"


def test_every_page_shows_the_version_that_executed_it(html_dir, version):
    for path in pages(html_dir):
        footers = " ".join(f.get_text(" ") for f in soup(path).select("footer"))
        assert f"Executed with gdbook {version}" in " ".join(footers.split()), path


def test_no_build_timestamps(html_dir):
    for path in pages(html_dir):
        assert "Last updated" not in path.read_text(encoding="utf-8"), path


def _remote(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") or url.startswith("//")


def test_no_page_loads_anything_from_another_host(html_dir):
    offenders = []
    for path in pages(html_dir):
        page = soup(path)
        refs = [s.get("src", "") for s in page.find_all("script")]
        refs += [
            link.get("href", "")
            for link in page.find_all("link")
            if {"stylesheet", "preload", "icon", "modulepreload"} & set(link.get("rel", []))
        ]
        refs += [
            tag.get("src", "")
            for tag in page.find_all(["img", "source", "iframe", "video", "audio", "embed"])
        ]
        refs += re.findall(
            r"url\(\s*['\"]?([^)'\"]+)",
            " ".join(t.get("style", "") for t in page.find_all(style=True)),
        )
        refs += re.findall(
            r"url\(\s*['\"]?([^)'\"]+)", " ".join(s.get_text() for s in page.find_all("style"))
        )
        offenders += [(path.relative_to(html_dir), ref) for ref in refs if _remote(ref)]
    for css in html_dir.rglob("*.css"):
        for ref in re.findall(
            r"(?:url\(\s*['\"]?|@import\s+['\"])([^)'\"]+)", css.read_text(encoding="utf-8")
        ):
            if _remote(ref):
                offenders.append((css.relative_to(html_dir), ref))
    assert not offenders


def test_every_local_asset_exists(html_dir):
    missing = []
    for path in pages(html_dir):
        page = soup(path)
        refs = [s.get("src") for s in page.find_all("script")] + [
            i.get("src") for i in page.find_all("img")
        ]
        refs += [
            link.get("href")
            for link in page.find_all("link")
            if "stylesheet" in link.get("rel", [])
        ]
        for ref in filter(None, refs):
            target = (path.parent / unquote(urlsplit(ref).path)).resolve()
            if not _remote(ref) and not target.is_file():
                missing.append((path.relative_to(html_dir), ref))
    for css in html_dir.rglob("*.css"):
        for ref in re.findall(r"url\(\s*['\"]?([^)'\"#?]+)", css.read_text(encoding="utf-8")):
            if not ref.startswith("data:") and not _remote(ref):
                if not (css.parent / unquote(ref)).resolve().is_file():
                    missing.append((css.relative_to(html_dir), ref))
    assert not missing


def test_math_is_typeset_at_build_time(html_dir):
    for path in pages(html_dir):
        page = soup(path)
        assert not page.select(".katex-error"), path
        scripts = [s.get("src", "") + s.get_text() for s in page.find_all("script")]
        assert not any(re.search(r"mathjax|katex|auto-render", s, re.I) for s in scripts), path
    chapter = soup(html_dir / f"{CHAPTERS[0]}.html")
    assert chapter.select(".math .katex-display .katex-html"), "display math pre-rendered"
    assert chapter.select("span.math .katex .katex-html"), "inline math pre-rendered"


def test_katex_assets_match_the_renderer(html_dir):
    from sphinxcontrib import katex

    css = (html_dir / "_static" / "katex" / "katex.min.css").read_text(encoding="utf-8")
    assert f'katex-version:after{{content:"{katex.katex_version}"}}' in css


def test_api_reference_links_each_function_to_its_chapters(html_dir):
    api = soup(html_dir / "api.html")
    functions = api.select("dl.py.function")
    assert len(functions) >= 20
    for function in functions:
        name = function.select_one("dt")["id"]
        used = function.select_one("p.gdbook-used-in")
        assert used is not None, f"{name} has no 'Used in' line"
    mse = api.select_one('dt[id="gdbook.losses.mse"]').parent.select_one("p.gdbook-used-in")
    assert any(a["href"].startswith(CHAPTERS[0]) for a in mse.select("a"))


def _explicit_labels(docname: str) -> set[str]:
    text = (DOCS / f"{docname}.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\(([\w-]+)\)=$", text, re.MULTILINE))


def test_labels_and_pages_are_a_public_contract(html_dir):
    found = set()
    for docname in [*CHAPTERS, *APPENDICES]:
        article = main_content(soup(html_dir / f"{docname}.html"))
        found.add(f"{docname}.html")
        ids = [e.get("id") for e in article.select("[id]")]
        public = [i for i in ids if i.startswith("equation-")]
        public += [f.get("id") for f in article.select("figure[id]")]
        public += [d.get("id") for d in article.select("div.exercise[id]")]
        public += [d.get("id") for d in article.select(".proof[id]") if d.get("id") != "proof"]
        public += [
            s.get("id") for s in article.select("section[id]") if s.get("id", "").startswith("ch-")
        ]
        if docname in APPENDICES:  # chapters link to the sections of an appendix
            labels = _explicit_labels(docname)
            public += [s.get("id") for s in article.select("section[id]") if s.get("id") in labels]
        found |= {f"{docname}.html#{anchor}" for anchor in public}
    listed = {
        line.strip()
        for line in ANCHORS_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    gone = sorted(listed - found)
    new = sorted(found - listed)
    assert not gone, f"published addresses that no longer resolve: {gone}"
    assert not new, "new public addresses; add them to tests/public_anchors.txt:\n" + "\n".join(new)


# -- The reader's side: weight, figures, typography, markup --------------------------------


def test_no_page_loads_the_icon_script_or_the_search_index_it_does_not_need(html_dir):
    for path in pages(html_dir):
        sources = [s.get("src", "") for s in soup(path).find_all("script")]
        assert not [s for s in sources if "fontawesome" in s], path
        search = [s for s in sources if re.search(r"searchtools|searchindex|language_data", s)]
        assert bool(search) == (path.name == "search.html" and path.parent == html_dir), path


def test_the_icon_font_holds_only_the_glyphs_the_site_draws(html_dir):
    from fontTools.ttLib import TTFont

    if str(DOCS / "_ext") not in sys.path:
        sys.path.insert(0, str(DOCS / "_ext"))
    from bookext.icons import FONTS, glyphs_used

    css = (html_dir / "_static" / "styles" / "pydata-sphinx-theme.css").read_text()
    used = glyphs_used(css, [p.read_text(encoding="utf-8") for p in pages(html_dir)])
    fonts = sorted((html_dir / "_static" / FONTS).glob("*.woff2"))
    assert fonts and all(font.stat().st_size < 10_000 for font in fonts)
    drawn = set().union(*(TTFont(font).getBestCmap() for font in fonts))
    assert used <= drawn, "every icon drawn is in one of the fonts"


def test_figures_are_svg_lazy_and_sized(html_dir):
    for docname in CHAPTERS:
        for img in main_content(soup(html_dir / f"{docname}.html")).select("img"):
            assert img["src"].endswith(".svg"), (docname, img["src"])
            assert img.get("loading") == "lazy", (docname, img["src"])
            assert int(img["width"]) > 0 and int(img["height"]) > 0, (docname, img["src"])
    for svg in (html_dir / "_images").glob("*.svg"):
        text = svg.read_text(encoding="utf-8")
        assert "<dc:date>" not in text, f"{svg.name} carries a date: not reproducible"


def test_glued_negative_numbers_print_a_minus_sign(html_dir):
    for docname in CHAPTERS:
        for glued in main_content(soup(html_dir / f"{docname}.html")).select("span.pasted-text"):
            assert not re.search(r"(?<![\w.])-\d", glued.get_text()), (docname, glued)


def test_punctuation_after_inline_math_stays_on_its_line(html_dir):
    for docname in CHAPTERS:
        for math in main_content(soup(html_dir / f"{docname}.html")).select("span.math"):
            after = math.next_sibling
            if isinstance(after, str) and after[:1] in ".,;:)":
                assert "gd-nowrap" in math.parent.get("class", []), (docname, after[:10])


def test_markup_for_assistive_technology_and_no_script(html_dir):
    for path in pages(html_dir):
        page = soup(path)
        assert page.html.get("data-theme") == "light", path  # a palette before any script
        assert not page.select('[role="doc-biblioentry"]'), path
