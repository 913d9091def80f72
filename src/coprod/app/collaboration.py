"""Supplier collaboration: the programme office releases to each supplier what the stored
plan orders from it; the supplier commits, commits in part, proposes other quantities and
dates, or declines, line by line; a commitment becomes the offer's capacity in the period
it arrives in (domain.capacity.offer_capacities), so the next plan is held to it.

Every release and answer is numbered, kept and audited (section "releases"); an answer
writes the offers' `commitments` through the record store, so the programme version moves,
the shown plan turns stale and the record audit shows the change. Who may do what:
Action.RELEASE_FORECAST (release; read every release), Action.ANSWER_RELEASE (read and
answer the releases made to one's own partner); docs/collaboration.md and docs/access.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from coprod.access import Action, Principal
from coprod.app.database import Tx
from coprod.app.plans import validated
from coprod.domain import Programme
from coprod.errors import Forbidden, InputError, NotFound, Problem, ProgrammeInvalid
from coprod.io.release_sheet import read_release_sheet, release_sheet
from coprod.storage.plans import PlanStore
from coprod.storage.records import RecordStore
from coprod.storage.tables import AuditEntry, ProgrammeRow, ReleaseAnswerRow, ReleaseRow

__all__ = [
    "AnswerLine",
    "AnswerStatus",
    "CommitmentRow",
    "ReleaseView",
    "answer_from_workbook",
    "answer_release",
    "commitment_status",
    "get_release",
    "list_releases",
    "release_forecast",
    "release_workbook",
]


class AnswerStatus(StrEnum):
    COMMIT = "commit"  # the requested quantity, in the requested period
    PART = "part"  # less than requested, in the requested period
    PROPOSE = "propose"  # another quantity and/or another period
    DECLINE = "decline"  # nothing in this period


@dataclass(frozen=True, slots=True)
class AnswerLine:
    offer: str
    period: dt.date  # the release line answered (its arrival period)
    status: AnswerStatus
    quantity: int | None = None  # committed units (commit: the requested quantity)
    proposed_period: dt.date | None = None  # propose: when the quantity would arrive
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReleaseView:
    id: int
    supplier: str
    number: int
    plan: int
    programme_version: int
    released_by: str
    released_at: dt.datetime
    note: str
    lines: list[dict[str, Any]]
    answers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return bool(self.answers)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "supplier": self.supplier,
            "number": self.number,
            "plan": self.plan,
            "programme_version": self.programme_version,
            "released_by": self.released_by,
            "released_at": self.released_at.isoformat(),
            "note": self.note,
            "lines": self.lines,
            "answers": self.answers,
        }


@dataclass(frozen=True, slots=True)
class CommitmentRow:
    supplier: str
    offer: str
    component: str
    ship_to: str
    period: str
    requested: int  # in the latest release to the supplier
    committed: int | None  # what the offer's commitments say for the period (None: nothing)
    planned: int  # what the latest plan orders to arrive in the period
    release: int

    @property
    def shortfall(self) -> int:
        return max(0, self.requested - (self.committed or 0))  # nothing committed: all of it

    @property
    def state(self) -> str:
        if self.committed is None:
            return "open"
        return "short" if self.committed < self.requested else "covered"

    def as_dict(self) -> dict[str, Any]:
        return {
            "supplier": self.supplier,
            "offer": self.offer,
            "component": self.component,
            "ship_to": self.ship_to,
            "period": self.period,
            "requested": self.requested,
            "committed": self.committed,
            "planned": self.planned,
            "shortfall": self.shortfall,
            "state": self.state,
            "release": self.release,
        }


def _may_read(who: Principal, supplier: str) -> bool:
    if who.may(Action.RELEASE_FORECAST) or who.may(Action.READ_AUDIT):
        return True
    return who.may(Action.ANSWER_RELEASE) and who.partner == supplier


def _audit(tx: Tx, row: ProgrammeRow, who: Principal, key: str, action: str, after: dict[str, Any]) -> None:
    tx.add(
        AuditEntry(
            username=who.username,
            partner=who.partner,
            programme_id=row.id,
            section="releases",
            key=key,
            action=action,
            before=None,
            after=after,
        )
    )


def _forecast(p: Programme, purchases: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The plan's orders per supplier, summed per offer and arrival period."""
    offers = {o.id: o for o in p.supply_offers}
    units: dict[tuple[str, str], int] = defaultdict(int)
    for r in purchases:
        units[(r["offer"], r["arrival_period"])] += int(r["quantity"])
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (oid, period), n in sorted(units.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        o = offers.get(oid)
        if o is None or n <= 0:
            continue
        line = {"offer": oid, "component": o.component, "ship_to": o.ship_to, "period": period, "quantity": n}
        out[o.supplier].append(line)
    return out


def release_forecast(
    tx: Tx, who: Principal, programme: str, supplier: str | None = None, note: str = ""
) -> list[ReleaseView]:
    """Release the latest finished plan's orders to one supplier, or to every supplier the
    plan orders from. A supplier named with nothing ordered gets an empty release (it says
    "nothing is needed from you"), so an earlier forecast is withdrawn."""
    who.require(Action.RELEASE_FORECAST, "release forecasts to suppliers")
    records = RecordStore(tx)
    row = records.programme(programme)
    p = validated(records, row)
    latest = PlanStore(tx).latest_done(row)
    if latest is None or latest.result is None:
        raise InputError(f"programme '{programme}' has no finished plan to release: plan it first")
    suppliers = {o.supplier for o in p.supply_offers}
    if supplier is not None and supplier not in suppliers:
        raise InputError(f"supplier: '{supplier}' has no supply offer in programme '{programme}'")
    forecast = _forecast(p, latest.result.get("purchases", []))
    targets = [supplier] if supplier is not None else sorted(forecast)
    made = []
    for s in targets:
        last = tx.scalar(
            select(func.max(ReleaseRow.number)).where(
                ReleaseRow.programme_id == row.id, ReleaseRow.supplier == s
            )
        )
        rel = ReleaseRow(
            programme_id=row.id,
            supplier=s,
            number=(last or 0) + 1,
            plan_number=latest.number,
            programme_version=row.version,
            lines=forecast.get(s, []),
            released_by=who.username,
            note=note or None,
        )
        tx.add(rel)
        tx.flush()
        _audit(tx, row, who, f"{s}#{rel.number}", "release", {"plan": latest.number, "lines": len(rel.lines)})
        made.append(_view(rel, []))
    return made


def _view(rel: ReleaseRow, answers: list[ReleaseAnswerRow]) -> ReleaseView:
    return ReleaseView(
        id=rel.id,
        supplier=rel.supplier,
        number=rel.number,
        plan=rel.plan_number,
        programme_version=rel.programme_version,
        released_by=rel.released_by,
        released_at=rel.released_at,
        note=rel.note or "",
        lines=list(rel.lines),
        answers=[
            {
                "number": a.number,
                "answered_by": a.answered_by,
                "answered_at": a.answered_at.isoformat(),
                "lines": a.lines,
            }
            for a in answers
        ],
    )


def _answers(tx: Tx, release_ids: list[int]) -> dict[int, list[ReleaseAnswerRow]]:
    out: dict[int, list[ReleaseAnswerRow]] = defaultdict(list)
    if release_ids:
        stmt = select(ReleaseAnswerRow).where(ReleaseAnswerRow.release_id.in_(release_ids))
        for a in tx.scalars(stmt.order_by(ReleaseAnswerRow.number)):
            out[a.release_id].append(a)
    return out


def list_releases(tx: Tx, who: Principal, programme: str, supplier: str | None = None) -> list[ReleaseView]:
    """The releases the user may read, newest first."""
    row = RecordStore(tx).programme(programme)
    stmt = select(ReleaseRow).where(ReleaseRow.programme_id == row.id)
    if supplier is not None:
        stmt = stmt.where(ReleaseRow.supplier == supplier)
    rels = [r for r in tx.scalars(stmt.order_by(ReleaseRow.id.desc())) if _may_read(who, r.supplier)]
    answers = _answers(tx, [r.id for r in rels])
    return [_view(r, answers.get(r.id, [])) for r in rels]


def _release(tx: Tx, who: Principal, row: ProgrammeRow, release_id: int) -> ReleaseRow:
    rel = tx.get(ReleaseRow, release_id)
    if rel is None or rel.programme_id != row.id or not _may_read(who, rel.supplier):
        raise NotFound(f"no release {release_id} in programme '{row.name}'")  # never reveal another's
    return rel


def get_release(tx: Tx, who: Principal, programme: str, release_id: int) -> ReleaseView:
    row = RecordStore(tx).programme(programme)
    rel = _release(tx, who, row, release_id)
    return _view(rel, _answers(tx, [rel.id]).get(rel.id, []))


def _problem(i: int, name: str, text: str) -> Problem:
    return Problem("answer", f"line {i + 1}", name, text)


def _n(q: int | None) -> str:
    return "nothing" if q is None else f"{q:,}"


def _check_line(i: int, a: AnswerLine, asked: int | None, p: Programme) -> list[Problem]:
    if asked is None:
        return [_problem(i, "period", f"the release has no line for offer '{a.offer}' arriving {a.period}")]
    q = a.quantity
    if q is not None and q < 0:
        return [_problem(i, "quantity", f"{q} is negative")]
    if a.status is AnswerStatus.PART and (q is None or q >= asked):
        return [
            _problem(
                i,
                "quantity",
                f"a part commitment must be below the {asked:,} requested (got {_n(q)})",
            )
        ]
    if a.status is AnswerStatus.COMMIT and q is not None and q != asked:
        return [
            _problem(i, "quantity", f"commit means the {asked:,} requested; use part or propose for {q:,}")
        ]
    if a.status is AnswerStatus.PROPOSE:
        if q is None:
            return [_problem(i, "quantity", "a proposal names the quantity it offers")]
        when = a.proposed_period or a.period
        if not 0 <= p.calendar.index_of(when) < p.calendar.periods:
            return [_problem(i, "proposed_period", f"{when} is outside the horizon")]
    return []


def _commitments(
    lines: list[AnswerLine], asked: dict[tuple[str, dt.date], int]
) -> dict[str, dict[dt.date, int]]:
    """Per offer, the units committed per arrival period (a proposal moves the units)."""
    out: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for a in lines:
        per = out[a.offer]
        if a.status is AnswerStatus.COMMIT:
            per[a.period] = per.get(a.period, 0) + asked[(a.offer, a.period)]
        elif a.status is AnswerStatus.DECLINE:
            per.setdefault(a.period, 0)
        elif a.status is AnswerStatus.PART:
            per[a.period] = per.get(a.period, 0) + int(a.quantity or 0)
        else:
            when = a.proposed_period or a.period
            per.setdefault(a.period, 0)
            per[when] = per.get(when, 0) + int(a.quantity or 0)
    return out


def answer_release(
    tx: Tx, who: Principal, programme: str, release_id: int, lines: list[AnswerLine]
) -> ReleaseView:
    """Record a supplier's answer and turn it into the offers' commitments, all or nothing.
    The supplier answers its own releases; the programme office may answer on its behalf
    (an answer that came by e-mail). Periods the answer does not name keep what they had."""
    records = RecordStore(tx)
    row = records.programme(programme)
    rel = _release(tx, who, row, release_id)
    if not (
        who.may(Action.RELEASE_FORECAST) or (who.may(Action.ANSWER_RELEASE) and who.partner == rel.supplier)
    ):
        raise Forbidden(f"the {who.role.value} role cannot answer a release to '{rel.supplier}'")
    if not lines:
        raise InputError("answer: no lines (answer at least one line of the release)")
    p = validated(records, row)
    asked = {(ln["offer"], dt.date.fromisoformat(ln["period"])): int(ln["quantity"]) for ln in rel.lines}
    problems = [
        pr for i, a in enumerate(lines) for pr in _check_line(i, a, asked.get((a.offer, a.period)), p)
    ]
    seen: set[tuple[str, dt.date]] = set()
    for i, a in enumerate(lines):
        if (a.offer, a.period) in seen:
            problems.append(_problem(i, "period", f"offer '{a.offer}' {a.period} is answered twice"))
        seen.add((a.offer, a.period))
    offers = {o.id: o for o in p.supply_offers}
    for i, a in enumerate(lines):
        minimum = offers[a.offer].min_order if a.offer in offers else 0
        if not problems and a.quantity and 0 < a.quantity < minimum:
            problems.append(
                _problem(i, "quantity", f"{a.quantity} is below the offer's minimum order {minimum}")
            )
    if problems:
        raise ProgrammeInvalid(problems)
    for oid, per in sorted(_commitments(lines, asked).items()):
        rec = records.get(row, "supply_offers", oid, who)
        data = dict(rec.data)
        kept = [c for c in data.get("commitments", []) if dt.date.fromisoformat(c["period"]) not in per]
        new = [
            {"period": d.isoformat(), "quantity": n, "release": rel.number, "note": ""}
            for d, n in per.items()
        ]
        data["commitments"] = sorted(kept + new, key=lambda c: c["period"])
        records.update(row, "supply_offers", oid, rec.version, data, who)
    last = tx.scalar(select(func.max(ReleaseAnswerRow.number)).where(ReleaseAnswerRow.release_id == rel.id))
    answer = ReleaseAnswerRow(
        release_id=rel.id,
        number=(last or 0) + 1,
        lines=[_plain(a) for a in lines],
        answered_by=who.username,
    )
    tx.add(answer)
    tx.flush()
    _audit(
        tx, row, who, f"{rel.supplier}#{rel.number}", "answer", {"answer": answer.number, "lines": len(lines)}
    )
    return get_release(tx, who, programme, release_id)


def _plain(a: AnswerLine) -> dict[str, Any]:
    return {
        "offer": a.offer,
        "period": a.period.isoformat(),
        "status": a.status.value,
        "quantity": a.quantity,
        "proposed_period": a.proposed_period.isoformat() if a.proposed_period else None,
        "note": a.note,
    }


def commitment_status(tx: Tx, who: Principal, programme: str) -> list[CommitmentRow]:
    """Each line of the latest release to each supplier the user may see, against what the
    supplier committed and what the latest plan orders: where commits fall short."""
    records = RecordStore(tx)
    row = records.programme(programme)
    p = validated(records, row)
    latest = PlanStore(tx).latest_done(row)
    planned: dict[tuple[str, str], int] = defaultdict(int)
    for r in (latest.result or {}).get("purchases", []) if latest is not None else []:
        planned[(r["offer"], r["arrival_period"])] += int(r["quantity"])
    newest: dict[str, ReleaseView] = {}
    for rel in list_releases(tx, who, programme):
        newest.setdefault(rel.supplier, rel)
    offers = {o.id: o for o in p.supply_offers}
    rows = []
    for s, rel in sorted(newest.items()):
        for ln in rel.lines:
            o = offers.get(ln["offer"])
            if o is None:
                continue
            committed = {c.period.isoformat(): c.quantity for c in o.commitments}.get(ln["period"])
            rows.append(
                CommitmentRow(
                    supplier=s,
                    offer=o.id,
                    component=o.component,
                    ship_to=o.ship_to,
                    period=ln["period"],
                    requested=int(ln["quantity"]),
                    committed=committed,
                    planned=planned.get((o.id, ln["period"]), 0),
                    release=rel.number,
                )
            )
    return rows


def release_workbook(tx: Tx, who: Principal, programme: str, release_id: int) -> tuple[str, bytes]:
    """The release as a workbook to fill in (pre-filled with the latest answer), and a file name."""
    rel = get_release(tx, who, programme, release_id)
    latest = rel.answers[-1]["lines"] if rel.answers else []
    answered = {(a["offer"], a["period"]): a for a in latest}
    about = {
        "programme": programme,
        "supplier": rel.supplier,
        "release": rel.number,
        "release id": rel.id,
        "plan": rel.plan,
        "released by": rel.released_by,
        "released at": rel.released_at.isoformat(timespec="seconds"),
        "how to answer": "status: commit, part, propose or decline; committed: units; "
        "proposed_period: a date (propose); leave a row empty to leave it unanswered",
    }
    return f"release-{rel.supplier}-{rel.number}.xlsx", release_sheet(about, rel.lines, answered)


def answer_from_workbook(
    tx: Tx, who: Principal, programme: str, release_id: int, data: bytes, filename: str
) -> ReleaseView:
    """An answer sent back as the filled-in release workbook (the same rules as any answer)."""
    rows = read_release_sheet(data, filename)
    lines = [
        AnswerLine(r.offer, r.period, AnswerStatus(r.status), r.quantity, r.proposed_period, r.note)
        for r in rows
    ]
    return answer_release(tx, who, programme, release_id, lines)
