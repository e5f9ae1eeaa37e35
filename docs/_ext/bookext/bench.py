"""The build's benchmark: how long the book takes to build and how much a page weighs.

``python -m bookext.bench ROOT OUT_DIR`` (run by ``nox -s bench``) copies the book's
sources (the working tree, uncommitted edits included, without ``docs/_build``) into a
temporary folder and builds the copy exactly as ``nox -s docs`` builds the book (warnings
are errors), offline, with the Python that runs it. Each figure is the median of
``--runs`` runs (three by default):

- the cold build (no ``docs/_build``, every chapter executed), chapters executed side by
  side (the default) and one after another (``-D book_execution_workers=1``, the serial
  baseline), and their ratio;
- rebuilds after no change, a one-sentence prose edit, a code-cell edit (that chapter
  executes again) and an edit inside ``gdbook/`` (every chapter executes again);
- Sphinx alone: every page read again from a warm execution cache (``-E``);
- each chapter's execution time, serial and side by side, and the floors every chapter
  pays: a kernel start, ``import numpy, matplotlib.pyplot, gdbook``, ``import torch``;
- nox's own start-up (``nox -l``), which the editor's rebuild under ``nox -s serve`` does
  not pay, and how long ``sphinx-autobuild`` takes to serve an already built book;
- for every page, the bytes a browser transfers for its first view, served gzipped as a
  static host serves it (the method and helpers of ``tests/test_browser.py``), at phone
  and desktop sizes.

It also checks the promise that the site does not depend on its history: the pages of a
clean build, of a rebuild after the edits above are undone, and of a build killed half
way and run again are compared byte for byte. It measures and reports; it never fails
because something is slow. The same figures go to ``OUT_DIR/bench.json`` and the table to
``OUT_DIR/bench.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Folders of the working tree that are not sources.
SKIP = {".git", ".nox", "_build", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
#: The chapter the prose and code-cell edits touch.
EDITED = "part2/gradient-descent"
#: What each step should take (the issue's goals), for the table.
GOALS = {
    "cold": "≤ 30 s",
    "nochange": "≤ 2 s",
    "prose": "≤ 2 s",
    "code": "≤ 4 s",
    "package": "≤ 30 s",
    "first_view": "≤ 400 KB",
    "serve": "≤ 10 s",
}
FLOORS = {
    "kernel start (an empty cell)": "pass",
    "import numpy, matplotlib.pyplot, gdbook": (
        "import numpy\nimport matplotlib.pyplot\nimport gdbook"
    ),
    "import torch": "import torch",
}


@dataclass
class Build:
    seconds: float
    executed: int
    log: str


@dataclass
class Book:
    """A copy of the book's sources in a temporary folder, built as ``nox -s docs`` does."""

    root: Path
    logs: Path
    count: int = 0

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def build_dir(self) -> Path:
        return self.docs / "_build"

    @property
    def html(self) -> Path:
        return self.build_dir / "html"

    def command(self, *options: str) -> list[str]:
        doctrees = str(self.build_dir / "doctrees")
        return [
            *(sys.executable, "-m", "sphinx", "-W", "-b", "html", "-n", "--keep-going"),
            *("-d", doctrees, *options, str(self.docs), str(self.html)),
        ]

    def environment(self) -> dict[str, str]:
        # The copy of gdbook comes first on the path, for Sphinx and for the kernels.
        return {**os.environ, "PYTHONPATH": str(self.root)}

    def build(self, *options: str, check: bool = True) -> Build:
        """Build; a failure stops the benchmark unless ``check`` is false (then ``None``)."""
        self.count += 1
        log = self.logs / f"build-{self.count:03d}.log"
        with log.open("w") as output:
            start = time.perf_counter()
            process = subprocess.run(
                self.command(*options),
                stdout=output,
                stderr=subprocess.STDOUT,
                env=self.environment(),
                cwd=self.root,
            )
            seconds = time.perf_counter() - start
        text = log.read_text()
        if process.returncode != 0:
            if not check:
                return Build(seconds, -1, str(log))
            sys.exit(f"The build failed (see {log}):\n{text[-3000:]}")
        executed = len(re.findall(r"Executed notebook in|^executed \S+ in", text, re.M))
        return Build(seconds, executed, str(log))

    def interrupted(self, when: Callable[[], bool], *options: str) -> None:
        """Start a build and kill it, with its kernels, as soon as ``when()`` holds."""
        self.count += 1
        log = self.logs / f"build-{self.count:03d}-killed.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                self.command(*options),
                stdout=output,
                stderr=subprocess.STDOUT,
                env=self.environment(),
                cwd=self.root,
                start_new_session=True,  # its own process group: the kernels die with it
            )
            while process.poll() is None and not when():
                time.sleep(0.05)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def clean(self) -> None:
        shutil.rmtree(self.build_dir, ignore_errors=True)

    def chapter_seconds(self) -> dict[str, float]:
        """Each chapter's execution time, as the execution cache recorded it."""
        from jupyter_cache import get_cache

        found: dict[str, float] = {}
        for folder in sorted((self.build_dir / ".jupyter_cache").iterdir()):
            for record in get_cache(str(folder)).list_cache_records():
                name = Path(record.uri).relative_to(self.docs).with_suffix("").as_posix()
                found[name] = float(record.data.get("execution_seconds", float("nan")))
        return found

    def digest(self) -> dict[str, str]:
        return {
            path.relative_to(self.html).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(self.html.rglob("*"))
            if path.is_file()
        }


