"""Programmes and plans as XLSX workbooks (openpyxl): one sheet per CSV file of the folder
layout (docs/programme-format.md), headers in row 1. Errors name the sheet, the row and the
column, e.g. "workbook.xlsx sheet 'requirements' row 4 (R003): field 'quantity' ..."."""

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

__all__ = ["plan_workbook", "programme_from_workbook", "programme_workbook"]


def programme_workbook(programme: Programme) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_csv_folder(programme, folder)
        book = Workbook()
        book.remove(book.active)
        for path in sorted(folder.glob("*.csv")):
            sheet = book.create_sheet(path.stem)
            with path.open(newline="", encoding="utf-8") as fh:
                for row in csv.reader(fh):
                    sheet.append([_cell(v) for v in row])
        out = BytesIO()
        book.save(out)
        return out.getvalue()


def _cell(value: str) -> Any:
    """Numbers as numbers (a user edits them in a spreadsheet); everything else as text."""
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


def plan_workbook(tables: dict[str, list[dict[str, Any]]], kpis: dict[str, Any]) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "kpis"
    summary.append(["kpi", "value"])
    for key, value in kpis.items():
        summary.append([key, value])
    for name, rows in tables.items():
        sheet = book.create_sheet(name[:31])
        if rows:
            sheet.append(list(rows[0]))
            for row in rows:
                sheet.append(
                    [v if isinstance(v, int | float | str) or v is None else str(v) for v in row.values()]
                )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
