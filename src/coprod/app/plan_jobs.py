"""Plan jobs: queued in the database, run by a worker outside the request process.

`coprod serve` starts `coprod worker` as a child process (COPROD_PLAN_WORKER=process, the
default) so a plan never competes with requests for the interpreter; `thread` runs the same
loop in a thread of the server (tests, one-process set-ups); `none` leaves jobs to workers
started elsewhere (`coprod worker`, on any machine that reaches the database). The child
watches its parent and ends when it is gone, even in the middle of a solve.

A job the worker was running when it died is found on the next start (its process is gone)
or, from another machine, when its heartbeat is older than COPROD_JOB_LEASE, and marked
failed with the reason; queued jobs survive a restart and are run (resumed).

A worker looks at the queue every 0.1 s, and at once when woken: the server wakes its own
worker (`wake_workers`, after a request queued a job) through the child's stdin (a byte
per job) or, for a thread, directly. A warm re-plan at M takes about 0.3 s, so the poll's
0.05 s on average was a sixth of it; the poll stays for jobs queued by anyone else
(`coprod plan` elsewhere, a second server, workers on other machines).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import hashlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from coprod.app.plan_sessions import PlanSessions, Start
from coprod.config import settings
from coprod.errors import CoprodError
from coprod.planning.options import PlanStage

__all__ = [
    "Worker",
    "WorkerSupervisor",
    "fingerprint",
    "options_from_json",
    "options_to_json",
    "reap",
    "run_job",
    "spawn_worker_process",
    "stop_worker_process",
    "wake_workers",
    "watch_parent",
    "worker_name",
]

log = logging.getLogger("coprod.worker")
HOST = socket.gethostname()


# who to wake when this process has queued a job: its thread worker, or the stdin of its
# worker process (registered by Worker.start_thread and WorkerSupervisor)
_WAKERS: list[Callable[[], None]] = []
_WAKERS_LOCK = threading.Lock()


def wake_workers() -> None:
    """Tell this process's workers a job was queued (committed): they claim it now rather
    than at their next look. Never raises: a worker that is gone is found by its supervisor."""
    with _WAKERS_LOCK:
        wakers = list(_WAKERS)
    for wake in wakers:
        with contextlib.suppress(OSError, ValueError):
            wake()


def _register(wake: Callable[[], None]) -> None:
    with _WAKERS_LOCK:
        _WAKERS.append(wake)


def _unregister(wake: Callable[[], None]) -> None:
    with _WAKERS_LOCK, contextlib.suppress(ValueError):
        _WAKERS.remove(wake)


def worker_name() -> str:
    return f"{HOST}:{os.getpid()}"


def _is_dead(worker: str) -> bool:
    """A worker on this machine whose process is gone (other machines: the lease decides)."""
    host, _, pid = worker.rpartition(":")
    if host != HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def fingerprint(data: dict[str, Any], options: dict[str, Any]) -> str:
    text = json.dumps({"data": data, "options": options}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def options_to_json(options: Any) -> dict[str, Any]:
    """PlanOptions as stored with the job (export paths are a CLI matter, not kept)."""
    plain = dataclasses.asdict(options)
    plain.pop("export", None)
    return json.loads(json.dumps(plain, default=str))  # type: ignore[no-any-return]


def options_from_json(data: dict[str, Any] | None) -> Any:
    from coprod.planning import PlanOptions, SolverOptions

    data = dict(data or {})
    solver = {
        k: v for k, v in (data.pop("solver", None) or {}).items() if k in SolverOptions.__dataclass_fields__
    }
    known = {k: v for k, v in data.items() if k in PlanOptions.__dataclass_fields__ and k != "export"}
    return PlanOptions(solver=SolverOptions(**solver), **known)


def reap(url: str) -> list[int]:
    """Mark failed the jobs whose worker is gone; their ids."""
    from coprod.app.database import transaction
    from coprod.storage.plans import PlanStore

    with transaction(url) as tx:
        return PlanStore(tx).reap(settings().job_lease_s, _is_dead)


def stop_worker_process(url: str, child: subprocess.Popen[bytes], wait_s: float = 10.0) -> list[int]:
    """Stop a worker started by `spawn_worker_process`; the job it was running goes back to
    the queue (the next start resumes it). The requeued ids."""
    from coprod.app.database import transaction
    from coprod.storage.plans import PlanStore

    child.terminate()
    try:
        child.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    _close_stdin(child)
    with transaction(url) as tx:
        return PlanStore(tx).requeue(f"{HOST}:{child.pid}")


def _close_stdin(child: subprocess.Popen[bytes]) -> None:
    if child.stdin is not None:
        with contextlib.suppress(OSError):
            child.stdin.close()


class _Heartbeat:
    """Beats for a running job every third of the lease, so a long solve is not taken for
    a lost one."""

    def __init__(self, url: str, version_id: int) -> None:
        self.url, self.version_id = url, version_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="coprod-heartbeat", daemon=True)

    def _beat(self) -> None:
        from coprod.app.database import transaction
        from coprod.storage.plans import PlanStore

        every = max(settings().job_lease_s / 3, 0.5)
        while not self._stop.wait(every):
            with contextlib.suppress(CoprodError), transaction(self.url) as tx:
                PlanStore(tx).heartbeat(self.version_id)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_job(
    url: str,
    version_id: int,
    progress: Callable[[PlanStage], None] | None = None,
    sessions: PlanSessions | None = None,
    on_done: Callable[[], None] | None = None,
) -> None:
    """Plan a claimed job and record its stages, then done (with the plan and how it
    started) or failed (with the reason). Never leaves it running: even a bug ends as
    failed. With `sessions` (a worker's), warm from the programme's live session when the
    edits since its last plan allow; without (the command line), cold. A session's plan is
    stored done with its explanation pending, `on_done` is told, and the complete plan
    (why late requirements are late and idle lines stay idle, the solver state) is stored next."""
    from sqlalchemy import select

    from coprod.app.database import transaction
    from coprod.planning import Plan, plan
    from coprod.storage.plans import JobStatus, PlanStore
    from coprod.storage.records import RecordStore
    from coprod.storage.tables import ProgrammeRow

    def stage(name: PlanStage) -> None:
        with transaction(url) as tx:
            PlanStore(tx).set_status(version_id, JobStatus(name.value))
        if progress is not None:
            progress(name)

    completing: PlanSessions | None = None  # the session whose deferred explanation follows
    try:
        with _Heartbeat(url, version_id):
            with transaction(url) as tx:
                version = PlanStore(tx).by_id(version_id)
                assert version is not None
                row = tx.get(ProgrammeRow, version.programme_id)
                assert row is not None
                records = RecordStore(tx)
                data = records.raw_data(row)
                programme = records.load(row, data)  # validated from the records just read
                as_of = (version.options or {}).get("as_of")
                if as_of:  # the remaining horizon from the recorded actuals (app/tracking.py)
                    from coprod.app.tracking import programme_as_of_stored

                    day = dt.date.fromisoformat(as_of)
                    programme = programme_as_of_stored(tx, row, programme, day).programme
                options = options_from_json(version.options)
                # the plan is of the programme as it is now, which may differ from when the
                # job was queued: its fingerprint says what was planned, so reuse stays true
                # (every write of a record bumps the programme's version: the same version,
                # the same records, the fingerprint computed when the job was queued)
                # (the version read again after the records: each statement may see its own
                # snapshot, and a write between the two reads would bump it)
                now = tx.scalar(select(ProgrammeRow.version).where(ProgrammeRow.id == row.id))
                same = version.programme_version == row.version == now
                digest = version.fingerprint if same else fingerprint(data, version.options or {})
                key = (row.id, row.created_at.isoformat())

            def first(made: Plan | str) -> None:
                # the first plan's figures at once, while the LP works on the optimum
                if isinstance(made, Plan) and not options.first_only:
                    with transaction(url) as tx:
                        PlanStore(tx).set_status(
                            version_id, JobStatus.SOLVING, kpis=made.kpis, state="improving"
                        )
                    if progress is not None:
                        progress(PlanStage.SOLVING)

            if sessions is None:
                result = plan(programme, options, progress=stage, on_first=first)
                start = Start("cold", "planned outside the server's worker: no live session")
            else:
                result, start = sessions.plan(
                    key, programme, options, version.options or {}, stage, first, data
                )
            result.replan["start"] = start.as_dict()
            pending = result.explanation == "pending"
        with transaction(url) as tx:
            PlanStore(tx).set_status(
                version_id,
                JobStatus.DONE,
                kpis=result.kpis,
                result=_stored(result),
                state=result.state,
                gap=result.gap,
                fingerprint=digest,
                start=start.mode,
                start_reason=start.why,
                explanation="pending" if pending else None,
                # what was planned, so a later plan can say which inputs changed (3 MB of
                # JSON at M: stored with the complete plan when its explanation is pending)
                **({} if pending else {"inputs": data}),
            )
        completing = sessions if pending else None  # only a live session defers
    except CoprodError as exc:
        with transaction(url) as tx:
            PlanStore(tx).set_status(version_id, JobStatus.FAILED, error=str(exc))
        return
    except Exception as exc:  # a bug: recorded, and the job must never hang as running
        with transaction(url) as tx:
            PlanStore(tx).set_status(version_id, JobStatus.FAILED, error=f"internal error: {exc!r}")
        log.exception("plan job %s failed", version_id)
        return
    # the plan is done and shown: nothing below may mark it failed
    if on_done is not None:
        on_done()
    if completing is not None:
        # what its session deferred (about 0.2 of 0.5 s of a warm re-plan at M) follows,
        # beating as a running job does, so a worker lost meanwhile is found by its lease
        kept = completing
        with _Heartbeat(url, version_id):
            _complete(url, version_id, lambda: kept.complete(key, result), data)


def _stored(result: Any) -> orjson.Fragment:
    """The plan as the JSON column stores it. orjson reads the dataclass directly: the same
    JSON as to_dict + json, without asdict's deep copy of every row (0.34 s of a warm
    re-plan at M, now 0.03 s); written as it is (a Fragment: the JSON column's serializer
    embeds the bytes), not parsed back into dicts to be serialised again (0.06 s at M)."""
    return orjson.Fragment(orjson.dumps(result, default=str, option=orjson.OPT_SERIALIZE_NUMPY))


def _complete(url: str, version_id: int, complete: Callable[[], Any], inputs: dict[str, Any]) -> None:
    """Work out and store the complete plan of a job stored with its explanation pending,
    and the inputs it planned. A failure here leaves the plan done, its explanation marked
    as failed (the inputs stored all the same), and is logged."""
    from coprod.app.database import transaction
    from coprod.storage.plans import PlanStore

    try:
        completed = complete()
        with transaction(url) as tx:
            PlanStore(tx).complete(version_id, _stored(completed), inputs)
    except Exception:
        log.exception("plan job %s: storing its explanation failed", version_id)
        try:
            with transaction(url) as tx:
                PlanStore(tx).set_explanation(version_id, "failed", inputs)
        except Exception:  # the database away too: left pending, for the reaper's lease
            log.exception("plan job %s: marking its explanation failed failed too", version_id)


def settle_memory() -> None:
    """After a job, while nobody waits: collect, then freeze what survived (the kept
    sessions: hundreds of thousands of objects at M) out of the collector's sight. Without
    it the collections during a warm re-plan walked them again and again: 0.07-0.09 s of a
    0.55 s job at generated M, 0.03 s with them frozen. Unfrozen first, so what the last
    job left behind in cycles (a dropped session) is collected, not kept for good."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Worker:
    """Claims queued jobs and runs them one at a time, reaping lost jobs now and then."""

    # 0.1 s between looks at the queue: a warm re-plan takes a few tenths, so waiting up to
    # 0.3 s (as before) for the worker to notice the job was most of its latency
    def __init__(
        self, url: str, poll_s: float = 0.1, reap_every_s: float = 10.0, settle: bool = False
    ) -> None:
        self.url, self.poll_s, self.reap_every_s = url, poll_s, reap_every_s
        # settle_memory after each job: only in a process of its own (`coprod worker`); in a
        # thread it would freeze and collect the host process's objects (a server's, a test's)
        self.settle = settle
        self.stop = threading.Event()
        self._woken = threading.Event()  # a job was queued: look now (wake_workers)
        self.name = worker_name()
        # new with every worker: after a restart the first plan of each programme is cold
        self.sessions = PlanSessions(settings().plan_sessions)

    def claim(self) -> int | None:
        from coprod.app.database import transaction
        from coprod.storage.plans import PlanStore

        with transaction(self.url) as tx:
            return PlanStore(tx).claim(self.name)

    def run(self) -> None:
        reap(self.url)
        last_reap = time.monotonic()
        while not self.stop.is_set():
            try:
                job = self.claim()
                if job is not None:
                    self.prune()  # a programme deleted since: its session goes before another is kept
                    run_job(self.url, job, sessions=self.sessions)
                    if self.settle:
                        settle_memory()
                    continue
                if time.monotonic() - last_reap > self.reap_every_s:
                    reap(self.url)
                    self.prune()
                    last_reap = time.monotonic()
            except CoprodError as exc:  # the database away for a moment: wait and go on
                log.warning("worker: %s", exc)
            except Exception:  # a driver error not classified as transient: never end the loop
                log.exception("worker: unexpected error; trying again in a second")
                self.stop.wait(1.0)
            # cleared after the wait, before the next claim: a job queued at any moment is
            # either claimed next or wakes the next wait
            self._woken.wait(self.poll_s)
            self._woken.clear()

    def wake(self) -> None:
        """Look at the queue now (a job was just queued); the stop flag is looked at too."""
        self._woken.set()

    def stop_soon(self) -> None:
        self.stop.set()
        self._woken.set()

    def listen(self, stream: Any) -> threading.Thread:
        """Wake whenever a byte arrives on `stream` (the server writes one per queued job to
        its worker process's stdin); end quietly at its end (the server is gone, which
        watch_parent handles)."""

        def read() -> None:
            with contextlib.suppress(OSError, ValueError):
                while stream.read1(64) if hasattr(stream, "read1") else stream.read(1):
                    self.wake()

        thread = threading.Thread(target=read, name="coprod-worker-wake", daemon=True)
        thread.start()
        return thread

    def prune(self) -> None:
        """Drop the live sessions of programmes that are gone (deleted, or re-created)."""
        if not len(self.sessions):
            return
        from sqlalchemy import select

        from coprod.app.database import transaction
        from coprod.storage.tables import ProgrammeRow

        with transaction(self.url) as tx:
            alive = [
                (i, c.isoformat()) for i, c in tx.execute(select(ProgrammeRow.id, ProgrammeRow.created_at))
            ]
        self.sessions.prune(alive)

    def start_thread(self) -> threading.Thread:
        """Run in a thread of this process, woken by this process's `wake_workers`."""
        _register(self.wake)
        thread = threading.Thread(target=self._run_thread, name="coprod-plan-worker", daemon=True)
        thread.start()
        return thread

    def _run_thread(self) -> None:
        try:
            self.run()
        finally:
            _unregister(self.wake)


