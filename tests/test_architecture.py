"""The layers' dependencies point inward, checked by parsing every module's imports.

``wam.domain`` may import only the standard library and itself. Every other layer may import
the ones below it and never the ones above it::

    cli, web, demo, reports  ->  importers  ->  services  ->  storage  ->  domain

and the adapters (cli, web, demo, importers, reports) reach storage only through the services:
they import the services and the domain, never ``wam.storage``, SQLAlchemy or Alembic (a type
named only for annotations, under ``if TYPE_CHECKING:``, is allowed). Whatever an adapter needs
from the database is a service function, so that SQL lives in one layer.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "wam"

# Lower numbers are further in. A module may import layers with a number <= its own,
# except that adapters of the same rank may not import each other (web does not import cli).
RANK = {"domain": 0, "storage": 1, "services": 2, "importers": 3, "reports": 3, "demo": 4, "web": 5, "cli": 6}
#: layers that reach storage only through the services
ADAPTERS = ("cli", "web", "demo", "importers", "reports")
#: what adapters may not import: the storage layer and the libraries it wraps
STORAGE = ("wam.storage", "sqlalchemy", "alembic")
ALLOWED_SIBLINGS = {("cli", "web"), ("cli", "demo"), ("demo", "importers"), ("web", "reports"), ("cli", "reports")}


def _type_only(tree: ast.AST) -> set[int]:
    """The ids of import nodes under ``if TYPE_CHECKING:`` (names for annotations, never run)."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            guarded.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return guarded


def _imports(path: Path, *, runtime_only: bool = False) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    skip = _type_only(tree) if runtime_only else set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "wam" and parts[1] in RANK else None


def _modules(layer: str) -> list[Path]:
    return sorted((SRC / layer).rglob("*.py"))


def test_it_keeps_the_domain_to_the_standard_library():
    problems = []
    for path in _modules("domain"):
        for line, name in _imports(path):
            top = name.split(".")[0]
            if top == "wam":
                if _layer(name) != "domain":
                    problems.append(f"{path.relative_to(SRC)}:{line} imports {name}")
            elif top and top not in sys.stdlib_module_names and top != "__future__":
                problems.append(f"{path.relative_to(SRC)}:{line} imports {name} (not the standard library)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("layer", sorted(RANK))
def test_it_never_imports_a_layer_above(layer):
    problems = []
    for path in _modules(layer):
        for line, name in _imports(path):
            target = _layer(name)
            if target is None or target == layer:
                continue
            if RANK[target] > RANK[layer] or (RANK[target] == RANK[layer] and (layer, target) not in ALLOWED_SIBLINGS):
                problems.append(f"{path.relative_to(SRC)}:{line} ({layer}) imports {name} ({target})")
    assert not problems, "\n".join(problems)


def _storage_imports(path: Path) -> list[str]:
    return [f"{line}: {name}" for line, name in _imports(path, runtime_only=True)
            if any(name == bad or name.startswith(bad + ".") for bad in STORAGE)]


@pytest.mark.parametrize("layer", ADAPTERS)
def test_adapters_reach_storage_only_through_the_services(layer):
    problems = [f"{path.relative_to(SRC)}:{found}" for path in _modules(layer) for found in _storage_imports(path)]
    assert not problems, "adapters must call a service, not the storage layer:\n" + "\n".join(problems)


def test_it_finds_an_adapter_reaching_storage(tmp_path):
    """The storage rule can fail: runtime imports are caught, type-only ones are not."""
    bad = tmp_path / "wam" / "cli" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlalchemy import Engine\n"
                   "def f():\n    from ..storage import schema\n    import sqlalchemy.orm\n")
    global SRC
    saved, SRC = SRC, tmp_path / "wam"
    try:
        found = _storage_imports(bad)
    finally:
        SRC = saved
    assert sorted(found) == ["5: wam.storage", "6: sqlalchemy.orm"]


def test_it_finds_imports_it_must_refuse(tmp_path):
    """The checker itself can fail: a domain module importing sqlalchemy is caught."""
    bad = tmp_path / "wam" / "domain" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text("import sqlalchemy\nfrom ..storage import tables\n")
    names = [name for _, name in _imports_for(bad, tmp_path / "wam")]
    assert "sqlalchemy" in names and "wam.storage" in names


def _imports_for(path: Path, root: Path) -> list[tuple[int, str]]:
    global SRC
    saved, SRC = SRC, root
    try:
        return _imports(path)
    finally:
        SRC = saved
