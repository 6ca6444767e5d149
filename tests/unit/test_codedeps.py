"""The library modules a rule script depends on are found from its imports."""

from __future__ import annotations

from pathlib import Path

from lithoflow.core.codedeps import library_modules


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_transitive_absolute_relative_and_package_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "lithoflow"
    _write(pkg / "__init__.py", "")
    _write(pkg / "a.py", "from lithoflow.b import thing\n")
    _write(pkg / "b.py", "import numpy\nthing = 1\n")
    _write(pkg / "c.py", "x = 2\n")
    _write(pkg / "unused.py", "")
    _write(pkg / "sub" / "__init__.py", "from .inner import y\n")
    _write(pkg / "sub" / "inner.py", "from .. import c\n")
    script = _write(
        tmp_path / "script.py", "from lithoflow.a import thing\nfrom lithoflow import sub\n"
    )

    found = {p.relative_to(pkg).as_posix() for p in library_modules(script, pkg)}

    assert found == {"__init__.py", "a.py", "b.py", "c.py", "sub/__init__.py", "sub/inner.py"}


def test_a_module_named_in_a_string_counts_as_imported(tmp_path: Path) -> None:
    """A registry entry that names its implementation's module (imported with importlib on use)
    makes that module a dependency; prose mentioning a module inside a longer string does not."""
    pkg = tmp_path / "lithoflow"
    _write(pkg / "__init__.py", "")
    _write(pkg / "registry.py", 'ENTRY = {"implementation": "lithoflow.model"}\n')
    _write(pkg / "model.py", "")
    _write(pkg / "other.py", "")
    script = _write(
        tmp_path / "script.py",
        '"""Uses lithoflow.other in prose only."""\nfrom lithoflow.registry import ENTRY\n',
    )

    found = {p.relative_to(pkg).as_posix() for p in library_modules(script, pkg)}

    assert found == {"__init__.py", "registry.py", "model.py"}


def test_training_and_prediction_depend_on_every_classifier_kind(repo_root: Path) -> None:
    """Their scripts reach the kinds' models only through the registry: editing a model must
    still rerun them."""
    package = repo_root / "src" / "lithoflow"
    for script in ("train_classifier.py", "predict_borehole.py", "ensemble_classifier.py"):
        path = repo_root / "workflow" / "scripts" / script
        names = {p.relative_to(package).as_posix() for p in library_modules(path, package)}
        assert {"classifiers/boosting.py", "classifiers/mlp.py"} <= names, script


def test_real_rule_scripts_resolve_to_existing_modules(repo_root: Path) -> None:
    package = repo_root / "src" / "lithoflow"
    script = repo_root / "workflow" / "scripts" / "train_vae.py"
    names = {p.relative_to(package).as_posix() for p in library_modules(script, package)}
    assert {
        "vae/run.py",
        "vae/network.py",
        "training/loop.py",
        "features/scaling.py",
        "__init__.py",
    } <= names
    assert "ingest/binning.py" not in names
