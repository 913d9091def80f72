"""The database tables (SQLAlchemy 2, typed `Mapped[]`).

A programme's records live in one table, `records`: one row per record, its section
(partners, lines, requirements, ...), its key (id, or item@site for stock), the owning
partner (for access scoping), a version (optimistic concurrency) and the record itself as
JSON. Why not one table per record type: the domain model validates the whole programme
as one aggregate (cross-references, BOM cycles), so the unit of consistency is the
programme, and nested parts (revisions, BOM lines, exceptions) belong to their record.
The JSON is exactly the domain model's own serialisation, so import and export are
lossless by construction; the columns beside it are what queries filter and scope on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["AuditEntry", "Base", "EventRow", "PlanVersion", "ProgrammeRow", "Record", "Token", "User"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timestamps in UTC, timezone-aware on the way out on every backend (SQLite stores
    them without a zone; an API must still answer RFC 3339 date-times)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return value.astimezone(dt.UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class ProgrammeRow(Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    settings: Mapped[dict[str, Any]]
    calendar: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("programme_id", "section", "key", name="uq_record_key"),
        Index("ix_record_scope", "programme_id", "section", "partner"),
        # a page in file order comes off the index (migration 0008; the id, lists' last
        # tie-break, added by 0009); a scoped page finds its party's records (0009). Migration
        # 0009 also indexes each sortable field of the big sections (storage/records.py)
        Index("ix_record_order", "programme_id", "section", "position", "id"),
        Index("ix_record_party", "programme_id", "section", "party"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)  # order within the section, as in the file
    partner: Mapped[str | None] = mapped_column(String(64))  # the owning partner, for scoping
    party: Mapped[str | None] = mapped_column(String(64))  # a second partner that may read it
    data: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, onupdate=_now)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    partner: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)


class Token(Base):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the bearer token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class AuditEntry(Base):
    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_entity", "programme_id", "section", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    username: Mapped[str] = mapped_column(String(64))
    partner: Mapped[str | None] = mapped_column(String(64))
    programme_id: Mapped[int | None] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))  # create | update | delete | import
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class PlanVersion(Base):
    """A plan version and the job that computes it: the table is the job queue (a worker
    claims a queued row with a conditional update, so a job runs once even with several
    workers), and what a killed worker leaves behind is found by its heartbeat."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("programme_id", "number", name="uq_plan_number"),
        Index("ix_plans_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    # the programme's version when the job was queued: the fingerprint is of that version,
    # so a worker finding the programme still at it need not compute it again
    programme_version: Mapped[int | None] = mapped_column(Integer)
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    status: Mapped[str] = mapped_column(String(16))  # storage.plans.JobStatus
    error: Mapped[str | None] = mapped_column(Text)
    kpis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # how to plan (app.plan_jobs)
    worker: Mapped[str | None] = mapped_column(String(128))  # host:pid of the worker running it
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    label: Mapped[str | None] = mapped_column(String(200))  # what the plan is for, in a few words
    note: Mapped[str | None] = mapped_column(Text)
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the programme as it was planned
    # warm (the worker's live session re-solved from its basis) or cold, and why (app/plan_sessions.py)
    start: Mapped[str | None] = mapped_column(String(8))
    start_reason: Mapped[str | None] = mapped_column(Text)
    # anytime planning: first / improving (a first plan shown while the LP solves, or a time
    # limit) / optimal, and the certified gap against the LP's bound (None: unknown)
    state: Mapped[str | None] = mapped_column(String(16))
    gap: Mapped[float | None] = mapped_column(Float)
    # "pending" while the worker still works out why late requirements are late and idle lines stay idle (and
    # keeps the solver state for promises) after storing the plan, "interrupted" when its
    # worker stopped before it was done; None: the plan is complete (app/plan_jobs.py)
    explanation: Mapped[str | None] = mapped_column(String(16))


class EventRow(Base):
    """One recorded event (a lot, an inspection, a shipment, ...): append-only, owned by the
    partner that recorded it (tracking/owners.py), readable by a second party. `day` is the
    ISO date it happened, for ordering and "as of" queries in SQL."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("programme_id", "kind", "key", name="uq_event_key"),
        Index("ix_event_scope", "programme_id", "kind", "partner"),
        Index("ix_event_day", "programme_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    day: Mapped[str] = mapped_column(String(10))
    partner: Mapped[str | None] = mapped_column(String(64))
    party: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]]
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    batch: Mapped[str | None] = mapped_column(String(200))  # the file or request it came in


class ReleaseRow(Base):
    """A forecast released to one supplier: what a stored plan orders from it, by offer and
    arrival period (docs/collaboration.md). Numbered per programme and supplier; never
    changed once written (a new release supersedes it)."""

    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("programme_id", "supplier", "number", name="uq_release_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    supplier: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)
    plan_number: Mapped[int] = mapped_column(Integer)
    programme_version: Mapped[int] = mapped_column(Integer)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    released_by: Mapped[str] = mapped_column(String(64))
    released_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    note: Mapped[str | None] = mapped_column(Text)


class ReleaseAnswerRow(Base):
    """A supplier's answer to a release, line by line (commit, part, propose, decline);
    numbered per release, the latest one counts."""

    __tablename__ = "release_answers"
    __table_args__ = (UniqueConstraint("release_id", "number", name="uq_release_answer_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    answered_by: Mapped[str] = mapped_column(String(64))
    answered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
