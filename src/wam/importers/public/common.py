"""Shared helpers for the public-data parsers: opening, header lookup, value parsing, reporting.

Every parser in this package follows one pattern:

* it accepts a path (``str`` or :class:`os.PathLike`) or an open file object (text, or binary,
  which is decoded as UTF-8);
* it returns a :class:`ParseResult`, an iterable that reads the CSV lazily, row by row, with
  :func:`csv.reader` over a file opened with ``newline=""`` (so quoted fields that span several
  physical lines are read as one record and line numbers stay true);
* a row that cannot be turned into a record is not fatal: it is reported as a :class:`Skipped`
  (line, field, reason, raw value) and the next row is read;
* a value that was repaired or deliberately replaced by ``None`` (a swapped coordinate pair, a
  site without coordinates, an obvious typo) is reported as a :class:`Note`, and the record is kept.

Line numbers are the physical line, counted from 1 with the header as line 1, on which the record
*starts*; for a record holding a multi-line quoted field the start line is the line an editor
shows for that row.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Generic, TypeVar, Union, cast

__all__ = [
    "NA_TOKENS",
    "UNKNOWN_TOKENS",
    "FieldError",
    "Header",
    "HeaderError",
    "Note",
    "ParseResult",
    "RowContext",
    "Skipped",
    "Source",
    "clean",
    "fold_key",
    "normalise_header",
    "parse_bool",
    "parse_date",
    "parse_float",
    "parse_int",
]

T = TypeVar("T")

#: A path or an open file (text or binary).
Source = Union[str, "os.PathLike[str]", IO[str], IO[bytes]]

#: Strings that mean "no value" in the public files (compared after trimming, case-sensitive
#: except for the spelled-out forms, which are case-folded).
NA_TOKENS = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None"})

#: Strings that mean "a value exists but the source does not know it" (``unkown`` is a real
#: typo in geopko.csv). Parsed as ``None``, like NA.
UNKNOWN_TOKENS = frozenset({"unknown", "unkown", "?"})

_YES = frozenset({"yes", "y", "true", "t", "1"})
_NO = frozenset({"no", "n", "false", "f", "0"})


class HeaderError(ValueError):
    """The file does not have the columns the parser needs (the whole file is refused)."""


class FieldError(ValueError):
    """One value cannot be parsed. Raised inside a row parser; becomes a :class:`Skipped`."""

    def __init__(self, field: str | None, reason: str, value: str | None = None) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.field = field
        self.reason = reason
        self.value = value


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row (or one part of a row, such as a TCC slot) that produced no record."""

    line: int
    field: str | None
    reason: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """A value that was repaired or set to ``None`` on purpose; the record was kept."""

    line: int
    field: str | None
    reason: str
    value: str | None = None


# --------------------------------------------------------------------------- values


def clean(value: str | None) -> str | None:
    """Trim whitespace (including no-break spaces); return ``None`` for NA tokens.

    >>> clean("  Map no. 4309 ")
    'Map no. 4309'
    >>> clean("NA") is None
    True
    """
    if value is None:
        return None
    if value.isascii() and value.isdigit():  # fast path: most cells are plain numbers
        return value
    text = value.replace("\u00a0", " ").strip()
    if text in NA_TOKENS or text.casefold() in {"na", "n/a", "nan", "null", "none"}:
        return None
    return text


def parse_int(value: str | None, field: str, *, unknown_ok: bool = True) -> int | None:
    """Parse an integer written as ``12``, ``12.0`` (float-written) or ``1 234``.

    NA → ``None``; ``unknown``/``unkown``/``?`` → ``None`` when ``unknown_ok``.
    A float with a fractional part (``12.5``) is refused rather than truncated.
    """
    if value is not None and value.isascii() and value.isdigit():  # fast path
        return int(value)
    text = clean(value)
    if text is None:
        return None
    if unknown_ok and text.casefold() in UNKNOWN_TOKENS:
        return None
    compact = text.replace(" ", "").replace("\u202f", "")
    if re.fullmatch(r"[+-]?\d+", compact):
        return int(compact)
    m = re.fullmatch(r"([+-]?\d+)[.,]0+", compact)
    if m:
        return int(m.group(1))
    raise FieldError(field, "not an integer", value)


