"""The events of a programme in the database: append a checked batch, read them back, list
them scoped to a principal. Callers (app/actuals.py) check the rules and ownership first;
the store writes the rows and one audit entry per batch, in the caller's transaction, so a
batch lands whole or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from coprod.access import EVENT_KINDS, Principal
from coprod.domain.actuals import ActualsBatch, event_date
from coprod.errors import Forbidden, NotFound
from coprod.storage.tables import AuditEntry, Base, EventRow, ProgrammeRow

__all__ = ["ActualsStore", "NewEvent"]


@dataclass(frozen=True, slots=True)
class NewEvent:
    kind: str
    data: dict[str, Any]  # the record as JSON (the model's own serialisation)
    owner: str | None
    party: str | None


class ActualsStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def batch(self, row: ProgrammeRow) -> ActualsBatch:
        """Every stored event, in the order recorded (validated into the domain records)."""
        stmt = (
            select(EventRow.kind, EventRow.data).where(EventRow.programme_id == row.id).order_by(EventRow.id)
        )
        by_kind: dict[str, list[Any]] = {k: [] for k in EVENT_KINDS}
        for kind, data in self.session.execute(stmt):
            by_kind[kind].append(data)
        # one validation of the whole batch: a fraction of the cost of one call per event
        return ActualsBatch.model_validate(by_kind)

    def marker(self, row: ProgrammeRow) -> int:
        """Changes whenever an event is added (events are never changed or deleted)."""
        return int(
            self.session.scalar(
                select(func.coalesce(func.max(EventRow.id), 0)).where(EventRow.programme_id == row.id)
            )
            or 0
        )

    def add(self, row: ProgrammeRow, events: Sequence[NewEvent], who: Principal, origin: str) -> None:
        """Append `events` (already checked) and audit the batch."""
        now = dt.datetime.now(dt.UTC)
        rows = [
            {
                "programme_id": row.id,
                "kind": e.kind,
                "key": str(e.data["id"]),
                "day": event_date(e.kind, e.data).isoformat(),
                "partner": e.owner,
                "party": e.party,
                "data": e.data,
                "recorded_by": who.username,
                "batch": origin[:200],
                "recorded_at": now,
            }
            for e in events
        ]
        # Core executemany in chunks (the ORM's bulk path costs more per row than the insert)
        table = Base.metadata.tables[EventRow.__tablename__]
        connection = self.session.connection()
        for start in range(0, len(rows), 5000):
            connection.execute(insert(table), rows[start : start + 5000])
        counts: dict[str, int] = {}
        for e in events:
            counts[e.kind] = counts.get(e.kind, 0) + 1
        after: dict[str, Any] = {"events": counts, "file": origin}
        if len(events) == 1:
            after["record"] = events[0].data
        self.session.add(
            AuditEntry(
                username=who.username,
                partner=who.partner or None,
                programme_id=row.id,
                section="actuals" if len(events) != 1 else events[0].kind,
                key=origin[:200] if len(events) != 1 else str(events[0].data["id"]),
                action="import" if len(events) != 1 else "create",
                before=None,
                after=after,
            )
        )
        self.session.flush()

    def list(
        self, row: ProgrammeRow, kind: str, who: Principal, limit: int, offset: int
    ) -> tuple[list[EventRow], int]:
        """One page of the events of `kind` the user may read, in date order."""
        if kind not in EVENT_KINDS:
            raise NotFound(f"no event type '{kind}' (one of: {', '.join(EVENT_KINDS)})")
        if who.mode(kind) is None:
            raise Forbidden(f"the {who.role.value} role cannot read {kind}")
        conditions = [EventRow.programme_id == row.id, EventRow.kind == kind]
        if not who.can_read(kind, None, None):
            conditions.append((EventRow.partner == who.partner) | (EventRow.party == who.partner))
        total = self.session.scalar(select(func.count()).select_from(EventRow).where(*conditions)) or 0
        stmt = select(EventRow).where(*conditions).order_by(EventRow.day, EventRow.id)
        return list(self.session.scalars(stmt.offset(offset).limit(limit))), total

    def get(self, row: ProgrammeRow, kind: str, key: str, who: Principal) -> EventRow:
        if kind not in EVENT_KINDS:
            raise NotFound(f"no event type '{kind}' (one of: {', '.join(EVENT_KINDS)})")
        found = self.session.scalar(
            select(EventRow).where(
                EventRow.programme_id == row.id, EventRow.kind == kind, EventRow.key == key
            )
        )
        if found is None or not who.can_read(kind, found.partner, found.party):
            raise NotFound(f"no {kind} event '{key}' in programme '{row.name}'")
        return found
