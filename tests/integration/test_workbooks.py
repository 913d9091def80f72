"""Workbooks a planner would make: sheets in the documented order, typed cells (dates as
dates, whole units as whole numbers, rates in percent), bold frozen headers with filters,
and a programme workbook that survives being opened and saved again in LibreOffice."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl

from coprod.io import load_programme
from coprod.io.workbook import SHEET_ORDER, plan_workbook, programme_from_workbook, programme_workbook
from coprod.planning import plan

EXAMPLE = Path(__file__).parents[2] / "examples" / "uk-ua-interceptors.yaml"


def _header(sheet: object) -> list[object]:
    return [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]  # type: ignore[attr-defined]


def test_programme_workbook_is_typed_and_ordered() -> None:
    book = openpyxl.load_workbook(io.BytesIO(programme_workbook(load_programme(EXAMPLE))))
    assert book.sheetnames[0] == "programme"
    assert book.sheetnames == [s for s in SHEET_ORDER if s in book.sheetnames]
    reqs = book["requirements"]
    header = _header(reqs)
    due, qty = header.index("due") + 1, header.index("quantity") + 1
    assert reqs.freeze_panes == "A2" and reqs.auto_filter.ref.startswith("A1:")
    assert reqs.cell(1, 1).font.bold
    assert (
        isinstance(reqs.cell(2, due).value, dt.datetime) and reqs.cell(2, due).number_format == "yyyy-mm-dd"
    )
    assert isinstance(reqs.cell(2, qty).value, int) and reqs.cell(2, qty).number_format == "#,##0"
    assert reqs.column_dimensions["A"].width >= len("id") + 2
    offers = book["supply_offers"]
    price = _header(offers).index("unit_price") + 1
    assert offers.cell(2, price).number_format == "#,##0.00"


def test_plan_workbook_has_named_kpis_and_typed_tables() -> None:
    result = plan(load_programme(EXAMPLE))
    tables = {t: result.table(t) for t in ("production", "purchases", "requirements")}
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(tables, result.kpis)))
    kpis = {row[0].value: row[1] for row in book["kpis"].iter_rows(min_row=2)}
    assert kpis["on-time rate"].number_format == "0.0%" and 0 < kpis["on-time rate"].value <= 1
    assert kpis["units on time"].number_format == "#,##0"
    production = book["production"]
    header = _header(production)
    assert isinstance(production.cell(2, header.index("period") + 1).value, dt.datetime)
    assert isinstance(production.cell(2, header.index("quantity") + 1).value, int)
    assert production.freeze_panes == "A2" and production.auto_filter.ref
    purchases = book["purchases"]
    assert purchases.cell(2, _header(purchases).index("cost") + 1).number_format == "#,##0.00"


def test_programme_workbook_survives_a_libreoffice_save(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: `make browser` installs Debian's libreoffice-calc-nogui"
    original = load_programme(EXAMPLE)
    source = tmp_path / "programme.xlsx"
    source.write_bytes(programme_workbook(original))
    resaved = tmp_path / "resaved"
    done = subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(resaved),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0 and (resaved / "programme.xlsx").is_file(), done.stderr
    again = (resaved / "programme.xlsx").read_bytes()
    assert again != source.read_bytes()  # LibreOffice wrote its own file
    assert programme_from_workbook(again, "resaved.xlsx") == original
