"""Count each chapter's main path: the words and code cells a first reading meets.

``python -m bookext.words [--rev COMMIT] [PAGE ...]`` (or ``nox -s words``) prints one
row per chapter: words of prose on the main path, the code cells shown there, and the
words set aside in optional blocks. With ``--rev`` the pages are read from that git
commit instead of the working tree, so that a revision can be compared with a baseline.

The main path is what is left of a page after taking out

- code cells and every other fenced code block, and display and inline math;
- folded blocks: anything with ``:class: dropdown``, ``{prf:proof}``, admonitions titled
  "Proof …" or "Going deeper …", and ``{dropdown}``;
- sections whose title ends "(optional)", down to the next heading of the same or a
  higher level;
- exercises and their solutions (``solution-start`` to ``solution-end``), which are
  counted in neither column.

A word is a run of letters or digits; a cross-reference or a glued number counts as one
word (its explicit title as the words of the title), so "{ref}`chapter 1 <x>`'s" counts
three. Figure captions and alt text live in the options of code cells and are not
counted. Code cells shown are the main path's cells not tagged ``remove-cell``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

_FENCE = re.compile(r"^\s*(`{3,}|:{3,})\s*(\{[^}]*\})?\s*(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_OPTION = re.compile(r"^\s*:[\w-]+:")
_LABEL = re.compile(r"^\([\w-]+\)=$")
_ROLE = re.compile(r"\{[\w:-]+\}`([^`]*)`")
_INLINE_MATH = re.compile(r"(?<!\\)\$[^$]+\$")
_WORD = re.compile(r"[^\W_]+(?:['’.,-][^\W_]+)*")
_FOLDED_TITLE = re.compile(r"^(proof|going deeper)\b", re.IGNORECASE)
_SKIPPED_DIRECTIVES = {"{prf:proof}", "{exercise}", "{dropdown}"}
_CODE_DIRECTIVES = {"{code-cell}", "{code-block}", "{code}", "{literalinclude}", "{math}"}


@dataclass
class Count:
    """What one page holds on and off its main path."""

    words: int = 0  # prose words on the main path
    cells: int = 0  # code cells shown on the main path
    hidden_cells: int = 0  # code cells on the main path tagged remove-cell
    optional_words: int = 0  # prose words in folded blocks and optional sections
    prose: list[str] = field(default_factory=list)  # the main path's paragraphs


@dataclass
class _Block:
    fence: str
    skipped: bool  # its content is off the main path
    code: bool  # its content is code or math, never prose
    cell: bool = False
    text: str = ""  # a code block's options and content
    name: str = ""  # the directive, e.g. "{exercise}"


def _role_text(match: re.Match[str]) -> str:
    """A role reads as its explicit title, or as one word (a number, "Figure 1.2")."""
    content = match.group(1)
    title = re.match(r"^(.*?)\s*<[^>]*>$", content)
    return title.group(1) if title and title.group(1) else "X"


def prose_words(line: str) -> int:
    """Words of a paragraph of Markdown prose, math and markup removed."""
    line = re.sub(r"<!--.*?-->", " ", line)
    line = _ROLE.sub(lambda m: " " + _role_text(m) + " ", line)
    line = _INLINE_MATH.sub(" ", line)
    line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", " ", line, flags=re.MULTILINE)  # list markers
    return len(_WORD.findall(line))


def count(text: str) -> Count:
    """Count the main path of one MyST page (see the module's docstring)."""
    result = Count()
    lines = text.splitlines()
    i = 0
    if lines and lines[0].strip() == "---":  # front matter
        i = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), 0) + 1
    stack: list[_Block] = []
    optional_level = 0  # level of the "(optional)" heading we are under, 0 if none
    in_solution = False
    paragraph: list[str] = []  # prose lines, counted together (inline math may wrap)

    def off_path() -> bool:
        return bool(optional_level) or any(block.skipped for block in stack)

    def flush() -> None:
        if paragraph and not (in_solution or any(b.name == "{exercise}" for b in stack)):
            n = prose_words("\n".join(paragraph))
            if off_path():
                result.optional_words += n
            else:
                result.words += n
                result.prose.append(" ".join(paragraph))
        paragraph.clear()

    while i < len(lines):
        line, stripped = lines[i], lines[i].strip()
        i += 1
        top = stack[-1] if stack else None
        if top is not None and top.code:  # inside code or math: wait for the closing fence
            if _closes(stripped, top.fence):
                stack.pop()
                if top.cell and not (in_solution or off_path()):
                    if "remove-cell" in top.text:
                        result.hidden_cells += 1
                    else:
                        result.cells += 1
            else:
                top.text += line + "\n"
            continue
        if stripped == "$$":
            flush()
            stack.append(_Block("$$", skipped=False, code=True))
            continue
        fence = _FENCE.match(line)
        if fence:
            flush()
            marks, directive, rest = fence.group(1), fence.group(2) or "", fence.group(3)
            if not directive and not rest and top is not None and _closes(stripped, top.fence):
                stack.pop()
                continue
            name = directive.split()[0] if directive else ""
            if name == "{solution-start}":
                in_solution = True
            elif name == "{solution-end}":
                in_solution = False
            options = []
            while i < len(lines) and _OPTION.match(lines[i]):
                options.append(lines[i])
                i += 1
            skipped = (
                name in _SKIPPED_DIRECTIVES
                or any(re.match(r"^\s*:class:.*\bdropdown\b", o) for o in options)
                or (name in {"{admonition}", "{prf:remark}"} and bool(_FOLDED_TITLE.match(rest)))
            )
            code = not directive or name in _CODE_DIRECTIVES
            stack.append(
                _Block(marks, skipped, code, name == "{code-cell}", "\n".join(options), name)
            )
            if not code and name not in {"{solution-start}", "{solution-end}"}:
                paragraph.append(rest)  # a directive's title reads as prose
                flush()
            continue
        heading = _HEADING.match(line)
        if heading and not stack:
            flush()
            level = len(heading.group(1))
            if optional_level and level <= optional_level:
                optional_level = 0
            if not optional_level and heading.group(2).endswith("(optional)"):
                optional_level = level
            paragraph.append(heading.group(2))
            flush()
            continue
        if not stripped:
            flush()
        elif stripped.startswith("%"):  # a MyST comment: not on the page
            continue
        elif not (_LABEL.match(stripped) or _OPTION.match(line)):
            paragraph.append(line)
    flush()
    return result


