"""Bulk edits in a grid: requirements' quantities and due dates, and line hours per period
(a line's usual hours, with an exception for each period set otherwise). Only changed rows
are written, each with its version checked, all in one transaction: every change lands or
none, and each is audited like a single edit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from coprod.access import Principal
from coprod.app.database import Tx
from coprod.app.inputs import InputChange, compare_inputs
from coprod.app.records import RecordQuery, RecordView, list_records, update_record
from coprod.errors import CoprodError, ProgrammeInvalid
from coprod.storage.records import RecordStore

__all__ = [
    "GridResult",
    "LineHoursRow",
    "line_hours_grid",
    "requirement_grid",
    "save_line_hours",
    "save_requirements",
]

ALL = RecordQuery({}, [], 1000, 0)


@dataclass(frozen=True, slots=True)
class GridResult:
    saved: list[InputChange]  # what was written (empty when anything failed)
    errors: dict[str, list[str]]  # record key -> messages (nothing was written)


def requirement_grid(tx: Tx, who: Principal, programme: str) -> list[RecordView]:
    return list_records(tx, who, programme, "requirements", ALL).items


def _save(
    tx: Tx, who: Principal, programme: str, section: str, edits: list[tuple[RecordView, dict[str, Any]]]
) -> GridResult:
    errors: dict[str, list[str]] = {}
    saved: list[InputChange] = []
    savepoint = tx.begin_nested()  # any error rolls every row of the grid back
    for rec, data in edits:
        try:
            update_record(tx, who, programme, section, rec.key, rec.version, data)
        except ProgrammeInvalid as exc:
            errors[rec.key] = [f"{p.field}: {p.message}" if p.field else p.message for p in exc.problems]
        except CoprodError as exc:
            errors[rec.key] = [str(exc)]
        else:
            saved.extend(compare_inputs({section: [rec.data]}, {section: [data]}))
    if errors:
        savepoint.rollback()
        return GridResult([], errors)
    savepoint.commit()
    return GridResult(saved, {})


def save_requirements(
    tx: Tx, who: Principal, programme: str, rows: dict[str, tuple[int, str, str]]
) -> GridResult:
    """rows: key -> (version, quantity, due) as typed; rows that did not change are skipped."""
    current = {r.key: r for r in requirement_grid(tx, who, programme)}
    edits, errors = [], {}
    for key, (version, quantity, due) in rows.items():
        rec = current.get(key)
        if rec is None:
            errors[key] = ["no such requirement (or not yours)"]
            continue
        try:
            qty = int(quantity.replace(",", "").strip())
        except ValueError:
            errors[key] = [f"quantity: '{quantity}' is not a whole number"]
            continue
        if (qty, due) == (rec.data["quantity"], str(rec.data["due"])):
            continue
        if version != rec.version:
            errors[key] = [f"changed meanwhile: at version {rec.version}, not {version}: reload the grid"]
            continue
        edits.append(
            (RecordView(rec.key, version, rec.partner, rec.data), {**rec.data, "quantity": qty, "due": due})
        )
    if errors:
        return GridResult([], errors)
    return _save(tx, who, programme, "requirements", edits)


@dataclass(frozen=True, slots=True)
class LineHoursRow:
    line: RecordView
    hours: list[float]  # per calendar period
    exceptional: list[bool]  # the period has an exception (its own hours)
    can_write: bool


def line_hours_grid(tx: Tx, who: Principal, programme: str) -> tuple[list[str], list[LineHoursRow]]:
    store = RecordStore(tx)
    calendar = store.load(store.programme(programme)).calendar
    labels = list(calendar.labels)
    rows = []
    for rec in list_records(tx, who, programme, "lines", ALL).items:
        base = float(rec.data["hours_per_period"])
        hours, marked = [base] * len(labels), [False] * len(labels)
        for ex in rec.data.get("exceptions") or []:
            t = calendar.index_of(dt.date.fromisoformat(str(ex["period"])))
            if 0 <= t < len(labels):
                hours[t], marked[t] = float(ex["hours"]), True
        rows.append(LineHoursRow(rec, hours, marked, who.can_write("lines", rec.partner)))
    return labels, rows


def save_line_hours(
    tx: Tx, who: Principal, programme: str, versions: dict[str, int], cells: dict[tuple[str, str], str]
) -> GridResult:
    """cells: (line, period label) -> hours as typed. A period whose hours equal the line's
    usual hours has no exception; any other has one (its reason kept if it had one)."""
    labels, rows = line_hours_grid(tx, who, programme)
    edits, errors = [], {}
    for row in rows:
        rec = row.line
        if rec.key not in versions:
            continue
        base = float(rec.data["hours_per_period"])
        reasons = {str(ex["period"]): ex.get("reason", "") for ex in rec.data.get("exceptions") or []}
        exceptions, bad = [], []
        for t, label in enumerate(labels):
            text = cells.get((rec.key, label), str(row.hours[t])).replace(",", "").strip()
            try:
                hours = float(text)
            except ValueError:
                bad.append(f"{label}: '{text}' is not a number of hours")
                continue
            if hours != base:
                exceptions.append({"period": label, "hours": hours, "reason": reasons.get(label, "")})
        outside = [ex for ex in rec.data.get("exceptions") or [] if str(ex["period"]) not in labels]
        if bad:
            errors[rec.key] = bad
            continue
        new = [*exceptions, *outside]
        old = list(rec.data.get("exceptions") or [])
        if sorted(new, key=lambda e: str(e["period"])) == sorted(old, key=lambda e: str(e["period"])):
            continue
        if versions[rec.key] != rec.version:
            errors[rec.key] = [
                f"changed meanwhile: at version {rec.version}, not {versions[rec.key]}: reload"
            ]
            continue
        edits.append((rec, {**rec.data, "exceptions": new}))
    if errors:
        return GridResult([], errors)
    return _save(tx, who, programme, "lines", edits)
