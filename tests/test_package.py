"""Promises of the package as a whole: no import side effects, documented public API,
one test file per module, and one version everywhere."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest
import yaml

import gdbook
from book import DOCS, ROOT

MODULES = sorted(
    path.stem for path in (ROOT / "gdbook").glob("*.py") if not path.stem.startswith("_")
)
# PyTorch is optional: only this module imports it, and only the pages that use it import it.
TORCH_MODULES = ["torchtools"]


def test_importing_gdbook_has_no_side_effects():
    numpy_only = [m for m in MODULES if m not in TORCH_MODULES]
    code = (
        "import sys, matplotlib\n"
        "before = dict(matplotlib.rcParams)\n"
        f"import gdbook, {', '.join(f'gdbook.{m}' for m in numpy_only)}\n"
        "assert dict(matplotlib.rcParams) == before, 'rcParams changed'\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_only_the_torch_module_imports_torch():
    """Each module alone, in a fresh interpreter: torch is loaded by torchtools only."""
    code = (
        "import importlib, sys\n"
        "importlib.import_module(sys.argv[1])\n"
        "print('torch' in sys.modules)\n"
    )
    for module in MODULES:
        result = subprocess.run(
            [sys.executable, "-c", code, f"gdbook.{module}"], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(module in TORCH_MODULES), module


@pytest.mark.parametrize("module", MODULES)
def test_every_module_has_its_test_file_and_api_section(module):
    assert (ROOT / "tests" / f"test_{module}.py").is_file()
    assert f".. automodule:: gdbook.{module}" in (DOCS / "api.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("module", MODULES)
def test_public_functions_are_exported_and_documented(module):
    mod = importlib.import_module(f"gdbook.{module}")
    functions = {
        name
        for name, obj in vars(mod).items()
        if inspect.isfunction(obj) and obj.__module__ == mod.__name__ and not name.startswith("_")
    }
    assert functions <= set(mod.__all__), "every public function is exported"
    for name in mod.__all__:
        obj = getattr(mod, name)
        if inspect.isfunction(obj):
            doc = inspect.getdoc(obj) or ""
            sections = ["Returns\n-------", "Examples\n--------"]
            if inspect.signature(obj).parameters:
                sections.append("Parameters\n----------")
            for section in sections:
                assert section in doc, f"gdbook.{module}.{name} lacks {section.splitlines()[0]}"
        elif inspect.isclass(obj):
            assert (inspect.getdoc(obj) or "").strip(), f"gdbook.{module}.{name} has no docstring"


def test_one_version_everywhere():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == gdbook.__version__
    assert citation["preferred-citation"]["version"] == gdbook.__version__
    assert citation["preferred-citation"]["year"] == int(str(citation["date-released"])[:4])
    assert citation["url"] == citation["preferred-citation"]["url"]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject  # read from gdbook/__init__.py by hatchling


def test_torch_is_pinned_where_the_book_is_built():
    pins = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    assert "torch==2.13.0" in pins


def test_citation_cff_is_valid_cff_1_2_0():
    """CITATION.cff against the official schema.

    ``tests/data/citation-file-format-1.2.0.schema.json`` is the schema published at
    https://citation-file-format.github.io/1.2.0/schema.json (CC BY 4.0, The Citation File
    Format authors), copied unchanged from the cffconvert 2.0.0 distribution.
    """
    import json

    import jsonschema

    schema = json.loads((ROOT / "tests/data/citation-file-format-1.2.0.schema.json").read_text())
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    # YAML reads the date as a date; the schema (like cffconvert) expects its text.
    citation["date-released"] = str(citation["date-released"])
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(citation)