def _closes(line: str, fence: str) -> bool:
    """Whether a stripped line closes a block opened by ``fence``."""
    if fence == "$$":
        return line.startswith("$$")
    return re.fullmatch(re.escape(fence[0]) + f"{{{len(fence)},}}", line) is not None


def chapters(docs: Path, rev: str | None = None) -> list[str]:
    """Chapter pages in reading order: the numbered toctrees of ``docs/index.md``."""
    index = _read(docs / "index.md", rev)
    pages = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", index, flags=re.DOTALL):
        entries = [line.strip() for line in block.splitlines()]
        if any(entry.startswith(":numbered:") for entry in entries):
            pages += [e for e in entries if e and not e.startswith(":")]
    return pages


def _read(path: Path, rev: str | None) -> str:
    if rev is None:
        return path.read_text(encoding="utf-8")
    root = subprocess.run(
        ["git", "-C", str(path.parent), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    relative = path.resolve().relative_to(Path(root).resolve()).as_posix()
    shown = subprocess.run(
        ["git", "-C", root, "show", f"{rev}:{relative}"], capture_output=True, text=True, check=True
    )
    return shown.stdout


def table(docs: Path, pages: list[str], rev: str | None = None) -> str:
    """A Markdown table of the main path of each page, with a total row."""
    header = ("chapter", "page", "main-path words", "code cells shown", "hidden cells")
    rows = [_row(*header, "optional words"), "|---:|---|---:|---:|---:|---:|"]
    total = Count()
    numbered = chapters(docs, rev)  # a page's chapter number, whichever pages are listed
    for page in pages:
        c = count(_read(docs / f"{page}.md", rev))
        number = numbered.index(page) + 1 if page in numbered else ""
        rows.append(
            _row(number, page, f"{c.words:,}", c.cells, c.hidden_cells, f"{c.optional_words:,}")
        )
        total.words += c.words
        total.cells += c.cells
        total.hidden_cells += c.hidden_cells
        total.optional_words += c.optional_words
    t = total
    rows.append(_row("", "total", f"{t.words:,}", t.cells, t.hidden_cells, f"{t.optional_words:,}"))
    return "\n".join(rows)


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="docnames (default: every chapter)")
    parser.add_argument("--rev", help="read the pages from this git commit")
    parser.add_argument("--show", action="store_true", help="print the main path's prose too")
    parser.add_argument("--docs", type=Path, default=Path(__file__).resolve().parents[2])
    args = parser.parse_args(argv)
    pages = args.pages or chapters(args.docs, args.rev)
    print(table(args.docs, pages, args.rev))
    if args.show:
        for page in pages:
            print(f"\n## {page}\n")
            print("\n".join(count(_read(args.docs / f"{page}.md", args.rev)).prose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
