"""Plans of stored programmes: start (a job, or the finished plan of the same inputs),
versions and their status, results and diffs scoped to the principal, downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coprod.access import PLAN_TABLES, Action, Principal
from coprod.app.database import Tx, transaction
from coprod.app.plan_jobs import fingerprint, options_to_json, run_job, worker_name
from coprod.app.plan_view import scope_plan
from coprod.domain import Programme
from coprod.errors import Conflict, NotFound, SolverError
from coprod.planning import Plan, PlanOptions
from coprod.planning.options import PlanStage
from coprod.storage.plans import JobStatus, PlanStore
from coprod.storage.records import RecordStore
from coprod.storage.tables import PlanVersion

__all__ = [
    "DOWNLOAD_TABLES",
    "PlanContext",
    "PlanVersionView",
    "diff_stored",
    "latest_plan",
    "plan_diff",
    "plan_results",
    "plan_stored",
    "plan_table_csv",
    "plan_version",
    "plan_versions",
    "plan_workbook",
    "start_plan",
]

DOWNLOAD_TABLES = tuple(t for t in PLAN_TABLES if t != "deliveries_by_period")


@dataclass(frozen=True, slots=True)
class PlanVersionView:
    number: int
    status: JobStatus
    requested_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    error: str | None
    kpis: dict[str, Any] | None
    reused: bool = False

    @property
    def done(self) -> bool:
        return self.status is JobStatus.DONE


def _view(v: PlanVersion, reused: bool = False) -> PlanVersionView:
    return PlanVersionView(
        number=v.number,
        status=JobStatus(v.status),
        requested_by=v.requested_by,
        created_at=v.created_at,
        finished_at=v.finished_at,
        error=v.error,
        kpis=v.kpis,
        reused=reused,
    )


def start_plan(tx: Tx, who: Principal, programme: str, options: PlanOptions | None = None) -> PlanVersionView:
    """The plan of the programme as it is now: the finished plan of exactly these inputs
    and options if there is one (reused), else a new queued job. Only finished plans are
    reused: a job that failed, or was lost with its worker, is never handed out again."""
    who.require(Action.START_PLAN, "start plans")
    records = RecordStore(tx)
    row = records.programme(programme)
    stored_options = options_to_json(options or PlanOptions())
    digest = fingerprint(records.raw_data(row), stored_options)
    store = PlanStore(tx)
    found = store.find_done(row, digest)
    if found is not None:
        return _view(found, reused=True)
    return _view(store.create(row, digest, who.username, stored_options))


def plan_versions(tx: Tx, who: Principal, programme: str) -> list[PlanVersionView]:
    row = RecordStore(tx).programme(programme)
    return [_view(v) for v in PlanStore(tx).all(row)]


def plan_version(tx: Tx, who: Principal, programme: str, number: int) -> PlanVersionView:
    row = RecordStore(tx).programme(programme)
    return _view(PlanStore(tx).get(row, number))


def _done(tx: Tx, programme: str, number: int) -> tuple[PlanVersion, Programme]:
    records = RecordStore(tx)
    row = records.programme(programme)
    version = PlanStore(tx).get(row, number)
    if version.status != JobStatus.DONE or version.result is None:
        raise Conflict(f"plan {number} is {version.status}, not done")
    return version, records.load(row)


def plan_results(tx: Tx, who: Principal, programme: str, number: int) -> dict[str, Any]:
    """The plan's tables and KPIs, limited to what the user's partner may see."""
    version, p = _done(tx, programme, number)
    assert version.result is not None
    return scope_plan(version.result, who, p)


def _as_plan(scoped: dict[str, Any]) -> Plan:
    """A scoped plan as a Plan for diffing: figures the viewer may not see count as zero."""
    filler = {"objective": 0.0, "lp_objective": 0.0, "lp_service": 0.0, "unit_weight": 0.0}
    costs = scoped.get("costs") or {"total": 0.0}
    return Plan.from_dict({**filler, **scoped, "costs": costs})


def plan_diff(tx: Tx, who: Principal, programme: str, a: int, b: int) -> dict[str, Any]:
    """What moved from plan a to plan b, in the rows the user may see (every role)."""
    from coprod.planning.diff import diff_plans

    delta = diff_plans(
        _as_plan(plan_results(tx, who, programme, a)), _as_plan(plan_results(tx, who, programme, b))
    )
    if not who.may(Action.READ_COSTS):
        delta.pop("cost_change", None)
    return delta


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What a dashboard page of a programme needs: the programme, its latest finished plan
    (as the user may see it), and for pegging the whole plan when the user may read it."""

    programme: Programme
    latest: PlanVersionView | None
    plan: dict[str, Any] | None
    full: dict[str, Any] | None


