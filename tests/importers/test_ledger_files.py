"""Reading holder and stock files as quartermasters make them: headers, BOMs, blank rows, CRLF, XLSX."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.builders import snapshot
from tests.builders import own_db_url_fixture, own_ledger_fixture, own_world_fixture  # noqa: F401  (db_url, ledger, world)
from tests.factories import T0, ball_rounds, rifle
from wam.domain.errors import InvalidInput
from wam.importers.ledger_files import (
    HOLDER_COLUMNS,
    STOCK_COLUMNS,
    ImportFailed,
    import_movements,
    import_stock,
    ledger_countries,
    read_holders,
    stock_row,
)
from wam.domain.timefmt import parse_moment
from wam.importers.spreadsheets import read_rows

DATA = Path(__file__).parent / "data"
HOLDERS_CSV = "code,name,kind,parent,country,latitude,longitude\n"


def write(path: Path, text: str, *, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for r in rows:
        book.active.append(r)
    book.save(path)
    return path


# --- headers ------------------------------------------------------------------------------------
def test_it_refuses_a_header_without_a_required_column(tmp_path):
    path = write(tmp_path / "h.csv", "code,name,parent\nUN,United Nations,\n")
    with pytest.raises(InvalidInput) as refused:
        list(read_rows(path, required=HOLDER_COLUMNS))
    assert (refused.value.row, refused.value.field) == (1, "header")
    assert "missing column(s): kind" in refused.value.message


def test_it_refuses_an_unknown_column_rather_than_drop_it(tmp_path):
    path = write(tmp_path / "h.csv", "code,name,kind,contry\nUN,United Nations,organisation,\n")
    with pytest.raises(InvalidInput) as refused:
        list(read_rows(path, required=HOLDER_COLUMNS, optional=("country",)))
    assert (refused.value.row, refused.value.field) == (1, "header")
    assert "unknown column(s): contry (expected code, name, kind, country)" in refused.value.message


def test_it_refuses_a_column_named_twice_rather_than_pick_one(tmp_path):
    """Which of two 'item' columns a row's weapon came from was a matter of code, not of the file."""
    path = write(tmp_path / "m.csv", "kind,item,quantity,from,to,occurred_at,ITEM \nissue,56-1,1,A,B,2024-01-01,56-2\n")
    with pytest.raises(InvalidInput) as refused:
        list(read_rows(path, required=("kind", "item", "quantity", "from", "to", "occurred_at")))
    assert (refused.value.row, refused.value.field) == (1, "header")
    assert "column(s) named more than once: item" in refused.value.message


def test_it_reads_headers_in_any_case_with_stray_spaces(tmp_path):
    path = write(tmp_path / "h.csv", " Code , NAME,kind \nUN,United Nations,organisation\n")
    assert list(read_rows(path, required=HOLDER_COLUMNS)) == [
        (2, {"code": "UN", "name": "United Nations", "kind": "organisation"})]


def test_it_reads_columns_in_any_order(tmp_path):
    path = write(tmp_path / "h.csv", "kind,code,name\norganisation,UN,United Nations\n")
    assert list(read_rows(path, required=HOLDER_COLUMNS))[0][1]["code"] == "UN"


def test_it_ignores_an_unnamed_empty_column(tmp_path):
    path = write(tmp_path / "h.csv", "code,name,kind,\nUN,United Nations,organisation,\n")
    assert list(read_rows(path, required=HOLDER_COLUMNS))[0][1] == {
        "code": "UN", "name": "United Nations", "kind": "organisation"}


def test_a_value_under_an_unnamed_column_is_a_bad_row(tmp_path):
    """A value the header gives no column to would be dropped without a word; like a row longer
    than the header, it is an error of its row, and the rows after it are still read."""
    path = write(tmp_path / "h.csv", "code,name,,kind\nUN,United Nations,,organisation\nX,Y,stray,site\nZ,W,,site\n")
    problems: list[InvalidInput] = []
    assert [line for line, _ in read_rows(path, required=HOLDER_COLUMNS, problems=problems)] == [2, 4]
    assert [(p.row, p.field, p.detail) for p in problems] == [
        (3, "row", "has a value in column 3, which the header does not name")]


def test_a_value_past_an_xlsx_header_is_a_bad_row(tmp_path):
    """openpyxl gives the header row as many cells as the widest row: the extra ones are blank."""
    path = xlsx(tmp_path / "h.xlsx", [["code", "name", "kind"], ["UN", "United Nations", "organisation", "extra"]])
    _, errors = read_holders(path)
    assert [(e.row, e.field, e.detail) for e in errors] == [
        (2, "row", "has a value in column 4, which the header does not name")]


