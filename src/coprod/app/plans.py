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

import orjson

from coprod.access import PLAN_TABLES, Action, Principal
from coprod.app.caches import Lru
from coprod.app.database import Tx, transaction
from coprod.app.inputs import InputChange, compare_inputs, visible_changes
from coprod.app.plan_jobs import fingerprint, options_to_json, run_job, worker_name
from coprod.app.plan_view import scope_plan
from coprod.domain import Programme
from coprod.errors import Conflict, NotFound, SolverError
from coprod.planning import Plan, PlanOptions
from coprod.planning.options import PlanStage
from coprod.storage.plans import JobStatus, PlanStore
from coprod.storage.records import RecordStore
from coprod.storage.tables import PlanVersion, ProgrammeRow

__all__ = [
    "DOWNLOAD_TABLES",
    "PlanContext",
    "PlanVersionView",
    "changes_since_previous",
    "diff_stored",
    "input_changes",
    "latest_plan",
    "plan_diff",
    "plan_overview_json",
    "plan_results",
    "plan_results_json",
    "plan_stored",
    "plan_table_csv",
    "plan_version",
    "plan_versions",
    "plan_workbook",
    "start_plan",
    "validated",
]


def dumps(value: Any) -> bytes:
    """JSON text of stored plan data (orjson: a whole plan at M in milliseconds)."""
    return orjson.dumps(value, default=str)


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
    label: str = ""
    note: str = ""
    # warm (from the worker's live session) or cold, and why (app/plan_sessions.py); "" until done
    start: str = ""
    start_reason: str = ""
    state: str | None = None  # first | improving | optimal (planning/solve.py); None: none yet
    gap: float | None = None  # certified gap of the plan against the LP's bound; None: unknown
    # complete; pending: the plan is done and shown while the worker still works out why idle
    # lines and offers stay idle (moments at most); interrupted: its worker stopped first
    explanation: str = "complete"

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
        label=v.label or "",
        note=v.note or "",
        start=v.start or "",
        start_reason=v.start_reason or "",
        state=v.state,
        gap=v.gap,
        explanation=v.explanation or "complete",
    )


def start_plan(
    tx: Tx,
    who: Principal,
    programme: str,
    options: PlanOptions | None = None,
    as_of: dt.date | None = None,
    label: str = "",
    note: str = "",
) -> PlanVersionView:
    """The plan of the programme as it is now: the finished plan of exactly these inputs
    and options if there is one (reused), else a new queued job carrying `label` and `note`.
    Only finished plans are reused: a job that failed, or was lost with its worker, is
    never handed out again. With `as_of`, the plan of the remaining horizon from the
    recorded actuals (app/tracking.py); the events recorded so far are part of its inputs."""
    who.require(Action.START_PLAN, "start plans")
    records = RecordStore(tx)
    row = records.programme(programme)
    stored_options = options_to_json(options or PlanOptions())
    if as_of is not None:
        from coprod.app.tracking import as_of_marker, check_plan_date

        check_plan_date(tx, programme, as_of)
        stored_options["as_of"] = as_of.isoformat()
        stored_options["events"] = as_of_marker(tx, programme)
    digest = fingerprint(records.raw_data(row), stored_options)
    store = PlanStore(tx)
    found = store.find_done(row, digest)
    if found is not None:
        return _view(found, reused=True)
    label, note = label.strip()[:200], note.strip()[:4000]
    return _view(store.create(row, digest, who.username, stored_options, label or None, note or None))


def plan_versions(tx: Tx, who: Principal, programme: str) -> list[PlanVersionView]:
    from sqlalchemy import select
    from sqlalchemy.orm import defer

    row = RecordStore(tx).programme(programme)
    stmt = (
        select(PlanVersion)
        .options(defer(PlanVersion.result))  # a status list, not megabytes of plans
        .where(PlanVersion.programme_id == row.id)
        .order_by(PlanVersion.number)
    )
    return [_view(v) for v in tx.scalars(stmt)]


def plan_version(tx: Tx, who: Principal, programme: str, number: int) -> PlanVersionView:
    row = RecordStore(tx).programme(programme)
    version = _head(tx, row, number)  # polled while a plan runs: without the result
    if version is None:
        raise NotFound(f"no plan {number} for programme '{programme}'")
    return _view(version)


