"""Facts about the book's sources that several test files need."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def chapter_docnames() -> list[str]:
    """Chapters in reading order: the entries of the numbered toctrees of docs/index.md."""
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    chapters = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", text, flags=re.DOTALL):
        lines = [line.strip() for line in block.splitlines()]
        if any(line.startswith(":numbered:") for line in lines):
            chapters += [line for line in lines if line and not line.startswith(":")]
    return chapters


def appendices() -> dict[str, str]:
    """Appendix pages and their letters, from ``book_appendices`` in docs/conf.py."""
    for node in ast.parse((DOCS / "conf.py").read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "book_appendices"
            for target in node.targets
        ):
            letters: dict[str, str] = ast.literal_eval(node.value)
            return letters
    return {}
