"""Reading the audit trail (append-only: entries are written by the record store)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.storage.tables import AuditEntry

__all__ = ["AuditFilter", "AuditStore"]


@dataclass(frozen=True, slots=True)
class AuditFilter:
    section: str | None = None
    key: str | None = None
    username: str | None = None
    since: dt.datetime | None = None
    limit: int = 100
    offset: int = 0


class AuditStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def entries(self, programme_id: int, f: AuditFilter) -> list[AuditEntry]:
        stmt = select(AuditEntry).where(AuditEntry.programme_id == programme_id)
        for column, value in (
            (AuditEntry.section, f.section),
            (AuditEntry.key, f.key),
            (AuditEntry.username, f.username),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if f.since is not None:
            stmt = stmt.where(AuditEntry.at >= f.since)
        return list(self.session.scalars(stmt.order_by(AuditEntry.id).offset(f.offset).limit(f.limit)))
