"""A plan from the worker's live session is stored done and readable before its slower
explanation (why idle lines and offers stay idle, the solver state order promises start
from) is worked out; the complete plan follows in the same job and equals a plan made in
one go. A plan whose worker stopped before completing it says so and is planned again."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from coprod.access import Principal, Role
from coprod.app import plan_jobs, plans
from coprod.app.database import transaction
from coprod.app.plan_sessions import PlanSessions
from coprod.planning import plan
from coprod.planning.replan import PlanningSession
from coprod.storage.plans import JobStatus, PlanStore
from coprod.storage.records import RecordStore
from coprod.storage.tables import PlanVersion
from tests.server.test_plan_jobs import _programme
from tests.server.test_plan_jobs import _start as _queue
from tests.server.test_warm_plans import _store_quantity as _edit

OFFICE = Principal("pytest", "UA-DB", Role.PROGRAMME_OFFICE)
DEAD = f"{plan_jobs.HOST}:{2**22 + 4321}"  # above Linux's default pid_max: no such process


def _seen(url: str, name: str, number: int) -> tuple[str, dict[str, Any]]:
    """The plan's status view and its results, as a reader of the API gets them."""
    with transaction(url) as tx:
        status = plans.plan_version(tx, OFFICE, name, number).explanation
        return status, plans.plan_results(tx, OFFICE, name, number)


def test_a_session_plan_is_readable_before_its_idle_reasons_and_completed_after(
    private_database_url: str,
) -> None:
    url, name = private_database_url, _programme(private_database_url)
    sessions = PlanSessions(2)
    reference: PlanningSession | None = None
    for quantity in (None, 2600):  # a cold first plan of the session, then a warm re-plan
        if quantity is not None:
            _edit(url, name, "R013", quantity)
        number, job = _queue(url, name)
        between: list[tuple[str, str, dict[str, Any]]] = []

        def look(number: int = number, job: int = job, between: list[Any] = between) -> None:
            status, results = _seen(url, name, number)
            with transaction(url) as tx:
                version = PlanStore(tx).by_id(job)
                assert version is not None
                between.append((version.status, status, results))
                assert version.inputs is None  # stored with the complete plan

        plan_jobs.run_job(url, job, sessions=sessions, on_done=look)
        # told once, when the plan was done and readable, with its explanation still to come
        [(status, explanation, early)] = between
        assert (status, explanation) == (JobStatus.DONE, "pending")
        assert early["explanation"] == "pending" and early["idle_reasons"] == []
        assert early["requirements"] and early["kpis"]["on_time_rate"] is not None

        # after the job: the complete plan, as a plan made in one go of the same programme
        explanation, done = _seen(url, name, number)
        with transaction(url) as tx:
            programme = RecordStore(tx).load(RecordStore(tx).programme(name))
            stored = PlanStore(tx).by_id(job)
            assert stored is not None and stored.result is not None
            assert stored.explanation is None and stored.result["solver_state"]["col_status"]
            assert stored.inputs == RecordStore(tx).raw_data(RecordStore(tx).programme(name))
        # the reference: the same plans, explained at once (a session that defers nothing
        # goes the same way: the same solves from the same bases)
        if reference is None:
            reference = PlanningSession(programme)
            whole = reference.plan
            assert whole.idle_reasons, "the example keeps lines idle while requirements are late"
            assert plan(programme).requirements == whole.requirements  # as a plan in one go
        else:
            whole = reference.replan_to(programme)
        assert explanation == "complete" and done["explanation"] == "complete"
        assert done["idle_reasons"] == whole.idle_reasons
        # why late requirements are late: empty while pending, then the plan's own causes
        late = [r for r in done["requirements"] if r["status"] != "on_time"]
        assert late and all(r["cause"] for r in late)
        assert all(r["cause"] == "" for r in early["requirements"])
        assert done["requirements"] == whole.requirements
        assert done["kpis"] == early["kpis"]  # the plan itself did not change
        assert done["production"] == early["production"]
    with transaction(url) as tx:
        assert PlanStore(tx).by_id(job).start == "warm"  # type: ignore[union-attr]