def latest_plan(tx: Tx, who: Principal, programme: str) -> PlanContext:
    records = RecordStore(tx)
    row = records.programme(programme)
    p = records.load(row)
    latest = PlanStore(tx).latest_done(row)
    if latest is None or latest.result is None:
        return PlanContext(p, None, None, None)
    full = latest.result if who.may(Action.READ_PEGGING) else None
    return PlanContext(p, _view(latest), scope_plan(latest.result, who, p), full)


def _latest_scoped(tx: Tx, who: Principal, programme: str) -> tuple[PlanVersionView, dict[str, Any]]:
    ctx = latest_plan(tx, who, programme)
    if ctx.latest is None or ctx.plan is None:
        raise NotFound(f"programme '{programme}' has no finished plan yet")
    return ctx.latest, ctx.plan


def plan_workbook(tx: Tx, who: Principal, programme: str) -> tuple[int, bytes]:
    """The latest plan as XLSX (the user's rows): (plan number, workbook)."""
    from coprod.io.workbook import plan_workbook as workbook

    latest, plan = _latest_scoped(tx, who, programme)
    return latest.number, workbook({t: plan[t] for t in DOWNLOAD_TABLES}, plan["kpis"])


def plan_table_csv(tx: Tx, who: Principal, programme: str, table: str) -> str:
    if table not in DOWNLOAD_TABLES:
        raise NotFound(f"no plan table '{table}' (one of: {', '.join(DOWNLOAD_TABLES)})")
    _, plan = _latest_scoped(tx, who, programme)
    buffer = io.StringIO()
    rows = plan[table]
    if rows:
        writer = csv.DictWriter(buffer, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()


# ---- the command line: plan here, in this process ------------------------------------
def plan_stored(
    url: str,
    name: str,
    who: Principal,
    options: PlanOptions | None = None,
    progress: Callable[[PlanStage], None] | None = None,
) -> tuple[int, Plan]:
    """`coprod plan --programme NAME`: plan the stored programme here (or wait for the
    server's worker if it took the job first) and keep the plan as its next version."""
    with transaction(url) as tx:
        version = start_plan(tx, who, name, options)
        row = RecordStore(tx).programme(name)
        version_id = PlanStore(tx).get(row, version.number).id
    if not version.reused:
        with transaction(url) as tx:
            mine = PlanStore(tx).claim(worker_name(), version_id) is not None
        if mine:
            run_job(url, version_id, progress)
        else:
            _wait(url, version_id)
    with transaction(url) as tx:
        done = PlanStore(tx).by_id(version_id)
        assert done is not None
        if done.result is None:
            raise SolverError(f"plan {done.number} failed: {done.error}")
        return done.number, Plan.from_dict(done.result)


def _wait(url: str, version_id: int, poll_s: float = 0.5) -> None:
    while True:
        with transaction(url) as tx:
            version = PlanStore(tx).by_id(version_id)
            if version is None or version.status in (JobStatus.DONE, JobStatus.FAILED):
                return
        time.sleep(poll_s)


def diff_stored(url: str, name: str, who: Principal, a: int, b: int) -> dict[str, Any]:
    with transaction(url) as tx:
        return plan_diff(tx, who, name, a, b)
