"""The project's packaging as pyproject.toml declares it.

- The main dependencies pin torch and Snakemake exactly, and the environment has those versions.
- Every file of the package's data folder is declared as package data (so a wheel ships it), and
  every data file the library reads is there.
- The main dependencies bring everything `snakemake --report` imports: the report is built by
  Snakemake's own process (no rule environment); before the `reports` extra was declared,
  pygments came only with pytest (a dev dependency).
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import importlib.util
import re
import sys
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from lithoflow.simulate.calibration import CALIBRATION_FILES
from tests.support.config import REPO_ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: tomli, which pytest itself requires there
    tomllib = pytest.importorskip("tomli")

REPORT_PACKAGE = "snakemake.report"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())


def main_requirements() -> list[Requirement]:
    return [Requirement(spec) for spec in pyproject()["project"]["dependencies"]]


def installed_closure(requirements: list[Requirement]) -> set[str]:
    """Normalised names of the distributions that `requirements` pull in, transitively and with
    their extras, as the installed metadata declares them."""
    seen: set[tuple[str, frozenset[str]]] = set()
    names: set[str] = set()
    todo = [(req.name, frozenset(req.extras)) for req in requirements]
    while todo:
        name, extras = todo.pop()
        if (normalise(name), extras) in seen:
            continue
        seen.add((normalise(name), extras))
        names.add(normalise(name))
        try:
            declared = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for spec in declared:
            req = Requirement(spec)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if req.marker is None or any(req.marker.evaluate(env) for env in environments):
                todo.append((req.name, frozenset(req.extras)))
    return names


def report_imports() -> set[str]:
    """Top-level third-party modules imported anywhere in Snakemake's report code."""
    spec = importlib.util.find_spec(REPORT_PACKAGE)
    assert spec is not None and spec.submodule_search_locations
    modules: set[str] = set()
    for folder in spec.submodule_search_locations:
        for path in Path(folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    modules.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m != "snakemake"}


def test_main_dependencies_pin_torch_and_snakemake_with_its_report_extra():
    requirements = {normalise(req.name): req for req in main_requirements()}
    assert str(requirements["torch"].specifier) == "==2.13.0"
    assert str(requirements["snakemake"].specifier) == "==9.27.1"
    assert requirements["snakemake"].extras == {"reports"}


def test_the_environment_has_the_versions_the_main_dependencies_ask_for():
    wrong = {}
    for req in main_requirements():
        if req.marker is not None and not req.marker.evaluate():
            continue
        installed = metadata.version(req.name)
        if not req.specifier.contains(installed, prereleases=True):
            wrong[req.name] = f"{installed} does not satisfy {req.specifier}"
    assert wrong == {}


def test_the_package_ships_its_data_files():
    data = resources.files("lithoflow") / "data"
    names = {entry.name for entry in data.iterdir() if entry.is_file()}
    # Every file the library reads from the package data is there ...
    read = {*CALIBRATION_FILES, "model_reference.json", "investigation_reference.json"}
    assert read - names == set()
    # ... and every file there is declared as package data, so that a built wheel carries it.
    patterns = pyproject()["tool"]["setuptools"]["package-data"]["lithoflow"]
    undeclared = {n for n in names if not any(fnmatch(f"data/{n}", p) for p in patterns)}
    assert undeclared == set()
    assert "PROVENANCE.md" in names


def test_main_dependencies_provide_every_module_the_report_imports():
    provided = installed_closure(main_requirements())
    assert "pygments" in provided  # through snakemake[reports], not only through pytest
    owners = metadata.packages_distributions()
    missing = {
        module: owners.get(module)
        for module in report_imports()
        if not any(normalise(d) in provided for d in owners.get(module, []))
    }
    assert missing == {}
