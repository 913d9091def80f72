"""Plan versions in the database; the `plans` table is also the queue of plan jobs.

A version is created `queued`. A worker claims it with a conditional update (status still
queued), so one job runs once whatever the number of workers, on SQLite and PostgreSQL;
the worker records each stage (building, solving, rounding, explaining) and a heartbeat,
then `done` with the plan or `failed` with the reason. A job whose worker died (killed, a
crash, a restart) is found by `reap`: its worker's process is gone, or its heartbeat is
older than the lease. Running plans is not done here (app/plan_jobs.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod.errors import NotFound
from coprod.planning.options import JobStatus
from coprod.storage.tables import PlanVersion, ProgrammeRow

__all__ = ["RUNNING", "JobStatus", "PlanStore"]


RUNNING = (JobStatus.BUILDING, JobStatus.SOLVING, JobStatus.ROUNDING, JobStatus.EXPLAINING)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PlanStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(
        self,
        row: ProgrammeRow,
        fingerprint: str,
        requested_by: str,
        options: dict[str, Any],
        label: str | None = None,
        note: str | None = None,
    ) -> PlanVersion:
        """A new queued version numbered after the last; retried if a concurrent request
        took the number first (the unique constraint decides). `fingerprint` is of the
        programme at its present version, which the version records."""
        for _ in range(5):
            number = (
                self.session.scalar(
                    select(func.max(PlanVersion.number)).where(PlanVersion.programme_id == row.id)
                )
                or 0
            ) + 1
            version = PlanVersion(
                programme_id=row.id,
                number=number,
                fingerprint=fingerprint,
                programme_version=row.version,
                requested_by=requested_by,
                status=JobStatus.QUEUED.value,
                options=options,
                label=label,
                note=note,
            )
            try:
                with self.session.begin_nested():
                    self.session.add(version)
            except IntegrityError:
                continue
            return version
        raise RuntimeError("could not number the plan version")  # pragma: no cover

    def find_done(self, row: ProgrammeRow, fingerprint: str) -> PlanVersion | None:
        """The latest finished plan of exactly these inputs and options, unless its
        explanation was lost (its worker stopped, or that part failed): planned again then."""
        return self.session.scalar(
            select(PlanVersion)
            .where(
                PlanVersion.programme_id == row.id,
                PlanVersion.fingerprint == fingerprint,
                PlanVersion.status == JobStatus.DONE.value,
                or_(PlanVersion.explanation.is_(None), PlanVersion.explanation == "pending"),
            )
            .order_by(PlanVersion.number.desc())
            .limit(1)
        )

    def latest_done(self, row: ProgrammeRow) -> PlanVersion | None:
        return self.session.scalar(
            select(PlanVersion)
            .where(PlanVersion.programme_id == row.id, PlanVersion.status == JobStatus.DONE.value)
            .order_by(PlanVersion.number.desc())
            .limit(1)
        )

    def previous_done(self, row: ProgrammeRow, number: int) -> PlanVersion | None:
        """The last finished plan numbered below `number`."""
        return self.session.scalar(
            select(PlanVersion)
            .where(
                PlanVersion.programme_id == row.id,
                PlanVersion.status == JobStatus.DONE.value,
                PlanVersion.number < number,
            )
            .order_by(PlanVersion.number.desc())
            .limit(1)
        )

    def get(self, row: ProgrammeRow, number: int) -> PlanVersion:
        version = self.session.scalar(
            select(PlanVersion).where(PlanVersion.programme_id == row.id, PlanVersion.number == number)
        )
        if version is None:
            raise NotFound(f"no plan {number} for programme '{row.name}'")
        return version

    def by_id(self, version_id: int) -> PlanVersion | None:
        return self.session.get(PlanVersion, version_id)

    def all(self, row: ProgrammeRow) -> list[PlanVersion]:
        return list(
            self.session.scalars(
                select(PlanVersion).where(PlanVersion.programme_id == row.id).order_by(PlanVersion.number)
            )
        )

    # ---- the job queue ---------------------------------------------------------------
    def claim(self, worker: str, version_id: int | None = None) -> int | None:
        """Take the oldest queued job (or the given one) for `worker`: its id, or None when
        there is none or another worker took it first."""
        candidate = version_id
        if candidate is None:
            candidate = self.session.scalar(
                select(PlanVersion.id)
                .where(PlanVersion.status == JobStatus.QUEUED.value)
                .order_by(PlanVersion.id)
                .limit(1)
                .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers
            )
            if candidate is None:
                return None
        now = _now()
        done = self.session.execute(
            update(PlanVersion)
            .where(PlanVersion.id == candidate, PlanVersion.status == JobStatus.QUEUED.value)
            .values(status=JobStatus.BUILDING.value, worker=worker, started_at=now, heartbeat_at=now)
        )
        return candidate if done.rowcount == 1 else None  # type: ignore[attr-defined]

    def set_status(self, version_id: int, status: JobStatus, **values: Any) -> None:
        """Record a stage (and a heartbeat); `done` and `failed` also close the job."""
        now = _now()
        values = {"status": status.value, "heartbeat_at": now, **values}
        if status in (JobStatus.DONE, JobStatus.FAILED):
            values["finished_at"] = now
        self.session.execute(update(PlanVersion).where(PlanVersion.id == version_id).values(**values))

    def complete(self, version_id: int, result: Any, inputs: dict[str, Any]) -> None:
        """Store a done plan's complete result in place of the one stored while its
        explanation was pending (app/plan_jobs.py), and the inputs it planned; the job's
        status stays as it is."""
        self.session.execute(
            update(PlanVersion)
            .where(PlanVersion.id == version_id, PlanVersion.explanation == "pending")
            .values(result=result, inputs=inputs, explanation=None)
        )

    def set_explanation(
        self, version_id: int, explanation: str, inputs: dict[str, Any] | None = None
    ) -> None:
        values: dict[str, Any] = {"explanation": explanation}
        if inputs is not None:
            values["inputs"] = inputs
        self.session.execute(update(PlanVersion).where(PlanVersion.id == version_id).values(**values))

    def heartbeat(self, version_id: int) -> None:
        """A running job's, or a done one's whose explanation its worker is storing."""
        busy = or_(PlanVersion.status.in_([s.value for s in RUNNING]), PlanVersion.explanation == "pending")
        self.session.execute(
            update(PlanVersion).where(PlanVersion.id == version_id, busy).values(heartbeat_at=_now())
        )

    def requeue(self, worker: str) -> list[int]:
        """Jobs `worker` was running when it was stopped on purpose go back to the queue."""
        ids = list(
            self.session.scalars(
                select(PlanVersion.id).where(
                    PlanVersion.worker == worker, PlanVersion.status.in_([s.value for s in RUNNING])
                )
            )
        )
        if ids:
            self.session.execute(
                update(PlanVersion)
                .where(PlanVersion.id.in_(ids))
                .values(status=JobStatus.QUEUED.value, worker=None, started_at=None, heartbeat_at=None)
            )
        return ids

    def reap(self, lease_s: float, is_dead: Callable[[str], bool]) -> list[int]:
        """Mark failed the running jobs whose worker is gone (`is_dead(worker)`) or silent
        for longer than the lease; their ids."""
        stale = _now() - dt.timedelta(seconds=lease_s)
        running = self.session.execute(
            select(PlanVersion.id, PlanVersion.worker, PlanVersion.heartbeat_at).where(
                PlanVersion.status.in_([s.value for s in RUNNING])
            )
        ).all()
        lost = [
            vid
            for vid, worker, beat in running
            if (worker is not None and is_dead(worker)) or beat is None or _aware(beat) < stale
        ]
        for vid in lost:
            self.set_status(
                vid,
                JobStatus.FAILED,
                error="interrupted: the worker planning it stopped (a restart or a crash); "
                "start the plan again",
            )
        # done plans whose worker stopped, or fell silent, before it stored the complete
        # explanation (it beats meanwhile, as for a running job)
        pending = self.session.execute(
            select(PlanVersion.id, PlanVersion.worker, PlanVersion.heartbeat_at).where(
                PlanVersion.explanation == "pending"
            )
        ).all()
        for vid, worker, beat in pending:
            if worker is None or is_dead(worker) or beat is None or _aware(beat) < stale:
                self.set_explanation(vid, "interrupted")
        return lost


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
