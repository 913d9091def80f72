"""Worksheets a planner would make: typed cells (numbers as numbers, ISO dates as dates),
formats with units, a bold header row that stays in view, a filter on every column, and
column widths that fit the contents. openpyxl's write-only mode keeps big plans fast."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

__all__ = ["DATE_FORMAT", "number_format", "typed", "write_table"]

DATE_FORMAT = "yyyy-mm-dd"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONEY = (
    "cost",
    "price",
    "royalty",
    "royalties",
    "marginal_value",
    "production",
    "purchases",
    "transport",
    "holding",
    "total",
    "amount",
)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def typed(value: Any) -> Any:
    """A cell value: numbers stay numbers, an ISO date string becomes a date, text stays text."""
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
        return value
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, dt.date):
        return value
    return str(value)


def number_format(column: str, value: Any) -> str | None:
    """The display format of a column's cells (the stored value is never rounded)."""
    if isinstance(value, dt.date):
        return DATE_FORMAT
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    name = column.lower()
    if name.endswith("_rate") or name in ("on_time_rate", "fill_rate", "adherence"):
        return "0.0%"
    if any(word in name for word in MONEY):
        return "#,##0.00"
    if isinstance(value, int):
        return "#,##0"
    return None


def write_table(
    book: Workbook,
    title: str,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    formats: Mapping[str, str] | None = None,
) -> WriteOnlyWorksheet:
    """A sheet `title` with a header of `columns` and one row per record (a mapping by
    column, or a sequence in column order); `formats` overrides a column's number format."""
    sheet: WriteOnlyWorksheet = book.create_sheet(title[:31])
    formats = dict(formats or {})
    widths = [max(8, len(c) + 2) for c in columns]
    body: list[list[Any]] = []
    for record in rows:
        values = [record.get(c) for c in columns] if isinstance(record, Mapping) else list(record)
        body.append([typed(v) for v in values])
    for row in body[:500]:  # widths from the first rows: enough to fit, cheap on big plans
        for i, v in enumerate(row):
            shown = 10 if isinstance(v, dt.date) else len(f"{v:,}" if isinstance(v, int) else str(v or ""))
            widths[i] = min(60, max(widths[i], shown + 2))
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(body) + 1)}"
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="top")
        header.append(cell)
    sheet.append(header)
    cache: dict[tuple[int, type], str | None] = {}
    for row in body:
        cells = []
        for i, v in enumerate(row):
            key = (i, type(v))
            if key not in cache:
                cache[key] = formats.get(columns[i]) or number_format(columns[i], v)
            fmt = cache[key]
            if fmt is None:
                cells.append(v)
            else:
                cell = WriteOnlyCell(sheet, value=v)
                cell.number_format = fmt
                cells.append(cell)
        sheet.append(cells)
    return sheet
