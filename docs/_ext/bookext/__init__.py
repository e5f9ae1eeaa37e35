"""The book's own Sphinx extensions, one concern per module (see each module's docstring)."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any


def env_version() -> int:
    """A number that changes whenever the source of these extensions changes.

    Each extension reports it as its ``env_version``; Sphinx re-reads every page when it
    changes, so an edit here never leaves pages built by the old code.
    """
    checksum = 0
    for path in sorted(Path(__file__).parent.glob("*.py")):
        checksum = zlib.crc32(path.read_bytes(), checksum)
    return checksum


def metadata(*, parallel_read_safe: bool = True) -> dict[str, Any]:
    """What each of these extensions tells Sphinx about itself."""
    return {
        "version": "1",
        "env_version": env_version(),
        "parallel_read_safe": parallel_read_safe,
        "parallel_write_safe": True,
    }