def test_it_refuses_an_empty_file(tmp_path):
    with pytest.raises(InvalidInput, match="is empty") as refused:
        list(read_rows(write(tmp_path / "h.csv", ""), required=HOLDER_COLUMNS))
    assert refused.value.row == 1


def test_it_refuses_a_row_longer_than_the_header(tmp_path):
    path = write(tmp_path / "h.csv", "code,name,kind\nUN,United Nations,organisation\nX,Y,site,extra\n")
    rows = read_rows(path, required=HOLDER_COLUMNS)
    assert next(rows)[0] == 2
    with pytest.raises(InvalidInput) as refused:
        next(rows)
    assert (refused.value.row, refused.value.field) == (3, "row")


def test_it_reads_a_short_row_as_blanks(tmp_path):
    path = write(tmp_path / "h.csv", "code,name,kind,parent\nUN,United Nations,organisation\n")
    assert list(read_rows(path, required=HOLDER_COLUMNS, optional=("parent",)))[0][1]["parent"] == ""


# --- encodings and line ends -----------------------------------------------------------------------
def test_it_reads_a_byte_order_mark(tmp_path):
    path = write(tmp_path / "h.csv", HOLDERS_CSV + "UN,United Nations,organisation,,,,\n", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    holders, errors = read_holders(path)
    assert errors == [] and [h.code for _, h in holders] == ["UN"]


def test_it_reads_windows_line_ends(tmp_path):
    text = HOLDERS_CSV + "UN,United Nations,organisation,,,,\nMINUSMA,MINUSMA,mission,UN,,,\n"
    path = write(tmp_path / "h.csv", text, newline="\r\n")
    assert b"\r\n" in path.read_bytes()
    holders, errors = read_holders(path)
    assert errors == []
    assert [(line, h.code, h.name) for line, h in holders] == [(2, "UN", "United Nations"), (3, "MINUSMA", "MINUSMA")]


def test_it_skips_blank_rows_but_keeps_counting_lines(tmp_path):
    text = HOLDERS_CSV + "\nUN,United Nations,organisation,,,,\n,,,,,,\n  ,\t,,,,,\nMINUSMA,MINUSMA,mission,UN,,,\n\n"
    holders, errors = read_holders(write(tmp_path / "h.csv", text))
    assert errors == []
    assert [(line, h.code) for line, h in holders] == [(3, "UN"), (6, "MINUSMA")]


def test_it_counts_lines_past_a_quoted_line_break(tmp_path):
    text = HOLDERS_CSV + 'UN,"United\nNations",organisation,,,,\nMINUSMA,MINUSMA,mission,,,,\n'
    holders, errors = read_holders(write(tmp_path / "h.csv", text))
    assert [(line, h.name) for line, h in holders] == [(2, "United\nNations")]
    assert [(e.row, e.field) for e in errors] == [(4, "parent")]


@pytest.mark.parametrize(("tail", "problem"), [
    ('"oops\nGAO-ARM,GAO,store,MINUSMA,,,\n', "a quoted value begins on this line and is never closed"),
    ('"ok"ay,store,MINUSMA,,,\n', "is not well-formed CSV"),
])
def test_a_quote_left_open_is_an_error_on_its_line_not_the_rest_of_the_file(tmp_path, tail, problem):
    # left open, the quote would take the lines after it into one value: rows silently lost in a note
    text = HOLDERS_CSV + "UN,United Nations,organisation,,,,\nMINUSMA,MINUSMA,mission,UN,,,\nGAO,Gao," + tail
    with pytest.raises(InvalidInput, match=problem) as refused:
        read_holders(write(tmp_path / "h.csv", text))
    assert (refused.value.row, refused.value.field) == (4, "file")


def test_it_refuses_a_file_that_is_not_utf8(tmp_path):
    path = write(tmp_path / "h.csv", HOLDERS_CSV + "GAO,Camp de Gaô,site,UN,,,\n", encoding="latin-1")
    with pytest.raises(InvalidInput, match="is not UTF-8 text") as refused:
        read_holders(path)
    assert refused.value.field == "file"


def test_it_keeps_accents_in_utf8(tmp_path):
    holders, _ = read_holders(write(tmp_path / "h.csv", HOLDERS_CSV + "GAO,Camp de Gaô,site,UN,,,\n"))
    assert holders[0][1].name == "Camp de Gaô"


@pytest.mark.parametrize("name", ["holders.ods", "holders.xls", "holders.json"])
def test_it_refuses_other_file_kinds(tmp_path, name):
    with pytest.raises(InvalidInput, match=r"use a \.csv or \.xlsx file") as refused:
        read_holders(write(tmp_path / name, HOLDERS_CSV))
    assert refused.value.field == "file"


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(InvalidInput, match="cannot read"):
        read_holders(tmp_path / "nowhere.csv")


# --- XLSX -------------------------------------------------------------------------------------------
def test_it_reads_xlsx_like_csv(tmp_path):
    path = xlsx(tmp_path / "h.xlsx", [
        ["code", "name", "kind", "parent", "country", "latitude", "longitude"],
        ["UN", "United Nations", "organisation", None, None, None, None],
        [None, None, None, None, None, None, None],
        ["GAO", "Gao camp", "site", "UN", None, 16.27, -0.04],
        ["BGD-BATT", "Bangladesh battalion", "contingent", "UN", "bgd", None, None],
    ])
    holders, errors = read_holders(path)
    assert errors == []
    assert [(line, h.code) for line, h in holders] == [(2, "UN"), (4, "GAO"), (5, "BGD-BATT")]
    assert (holders[1][1].latitude, holders[1][1].longitude) == (16.27, -0.04)
    assert holders[2][1].country == "BGD"


def test_it_reads_whole_numbers_in_xlsx_as_integers(tmp_path):
    path = xlsx(tmp_path / "s.xlsx", [["holder", "type", "make", "model", "lot", "quantity", "hazard_division"],
                                      ["GAO-ASP", "ammunition", "POF", "ball", 2021, 10000.0, 1.4]])
    [(line, row)] = list(read_rows(path, required=STOCK_COLUMNS, optional=("lot", "quantity", "hazard_division")))
    assert (line, row["lot"], row["quantity"], row["hazard_division"]) == (2, "2021", "10000", "1.4")


def test_an_xlsx_cell_shown_as_a_date_alone_reads_as_that_date(tmp_path):
    """A date cell is the end of that day, as the same text in a CSV file is, not its midnight;
    a cell shown with its time keeps it."""
    book = Workbook()
    book.active.append(["holder", "type", "make", "model", "lot", "markings", "calibre"])
    book.active.append(["GAO-ASP", "ammunition", "POF", "ball",
                         datetime(2024, 1, 1), datetime(2024, 1, 1, 10, 30),  # noqa: DTZ001 (cells hold no zone)
                         datetime(2024, 1, 1, 0, 12, 30)])  # noqa: DTZ001
    book.active["E2"].number_format = "mm-dd-yy"
    book.active["F2"].number_format = "yyyy-mm-dd hh:mm"
    book.active["G2"].number_format = "mm:ss"  # minutes and seconds: a time, not a date
    book.save(tmp_path / "d.xlsx")
    [(_, row)] = list(read_rows(tmp_path / "d.xlsx", required=STOCK_COLUMNS, optional=("lot", "markings", "calibre")))
    assert (row["lot"], row["markings"], row["calibre"]) == ("2024-01-01", "2024-01-01 10:30:00", "2024-01-01 00:12:30")
    assert parse_moment(row["lot"]) == parse_moment("2024-01-01") == datetime(2024, 1, 1, 23, 59, 59, 999_999,
                                                                               tzinfo=UTC)


def test_it_reports_xlsx_header_errors_on_row_1(tmp_path):
    path = xlsx(tmp_path / "h.xlsx", [["code", "name"], ["UN", "United Nations"]])
    with pytest.raises(InvalidInput, match="missing column"):
        read_holders(path)


def test_it_refuses_a_damaged_xlsx(tmp_path):
    path = write(tmp_path / "h.xlsx", "this is not a workbook")
    with pytest.raises(InvalidInput, match="not a readable XLSX workbook") as refused:
        read_holders(path)
    assert refused.value.field == "file"


def test_it_reports_every_bad_row_of_an_xlsx_with_its_line(tmp_path):
    path = xlsx(tmp_path / "h.xlsx", [
        ["code", "name", "kind", "parent", "country"],
        ["UN", "United Nations", "organisation", None, None],
        ["BGD-BATT", "Bangladesh battalion", "contingent", "UN", None],
        ["GAO ARM", "Gao armoury", "store", "UN", None],
    ])
    _, errors = read_holders(path)
    assert [(e.row, e.field) for e in errors] == [(3, "country"), (4, "code")]


# --- stock rows ------------------------------------------------------------------------------------
@pytest.mark.parametrize("quantity", ["\u0663", "\uff11", "1_0", "+2"])
def test_a_stock_quantity_is_written_in_ascii_digits_as_a_movements_is(quantity):
    with pytest.raises(InvalidInput) as refused:
        stock_row({"holder": "GAO-ASP", "type": "ammunition", "make": "POF", "model": "ball", "lot": "L-1",
                   "quantity": quantity, "hazard_division": "1.4"})
    assert refused.value.field == "quantity"


def test_it_reads_a_weapon_row():
    item, holder, quantity = stock_row({"holder": "GAO-ARM", "type": "weapon", "make": "Norinco", "model": "Type 56",
                                        "serial": "56-00001", "quantity": ""})
    assert (item.key, holder, quantity) == (rifle("56-00001").key, "GAO-ARM", 1)


def test_it_reads_an_ammunition_row():
    item, holder, quantity = stock_row({"holder": "GAO-ASP", "type": "ammunition", "make": "POF",
                                        "model": "7.62x39mm ball", "lot": "POF-2021-07", "quantity": "12000",
                                        "hazard_division": "1.4", "compatibility_group": "S", "neq_kg": "0.0016"})
    assert (item.key, holder, quantity) == (ball_rounds().key, "GAO-ASP", 12_000)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"type": "weapon", "make": "FN", "model": "FAL", "serial": "1", "quantity": "2"}, "quantity"),
        ({"type": "ammunition", "make": "POF", "model": "ball", "lot": "L", "quantity": "", "hazard_division": "1.4"},
         "quantity"),
        ({"type": "ammunition", "make": "POF", "model": "ball", "lot": "L", "quantity": "-5", "hazard_division": "1.4"},
         "quantity"),
        ({"type": "ammunition", "make": "POF", "model": "ball", "lot": "L", "quantity": "1.5",
          "hazard_division": "1.4"},
         "quantity"),
        ({"type": "ammunition", "make": "POF", "model": "ball", "lot": "L", "quantity": "5"}, "hazard_division"),
        ({"type": "ammunition", "make": "POF", "model": "ball", "lot": "L", "quantity": "²", "hazard_division": "1.4"},
         "quantity"),  # a digit int() cannot read (str.isdigit says yes)
        ({"type": "ammunition", "make": "X", "model": "HUGE", "lot": "H", "quantity": "10", "hazard_division": "1.1",
          "compatibility_group": "E", "neq_kg": "1e300"}, "neq_kg"),  # the README trial's absurd NEQ
        ({"type": "weapon", "make": "FN", "model": "FAL", "serial": "1", "holder": " "}, "holder"),
    ],
)
def test_it_refuses_a_bad_stock_row_naming_the_field(row, field):
    row = {"holder": "GAO-ARM", **row}
    with pytest.raises(InvalidInput) as refused:
        stock_row(row)
    assert refused.value.field == field


