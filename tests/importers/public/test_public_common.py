"""Shared helpers: values, headers, line numbers, sources, the single-pass result."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from wam.importers.public.common import (
    FieldError,
    HeaderError,
    ParseResult,
    RowContext,
    clean,
    fold_key,
    normalise_header,
    parse_bool,
    parse_date,
    parse_float,
    parse_int,
)


def test_clean_trims_and_maps_na() -> None:
    assert clean("Map no. 4309 ") == "Map no. 4309"
    assert clean("Local ") == "Local"
    assert clean("\u00a0Bor\u00a0") == "Bor"
    for na in ("NA", "", "  ", "N/A", "nan", "NULL", None):
        assert clean(na) is None


def test_parse_int_variants() -> None:
    assert parse_int("250.0", "m49_code") == 250  # float-written int (fatalities m49_code)
    assert parse_int("12", "x") == 12
    assert parse_int(" 7 ", "x") == 7
    assert parse_int("-3", "x") == -3
    assert parse_int("NA", "x") is None
    assert parse_int("unknown", "No.troops") is None
    assert parse_int("unkown", "No.troops.per.TCC2") is None  # real typo in geopko.csv
    assert parse_int("?", "HQ") is None
    with pytest.raises(FieldError) as info:
        parse_int("12.5", "x")
    assert info.value.field == "x" and info.value.value == "12.5"
    with pytest.raises(FieldError):
        parse_int("unknown", "x", unknown_ok=False)
    with pytest.raises(FieldError):
        parse_int("²", "x")  # a Unicode digit that int() refuses


def test_parse_float_decimal_comma() -> None:
    assert parse_float("12,6500", "lon") == pytest.approx(12.65)
    assert parse_float("-8,0000", "lat") == pytest.approx(-8.0)
    assert parse_float("5.309657", "lat") == pytest.approx(5.309657)
    assert parse_float("NA", "lat") is None
    with pytest.raises(FieldError):
        parse_float("12,6500", "lon", decimal_comma=False)
    with pytest.raises(FieldError):
        parse_float("1.234,5", "x")
    with pytest.raises(FieldError):
        parse_float("nan nan", "x")


def test_parse_bool_mixed_case() -> None:
    assert [parse_bool(v, "active") for v in ("Yes", "YES", "yes", "No", "NO", "no", "1", "0")] == [
        True,
        True,
        True,
        False,
        False,
        False,
        True,
        False,
    ]
    assert parse_bool("", "active") is None
    with pytest.raises(FieldError):
        parse_bool("Maybe", "active")


def test_parse_date() -> None:
    assert parse_date("2014-03-31", "Date") == date(2014, 3, 31)
    assert parse_date("", "start_date") is None
    with pytest.raises(FieldError):
        parse_date("31/03/2014", "Date")


def test_headers_are_normalised_and_typos_fixed() -> None:
    assert normalise_header("Contributor UN_Bloc") == "contributor_un_bloc"
    assert normalise_header("Inidividual_Police") == "individual_police"
    assert normalise_header("Individual_Police") == "individual_police"
    assert normalise_header("No.troops.per.TCC14") == "no_troops_per_tcc14"
    assert normalise_header("UNPOL..dummy.") == "unpol_dummy"
    assert normalise_header("Contributor_ISO-3") == "contributor_iso_3"
    assert normalise_header("\ufeffid") == "id"


def test_fold_key_ignores_accents_apostrophes_case() -> None:
    assert (
        fold_key("Côte d’Ivoire")
        == fold_key("Cote D'ivoire")
        == fold_key("Cote d Ivoire")
        == "cotedivoire"
    )
    assert fold_key("Türkiye") == "turkiye"


def _pairs(ctx: RowContext) -> tuple[int, str]:
    value = ctx.int("n", unknown_ok=False)
    if value is None:
        raise ctx.fail("n", "empty")
    return ctx.line, ctx.text("text") or ""


MULTILINE = 'n,text\r\n1,plain\r\n2,"two\r\nlines"\r\n3,"three\nmore\nlines"\r\nx,bad\r\n\r\n4,after blank\r\n5\r\n'


def test_line_numbers_count_multiline_records_and_blank_lines() -> None:
    result = ParseResult(io.StringIO(MULTILINE, newline=""), _pairs, required=("n", "text"))
    got = result.collect()
    assert got == [
        (2, "plain"),
        (3, "two\r\nlines"),
        (5, "three\nmore\nlines"),
        (10, "after blank"),
    ]
    assert [(s.line, s.field, s.reason) for s in result.skipped] == [
        (8, "n", "not an integer"),
        (11, None, "expected 2 fields, found 1"),
    ]
    assert result.rows == 6 and result.records == 4 and result.done


def test_sources_path_text_and_binary(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(("\ufeff" + MULTILINE).encode("utf-8"))  # with a BOM
    by_path = ParseResult(path, _pairs).collect()
    by_str = ParseResult(str(path), _pairs).collect()
    with path.open("rb") as raw:
        by_binary = ParseResult(raw, _pairs).collect()
        assert not raw.closed  # the caller's file is not closed
    with path.open(encoding="utf-8-sig", newline="") as text:
        by_text = ParseResult(text, _pairs).collect()
    assert by_path == by_str == by_binary == by_text
    assert len(by_path) == 4


def test_single_pass_and_header_errors(tmp_path: Path) -> None:
    result = ParseResult(io.StringIO(MULTILINE, newline=""), _pairs)
    list(result)
    with pytest.raises(RuntimeError):
        list(result)
    with pytest.raises(HeaderError, match="missing column"):
        ParseResult(io.StringIO("a,b\n1,2\n"), _pairs, required=("n",)).collect()
    with pytest.raises(HeaderError, match="empty file"):
        ParseResult(io.StringIO(""), _pairs).collect()
    with pytest.raises(TypeError):
        ParseResult(42, _pairs).collect()  # type: ignore[arg-type]


def test_streaming_reads_lazily() -> None:
    """The first record arrives before the rest of the file is read."""

    def rows():
        yield "n,text\n"
        yield "1,first\n"
        raise AssertionError("read too far")

    class Lazy(io.TextIOBase):
        def __init__(self) -> None:
            self._it = rows()

        def readable(self) -> bool:
            return True

        def __next__(self) -> str:
            return next(self._it)

        def __iter__(self):  # type: ignore[override]
            return self

    first = next(iter(ParseResult(Lazy(), _pairs)))
    assert first == (2, "first")


def test_a_failed_row_is_reported_once() -> None:
    """Notes and partial skips left by a row that then fails are withdrawn."""

    def noisy(ctx: RowContext) -> str:
        ctx.note("n", "looked at it", ctx.raw("n"))
        ctx.skip("text", "part dropped", ctx.raw("text"))
        if ctx.raw("n") == "bad":
            raise ctx.fail("n", "refused", "bad")
        return ctx.raw("text") or ""

    result = ParseResult(io.StringIO("n,text\n1,a\nbad,b\n3,c\n", newline=""), noisy)
    assert result.collect() == ["a", "c"]
    assert [(n.line, n.field) for n in result.notes] == [(2, "n"), (4, "n")]
    assert [(s.line, s.field, s.reason) for s in result.skipped] == [
        (2, "text", "part dropped"),
        (3, "n", "refused"),
        (4, "text", "part dropped"),
    ]
