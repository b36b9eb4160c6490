"""A database that cannot be used is one line and exit 2, never an internal error (exit 70) or a
misleading "run `wam init`": a folder, a missing folder, a file that is not SQLite's, a server that
refuses the connection, a database wam does not run on, an empty ``--db``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PG_URL
from wam.cli.main import run


def _wam(capsys, *argv: str) -> tuple[int, str]:  # noqa: ANN001
    code = run(list(argv))
    return code, capsys.readouterr().err


@pytest.mark.parametrize("command", [["init"], ["balance", "GAO-ARM"], ["verify"]])
@pytest.mark.parametrize(("db", "says"), [
    ("{tmp}", "cannot use the database {tmp}: unable to open database file"),
    ("{tmp}/notdb.txt", "cannot use the database {tmp}/notdb.txt: file is not a database"),
    ("postgresql://postgres@127.0.0.1:1/test", "cannot use the database postgresql://postgres@127.0.0.1:1/test: "
                                               "connection failed"),
    ("mysql://x@localhost/wam", "field 'db': wam runs on SQLite and PostgreSQL, not 'mysql'"),
    ("", "field 'db': is empty: give a SQLite file or a postgresql:// URL"),
])
def test_a_database_that_cannot_be_used_is_one_line_and_exit_2(capsys, tmp_path: Path, command: list[str], db: str,
                                                               says: str) -> None:  # noqa: ANN001
    (tmp_path / "notdb.txt").write_text("a spreadsheet saved under the wrong name\n")
    code, err = _wam(capsys, "--db", db.format(tmp=tmp_path), *command)
    assert code == 2, err
    assert err.startswith(f"wam: error: {says.format(tmp=tmp_path)}")
    assert len(err.splitlines()) == 1 and "Traceback" not in err and "sqlalche.me" not in err


def test_init_in_a_missing_folder_says_it_cannot_open_the_file(capsys, tmp_path: Path) -> None:  # noqa: ANN001
    code, err = _wam(capsys, "--db", str(tmp_path / "no" / "such" / "wam.db"), "init")
    assert (code, err.strip()) == (2, f"wam: error: cannot use the database {tmp_path}/no/such/wam.db: "
                                      "unable to open database file")
    assert not (tmp_path / "no").exists()


@pytest.mark.skipif(not PG_URL, reason="a PostgreSQL server's schemas")
def test_init_in_a_schema_that_does_not_exist_says_so(capsys) -> None:  # noqa: ANN001
    sep = "&" if "?" in PG_URL else "?"
    code, err = _wam(capsys, "--db", f"{PG_URL}{sep}options=-csearch_path%3Dno_such_schema_x", "init")
    assert code == 2 and err.strip().endswith("the schema its search_path names does not exist")