@contextmanager
def edited(path: Path, change: Callable[[str], str]) -> Iterator[None]:
    """The file changed by ``change`` for the duration of the block, then restored."""
    original = path.read_bytes()
    path.write_text(change(original.decode("utf-8")), encoding="utf-8")
    try:
        yield
    finally:
        path.write_bytes(original)


def prose_edit(mark: str) -> Callable[[str], str]:
    """Add a sentence to the chapter's first paragraph (no code changes)."""

    def change(text: str) -> str:
        lines = text.splitlines(keepends=True)
        title = next(i for i, line in enumerate(lines) if line.startswith("# "))
        first = next(i for i in range(title + 1, len(lines)) if lines[i][:1].isalpha())
        lines[first] = lines[first].rstrip("\n") + f" A sentence added {mark}.\n"
        return "".join(lines)

    return change


def code_edit(mark: str) -> Callable[[str], str]:
    """Add a comment line to the chapter's first code cell (it executes again)."""

    def change(text: str) -> str:
        start = text.index("```{code-cell}")
        end = text.index("\n```", start)
        return text[:end] + f"\n# edited {mark}" + text[end:]

    return change


def package_edit(mark: str) -> Callable[[str], str]:
    return lambda text: text + f"\n# edited {mark}\n"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 2**20:.1f} GiB"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return {
        "cpu": cpu,
        "cores": cores,
        "memory": memory,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def floors(runs: int, cwd: Path) -> dict[str, list[float]]:
    """What every chapter pays before its lesson: a kernel start and its imports."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    found: dict[str, list[float]] = {}
    for name, code in FLOORS.items():
        found[name] = []
        for _ in range(runs):
            notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
            notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
            result = single_nb_execution(notebook, cwd=str(cwd), timeout=600, allow_errors=False)
            if result.err is not None:
                sys.exit(f"The floor {name!r} failed:\n{result.exc_string}")
            found[name].append(result.time)
    return found


def first_views(html: Path, tests: Path, chromium: str | None) -> dict[str, dict[str, int]]:
    """Bytes transferred for each page's first view, measured as the browser tests do."""
    if not chromium:
        return {}
    sys.path.insert(0, str(tests))
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM_FLAGS, DESKTOP, PHONE, GzipHandler, Visit, site_pages

    handler = functools.partial(GzipHandler, directory=str(html))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    found: dict[str, dict[str, int]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=CHROMIUM_FLAGS, headless=True
            )
            for path in site_pages(html):
                found[path] = {}
                for screen in (PHONE, DESKTOP):
                    visit = Visit(browser, base, path, screen)
                    found[path][screen.name] = sum(visit.transferred.values())
                    if visit.blocked:
                        sys.exit(f"{path} asked the network for {visit.blocked}")
                    visit.close()
            browser.close()
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()
    return found


def serving(book: Book) -> float | None:
    """Seconds from starting ``sphinx-autobuild`` (as ``nox -s serve``) to a served page."""
    if shutil.which("sphinx-autobuild") is None:
        return None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    doctrees = str(book.build_dir / "doctrees")
    command = [
        *("sphinx-autobuild", str(book.docs), str(book.html), "-b", "html", "-n"),
        *("--keep-going", "-d", doctrees, "--host", "127.0.0.1", "--port", str(port)),
        *("--ignore", str(book.build_dir), "--watch", str(book.root / "gdbook")),
    ]
    book.count += 1
    log = book.logs / f"build-{book.count:03d}-serve.log"
    with log.open("w") as output:
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=book.environment(),
            cwd=book.root,
            start_new_session=True,
        )
        seconds = None
        try:
            while time.perf_counter() - start < 300 and process.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                        if r.status == 200:
                            seconds = time.perf_counter() - start
                            break
                except OSError:
                    time.sleep(0.1)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            process.wait()
    return seconds


