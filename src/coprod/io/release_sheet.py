"""A forecast release as a workbook the supplier fills in and sends back.

Sheet "release": one row per line (offer, component, ship_to, period, requested) and the
columns the supplier answers in: status (commit, part, propose, decline; empty: not
answered), committed (units), proposed_period (a date, for propose) and note. A row whose
status is empty but whose committed is filled is read as commit (the requested quantity) or
part (less). Sheet "about" says which programme, supplier, release and plan it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook

from coprod.errors import InputError, Problem, ProgrammeInvalid
from coprod.io.sheets import write_table

__all__ = ["ANSWER_COLUMNS", "SheetAnswer", "read_release_sheet", "release_sheet"]

LINE_COLUMNS = ["offer", "component", "ship_to", "period", "requested"]
ANSWER_COLUMNS = ["status", "committed", "proposed_period", "note"]
STATUSES = ("commit", "part", "propose", "decline")


@dataclass(frozen=True, slots=True)
class SheetAnswer:
    """One answered row, as plain values (the use case checks it against the release)."""

    offer: str
    period: dt.date
    status: str
    quantity: int | None
    proposed_period: dt.date | None
    note: str


def release_sheet(
    about: dict[str, Any], lines: list[dict[str, Any]], answered: dict[tuple[str, str], dict[str, Any]]
) -> bytes:
    """The workbook of a release; `answered` pre-fills the latest answer per (offer, period)."""
    book = Workbook(write_only=True)
    rows = []
    for ln in lines:
        a = answered.get((ln["offer"], ln["period"]), {})
        rows.append(
            {
                "offer": ln["offer"],
                "component": ln["component"],
                "ship_to": ln["ship_to"],
                "period": dt.date.fromisoformat(ln["period"]),
                "requested": ln["quantity"],
                "status": a.get("status"),
                "committed": a.get("quantity"),
                "proposed_period": dt.date.fromisoformat(a["proposed_period"])
                if a.get("proposed_period")
                else None,
                "note": a.get("note") or None,
            }
        )
    write_table(book, "release", [*LINE_COLUMNS, *ANSWER_COLUMNS], rows)
    write_table(book, "about", ["key", "value"], [{"key": k, "value": v} for k, v in about.items()])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _date(value: Any, where: str, name: str, problems: list[Problem]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        problems.append(Problem("release", where, name, f"'{value}' is not a date (YYYY-MM-DD)"))
        return None


def _units(value: Any, where: str, name: str, problems: list[Problem]) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        problems.append(Problem("release", where, name, f"'{value}' is not a number of units"))
        return None
    if number != int(number) or not 0 <= number < 2**31:
        problems.append(Problem("release", where, name, f"{value} is not a whole number of units"))
        return None
    return int(number)


def read_release_sheet(data: bytes, filename: str = "release.xlsx") -> list[SheetAnswer]:
    """The answered rows of a filled-in release workbook; every problem names sheet, row, column."""
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(f"{filename}: not an XLSX workbook ({type(exc).__name__})") from None
    if "release" not in book.sheetnames:
        raise InputError(
            f"{filename}: no sheet named 'release' (download the release workbook and fill it in)"
        )
    rows = list(book["release"].iter_rows(values_only=True))
    if not rows:
        raise InputError(f"{filename}: sheet 'release' is empty")
    header = [str(c).strip().lower() if c is not None else "" for c in rows[0]]
    missing = [c for c in ("offer", "period", "requested", "status", "committed") if c not in header]
    if missing:
        raise InputError(f"{filename}: sheet 'release' lacks the column(s) {', '.join(missing)}")
    col = {name: header.index(name) for name in header if name}
    problems: list[Problem] = []
    out: list[SheetAnswer] = []
    for n, values in enumerate(rows[1:], start=2):
        cell = {name: (values[i] if i < len(values) else None) for name, i in col.items()}
        where = f"row {n}"
        status = str(cell.get("status") or "").strip().lower()
        committed = _units(cell.get("committed"), where, "committed", problems)
        if not status and committed is None:
            continue  # not answered
        requested = _units(cell.get("requested"), where, "requested", problems)
        if not status:
            status = "commit" if committed == requested else "part"
        if status not in STATUSES:
            problems.append(
                Problem("release", where, "status", f"'{status}' is not one of {', '.join(STATUSES)}")
            )
            continue
        period = _date(cell.get("period"), where, "period", problems)
        proposed = _date(cell.get("proposed_period"), where, "proposed_period", problems)
        offer = str(cell.get("offer") or "").strip()
        if not offer or period is None:
            problems.append(Problem("release", where, "offer" if not offer else "period", "is empty"))
            continue
        out.append(SheetAnswer(offer, period, status, committed, proposed, str(cell.get("note") or "")))
    if problems:
        raise ProgrammeInvalid([Problem(filename, p.record, p.field, p.message) for p in problems])
    return out
