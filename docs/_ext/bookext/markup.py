"""Two corrections to the markup the theme and docutils write, made on the rendered page.

* ``<html data-theme="auto">``: pydata-sphinx-theme writes the reader's *mode* ("auto":
  follow the system) where its style sheets expect a *theme* (light or dark). Its script
  resolves it, but until that runs, and always without JavaScript, no palette applies:
  black links and borders. The page starts as ``light``; the inline script of
  ``_templates/layout.html`` switches to dark before the first paint when the reader or
  the system asks for it.
* The bibliography: docutils gives the list of citations ``role="list"`` and each entry
  ``role="doc-biblioentry"``, a role that ARIA 1.2 deprecated and that is not a list
  item, so assistive technology is told of a list without items (axe-core:
  "aria-required-children"). Each entry is given the role of a list item.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx

from bookext import metadata, rewrite_pages

_HTML_TAG = re.compile(r"<html\b[^>]*>")


def fix_markup(html: str, context: dict[str, Any]) -> str:
    html = _HTML_TAG.sub(
        lambda tag: tag.group(0).replace('data-theme="auto"', 'data-theme="light"'), html, count=1
    )
    return html.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict[str, Any]:
    rewrite_pages(app, fix_markup)
    return metadata()
