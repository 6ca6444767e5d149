"""What pyproject.toml's main dependencies bring: everything `snakemake --report` imports.

The report is built by Snakemake's own process (no rule environment), so the project's main
dependencies must provide every third-party module of Snakemake's report code; before the
`reports` extra was declared, pygments came only with pytest (a dev dependency).
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import importlib.util
import re
import sys
from pathlib import Path

import tomllib
from packaging.requirements import Requirement

from tests.support.config import REPO_ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest's own dependency
    import tomli as tomllib

REPORT_PACKAGE = "snakemake.report"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main_requirements() -> list[Requirement]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(spec) for spec in project["dependencies"]]


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


def test_the_report_code_imports_pygments():
    assert {"pygments", "jinja2", "docutils"} <= report_imports()


def test_main_dependencies_provide_every_module_the_report_imports():
    provided = installed_closure(main_requirements())
    owners = metadata.packages_distributions()
    missing = {
        module: owners.get(module)
        for module in report_imports()
        if not any(normalise(d) in provided for d in owners.get(module, []))
    }
    assert missing == {}