# --- importing stock into a ledger ---------------------------------------------------------------------
STOCK_CSV = "holder,type,make,model,serial,lot,quantity,hazard_division,compatibility_group\n"


def test_it_finds_each_holders_country_from_its_contingent(world):
    countries = ledger_countries(world.ledger)
    assert countries["PTE-RAHMAN"] == "BGD" and countries["ANSONGO-ARM"] == "SEN" and countries["JUBA"] == "NPL"
    assert countries["MINUSMA"] is None and "supply:BGD" not in countries


def test_it_imports_stock_as_receipts(world, tmp_path):
    ledger = world.ledger
    path = write(tmp_path / "s.csv", STOCK_CSV + "ANSONGO-ARM,weapon,FN,FAL,F-1,,,,\r\n\r\n"
                                                 "SGT-DIOP,ammunition,POF,ball,,L-7,300,1.4,s\r\n",
                 encoding="utf-8-sig")
    report = import_stock(ledger, path, actor="clerk", occurred_at=T0)
    assert (report.rows, report.written, report.errors) == (2, 2, [])
    latest = ledger.entries(limit=2)
    assert [(e.source, e.target, e.quantity) for e in latest] == [
        ("supply:SEN", "SGT-DIOP", 300), ("supply:SEN", "ANSONGO-ARM", 1)]
    assert ledger.verify().ok


