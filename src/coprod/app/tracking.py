"""Tracking use cases: plan against actual, the trace of a serial, royalty statements, and
the programme as of a date that `coprod plan --as-of` plans. Each shows only the events the
principal may read (access.py's rules for the event kinds, tracking/owners.py's owners)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from coprod.access import EVENT_KINDS, Principal
from coprod.app.database import Tx
from coprod.domain import Programme
from coprod.domain.actuals import ActualsBatch, event_date
from coprod.errors import Forbidden, InputError, NotFound
from coprod.storage.actuals import ActualsStore
from coprod.storage.plans import JobStatus, PlanStore
from coprod.storage.records import RecordStore
from coprod.storage.tables import PlanVersion, ProgrammeRow
from coprod.tracking.asof import AsOf, check_as_of, programme_as_of
from coprod.tracking.ledger import Ledger
from coprod.tracking.owners import owner_and_party
from coprod.tracking.report import line_summary, planned_per_period, trace_serial, track_rows
from coprod.tracking.royalties import royalty_statements

__all__ = [
    "TrackReport",
    "as_of_marker",
    "check_plan_date",
    "programme_as_of_stored",
    "royalties",
    "trace",
    "track",
]


@dataclass(frozen=True, slots=True)
class TrackReport:
    programme: str
    plan: int | None  # the plan the actuals are compared with
    through: str  # the last period with actuals
    currency: str
    rows: list[dict[str, Any]]
    lines: list[dict[str, Any]]


def _load(tx: Tx, programme: str) -> tuple[ProgrammeRow, Programme, ActualsBatch]:
    records = RecordStore(tx)
    row = records.programme(programme)
    return row, records.load(row), ActualsStore(tx).batch(row)


def _visible(who: Principal, p: Programme, batch: ActualsBatch) -> ActualsBatch:
    """The events the principal may read (everything for the programme office)."""
    if all(who.can_read(k, None, None) for k in EVENT_KINDS):
        return batch
    led = Ledger(p, batch)
    return ActualsBatch(
        **{
            k: tuple(e for e in events if who.can_read(k, *owner_and_party(led, k, e)))
            for k, events in batch.kinds().items()
        }
    )


def _baseline(tx: Tx, row: ProgrammeRow, number: int | None) -> PlanVersion | None:
    """The plan to compare with: the one asked for, else the latest finished plan of the
    whole horizon (a plan as of a date has no past to compare)."""
    store = PlanStore(tx)
    if number is not None:
        version = store.get(row, number)
        if version.status != JobStatus.DONE:
            raise InputError(f"plan {number} is {version.status}, not done")
        return version
    done = [v for v in store.all(row) if v.status == JobStatus.DONE and not (v.options or {}).get("as_of")]
    return max(done, key=lambda v: v.number, default=None)


def track(tx: Tx, who: Principal, programme: str, plan: int | None = None) -> TrackReport:
    """Plan against actual per site, line and period, for the lines whose lots the user reads."""
    if who.mode("lots") is None:
        raise Forbidden(f"the {who.role.value} role cannot read lots, so it cannot track production")
    row, p, batch = _load(tx, programme)
    mine = _visible(who, p, batch)
    version = _baseline(tx, row, plan)
    planned = {}
    if version is not None and version.result is not None:
        planned = planned_per_period(p, version.result["production"], list(version.result["periods"]))
    days = [event_date(k, e) for k, events in mine.kinds().items() for e in events]
    through = max(days, default=p.calendar.start)
    rows = track_rows(p, mine, planned, through)
    site_partner = {s.id: s.partner for s in p.sites}
    seen_lines = {lot.line for lot in mine.lots}
    keep = {
        ln.id for ln in p.lines if who.can_read("lots", site_partner[ln.site], None) or ln.id in seen_lines
    }
    rows = [r for r in rows if r["line"] in keep]
    lines = [s for s in line_summary(p, rows) if s["line"] in keep]
    return TrackReport(
        programme,
        version.number if version else None,
        p.calendar.label(max(0, min(p.calendar.periods - 1, p.calendar.index_of(through)))),
        p.settings.currency,
        rows,
        lines,
    )


def trace(tx: Tx, who: Principal, programme: str, serial: str) -> dict[str, Any]:
    """Lot, line, revision, inspections, shipments, receipt and the requirement served."""
    _, p, batch = _load(tx, programme)
    mine = _visible(who, p, batch)
    found = trace_serial(p, mine, serial)
    if found is None:
        raise NotFound(f"no lot of programme '{programme}' holds serial {serial}")
    return found


def royalties(tx: Tx, who: Principal, programme: str, period: dt.date | None = None) -> list[dict[str, Any]]:
    """Statements of the licences the user may read (licensor, licensee, or everyone's)."""
    if who.mode("licences") is None:
        raise Forbidden(f"the {who.role.value} role cannot read licences, so it sees no royalty statements")
    _, p, batch = _load(tx, programme)
    if period is not None and not 0 <= p.calendar.index_of(period) < p.calendar.periods:
        raise InputError(f"period {period} is outside the calendar {p.calendar.start}..{p.calendar.end}")
    rows = royalty_statements(p, batch, period)
    return [r for r in rows if who.can_read("licences", r["licensor"], r["licensee"])]


def check_plan_date(tx: Tx, programme: str, day: dt.date) -> None:
    """InputError (422) unless `day` is the first day of a period of the programme."""
    records = RecordStore(tx)
    check_as_of(records.load(records.programme(programme)), day)


def as_of_marker(tx: Tx, programme: str) -> int:
    """What a plan as of a date depends on beyond the records: the events recorded so far."""
    return ActualsStore(tx).marker(RecordStore(tx).programme(programme))


def programme_as_of_stored(tx: Tx, row: ProgrammeRow, programme: Programme, day: dt.date) -> AsOf:
    """The stored programme as of `day`, from its stored events (the plan job's input)."""
    return programme_as_of(programme, ActualsStore(tx).batch(row), day)
