"""The audit trail: who changed what, when, with the record before and after."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from coprod.access import Action, Principal
from coprod.app.database import Tx
from coprod.storage.audit import AuditFilter, AuditStore
from coprod.storage.records import RecordStore

__all__ = ["AuditFilter", "AuditView", "audit_trail"]


@dataclass(frozen=True, slots=True)
class AuditView:
    id: int
    at: dt.datetime
    username: str
    partner: str | None
    section: str
    key: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def audit_trail(tx: Tx, who: Principal, programme: str, query: AuditFilter) -> list[AuditView]:
    who.require(Action.READ_AUDIT, "read the audit trail")
    row = RecordStore(tx).programme(programme)
    return [
        AuditView(e.id, e.at, e.username, e.partner, e.section, e.key, e.action, e.before, e.after)
        for e in AuditStore(tx).entries(row.id, query)
    ]
