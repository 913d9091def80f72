"""Plan jobs are durable: a job is claimed once, a job whose worker died is failed with a
reason and never handed out again, a worker stopped on purpose puts its job back, and only
finished plans are reused."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

from sqlalchemy import update

from coprod.access import Principal, Role
from coprod.app import plan_jobs, plans
from coprod.app.database import transaction
from coprod.io import load_programme
from coprod.storage.plans import JobStatus, PlanStore
from coprod.storage.records import RecordStore
from coprod.storage.tables import PlanVersion
from tests.server.conftest import EXAMPLE

OFFICE = Principal("pytest", "UA-DB", Role.PROGRAMME_OFFICE)


def _programme(url: str) -> str:
    name = f"jobs-{uuid.uuid4().hex[:8]}"
    with transaction(url) as tx:
        RecordStore(tx).import_programme(load_programme(EXAMPLE), name, "pytest")
    return name


def _start(url: str, name: str) -> tuple[int, int]:
    with transaction(url) as tx:
        view = plans.start_plan(tx, OFFICE, name)
        version = PlanStore(tx).get(RecordStore(tx).programme(name), view.number)
        return view.number, version.id


def _status(url: str, version_id: int) -> tuple[str, str | None]:
    with transaction(url) as tx:
        version = PlanStore(tx).by_id(version_id)
        assert version is not None
        return version.status, version.error


def test_a_job_is_claimed_once(private_database_url: str) -> None:
    name = _programme(private_database_url)
    _, job = _start(private_database_url, name)
    with transaction(private_database_url) as tx:
        assert PlanStore(tx).claim("here:1", job) == job
    with transaction(private_database_url) as tx:
        assert PlanStore(tx).claim("there:2", job) is None  # already taken
    assert _status(private_database_url, job)[0] == JobStatus.BUILDING


def test_a_job_whose_worker_died_is_failed_and_never_reused(private_database_url: str) -> None:
    name = _programme(private_database_url)
    number, job = _start(private_database_url, name)
    dead = f"{plan_jobs.HOST}:{2**22 + 12345}"  # above Linux's default pid_max: no such process
    with transaction(private_database_url) as tx:
        assert PlanStore(tx).claim(dead, job) == job
        PlanStore(tx).set_status(job, JobStatus.SOLVING)
    assert job in plan_jobs.reap(private_database_url)
    status, error = _status(private_database_url, job)
    assert status == JobStatus.FAILED and error is not None and "start the plan again" in error
    again, _ = _start(private_database_url, name)
    assert again == number + 1  # a new job, not the failed one


def test_a_silent_worker_elsewhere_is_reaped_after_its_lease(private_database_url: str) -> None:
    name = _programme(private_database_url)
    _, job = _start(private_database_url, name)
    with transaction(private_database_url) as tx:
        assert PlanStore(tx).claim("another-machine:77", job) == job
    assert job not in plan_jobs.reap(private_database_url)  # beating recently: still running
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with transaction(private_database_url) as tx:
        tx.execute(update(PlanVersion).where(PlanVersion.id == job).values(heartbeat_at=long_ago))
    assert job in plan_jobs.reap(private_database_url)
    assert _status(private_database_url, job)[0] == JobStatus.FAILED


def test_a_stopped_worker_puts_its_job_back_and_it_runs_to_done(private_database_url: str) -> None:
    name = _programme(private_database_url)
    number, job = _start(private_database_url, name)
    with transaction(private_database_url) as tx:
        PlanStore(tx).claim("stopping:5", job)
        assert PlanStore(tx).requeue("stopping:5") == [job]
    assert _status(private_database_url, job)[0] == JobStatus.QUEUED
    worker = plan_jobs.Worker(private_database_url)
    claimed = worker.claim()
    while claimed is not None and claimed != job:  # other tests' jobs may be queued first
        plan_jobs.run_job(private_database_url, claimed)
        claimed = worker.claim()
    assert claimed == job
    plan_jobs.run_job(private_database_url, job)
    assert _status(private_database_url, job) == (JobStatus.DONE, None)
    with transaction(private_database_url) as tx:
        reused = plans.start_plan(tx, OFFICE, name)
    assert reused.reused and reused.number == number


def test_only_finished_plans_are_reused(private_database_url: str) -> None:
    name = _programme(private_database_url)
    first, job = _start(private_database_url, name)
    second, _ = _start(private_database_url, name)  # the first is queued, not finished
    assert second == first + 1
    with transaction(private_database_url) as tx:
        PlanStore(tx).claim("x:1", job)
        PlanStore(tx).set_status(job, JobStatus.FAILED, error="boom")
    third, _ = _start(private_database_url, name)
    assert third == second + 1  # a failed plan is not reused either


def test_a_woken_worker_claims_a_new_job_at_once_and_stops_when_told(private_database_url: str) -> None:
    # an hour between looks at the queue: only the wake can make it claim the job in time
    worker = plan_jobs.Worker(private_database_url, poll_s=3600.0)
    thread = worker.start_thread()
    try:
        deadline = time.monotonic() + 120
        while worker._woken.is_set() or not thread.is_alive():  # in its first wait
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)  # any job other tests left queued is claimed before this one
        name = _programme(private_database_url)
        _, job = _start(private_database_url, name)
        plan_jobs.wake_workers()
        while _status(private_database_url, job)[0] not in (JobStatus.DONE, JobStatus.FAILED):
            assert time.monotonic() < deadline, "the woken worker never claimed the job"
            time.sleep(0.05)
        assert _status(private_database_url, job) == (JobStatus.DONE, None)
    finally:
        worker.stop_soon()
        thread.join(timeout=60)
    assert not thread.is_alive()  # the stop wakes the hour-long wait too


def test_an_app_ends_its_thread_worker_before_it_stops(private_database_url: str) -> None:
    # a thread worker still polling after its app stopped held a connection past the end of
    # the database's engine (a connection left open, reported later in an unrelated test)
    from fastapi.testclient import TestClient

    from coprod.api import create_app

    before = set(threading.enumerate())
    with TestClient(create_app(private_database_url, plan_worker="thread")):
        mine = [t for t in threading.enumerate() if t not in before and t.name == "coprod-plan-worker"]
        assert len(mine) == 1 and mine[0].is_alive()
    assert not mine[0].is_alive()


def test_a_job_plans_the_programme_as_it_is_when_it_runs_and_says_so(private_database_url: str) -> None:
    """The fingerprint of a job is of the records it planned: the one computed when it was
    queued if the programme is unchanged since, else of the records read when it ran (a
    later request for those inputs reuses it; one for the queued inputs does not)."""
    url = private_database_url
    name = _programme(url)
    _, unchanged = _start(url, name)
    with transaction(url) as tx:
        queued = PlanStore(tx).by_id(unchanged)
        assert queued is not None
        queued_digest = queued.fingerprint
    plan_jobs.run_job(url, unchanged)
    with transaction(url) as tx:
        done = PlanStore(tx).by_id(unchanged)
        assert done is not None and done.fingerprint == queued_digest
        data = RecordStore(tx).raw_data(RecordStore(tx).programme(name))
        assert done.fingerprint == plan_jobs.fingerprint(data, done.options or {})

    with transaction(url) as tx:
        store = RecordStore(tx)
        row = store.programme(name)
        rec = store.get(row, "requirements", "R013", OFFICE)
        store.update(row, "requirements", "R013", rec.version, {**rec.data, "quantity": 77}, OFFICE)
    number, edited = _start(url, name)
    with transaction(url) as tx:  # edited again after it was queued, before it runs
        store = RecordStore(tx)
        row = store.programme(name)
        rec = store.get(row, "requirements", "R013", OFFICE)
        store.update(row, "requirements", "R013", rec.version, {**rec.data, "quantity": 78}, OFFICE)
    plan_jobs.run_job(url, edited)
    with transaction(url) as tx:
        done = PlanStore(tx).by_id(edited)
        assert done is not None and done.result is not None
        data = RecordStore(tx).raw_data(RecordStore(tx).programme(name))
        assert done.fingerprint == plan_jobs.fingerprint(data, done.options or {})
        assert done.inputs is not None
        assert next(r for r in done.inputs["requirements"] if r["id"] == "R013")["quantity"] == 78
        assert next(r for r in done.result["requirements"] if r["id"] == "R013")["quantity"] == 78
    with transaction(url) as tx:
        assert plans.start_plan(tx, OFFICE, name).number == number  # the inputs it planned: reused