# ---- reading finished plans, cached -----------------------------------------------------
# A stored plan is 2-3 MB of JSON at M and never changes once done; the programme it is
# scoped against is validated as a whole (about a second at M). Neither is redone per
# request: the validated programme is kept per (id, version, creation), the parsed plan and
# its status view per plan, and what a principal sees of it per role and partner as well.
_PROGRAMMES: Lru[Programme] = Lru(8)
_RESULTS: Lru[dict[str, Any]] = Lru(4)
_VIEWS: Lru[PlanVersionView] = Lru(64)
_SCOPED: Lru[dict[str, Any]] = Lru(64)
_JSON: Lru[bytes] = Lru(64)
# The columns that say which plan a row is and whether it is done. SQLite keeps a row's
# columns in order, and the columns after `result` are reached only through its overflow
# pages (megabytes), so a request reads these and nothing else when its plan is cached.
_HEAD = (
    PlanVersion.id,
    PlanVersion.programme_id,
    PlanVersion.number,
    PlanVersion.fingerprint,
    PlanVersion.status,
    PlanVersion.start,
    PlanVersion.start_reason,
    PlanVersion.explanation,
)


def _programme_key(row: ProgrammeRow) -> tuple[Any, ...]:
    return (row.id, row.version, row.created_at)


def validated(records: RecordStore, row: ProgrammeRow, data: dict[str, Any] | None = None) -> Programme:
    """The stored programme as the validated aggregate (frozen: shared between requests);
    `data`: its raw records when the caller has just read them."""
    return _PROGRAMMES.get_or_make(_programme_key(row), lambda: records.load(row, data))


def _head(tx: Tx, row: ProgrammeRow, number: int | None) -> PlanVersion | None:
    """A plan version with only its `_HEAD` columns loaded (the others load when touched,
    which a cached plan never needs): the given number, or the latest finished one."""
    from sqlalchemy import select
    from sqlalchemy.orm import load_only

    stmt = select(PlanVersion).options(load_only(*_HEAD)).where(PlanVersion.programme_id == row.id)
    if number is None:
        stmt = stmt.where(PlanVersion.status == JobStatus.DONE.value).order_by(PlanVersion.number.desc())
    else:
        stmt = stmt.where(PlanVersion.number == number)
    return tx.scalar(stmt.limit(1))


def _plan_key(version: PlanVersion) -> tuple[Any, ...]:
    """A finished plan: its row, programme, number and inputs, and whether its explanation
    is complete (a done plan changes once more, when its pending explanation is stored)."""
    return (version.id, version.programme_id, version.number, version.fingerprint, version.explanation)


def _result(version: PlanVersion) -> dict[str, Any]:
    """The whole stored plan (shared: callers never change it)."""

    def load() -> dict[str, Any]:
        assert version.result is not None
        if version.explanation not in (None, "pending"):  # interrupted or failed: stored as pending
            return {**version.result, "explanation": version.explanation}
        return version.result

    return _RESULTS.get_or_make(_plan_key(version), load)


def _done_view(version: PlanVersion) -> PlanVersionView:
    return _VIEWS.get_or_make(_plan_key(version), lambda: _view(version))


@dataclass(frozen=True, slots=True)
class _Done:
    row: ProgrammeRow
    version: PlanVersion
    programme: Programme

    def key(self, who: Principal) -> tuple[Any, ...]:
        """What a view of this plan for `who` depends on: the plan, the programme it is
        scoped against, the role (tables, costs) and the partner (rows)."""
        return (*_plan_key(self.version), *_programme_key(self.row), who.role, who.partner)

    def scoped(self, who: Principal) -> dict[str, Any]:
        return _SCOPED.get_or_make(
            self.key(who), lambda: scope_plan(_result(self.version), who, self.programme)
        )


def _done(tx: Tx, programme: str, number: int) -> _Done:
    records = RecordStore(tx)
    row = records.programme(programme)
    version = _head(tx, row, number)
    if version is None:
        raise NotFound(f"no plan {number} for programme '{programme}'")
    if version.status != JobStatus.DONE:
        raise Conflict(f"plan {number} is {version.status}, not done")
    return _Done(row, version, validated(records, row))


def plan_results(tx: Tx, who: Principal, programme: str, number: int) -> dict[str, Any]:
    """The plan's tables and KPIs, limited to what the user's partner may see (shared:
    callers never change it)."""
    return _done(tx, programme, number).scoped(who)


def plan_results_json(tx: Tx, who: Principal, programme: str, number: int) -> bytes:
    """`plan_results` as JSON text, made once per plan and view."""
    done = _done(tx, programme, number)
    return _JSON.get_or_make(("results", *done.key(who)), lambda: dumps(done.scoped(who)))


OVERVIEW_ROWS = 20  # late requirements and bottlenecks an overview lists


