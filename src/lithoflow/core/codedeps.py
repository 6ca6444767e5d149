"""Which library modules a rule script runs, found from its imports.

Snakemake reruns a job when its script changes, but not when a library module the script imports
changes. The workflow therefore lists, as inputs of each rule, the lithoflow modules its script
imports, directly or through other lithoflow modules. Computing that list from the code (rather than
writing it by hand) keeps it right as the code changes.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

PACKAGE = "lithoflow"
# A string that is exactly a dotted module name of the package, e.g. the module a classifier
# kind's registry entry names and imports on use (importlib): a dependency like an import.
_MODULE_NAME = re.compile(rf"{PACKAGE}(\.[A-Za-z_][A-Za-z0-9_]*)+")


def _module_file(package_dir: Path, dotted: str) -> Path | None:
    """The file of module `dotted` ("lithoflow.a.b") inside `package_dir`, if it exists."""
    parts = dotted.split(".")
    if parts[0] != PACKAGE:
        return None
    base = package_dir.joinpath(*parts[1:])
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def _dotted_name(package_dir: Path, path: Path) -> str:
    """The dotted module name of a file inside `package_dir`."""
    relative = path.relative_to(package_dir).with_suffix("")
    parts = [PACKAGE, *relative.parts]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imported_names(tree: ast.AST, current: str | None, is_package: bool) -> set[str]:
    """Dotted lithoflow names imported by a module (`current` is its own dotted name, if any)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if current is None:
                    continue
                anchor = current.split(".")
                if not is_package:
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                module = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names.add(module)
            # `from lithoflow import vae` imports a module, not just a name.
            names.update(f"{module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _MODULE_NAME.fullmatch(node.value)
        ):
            names.add(node.value)
    return {n for n in names if n == PACKAGE or n.startswith(PACKAGE + ".")}


@lru_cache(maxsize=4096)
def _imports_of_file(path: Path, dotted: str | None, modified_ns: int, size: int) -> frozenset[str]:
    """The lithoflow names a file imports; cached on its modification time and size, so a
    workflow listing the modules of dozens of scripts parses each shared module once."""
    del modified_ns, size  # cache key only: an edited file is parsed again
    tree = ast.parse(path.read_text(), filename=str(path))
    return frozenset(_imported_names(tree, dotted, path.name == "__init__.py"))


def library_modules(script: str | Path, package_dir: str | Path) -> list[Path]:
    """Every file of the package that `script` imports, transitively, with parent ``__init__``s.

    Returns sorted absolute paths. Imports inside functions count too (a conservative choice: a
    rule reruns if any module it may use changes).
    """
    package_dir = Path(package_dir).resolve()
    seen: set[Path] = set()
    pending: list[tuple[Path, str | None]] = [(Path(script).resolve(), None)]
    while pending:
        path, dotted = pending.pop()
        stat = path.stat()
        for name in _imports_of_file(path, dotted, stat.st_mtime_ns, stat.st_size):
            parts = name.split(".")
            # The module itself and each package above it run on import.
            for end in range(1, len(parts) + 1):
                prefix = ".".join(parts[:end])
                found = _module_file(package_dir, prefix)
                if found is not None and found not in seen:
                    seen.add(found)
                    pending.append((found, _dotted_name(package_dir, found)))
    return sorted(seen)