def test_a_plan_outside_a_session_is_complete_when_done(private_database_url: str) -> None:
    url, name = private_database_url, _programme(private_database_url)
    number, job = _queue(url, name)
    seen: list[str] = []
    plan_jobs.run_job(url, job, on_done=lambda: seen.append(_seen(url, name, number)[0]))
    assert seen == ["complete"]
    explanation, results = _seen(url, name, number)
    assert explanation == "complete" and results["idle_reasons"]


def test_a_plan_whose_worker_stopped_before_its_explanation_is_planned_again(
    private_database_url: str,
) -> None:
    url, name = private_database_url, _programme(private_database_url)
    number, job = _queue(url, name)
    plan_jobs.run_job(url, job)
    # as if a worker had stored the plan and then died before storing its explanation
    with transaction(url) as tx:
        pending = update(PlanVersion).where(PlanVersion.id == job)
        tx.execute(pending.values(explanation="pending", worker=DEAD))
    with transaction(url) as tx:  # still pending: a new request is handed the plan being completed
        assert plans.start_plan(tx, OFFICE, name).number == number
    plan_jobs.reap(url)
    explanation, results = _seen(url, name, number)
    assert explanation == "interrupted" and results["explanation"] == "interrupted"
    again, _ = _queue(url, name)
    assert again == number + 1  # planned again, not handed the incomplete plan


@pytest.mark.parametrize("bad", ["pending", "interrupted", "failed"])
def test_only_complete_or_pending_plans_are_reused(private_database_url: str, bad: str) -> None:
    url, name = private_database_url, _programme(private_database_url)
    number, job = _queue(url, name)
    plan_jobs.run_job(url, job)
    with transaction(url) as tx:
        tx.execute(update(PlanVersion).where(PlanVersion.id == job).values(explanation=bad))
    reused, _ = _queue(url, name)
    assert (reused == number) is (bad == "pending")


def test_a_sessions_first_plan_is_shown_while_the_lp_solves_and_carries_its_gap(
    private_database_url: str,
) -> None:
    """The worker's first plan of a programme (a cold solve, seconds at M) goes the anytime
    way: the heuristic's first plan's figures while the LP solves (state improving), then
    the optimum with its bound and certified gap; a warm re-plan carries its gap too."""
    url, name = private_database_url, _programme(private_database_url)
    sessions = PlanSessions(2)
    for quantity in (None, 2500):
        if quantity is not None:
            _edit(url, name, "R013", quantity)
        _, job = _queue(url, name)
        seen: list[tuple[str, str | None, bool]] = []

        def stage(name_: Any, job: int = job, seen: list[Any] = seen) -> None:
            with transaction(url) as tx:
                v = PlanStore(tx).by_id(job)
                assert v is not None
                seen.append((v.status, v.state, v.kpis is not None))

        plan_jobs.run_job(url, job, progress=stage, sessions=sessions)
        with transaction(url) as tx:
            done = PlanStore(tx).by_id(job)
            assert done is not None and done.result is not None
            assert done.status == JobStatus.DONE and done.state == "optimal"
            assert done.gap is not None and 0 <= done.gap < 0.05
            assert done.result["bound"] <= done.result["objective"]
        if quantity is None:
            assert (JobStatus.SOLVING, "improving", True) in seen, seen
            assert done.start == "cold"
        else:
            assert done.start == "warm"


