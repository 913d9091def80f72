"""Programmes and plans as XLSX workbooks (openpyxl): one sheet per CSV file of the folder
layout (docs/programme-format.md), in that page's order with `programme` first, headers in
row 1, numbers and dates typed (io/sheets.py formats them). Errors name the sheet, the row
and the column, e.g. "workbook.xlsx sheet 'requirements' row 4 (R003): field 'quantity' ..."."""

from __future__ import annotations

import csv
import difflib
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from coprod.domain import Programme
from coprod.errors import InputError, Problem, ProgrammeInvalid
from coprod.io.csv_format import CSV_FILES, write_csv_folder
from coprod.io.loader import read_raw, validate_raw
from coprod.io.sheets import write_table

__all__ = ["plan_workbook", "programme_from_workbook", "programme_workbook"]


# docs/programme-format.md's order: settings first, then each record type and its parts
SHEET_ORDER = (
    "programme",
    "partners",
    "sites",
    "lines",
    "line_exceptions",
    "destinations",
    "components",
    "assembly_bom",
    "designs",
    "revisions",
    "design_bom",
    "variants",
    "variant_changes",
    "export_controls",
    "routings",
    "licences",
    "supply_offers",
    "offer_commitments",
    "lanes",
    "stock",
    "requirements",
    "exchange_rates",
)


def programme_workbook(programme: Programme) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_csv_folder(programme, folder)
        book = Workbook(write_only=True)
        present = {path.stem for path in folder.glob("*.csv")}
        for stem in [*SHEET_ORDER, *sorted(present - set(SHEET_ORDER))]:
            if stem not in present:
                continue
            with (folder / f"{stem}.csv").open(newline="", encoding="utf-8") as fh:
                rows = list(csv.reader(fh))
            write_table(book, stem, rows[0], [[_cell(v) for v in row] for row in rows[1:]])
        out = BytesIO()
        book.save(out)
        return out.getvalue()


def _cell(value: str) -> Any:
    """Numbers as numbers (a user edits them in a spreadsheet); everything else as text
    (sheets.typed makes ISO dates dates)."""
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value


def programme_from_workbook(data: bytes, name: str = "workbook.xlsx") -> Programme:
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(f"{name}: not an XLSX workbook ({exc.__class__.__name__})") from exc
    # A sheet title never becomes a path unless it is one of the layout's own names. Other
    # sheets (notes, a cover page) are left alone, as other files in a CSV folder are; one
    # whose title looks like a misspelt layout sheet is an error, or its records would be lost.
    stems: dict[str, Any] = {}
    misspelt = []
    for sheet in book.worksheets:
        stem = sheet.title.strip().lower()  # "Requirements " is the requirements sheet
        if stem in CSV_FILES:
            stems[stem] = sheet
            continue
        close = difflib.get_close_matches(stem, CSV_FILES, n=1, cutoff=0.75)
        if close:
            where = f"sheet {sheet.title[:40]!r}"
            misspelt.append(
                Problem(name, where, "", f"is not a sheet of the layout: did you mean '{close[0]}'?")
            )
    if misspelt:
        raise ProgrammeInvalid(misspelt)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for stem, sheet in stems.items():
            with (folder / f"{stem}.csv").open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                for row in sheet.iter_rows(values_only=True):
                    writer.writerow(["" if v is None else _text(v) for v in row])
        if not (folder / "programme.csv").exists():
            raise ProgrammeInvalid(
                [Problem(name, "", "", "no sheet named 'programme' (settings and calendar)")]
            )
        try:
            return validate_raw(read_raw(folder))
        except ProgrammeInvalid as exc:
            raise ProgrammeInvalid([_on_sheet(p, folder, name) for p in exc.problems]) from exc


def _text(value: Any) -> str:
    if hasattr(value, "date") and callable(value.date):  # a spreadsheet date cell
        return str(value.date().isoformat())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _on_sheet(p: Problem, folder: Path, name: str) -> Problem:
    path = Path(p.file)
    if path.parent == folder:
        return Problem(f"{name} sheet '{path.stem}'", p.record, p.field, p.message)
    return Problem(name, p.record, p.field, p.message)


KPI_LABELS = {
    "required_units": "units required",
    "delivered_units": "units delivered",
    "on_time_units": "units on time",
    "late_units": "units late",
    "unmet_units": "units never delivered",
    "on_time_rate": "on-time rate",
    "fill_rate": "fill rate",
    "requirements": "requirements",
    "requirements_late_or_unmet": "requirements late or unmet",
    "produced_units": "units produced",
    "weighted_late_periods": "priority-weighted lateness (unit-periods)",
}


def plan_workbook(tables: dict[str, list[dict[str, Any]]], kpis: dict[str, Any]) -> bytes:
    """The plan as a planner opens it: a KPI sheet (named, in percent and whole units), then
    one sheet per table with typed, formatted cells."""
    book = Workbook(write_only=True)
    rows = []
    for key, value in kpis.items():
        fmt = "0.0%" if key.endswith("_rate") else ("#,##0.0" if isinstance(value, float) else "#,##0")
        rows.append((KPI_LABELS.get(key, key.replace("_", " ")), value, fmt))
    _kpi_rows(book.create_sheet("kpis"), rows)
    for name, table in tables.items():
        columns = list(table[0]) if table else []
        write_table(book, name, columns, table)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _kpi_rows(sheet: Any, rows: list[tuple[str, Any, str]]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet.column_dimensions["A"].width = max(len(label) for label, _, _ in rows) + 2 if rows else 20
    sheet.column_dimensions["B"].width = 16
    sheet.freeze_panes = "A2"
    header = [WriteOnlyCell(sheet, value=v) for v in ("kpi", "value")]
    for cell in header:
        cell.font = Font(bold=True)
    sheet.append(header)
    for label, value, fmt in rows:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = fmt
        sheet.append([label, cell])