def parse_float(value: str | None, field: str, *, decimal_comma: bool = True) -> float | None:
    """Parse a decimal number; ``"12,6500"`` is read as 12.65 when ``decimal_comma``.

    A value with both ``,`` and ``.`` is refused (thousands separators are not expected in the
    coordinate and count columns this is used for).
    """
    text = clean(value)
    if text is None:
        return None
    if decimal_comma and "," in text:
        if "." in text or text.count(",") > 1:
            raise FieldError(field, "ambiguous decimal separator", value)
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise FieldError(field, "not a number", value) from None
    if not math.isfinite(number):
        raise FieldError(field, "not a finite number", value)
    return number


def parse_bool(value: str | None, field: str) -> bool | None:
    """Parse ``Yes``/``No`` in any case (``NO``, ``yes``), ``1``/``0``, ``true``/``false``."""
    text = clean(value)
    if text is None:
        return None
    folded = text.casefold()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise FieldError(field, "not a yes/no value", value)


def parse_date(value: str | None, field: str) -> date | None:
    """Parse an ISO date ``YYYY-MM-DD``; NA or empty → ``None``."""
    text = clean(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldError(field, "not a date (YYYY-MM-DD)", value) from None


# --------------------------------------------------------------------------- headers


_HEADER_ALIASES = {
    # ipi-ppp/current_month.csv spells it "Inidividual_Police"
    "inidividual_police": "individual_police",
}


def normalise_header(name: str) -> str:
    """Fold a column name to ``snake_case``: ``"Contributor UN_Bloc"`` → ``contributor_un_bloc``.

    Dots, dashes and spaces become ``_``; known typos are corrected, so a parser asks for
    ``individual_police`` and finds ``Inidividual_Police`` (and would find a fixed header too).
    """
    text = name.replace("\ufeff", "").strip().casefold()
    text = re.sub(r"[^0-9a-z]+", "_", text).strip("_")
    return _HEADER_ALIASES.get(text, text)


class Header:
    """Column positions by normalised name."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self.index: dict[str, int] = {}
        for i, name in enumerate(names):
            self.index.setdefault(normalise_header(name), i)

    def require(self, keys: Iterable[str], *, source: str) -> None:
        missing = [k for k in keys if k not in self.index]
        if missing:
            raise HeaderError(
                f"{source}: missing column(s) {', '.join(missing)}; found {self.names!r}"
            )

    def __contains__(self, key: str) -> bool:
        return key in self.index

    def __len__(self) -> int:
        return len(self.names)

    def label(self, key: str) -> str:
        """The column name as written in the file (for reports)."""
        i = self.index.get(key)
        return self.names[i] if i is not None else key


class RowContext:
    """One CSV record, with access by normalised column name and a place to leave notes."""

    __slots__ = ("_notes", "_skipped", "header", "line", "row")

    def __init__(
        self, header: Header, row: list[str], line: int, notes: list[Note], skipped: list[Skipped]
    ) -> None:
        self.header = header
        self.row = row
        self.line = line
        self._notes = notes
        self._skipped = skipped

    def raw(self, key: str) -> str | None:
        i = self.header.index.get(key)
        if i is None or i >= len(self.row):
            return None
        return self.row[i]

    def text(self, key: str) -> str | None:
        return clean(self.raw(key))

    def int(self, key: str, *, unknown_ok: bool = True) -> int | None:
        return parse_int(self.raw(key), self.header.label(key), unknown_ok=unknown_ok)

    def float(self, key: str, *, decimal_comma: bool = True) -> float | None:
        return parse_float(self.raw(key), self.header.label(key), decimal_comma=decimal_comma)

    def bool(self, key: str) -> bool | None:
        return parse_bool(self.raw(key), self.header.label(key))

    def date(self, key: str) -> date | None:
        return parse_date(self.raw(key), self.header.label(key))

    def note(self, key: str | None, reason: str, value: str | None = None) -> None:
        label = self.header.label(key) if key is not None else None
        self._notes.append(Note(self.line, label, reason, value))

    def skip(self, key: str | None, reason: str, value: str | None = None) -> None:
        """Report a part of the row (such as one TCC slot) that produced nothing; the row goes on."""
        label = self.header.label(key) if key is not None else None
        self._skipped.append(Skipped(self.line, label, reason, value))

    def fail(self, key: str | None, reason: str, value: str | None = None) -> FieldError:
        """Build (for ``raise``) a :class:`FieldError` naming the column as written in the file."""
        return FieldError(self.header.label(key) if key is not None else None, reason, value)


# --------------------------------------------------------------------------- opening


def _open_text(source: Source) -> tuple[IO[str], Callable[[], None]]:
    """Return ``(text file, finish)``; ``finish`` closes what we opened and nothing else."""
    if isinstance(source, (str, os.PathLike)):
        handle = open(source, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by finish()
        return handle, handle.close
    if isinstance(source, io.TextIOBase) or hasattr(source, "encoding"):
        return source, lambda: None  # type: ignore[return-value]
    if hasattr(source, "read"):
        # A binary stream: decode it without taking ownership (detach, never close, at the end).
        wrapper = io.TextIOWrapper(cast(IO[bytes], source), encoding="utf-8-sig", newline="")

        def finish() -> None:
            wrapper.detach()

        return wrapper, finish
    raise TypeError(f"expected a path or a file object, got {type(source).__name__}")


def source_name(source: Source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


# --------------------------------------------------------------------------- result


class ParseResult(Generic[T]):
    """Lazy, single-pass result of a parser.

    Iterate it once to get the records (a second iteration raises :class:`RuntimeError`);
    during or after the iteration, read :attr:`skipped` and :attr:`notes`. ``rows`` counts the
    data records read (header and blank lines excluded), ``records`` the records yielded, and
    ``done`` tells whether the end of the file was reached. A path is opened and closed by the
    iteration; a file object given by the caller is read but never closed. A text file object
    should be opened with ``newline=""`` so that line breaks inside quoted fields are kept as is.
    If a row fails, the notes and partial skips it had left are withdrawn: each row is reported
    once, as one :class:`Skipped`.

    Example::

        result = parse_geopko("geopko.csv")
        for deployment in result:
            ...
        print(result.summary())
        for problem in result.skipped:
            print(problem.line, problem.field, problem.reason)
    """

    def __init__(
        self,
        source: Source,
        row_parser: Callable[[RowContext], Iterable[T] | T | None],
        *,
        required: Iterable[str] = (),
        expand: bool = False,
    ) -> None:
        self.source = source
        self.name = source_name(source)
        self._row_parser = row_parser
        self._required = tuple(required)
        self._expand = expand
        self._started = False
        self.header: Header | None = None
        self.skipped: list[Skipped] = []
        self.notes: list[Note] = []
        self.rows = 0
        self.records = 0
        self.done = False

    def __iter__(self) -> Iterator[T]:
        if self._started:
            raise RuntimeError(f"{self.name}: a ParseResult can be iterated only once")
        self._started = True
        return self._generate()

    def collect(self) -> list[T]:
        """Read everything into a list (for small files and tests)."""
        return list(self)

    def _generate(self) -> Iterator[T]:
        handle, finish = _open_text(self.source)
        try:
            reader = csv.reader(handle)
            try:
                names = next(reader)
            except StopIteration:
                raise HeaderError(f"{self.name}: empty file, no header") from None
            self.header = Header(names)
            self.header.require(self._required, source=self.name)
            width = len(names)
            previous_end = reader.line_num
            for row in reader:
                line = previous_end + 1
                previous_end = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                self.rows += 1
                if len(row) != width:
                    self.skipped.append(
                        Skipped(line, None, f"expected {width} fields, found {len(row)}", None)
                    )
                    continue
                ctx = RowContext(self.header, row, line, self.notes, self.skipped)
                notes_before, skipped_before = len(self.notes), len(self.skipped)
                try:
                    out = self._row_parser(ctx)
                    if self._expand:
                        produced = list(out or ())  # type: ignore[arg-type]
                    else:
                        produced = [] if out is None else [cast(T, out)]
                except FieldError as exc:
                    del self.notes[notes_before:], self.skipped[skipped_before:]
                    self.skipped.append(Skipped(line, exc.field, exc.reason, exc.value))
                    continue
                for record in produced:
                    self.records += 1
                    yield record  # type: ignore[misc]
            self.done = True
        finally:
            finish()

    def summary(self) -> str:
        return (
            f"{self.name}: {self.rows} rows, {self.records} records, "
            f"{len(self.skipped)} skipped, {len(self.notes)} notes"
        )


def fold_key(text: str) -> str:
    """Accent-, case-, apostrophe- and punctuation-insensitive key: ``"Côte d’Ivoire"`` → ``cotedivoire``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "", stripped.casefold())