def test_a_plan_with_a_time_limit_in_the_worker_returns_the_best_plan_so_far(
    private_database_url: str,
) -> None:
    from coprod.planning import PlanOptions, SolverOptions

    url, name = private_database_url, _programme(private_database_url)
    with transaction(url) as tx:
        options = PlanOptions(solver=SolverOptions(time_limit=0.001))
        view = plans.start_plan(tx, OFFICE, name, options)
        job = PlanStore(tx).get(RecordStore(tx).programme(name), view.number).id
    plan_jobs.run_job(url, job, sessions=PlanSessions(2))
    with transaction(url) as tx:
        done = PlanStore(tx).by_id(job)
        assert done is not None and done.status == JobStatus.DONE, done and done.error
        assert done.state in ("first", "improving") and done.result is not None
        assert done.start == "cold" and "time limit" in (done.start_reason or "")


@pytest.mark.parametrize("seed", [2, 3])
def test_a_session_whose_first_plan_wins_defers_nothing(seed: int) -> None:
    """Where the LP's rounded plan is later than the first plan (generated S seeds 2 and 3)
    the session returns the first plan's tables: nothing of the LP's is left to explain, so
    the plan is complete at once, with the LP's solver state, and `complete` keeps it."""
    from coprod.generate import generate

    programme = generate("S", seed)
    session = PlanningSession(programme, defer=True, on_first=lambda made: None)
    shown = session.plan
    assert shown.method == "heuristic" and shown.explanation == "complete"
    assert shown.solver_state["col_status"]
    assert session.complete(shown) is shown
    alone = PlanningSession(programme, on_first=lambda made: None).plan  # explained at once
    assert (shown.requirements, shown.idle_reasons) == (alone.requirements, alone.idle_reasons)


def test_a_pending_explanation_whose_worker_fell_silent_is_interrupted(private_database_url: str) -> None:
    """A worker on another machine (never seen as dead) that stops beating while it stores
    an explanation: after the lease the plan is interrupted, and planned again if asked."""
    import datetime as dt

    url, name = private_database_url, _programme(private_database_url)
    number, job = _queue(url, name)
    plan_jobs.run_job(url, job)
    elsewhere = update(PlanVersion).where(PlanVersion.id == job)
    with transaction(url) as tx:
        tx.execute(elsewhere.values(explanation="pending", worker="another-machine:77"))
    plan_jobs.reap(url)
    assert _seen(url, name, number)[0] == "pending"  # beating recently: still at work
    with transaction(url) as tx:
        PlanStore(tx).heartbeat(job)  # a done plan whose explanation is pending still beats
        beat = PlanStore(tx).by_id(job).heartbeat_at  # type: ignore[union-attr]
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with transaction(url) as tx:
        tx.execute(elsewhere.values(heartbeat_at=long_ago))
    plan_jobs.reap(url)
    assert beat is not None and _seen(url, name, number)[0] == "interrupted"
    assert _queue(url, name)[0] == number + 1


def test_a_failed_explanation_says_so_in_the_results(private_database_url: str) -> None:
    url, name = private_database_url, _programme(private_database_url)
    number, job = _queue(url, name)
    plan_jobs.run_job(url, job)
    with transaction(url) as tx:
        version = PlanStore(tx).by_id(job)
        assert version is not None and version.result is not None
        stored = {**version.result, "explanation": "pending"}  # as a worker stores it first
        tx.execute(
            update(PlanVersion).where(PlanVersion.id == job).values(result=stored, explanation="failed")
        )
    explanation, results = _seen(url, name, number)
    assert explanation == "failed" and results["explanation"] == "failed"


def test_a_failure_after_the_plan_is_done_never_marks_it_failed(private_database_url: str) -> None:
    """What runs once the plan is stored done (telling the caller, storing the explanation)
    cannot turn a plan already shown as done into a failed job."""
    url, name = private_database_url, _programme(private_database_url)
    _, job = _queue(url, name)

    def broken() -> None:
        raise RuntimeError("a caller's hook fails")

    with pytest.raises(RuntimeError):
        plan_jobs.run_job(url, job, sessions=PlanSessions(1), on_done=broken)
    with transaction(url) as tx:
        version = PlanStore(tx).by_id(job)
        assert version is not None and version.status == JobStatus.DONE and version.error is None