def watch_parent(parent: int, every_s: float = 1.0) -> threading.Thread:
    """End this process as soon as the process that started it is gone (even mid-solve): a
    worker never outlives its server, and its unfinished job is reaped on the next start."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every_s)
        log.warning("the server that started this worker is gone: stopping")
        os._exit(1)

    thread = threading.Thread(target=watch, name="coprod-parent-watch", daemon=True)
    thread.start()
    return thread


class WorkerSupervisor:
    """The server's plan worker process, started again whenever it ends without being told
    to (killed, or out of memory, or failed at start because the database was away): a
    server must never be left with a queue nobody runs. The job the dead worker held is
    reaped (failed, with the reason) before the new one starts."""

    def __init__(self, url: str, on_start: Callable[[int], None] | None = None, every_s: float = 1.0) -> None:
        self.url, self.on_start, self.every_s = url, on_start, every_s
        self.restarts = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.child = self._spawn()
        _register(self.wake)
        self._thread = threading.Thread(target=self._watch, name="coprod-worker-supervisor", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """One byte to the worker's stdin: it looks at the queue now (Worker.listen)."""
        stdin = self.child.stdin
        if stdin is not None:  # non-blocking: a request never waits on a busy worker's pipe
            stdin.write(b"j")
            stdin.flush()

    def _spawn(self) -> subprocess.Popen[bytes]:
        child = spawn_worker_process(self.url)
        if child.stdin is not None:
            os.set_blocking(child.stdin.fileno(), False)
        if self.on_start is not None:
            self.on_start(child.pid)
        return child

    def _watch(self) -> None:
        backoff = self.every_s
        while not self._stop.wait(backoff):
            with self._lock:
                if self._stop.is_set() or self.child.poll() is None:
                    backoff = self.every_s
                    continue
                log.warning("the plan worker ended (exit %s): starting another", self.child.returncode)
                with contextlib.suppress(CoprodError):
                    reap(self.url)
                _close_stdin(self.child)
                self.child = self._spawn()
                self.restarts += 1
                backoff = min(backoff * 2, 30.0)  # a worker that cannot start is not spun on

    def stop(self) -> list[int]:
        """Stop watching, then stop the worker; the requeued job ids."""
        _unregister(self.wake)
        with self._lock:
            self._stop.set()
        self._thread.join()
        return stop_worker_process(self.url, self.child)


def spawn_worker_process(url: str) -> subprocess.Popen[bytes]:
    """`coprod worker` as a child of this process, on the same database; woken through its
    stdin (WorkerSupervisor.wake)."""
    env = {
        **os.environ,
        "COPROD_DATABASE_URL": url,
        "COPROD_WORKER_PARENT": str(os.getpid()),
        "COPROD_WORKER_WAKE": "stdin",
    }
    command = [sys.executable, "-m", "coprod", "worker"]
    return subprocess.Popen(command, env=env, cwd=Path.cwd(), stdin=subprocess.PIPE)
