"""The book's own Sphinx extensions, one concern per module (see each module's docstring)."""

from __future__ import annotations

import zlib
from pathlib import Path


def env_version() -> int:
    """A number that changes whenever the source of these extensions changes.

    Each extension reports it as its ``env_version``; Sphinx re-reads every page when it
    changes, so an edit here never leaves pages built by the old code.
    """
    checksum = 0
    for path in sorted(Path(__file__).parent.glob("*.py")):
        checksum = zlib.crc32(path.read_bytes(), checksum)
    return checksum
