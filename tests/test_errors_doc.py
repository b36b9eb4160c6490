"""docs/errors.md stays true: every error class, its code, its exit code and its HTTP status.

The classes are found by importing every module of ``wam`` and walking ``WamError``'s subclasses,
so a new error class fails this test until the page lists it. The exit code is the command line's
handler's (``wam.cli.main.exit_code``, the function ``run`` calls); the status and ``Retry-After``
are what the web's exception handler answers when a route raises the error.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from fastapi import FastAPI

import wam
from tests.web.asgi import AppClient
from wam.cli import main as cli_main
from wam.domain.errors import InvalidInput, WamError
from wam.web import errors as web_errors

DOC = Path(__file__).resolve().parents[1] / "docs" / "errors.md"
SKIP = ("wam.__main__", "wam.storage.migrations")  # runs the command line; Alembic scripts


def _all_error_classes() -> dict[str, type[WamError]]:
    for info in pkgutil.walk_packages(wam.__path__, "wam."):
        if not info.name.startswith(SKIP):
            importlib.import_module(info.name)
    found: dict[str, type[WamError]] = {}
    todo: list[type[WamError]] = [WamError]
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("wam."):
            assert cls.__name__ not in found or found[cls.__name__] is cls, f"two error classes named {cls.__name__}"
            found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def _tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table of ``text``: its rows (header first, the |---| line left out) of cells."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-+:?", c) for c in cells):
                continue
            if current is None:
                current = []
                tables.append(current)
            current.append(cells)
        else:
            current = None
    return tables


def _name(cell: str) -> str:
    return cell.strip("`")


def _documented() -> dict[str, dict[str, str]]:
    tables = _tables(DOC.read_text(encoding="utf-8"))
    errors = next(t for t in tables if t[0][0] == "error")
    header = errors[0]
    rows = {}
    for cells in errors[1:]:
        assert len(cells) == len(header), f"docs/errors.md: row {cells[0]} has {len(cells)} cells, not {len(header)}"
        row = dict(zip(header, cells, strict=True))
        assert _name(row["error"]) not in rows, f"docs/errors.md lists {row['error']} twice"
        rows[_name(row["error"])] = row
    return rows


SAMPLES: dict[str, object] = {"errors": [InvalidInput("bad", field="serial", row=2)], "law": 1, "position": 0, "at": 0}


def _sample(cls: type[WamError]) -> WamError:
    """An instance of ``cls``, its required arguments filled in by name."""
    args, kwargs = [], {}
    for p in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        if p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        value = SAMPLES.get(p.name, "x")
        if p.kind is p.KEYWORD_ONLY:
            kwargs[p.name] = value
        else:
            args.append(value)
    return cls(*args, **kwargs)


CLASSES = _all_error_classes()
DOCUMENTED = _documented()


def test_every_error_class_is_documented_and_every_documented_class_exists() -> None:
    assert sorted(set(CLASSES) - set(DOCUMENTED)) == [], "error classes missing from docs/errors.md"
    assert sorted(set(DOCUMENTED) - set(CLASSES)) == [], "docs/errors.md lists classes that do not exist"


def test_the_error_classes_found_include_those_of_every_layer() -> None:
    # the walk itself can fail silently (a module skipped, the tree moved): these must be found
    assert {"InvalidInput", "ImportFailed", "ConcurrentAppend", "NotInitialised", "ConfirmationRefused",
            "Throttled"} <= set(CLASSES)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_base_code_and_retryable_are_as_documented(name: str) -> None:
    cls, row = CLASSES[name], DOCUMENTED[name]
    base = cls.__mro__[1].__name__ if cls is not WamError else ""
    assert _name(row["is a"]) == base
    assert _name(row["code"]) == cls.code
    assert row["retry?"] == ("yes" if cls.retryable else "no")


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_exit_code_is_as_documented(name: str) -> None:
    assert cli_main.exit_code(_sample(CLASSES[name])) == int(DOCUMENTED[name]["exit"])


def test_the_command_line_handler_uses_exit_code() -> None:
    def fail() -> None:
        raise _sample(CLASSES["ConcurrentAppend"])

    cli_main.app.command("__fail_for_test")(fail)
    try:
        assert cli_main.run(["__fail_for_test"]) == int(DOCUMENTED["ConcurrentAppend"]["exit"])
    finally:
        cli_main.app.registered_commands.pop()


def test_every_exit_code_in_the_doc_is_in_the_command_lines_docstring_and_back() -> None:
    documented = set()
    for table in _tables(DOC.read_text(encoding="utf-8")):
        column = table[0].index("exit")
        documented |= {int(row[column]) for row in table[1:] if row[column]}
    in_docstring = {int(m) for m in re.findall(r"^(\d+)\s{2,}", cli_main.__doc__ or "", re.MULTILINE)}
    assert documented == in_docstring


@pytest.fixture(scope="module")
def raising_client():
    app = FastAPI()
    web_errors.install(app)

    @app.get("/api/raise/{name}")
    def raise_it(name: str) -> None:
        raise _sample(CLASSES[name])

    with AppClient(app) as client:
        yield client


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_http_status_and_retry_after_are_as_documented(raising_client: AppClient, name: str) -> None:
    answer = raising_client.get(f"/api/raise/{name}")
    cell = DOCUMENTED[name]["HTTP"]
    status = re.match(r"\d{3}", cell)
    assert status, f"docs/errors.md: HTTP of {name} is {cell!r}"
    assert answer.status_code == int(status.group())
    assert answer.json()["error"]["code"] == CLASSES[name].code
    if "Retry-After" not in cell:
        assert "Retry-After" not in answer.headers
    elif "`.retry_after`" in cell:  # the error's own wait
        assert answer.headers["Retry-After"] == str(_sample(CLASSES[name]).retry_after)  # type: ignore[attr-defined]
    else:
        assert answer.headers["Retry-After"] == re.search(r"Retry-After: (\d+)", cell).group(1)  # type: ignore[union-attr]
