"""Actuals: import a batch (a file, an upload) or one event, all or nothing; list and read
events as the principal may see them. Every rule is checked against the stored events and
the new ones together (tracking/rules.py); only the owning partner records an event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coprod.access import EVENT_KINDS, Principal
from coprod.app.database import Tx, transaction
from coprod.domain.actuals import EVENT_KINDS as MODELS
from coprod.domain.actuals import ActualsBatch
from coprod.errors import Forbidden, InputError, Problem, ProgrammeInvalid
from coprod.io.actuals_file import RawActuals, parse_actuals, read_actuals, read_upload
from coprod.storage.actuals import ActualsStore, NewEvent
from coprod.storage.records import RecordStore
from coprod.tracking.ledger import Ledger
from coprod.tracking.owners import owner_and_party
from coprod.tracking.rules import check_actuals

__all__ = [
    "EventPage",
    "EventView",
    "ImportSummary",
    "get_event",
    "import_actuals_file",
    "import_batch",
    "import_request",
    "import_upload",
    "list_events",
    "record_event",
]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    programme: str
    origin: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class EventView:
    kind: str
    key: str
    day: str
    partner: str | None
    recorded_by: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EventPage:
    items: list[EventView]
    total: int
    limit: int
    offset: int


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def import_actuals_file(
    url: str, programme: str, who: Principal, path: Path, recorded_on: dt.date | None = None
) -> ImportSummary:
    """`coprod actuals import FILE --programme NAME`: YAML, a CSV folder or file, XLSX."""
    raw = read_actuals(path)
    batch = parse_actuals(raw)
    with transaction(url) as tx:
        return import_batch(tx, who, programme, batch, raw, recorded_on)


def import_upload(tx: Tx, who: Principal, programme: str, content: bytes, name: str) -> ImportSummary:
    """A batch uploaded as YAML or XLSX (the API and the dashboard)."""
    raw = read_upload(content, name)
    return import_batch(tx, who, programme, parse_actuals(raw), raw)


def import_request(tx: Tx, who: Principal, programme: str, batch: ActualsBatch) -> ImportSummary:
    """A batch posted to the API (already parsed); problems name its records by position."""
    raw = RawActuals(batch.model_dump(mode="json", by_alias=True), "request")
    return import_batch(tx, who, programme, batch, raw)


def record_event(tx: Tx, who: Principal, programme: str, kind: str, data: dict[str, Any]) -> EventView:
    """One event, as the API posts it: the same rules as a batch of one."""
    if kind not in EVENT_KINDS:
        raise InputError(f"no event type '{kind}' (one of: {', '.join(EVENT_KINDS)})")
    raw = RawActuals({kind: [data]}, "request")
    import_batch(tx, who, programme, parse_actuals(raw), raw)
    return get_event(tx, who, programme, kind, str(data.get("id", "")))


def import_batch(
    tx: Tx,
    who: Principal,
    programme: str,
    batch: ActualsBatch,
    raw: RawActuals,
    recorded_on: dt.date | None = None,
) -> ImportSummary:
    if batch.size == 0:
        raise InputError(f"{raw.default_file}: no events (sections: {', '.join(EVENT_KINDS)})")
    records = RecordStore(tx)
    row = records.programme(programme)
    p = records.load(row)
    store = ActualsStore(tx)
    stored = store.batch(row)
    merged = stored.merged(batch)
    findings = check_actuals(p, merged, recorded_on or _today())
    if findings:
        problems = []
        for f in findings:
            new = f.index - len(getattr(stored, f.section))
            if new >= 0:
                origin, rest = raw.locate((f.section, new))
                field = ".".join(x for x in (rest, f.field) if x)
                problems.append(Problem(origin.file, origin.record, field, f.message))
            else:  # an event already stored, which the new ones contradict
                problems.append(Problem("stored events", f"{f.section} ({f.key})", f.field, f.message))
        raise ProgrammeInvalid(problems)
    led = Ledger(p, merged)
    new_events: list[NewEvent] = []
    refused: list[str] = []
    for kind, events in batch.kinds().items():
        for event in events:
            owner, party = owner_and_party(led, kind, event)
            if not who.can_write(kind, owner):
                refused.append(f"{kind} {event.id} (of {owner or 'no partner'})")
            new_events.append(NewEvent(kind, event.model_dump(mode="json", by_alias=True), owner, party))
    if refused:
        shown = ", ".join(refused[:5]) + (f" and {len(refused) - 5} more" if len(refused) > 5 else "")
        raise Forbidden(
            f"the {who.role.value} role of {who.partner or 'no partner'} may record only its own "
            f"events: {shown}"
        )
    store.add(row, new_events, who, raw.default_file)
    counts = {k: len(v) for k, v in batch.kinds().items() if v}
    return ImportSummary(programme, raw.default_file, counts)


def _view(e: Any) -> EventView:
    return EventView(e.kind, e.key, e.day, e.partner, e.recorded_by, e.data)


def list_events(
    tx: Tx, who: Principal, programme: str, kind: str, limit: int = 100, offset: int = 0
) -> EventPage:
    if not 1 <= limit <= 1000 or offset < 0:
        raise InputError("limit is 1..1000 and offset 0 or more")
    row = RecordStore(tx).programme(programme)
    items, total = ActualsStore(tx).list(row, kind, who, limit, offset)
    return EventPage([_view(e) for e in items], total, limit, offset)


def get_event(tx: Tx, who: Principal, programme: str, kind: str, key: str) -> EventView:
    row = RecordStore(tx).programme(programme)
    return _view(ActualsStore(tx).get(row, kind, key, who))


def event_schema(kind: str) -> dict[str, Any]:
    if kind not in MODELS:
        raise InputError(f"no event type '{kind}' (one of: {', '.join(EVENT_KINDS)})")
    schema: dict[str, Any] = MODELS[kind].model_json_schema()
    return schema
