"""An XLSX export opens whatever its list is called: a holder's code may hold a slash
(MONUSCO-BGD-NDROMO/ASP, as the demo names stores), which Excel refuses in a sheet's name."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from wam.services.export import xlsx_stream


@pytest.mark.parametrize("title", ["holdings MONUSCO-BGD-NDROMO/ASP", "a\\b?c*d:e[f]", "'quoted'", "", "x" * 40])
def test_the_sheet_is_named_as_excel_allows(title: str) -> None:
    data = b"".join(xlsx_stream([{"code": "A/1"}], [("code", "Code")], title=title))
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True)) == [("Code",), ("A/1",)]
    name = sheet.title
    assert 0 < len(name) <= 31 and not set(name) & set("\\/?*:[]") and not name.startswith("'")
