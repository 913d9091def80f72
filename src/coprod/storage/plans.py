"""Plan versions in the database, and the background job that computes them.

A plan request fingerprints the programme's data; when a plan with that fingerprint exists
(and did not fail), it is returned instead of planning again. Otherwise a version is
created as `queued` and a worker thread plans it, recording each stage (building,
solving, rounding, explaining) so clients can poll, then `done` with the plan, or `failed`
with the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coprod.access import Principal
from coprod.errors import CoprodError, Forbidden, NotFound
from coprod.planning import Plan, PlanOptions, plan
from coprod.planning.options import PlanStage
from coprod.storage.db import session_scope
from coprod.storage.records import RecordStore
from coprod.storage.tables import PlanVersion, ProgrammeRow

__all__ = ["PlanStore", "plan_from_dict"]

_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coprod-plan")


def fingerprint(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def plan_from_dict(data: dict[str, Any]) -> Plan:
    return Plan(**{**data, "periods": tuple(data["periods"])})


class PlanStore:
    def __init__(self, session: Session, url: str) -> None:
        self.session, self.url = session, url

    def start(self, row: ProgrammeRow, who: Principal) -> tuple[PlanVersion, bool]:
        """The plan for the programme as it is now: (version, True if newly queued)."""
        if not who.sees_everything or who.role.value == "auditor":
            raise Forbidden("only the programme office starts plans")
        data = RecordStore(self.session).raw_data(row)
        digest = fingerprint(data)
        found = self.session.scalar(
            select(PlanVersion)
            .where(
                PlanVersion.programme_id == row.id,
                PlanVersion.fingerprint == digest,
                PlanVersion.status != "failed",
            )
            .order_by(PlanVersion.number.desc())
        )
        if found is not None:
            return found, False
        number = (
            self.session.scalar(
                select(func.max(PlanVersion.number)).where(PlanVersion.programme_id == row.id)
            )
            or 0
        ) + 1
        version = PlanVersion(
            programme_id=row.id, number=number, fingerprint=digest, requested_by=who.username, status="queued"
        )
        self.session.add(version)
        self.session.flush()
        return version, True

    def run_later(self, version_id: int, programme_name: str) -> None:
        """Queue the job; call after the transaction that created the version committed."""
        _WORKER.submit(_run, self.url, version_id, programme_name)

    @staticmethod
    def run_now(
        url: str,
        version_id: int,
        programme_name: str,
        options: PlanOptions | None = None,
        progress: Callable[[PlanStage], None] | None = None,
    ) -> None:
        """Plan in this thread (the CLI), recording progress as the background job does."""
        _run(url, version_id, programme_name, options, progress)

    def get(self, row: ProgrammeRow, number: int) -> PlanVersion:
        version = self.session.scalar(
            select(PlanVersion).where(PlanVersion.programme_id == row.id, PlanVersion.number == number)
        )
        if version is None:
            raise NotFound(f"no plan {number} for programme '{row.name}'")
        return version

    def all(self, row: ProgrammeRow) -> list[PlanVersion]:
        return list(
            self.session.scalars(
                select(PlanVersion).where(PlanVersion.programme_id == row.id).order_by(PlanVersion.number)
            )
        )


def _set(url: str, version_id: int, **values: Any) -> None:
    with session_scope(url) as session:
        version = session.get(PlanVersion, version_id)
        assert version is not None
        for key, value in values.items():
            setattr(version, key, value)


def _run(
    url: str,
    version_id: int,
    programme_name: str,
    options: PlanOptions | None = None,
    progress: Callable[[PlanStage], None] | None = None,
) -> None:
    def stage(name: PlanStage) -> None:
        _set(url, version_id, status=name)
        if progress is not None:
            progress(name)

    try:
        with session_scope(url) as session:
            store = RecordStore(session)
            programme = store.load(store.programme(programme_name))
        result = plan(programme, options, progress=stage)
        payload = json.loads(json.dumps(result.to_dict(), default=str))
        _set(
            url,
            version_id,
            status="done",
            kpis=result.kpis,
            result=payload,
            finished_at=dt.datetime.now(dt.UTC),
        )
    except CoprodError as exc:
        _set(url, version_id, status="failed", error=str(exc), finished_at=dt.datetime.now(dt.UTC))
    except Exception as exc:  # a bug: record it, the job must never hang in a running state
        _set(
            url,
            version_id,
            status="failed",
            error=f"internal error: {exc!r}",
            finished_at=dt.datetime.now(dt.UTC),
        )
        raise
