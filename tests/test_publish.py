"""The published layout (``nox -s publish``, run by ``.github/workflows/pages.yml``).

The workflow cannot run here, so the layout it publishes is made here: the book built for
its release folder and a small book built for ``latest`` are placed in one site folder by
``bookext.publish``, as the workflow does for a tag and for the main branch.
"""

from __future__ import annotations

import json
import re
import sys

import pytest
import yaml
from bs4 import BeautifulSoup
from test_book_build import MiniBook, chapter
from test_book_build import mini as mini_book  # noqa: F401  (a fixture)

from book import DOCS, ROOT

sys.path.insert(0, str(DOCS / "_ext"))

SITE = "https://gdbook.github.io/gdbook/"


@pytest.mark.slow
@pytest.mark.site
def test_release_and_latest_side_by_side(html_dir, version, mini_book: MiniBook, tmp_path):  # noqa: F811
    from bookext import publish

    site = tmp_path / "site"
    publish.place(html_dir, site, version)
    with pytest.raises(SystemExit, match="build it with -D book_site_version=latest"):
        publish.place(html_dir, site, "latest")  # a release build cites its own folder

    mini_book.index(["part1/one"])
    mini_book.write("part1/one.md", chapter("ch-one", "One", "See {ref}`ch-one`.\n"))
    result = mini_book.build("-D", "book_site_version=latest", "-D", f"book_versions={version}")
    assert result.returncode == 0, result.output
    release_page = (site / version / "index.html").read_bytes()
    publish.place(mini_book.html, site, "latest")

    assert (site / ".nojekyll").is_file()
    assert (site / version / "index.html").read_bytes() == release_page, "releases stay put"
    assert (site / version / "_static").is_dir() and (site / "latest" / "_static").is_dir()
    listing = json.loads((site / "versions.json").read_text())
    assert listing == {"latest": "latest/", "releases": [version]}
    index = BeautifulSoup((site / "index.html").read_text(), "html.parser")
    assert {a["href"] for a in index.select("a")} == {"latest/index.html", f"{version}/index.html"}

    # Addresses from before the versioned layout go on to the latest version, anchor kept.
    stub = (site / "part1" / "one.html").read_text()
    assert 'location.replace("../latest/part1/one.html" + location.hash)' in stub
    assert 'url=../latest/part1/one.html"' in stub

    # Each version's pages name themselves, and link the other versions, by address.
    page = BeautifulSoup((site / "latest" / "part1" / "one.html").read_text(), "html.parser")
    links = {a.get_text(strip=True): a["href"] for a in page.select(".book-versions a")}
    assert links["latest"] == f"{SITE}latest/part1/one.html"
    assert links[version] == f"{SITE}{version}/part1/one.html"
    cite = page.select_one(".cite-chapter")
    assert f"{SITE}{version}/part1/one.html" in [a["href"] for a in cite.select("a")]
    contents = json.loads((site / version / "_static" / "book-contents.json").read_text())
    assert contents["site"] == f"{SITE}{version}/"


def test_the_workflow_runs_the_readmes_commands_and_publishes_main_and_tags():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML reads on: as True
    assert triggers["push"]["branches"] == ["main"] and triggers["push"]["tags"] == ["v*"]
    steps = workflow["jobs"]["publish"]["steps"]
    commands = "\n".join(step.get("run", "") for step in steps)
    readme = (ROOT / "README.md").read_text()
    test_command = re.search(r"```bash\n(python3 -m pip install .*nox -s lint tests)\n```", readme)
    assert test_command and test_command.group(1) in commands
    assert 'nox -s publish -- "${{ steps.folder.outputs.name }}" site' in commands
    assert "git push origin gh-pages" in commands