def _overview(number: int, scoped: dict[str, Any]) -> dict[str, Any]:
    """A plan at a glance, from the rows the user may see: KPIs, how many rows each table
    holds for the user, the worst late or unmet requirements and the top bottlenecks."""
    late = sorted(
        (r for r in scoped["requirements"] if r["status"] != "on_time"),
        key=lambda r: (-r["unmet"], -r["weighted_late_periods"], r["id"]),
    )
    out: dict[str, Any] = {
        k: scoped[k] for k in ("programme", "currency", "status", "method", "kpis") if k in scoped
    }
    if "costs" in scoped:
        out["costs"] = scoped["costs"]
    return {
        "number": number,
        **out,
        "periods": len(scoped["periods"]),
        "rows": {t: len(scoped[t]) for t in PLAN_TABLES},
        "late": late[:OVERVIEW_ROWS],
        "bottlenecks": scoped["bottlenecks"][:OVERVIEW_ROWS],
    }


def plan_overview_json(tx: Tx, who: Principal, programme: str, number: int) -> bytes:
    """The plan at a glance as JSON (a few kilobytes instead of the whole plan), scoped
    like results, made once per plan and view."""
    done = _done(tx, programme, number)
    return _JSON.get_or_make(("overview", *done.key(who)), lambda: dumps(_overview(number, done.scoped(who))))


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
    changes = input_changes(tx, who, programme, a, b)
    delta["inputs"] = None if changes is None else [c.as_dict() for c in changes]
    return delta


def input_changes(tx: Tx, who: Principal, programme: str, a: int, b: int) -> list[InputChange] | None:
    """The input records that changed from plan a's inputs to plan b's, as far as the user
    may read them; None when a plan does not know its inputs (planned before they were kept)."""
    row = RecordStore(tx).programme(programme)
    store = PlanStore(tx)
    before, after = store.get(row, a).inputs, store.get(row, b).inputs
    if before is None or after is None:
        return None
    return visible_changes(who, compare_inputs(before, after))


def changes_since_previous(tx: Tx, who: Principal, programme: str, number: int) -> list[InputChange] | None:
    """What changed in the inputs since the finished plan before this one (None: unknown,
    or there is none)."""
    row = RecordStore(tx).programme(programme)
    previous = PlanStore(tx).previous_done(row, number)
    return None if previous is None else input_changes(tx, who, programme, previous.number, number)


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What a dashboard page of a programme needs: the programme, its latest finished plan
    (as the user may see it), and for pegging the whole plan when the user may read it."""

    programme: Programme
    latest: PlanVersionView | None
    plan: dict[str, Any] | None
    full: dict[str, Any] | None
    stale: bool = False  # the data changed since the shown plan was computed
    changed_since: list[InputChange] | None = None  # the changes the user may read (None: unknown)


def latest_plan(tx: Tx, who: Principal, programme: str) -> PlanContext:
    records = RecordStore(tx)
    row = records.programme(programme)
    p = validated(records, row)
    latest = _head(tx, row, None)
    if latest is None:
        return PlanContext(p, None, None, None)
    done = _Done(row, latest, p)
    full = _result(latest) if who.may(Action.READ_PEGGING) else None
    stale, changes = _staleness(records, row, latest)
    since = visible_changes(who, changes) if changes is not None else None
    return PlanContext(p, _done_view(latest), done.scoped(who), full, stale, since)


_STALE: Lru[tuple[bool, list[InputChange] | None]] = Lru(16)


def _staleness(
    records: RecordStore, row: ProgrammeRow, latest: PlanVersion
) -> tuple[bool, list[InputChange] | None]:
    """Whether the data changed since the plan was computed, and the changes (None when the
    plan predates kept inputs). Every write bumps the programme's version, so this is
    worked out once per programme version and plan, not per request."""

    def make() -> tuple[bool, list[InputChange] | None]:
        raw = records.raw_data(row)
        stale = fingerprint(raw, latest.options or {}) != latest.fingerprint
        if not stale:
            return False, []
        return True, None if latest.inputs is None else compare_inputs(latest.inputs, raw)

    return _STALE.get_or_make((*_programme_key(row), *_plan_key(latest)), make)


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
    as_of: dt.date | None = None,
) -> tuple[int, Plan]:
    """`coprod plan --programme NAME [--as-of DATE]`: plan the stored programme here (or
    wait for the server's worker if it took the job first) and keep the plan as its next
    version."""
    with transaction(url) as tx:
        version = start_plan(tx, who, name, options, as_of)
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
