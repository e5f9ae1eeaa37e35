"""Sphinx configuration of the book.

The book's own extensions live in ``docs/_ext/bookext``, one concern per module. Nothing
here changes what a chapter computes: every chapter shows its imports and its seeds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gdbook

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

from bookext.citation import Book  # noqa: E402
from bookext.execution import cache_key  # noqa: E402

# -- The book ------------------------------------------------------------------------------
# Title, authors and year come from CITATION.cff, the one source of citation metadata;
# the version is that of the gdbook package that executes the chapters.
book_citation_file = str(ROOT / "CITATION.cff")
BOOK = Book.from_cff(Path(book_citation_file))
project = BOOK.title
author = BOOK.authors
release = version = gdbook.__version__
copyright = f"{BOOK.year}, {BOOK.authors}"  # the licences are in the footer below

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_proof",
    "sphinx_exercise",
    "sphinxcontrib.bibtex",
    "bookext.numbering",
    "bookext.execution",
    "bookext.figures",
    "bookext.mathcheck",
    "bookext.citation",
    "bookext.folding",
    "bookext.exercises",
    "bookext.downloads",
    "bookext.versions",
    "bookext.printing",
    "bookext.course",
    "bookext.usage",
    "bookext.icons",
    "bookext.images",
    "bookext.markup",
    "bookext.typography",
    "bookext.search",
    "bookext.explore",
    "bookext.assets",
    "bookext.resume",
    "bookext.sources",
    "bookext.history",
    "bookext.speedups",
]

root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints"]

# -- Numbering: chapters, sections, figures and equations -----------------------------------
# Chapter N's equations are (N.1), (N.2), ... and its figures Figure N.1, ...; labels
# (and so the anchors of these numbers) are part of the book's public contract.
numfig = True
math_numfig = True
numfig_secnum_depth = 1
numfig_format = {"figure": "Figure %s", "table": "Table %s", "code-block": "Listing %s"}
# An appendix is numbered by its letter: its equations are (A.1), (A.2), ..., its figures
# Figure A.1, ... (bookext/numbering.py), independently of every other page.
book_appendices = {"mathematics": "A"}

# -- MyST ---------------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath"]
myst_dmath_double_inline = True

# -- Execution (myst-nb) ------------------------------------------------------------------
# Cells run when the book is built; results are cached between builds. The cache lives
# in a folder named by a digest of gdbook's source and the runtime's versions, so a
# change in the package re-executes every chapter (see bookext/execution.py).
nb_execution_mode = "cache"
nb_execution_cache_path = str(
    DOCS
    / "_build"
    / ".jupyter_cache"
    / cache_key(ROOT / "gdbook", DOCS / "_ext" / "ipython" / "ipython_kernel_config.py")
)
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 600
nb_merge_streams = True
nb_output_stderr = "warn"  # a warning printed by a cell is a warning of the build

# -- Math: typeset at build time by KaTeX, served from _static ----------------------------
# Pages carry KaTeX's HTML and CSS and no math script; the CSS and fonts in
# _static/katex are the version sphinxcontrib-katex renders with (`nox -s vendor`).
katex_prerender = True
katex_css_path = "katex/katex.min.css"

# -- Bibliography -------------------------------------------------------------------------
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# -- Exercises ----------------------------------------------------------------------------
# Solutions are folded by default; `nox -s docs -- -D hide_solutions=1` leaves them out
# (bookext.exercises implements the option; bookext.folding folds without JavaScript).
hide_solutions = False

# -- API reference ------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc sections give each type in words
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
nitpicky = True
# The book builds offline, so no external inventory (numpy, matplotlib) can resolve the
# free-form numpydoc types; references to gdbook itself are still checked.
nitpick_ignore_regex = [("py:class", r"(?!gdbook\.).*")]

# -- Search -------------------------------------------------------------------------------
# Words readers type that the book does not use, and the words it uses instead
# (bookext/search.py; American spellings of -ise words are handled without a list).
search_synonyms = {
    "criteria": ["criterion", "rule"],
    "criterion": ["rule"],
    "cost": ["loss"],
    "objective": ["loss"],
    "stepsize": ["step"],
    "minimiser": ["minimum"],
    "backprop": ["backpropagation"],
    "derivation": ["derivative"],
}

# -- HTML ---------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = project
html_logo = "_static/logo.svg"
html_favicon = "_static/favicon.svg"
html_static_path = ["_static"]
html_css_files = ["gdbook.css"]
html_js_files = [("gdbook.js", {"defer": "defer"})]
html_baseurl = BOOK.url + "latest/"  # canonical address: the latest version of each page
html_last_updated_fmt = None  # two builds of one commit must give the same pages
html_context = {"default_mode": "auto"}
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    # The version switcher (bookext.versions) before the download and dark-mode buttons.
    "article_header_end": ["book-versions.html", "article-header-buttons.html"],
    "navigation_with_keys": False,
    # No top bar: it held only a second search box, and its hidden copies of the sidebar
    # buttons took the theme's click handlers, so the visible ☰ did nothing below 992 px
    # (pydata-sphinx-theme #2451, sphinx-book-theme #988).
    "navbar_persistent": [],
    "extra_footer": (
        f"<p>Executed with <code>gdbook {release}</code>. "
        "Text and figures: CC BY 4.0. Code: MIT.</p>"
    ),
}
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_exclude = ".linenos, .gp, .go"
