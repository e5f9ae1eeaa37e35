"""The main-path counter ``bookext.words`` (``nox -s words``): what it counts and skips."""

from __future__ import annotations

import sys

from book import DOCS, chapter_docnames

sys.path.insert(0, str(DOCS / "_ext"))
from bookext import words

PAGE = """---
file_format: mystnb
---

(ch-x)=
# A title

One two three $x + y$ four, a {ref}`named link <ch-x>` and {eq}`x-eq`
with $a
+ b$ wrapped math.

- a list item

$$
hidden math words
$$ (x-eq)

```{code-cell} ipython3
shown = "not prose"
```

```{code-cell} ipython3
:tags: [remove-cell]

assert True
```

::::{admonition} Going deeper: folded
:class: dropdown

Five folded words here now.

```{code-cell} ipython3
folded = True
```
::::

```{prf:proof}
Proof words are optional.
```

:::{admonition} Proof
:class: dropdown
Six.
:::

## Side road (optional)

Seven optional words in this section.

### Still optional

More.

## Back

Main again.

```{exercise} Try it
:label: x-ex

An exercise statement.
```

````{solution-start} x-ex
:class: dropdown
````

A solution's words.

```{code-cell} ipython3
solved = True
```

````{solution-end}
````

After.
"""


def test_counts_the_main_path_only():
    c = words.count(PAGE)
    # "A title" 2; "One two three four, a named link X and X with wrapped math." 12;
    # "a list item" 3; "Back" 1; "Main again." 2; "After." 1
    assert c.words == 2 + 12 + 3 + 1 + 2 + 1, c.prose
    assert (c.cells, c.hidden_cells) == (1, 1)
    # titles "Going deeper: folded" 3, "Five folded words here now." 5, proof 4,
    # "Proof" 1, "Six." 1, the optional section 3 + 6 + 2 + 1; exercises count nowhere
    assert c.optional_words == 3 + 5 + 4 + 1 + 1 + 3 + 6 + 2 + 1


def test_a_comment_is_not_on_the_page():
    page = "Main words here.\n% a note for authors, never shown\nMore.\n"
    assert words.count(page).words == 4


def test_prose_words_reads_roles_as_they_read():
    assert words.prose_words("see {ref}`chapter 8 <ch-lr>` and {numref}`fig-x`") == 5
    assert words.prose_words("it is {glue:text}`kappa:,.0f` times $\\kappa$") == 4


def test_every_chapter_has_a_main_path_and_cells():
    pages = words.chapters(DOCS)
    assert pages == chapter_docnames()
    for page in pages:
        c = words.count((DOCS / f"{page}.md").read_text(encoding="utf-8"))
        assert c.words > 500 and c.cells > 5, page
    assert "| total |" in words.table(DOCS, pages[:2])


def test_a_listed_page_keeps_its_chapter_number():
    pages = words.chapters(DOCS)
    rows = words.table(DOCS, [pages[2]]).splitlines()
    assert rows[2].startswith(f"| 3 | {pages[2]} |"), rows[2]