def test_it_counts_rows_as_it_streams(world, tmp_path):
    ticks = []
    path = write(tmp_path / "s.csv", STOCK_CSV + "".join(f"JUBA-ARM,weapon,FN,FAL,F-{n},,,,\n" for n in range(7)))
    import_stock(world.ledger, path, actor="clerk", occurred_at=T0, on_row=lambda: ticks.append(1))
    assert len(ticks) == 7


def test_it_lists_every_bad_stock_row_and_writes_nothing(world, tmp_path):
    ledger = world.ledger
    before = snapshot(ledger)
    path = write(tmp_path / "s.csv", STOCK_CSV + (
        "JUBA-ARM,weapon,FN,FAL,F-1,,,,\n"  # 2: fine
        "JUBA-ARM,weapon,FN,FAL,,,,,\n"  # 3: serial
        "NOWHERE,weapon,FN,FAL,F-2,,,,\n"  # 4: holder
        "\n"  # 5: blank
        "JUBA-ARM,grenade,FN,FAL,F-3,,,,\n"  # 6: type
        "UNMISS,weapon,FN,FAL,F-4,,,,\n"  # 7: no contingent above
        "JUBA-ARM,ammunition,POF,ball,,L-1,10,1.9,S\n"  # 8: hazard division
    ))
    with pytest.raises(ImportFailed) as failed:
        import_stock(ledger, path, actor="clerk", occurred_at=T0)
    assert [(e.row, e.field) for e in failed.value.errors] == [
        (3, "serial"), (4, "holder"), (6, "type"), (7, "holder"), (8, "hazard_division")]
    assert failed.value.message == "5 bad row(s); nothing was imported"
    assert snapshot(ledger) == before