def copy_sources(root: Path, to: Path) -> None:
    shutil.copytree(root, to, ignore=lambda folder, names: [n for n in names if n in SKIP])


@dataclass
class Results:
    runs: dict[str, list[float]] = field(default_factory=dict)
    executed: dict[str, list[int]] = field(default_factory=dict)
    chapters: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def add(self, step: str, build: Build) -> None:
        self.runs.setdefault(step, []).append(round(build.seconds, 2))
        self.executed.setdefault(step, []).append(build.executed)

    def add_chapters(self, mode: str, seconds: dict[str, float]) -> None:
        for name, value in seconds.items():
            self.chapters.setdefault(name, {}).setdefault(mode, []).append(round(value, 2))


def measure(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(args.root).resolve()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    logs = out / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir()
    report: dict[str, Any] = {"machine": machine(), "load_before": load(), "runs": args.runs}
    results = Results()
    with tempfile.TemporaryDirectory(prefix="gdbook-bench-") as tmp:
        book = Book(Path(tmp) / "book", logs)
        copy_sources(root, book.root)
        chapter = book.docs / f"{EDITED}.md"
        package = book.root / "gdbook" / "data.py"
        clean_digests = []
        for run in range(args.runs):
            print(f"run {run + 1} of {args.runs}: cold builds", flush=True)
            book.clean()
            results.add("cold_serial", book.build("-D", "book_execution_workers=1"))
            results.add_chapters("serial", book.chapter_seconds())
            book.clean()
            results.add("cold", book.build())
            results.add_chapters("parallel", book.chapter_seconds())
            clean_digests.append(book.digest())
            print(f"run {run + 1} of {args.runs}: rebuilds", flush=True)
            results.add("nochange", book.build())
            with edited(chapter, prose_edit(f"in run {run}")):
                results.add("prose", book.build())
                with edited(chapter, code_edit(f"in run {run}")):
                    results.add("code", book.build())
            results.add("reread", book.build("-E"))
            with edited(package, package_edit(f"in run {run}")):
                results.add("package", book.build())
        # Every edit undone: the rebuild must give the clean build's site.
        print("history: rebuild after the edits, interrupted builds", flush=True)
        reference = clean_digests[0]
        report["identical"] = {"clean builds agree": all(d == reference for d in clean_digests)}

        def compare(name: str) -> None:
            # A rebuild that fails is a finding to report, not a reason to lose the rest.
            build = book.build(check=False)
            failed = [f"the build failed: see {build.log}"] if build.executed < 0 else []
            report["identical"][name] = failed or _differences(reference, book.digest())

        compare("rebuild after edits")
        # Killed while chapters execute, then run again.
        book.clean()
        deadline = time.perf_counter() + median(results.runs["cold"]) / 3
        book.interrupted(lambda: time.perf_counter() > deadline)
        compare("killed while executing, then rebuilt")
        # Killed while pages are written, then run again.
        book.clean()
        pages = book.html / "part1"
        book.interrupted(lambda: pages.is_dir() and any(pages.glob("*.html")))
        compare("killed while writing, then rebuilt")
        report["identical"]["files"] = len(reference)
        print("floors, nox, serve", flush=True)
        report["floors"] = floors(args.runs, book.docs)
        report["nox_startup"] = []
        if args.nox:
            for _ in range(args.runs):
                start = time.perf_counter()
                subprocess.run([*args.nox.split(), "-l"], cwd=root, capture_output=True, check=True)
                report["nox_startup"].append(round(time.perf_counter() - start, 2))
        report["serve"] = [serving(book) for _ in range(args.runs)]
        print("first views in Chromium", flush=True)
        report["first_view"] = first_views(book.html, root / "tests", args.chromium)
    report["steps"] = {
        step: {"median": median(values), "runs": values, "executed": results.executed[step]}
        for step, values in results.runs.items()
    }
    report["chapters"] = {
        name: {mode: {"median": median(v), "runs": v} for mode, v in modes.items()}
        for name, modes in sorted(results.chapters.items())
    }
    report["load_after"] = load()
    return report


def _differences(reference: dict[str, str], other: dict[str, str]) -> list[str]:
    return sorted(
        name for name in set(reference) | set(other) if reference.get(name) != other.get(name)
    )


def table(report: dict[str, Any]) -> str:
    """The report as one Markdown table."""
    steps = report["steps"]
    rows: list[tuple[str, str, str, str]] = []

    def seconds(values: list[float]) -> str:
        return ", ".join(f"{v:.1f}" for v in values)

    def step(name: str, label: str, goal: str = "") -> None:
        if name in steps:
            s = steps[name]
            done = "/".join(str(n) for n in s["executed"])
            rows.append((label, f"{s['median']:.1f} s", f"{seconds(s['runs'])} ({done})", goal))

    step("cold", "Cold build, chapters side by side (no install)", GOALS["cold"])
    step("cold_serial", "Cold build, chapters one after another (serial baseline)")
    if "cold" in steps and "cold_serial" in steps:
        ratio = steps["cold_serial"]["median"] / steps["cold"]["median"]
        rows.append(("Serial ÷ side by side", f"{ratio:.2f} ×", "", ""))
    step("package", "Rebuild after an edit in gdbook/", GOALS["package"])
    step("nochange", "Rebuild, nothing changed", GOALS["nochange"])
    step("prose", "Rebuild after a one-sentence prose edit", GOALS["prose"])
    step("code", "Rebuild after a code-cell edit", GOALS["code"])
    step("reread", "Sphinx alone: every page re-read, nothing executed (-E)")
    nox = report.get("nox_startup") or []
    if nox:
        rows.append(
            (
                "nox's own start-up (`nox -l`), not in the rows above",
                f"{median(nox):.1f} s",
                seconds(nox),
                "",
            )
        )
    serve = [s for s in report.get("serve", []) if s is not None]
    if serve:
        rows.append(
            (
                "`sphinx-autobuild` serving a built book",
                f"{median(serve):.1f} s",
                seconds(serve),
                GOALS["serve"],
            )
        )
    for name, values in report.get("floors", {}).items():
        rows.append((f"Floor: {name}", f"{median(values):.2f} s", seconds(values), ""))
    for name, modes in report.get("chapters", {}).items():
        serial = modes.get("serial", {})
        parallel = modes.get("parallel", {})
        rows.append(
            (
                f"Execute {name} (serial; side by side)",
                f"{serial.get('median', float('nan')):.1f} s; "
                f"{parallel.get('median', float('nan')):.1f} s",
                f"{seconds(serial.get('runs', []))}; {seconds(parallel.get('runs', []))}",
                "",
            )
        )
    for page, sizes in report.get("first_view", {}).items():
        phone, desktop = sizes.get("phone-390", 0), sizes.get("desktop-1366", 0)
        rows.append(
            (
                f"First view of {page} (phone; desktop), gzipped",
                f"{phone / 1000:.0f} KB; {desktop / 1000:.0f} KB",
                "",
                GOALS["first_view"],
            )
        )
    same = report.get("identical", {})
    for name, differing in same.items():
        if name == "files":
            continue
        if isinstance(differing, bool):
            verdict = "yes" if differing else "NO"
        else:
            verdict = "identical" if not differing else f"{len(differing)} files differ"
            if differing and differing[0].startswith("the build failed"):
                verdict = "the rebuild failed"
        rows.append((f"Site byte for byte: {name}", verdict, f"{same.get('files')} files", ""))
    header = ("Measure", "Median", "Runs (chapters executed)", "Goal")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    m = report["machine"]
    lines.append("")
    lines.append(
        f"{m['date']}; {m['cpu']}, {m['cores']} cores, {m['memory']}; {m['system']}; "
        f"Python {m['python']}; {report['runs']} runs; load average (1, 5, 15 min) "
        f"{report['load_before']} before, {report['load_after']} after."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", help="the book's working tree")
    parser.add_argument("out", help="folder for bench.json, bench.md and the build logs")
    parser.add_argument("--runs", type=int, default=3, help="runs of each step (median)")
    parser.add_argument("--chromium", default=os.environ.get("GDBOOK_CHROMIUM"))
    parser.add_argument("--nox", help="the command that runs nox, to time its start-up")
    args = parser.parse_args(argv)
    report = measure(args)
    out = Path(args.out)
    (out / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    text = table(report)
    (out / "bench.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
