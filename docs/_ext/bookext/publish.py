"""Place a built book in the published site's layout (run by ``nox -s publish``).

``python -m bookext.publish HTML SITE FOLDER [--pdf PDFS]`` puts the book built for
``FOLDER`` (``latest``, or a release such as ``0.1.0``; see :mod:`bookext.versions`) into
the site folder ``SITE`` — a checkout of the ``gh-pages`` branch in the publishing
workflow — and brings the site's shared files up to date::

    SITE/.nojekyll             GitHub Pages serves _static/ and _images/ as they are
    SITE/versions.json         {"latest": "latest/", "releases": ["0.2.0", "0.1.0"]}
    SITE/index.html            the list of versions; opens latest/ on its own
    SITE/<page>.html           for every page of latest: a redirect to latest/<page>.html
                               that keeps the #anchor, so addresses from before the
                               versioned layout keep working
    SITE/FOLDER/               the book, replaced as a whole
    SITE/FOLDER/pdf/           its PDFs, if given

The book must have been built for ``FOLDER`` (``-D book_site_version=FOLDER``): its cite
boxes and links name that folder, so a book placed in another would cite the wrong text.
Other folders are left untouched: each release stays as it was published.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
from pathlib import Path

CONTENTS = "_static/book-contents.json"
LATEST = "latest"
_FOLDER = re.compile(r"^(latest|\d+(\.\d+)*([a-z]+\d*)?)$")


def release_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in version.split("."))


def releases(site: Path) -> list[str]:
    """The releases published in ``site``, newest first."""
    found = [
        p.name
        for p in site.iterdir()
        if p.is_dir() and p.name != LATEST and _FOLDER.match(p.name) and (p / CONTENTS).is_file()
    ]
    return sorted(found, key=release_key, reverse=True)


def place(built: Path, site: Path, folder: str, pdfs: Path | None = None) -> None:
    if not _FOLDER.match(folder):
        raise SystemExit(f"{folder!r} is neither 'latest' nor a version number")
    contents = json.loads((built / CONTENTS).read_text(encoding="utf-8"))
    if not contents["site"].rstrip("/").endswith("/" + folder):
        raise SystemExit(
            f"{built} was built for {contents['site']}, not for the folder {folder!r}: "
            f"build it with -D book_site_version={folder}"
        )
    site.mkdir(parents=True, exist_ok=True)
    target = site / folder
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(built, target, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
    if pdfs is not None and pdfs.is_dir():
        shutil.copytree(pdfs, target / "pdf", ignore=shutil.ignore_patterns(".*"))
    (site / ".nojekyll").write_text("", encoding="utf-8")
    published = releases(site)
    (site / "versions.json").write_text(
        json.dumps({"latest": f"{LATEST}/", "releases": published}, indent=1) + "\n",
        encoding="utf-8",
    )
    (site / "index.html").write_text(_index(contents, published, site), encoding="utf-8")
    if (site / LATEST).is_dir():
        _redirects(site)


def _index(contents: dict, published: list[str], site: Path) -> str:
    title = html.escape(contents["title"])
    items = []
    if (site / LATEST).is_dir():
        items.append(f'<li><a href="{LATEST}/index.html">latest</a> (follows the main branch)</li>')
    items += [f'<li><a href="{v}/index.html">{v}</a></li>' for v in published]
    refresh = (
        f'<meta http-equiv="refresh" content="5; url={LATEST}/index.html">'
        if (site / LATEST).is_dir()
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: versions</title>
{refresh}
</head>
<body>
<h1>{title}</h1>
<p>Every release of the book keeps its own address, so a citation keeps pointing at the
text that was cited. <em>latest</em> is the book as it is being written.</p>
<ul>
{"".join(items)}
</ul>
</body>
</html>
"""


def _redirects(site: Path) -> None:
    latest = site / LATEST
    keep = {LATEST, *releases(site)}
    for page in latest.rglob("*.html"):
        relative = page.relative_to(latest)
        if (
            relative.parts[0] in keep
            or relative.parts[0].startswith("_")
            or (relative.name == "index.html" and len(relative.parts) == 1)
        ):
            continue
        stub = site / relative
        depth = len(relative.parts) - 1
        to = "../" * depth + f"{LATEST}/{relative.as_posix()}"
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(
            f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Moved to {html.escape(to)}</title>
<link rel="canonical" href="{html.escape(to)}">
<script>location.replace("{to}" + location.hash);</script>
<meta http-equiv="refresh" content="0; url={html.escape(to)}">
</head>
<body><p>This page is now at <a href="{html.escape(to)}">{html.escape(to)}</a>.</p></body>
</html>
""",
            encoding="utf-8",
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("built", type=Path, help="the book built for FOLDER")
    parser.add_argument("site", type=Path, help="the published site (a gh-pages checkout)")
    parser.add_argument("folder", help="latest, or the release's version")
    parser.add_argument("--pdf", type=Path, help="the book's PDFs, to publish beside it")
    args = parser.parse_args(argv)
    place(args.built, args.site, args.folder, args.pdf)
    print(f"Placed {args.built} in {args.site / args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