def test_a_row_may_not_state_a_registered_items_facts_otherwise(world, tmp_path):
    # the same lot in two stores: a second row may repeat its facts or leave them blank, but a
    # different hazard division (in the same file, or in a later one) is refused, naming the field
    ledger = world.ledger
    good = write(tmp_path / "good.csv", "holder,type,make,model,lot,quantity,hazard_division,compatibility_group,"
                 "calibre\n"
                 "GAO-ASP,ammunition,POF,ball,L-9,100,1.4,S,7.62x39\n"
                 "JUBA-ARM,ammunition,POF,ball,L-9,50,1.4,S,7.62x39\n"  # the same facts
                 "ANSONGO-ARM,ammunition,POF,ball,L-9,5,1.4,S,\n")  # calibre left blank: as registered
    assert import_stock(ledger, good, actor="clerk", occurred_at=T0).written == 3
    before = snapshot(ledger)
    bad = write(tmp_path / "bad.csv", STOCK_CSV + (
        "GAO-ASP,ammunition,POF,ball,,L-10,100,1.4,S\n"
        "JUBA-ARM,ammunition,POF,ball,,L-10,50,1.1,S\n"  # 3: not as row 2 registered it
        "JUBA-ARM,ammunition,POF,ball,,L-9,50,1.4,A\n"))  # 4: not as the earlier file registered it
    with pytest.raises(ImportFailed) as failed:
        import_stock(ledger, bad, actor="clerk", occurred_at=T0)
    assert [(e.row, e.field) for e in failed.value.errors] == [(3, "hazard_division"), (4, "compatibility_group")]
    assert "registered with hazard division 1.4; this row says 1.1" in failed.value.errors[0].message
    assert snapshot(ledger) == before


def test_it_reports_a_header_error_before_any_row(world, tmp_path):
    path = write(tmp_path / "s.csv", "holder,type,make\nJUBA-ARM,weapon,FN\n")
    with pytest.raises(InvalidInput, match="missing column") as refused:
        import_stock(world.ledger, path, actor="clerk", occurred_at=T0)
    assert not isinstance(refused.value, ImportFailed) and refused.value.row == 1


def test_it_imports_the_shipped_sample(world):
    # tests/importers/data/opening-stock.csv: a quartermaster's sheet, with a BOM, CRLF and blank rows
    report = import_stock(world.ledger, DATA / "opening-stock.csv", actor="clerk", occurred_at=T0)
    assert (report.rows, report.written) == (4, 4)
    assert world.ledger.verify().ok


def test_it_reports_a_weapon_listed_twice_under_its_serial(world, tmp_path):
    path = write(tmp_path / "s.csv", STOCK_CSV + "JUBA-ARM,weapon,FN,FAL,F-1,,,,\nJUBA-ARM,weapon,FN,FAL,F-1,,,,\n")
    with pytest.raises(ImportFailed) as failed:
        import_stock(world.ledger, path, actor="clerk", occurred_at=T0)
    assert [(e.row, e.field) for e in failed.value.errors] == [(3, "serial")]


@pytest.mark.parametrize("actor", ["a\x07b", "Capt A\u200bB", "", "x" * 101])
def test_the_default_actor_of_a_movements_import_is_checked_before_the_file_is_read(world, tmp_path, actor):
    """As a row's actor is (make_movement), whether or not any row leaves its actor blank: the
    file here does not even exist, and the ledger is not touched."""
    before = snapshot(world.ledger)
    with pytest.raises(InvalidInput) as refused:
        import_movements(world.ledger, tmp_path / "absent.csv", default_actor=actor)
    assert refused.value.field == "actor" and refused.value.row is None
    assert snapshot(world.ledger) == before
