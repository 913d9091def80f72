"""Faults of a real server, on SQLite and PostgreSQL: `coprod serve` killed with SIGKILL
during a plan, during an import through the API and during a dashboard upload, then
started again; PostgreSQL connections terminated under a running server.

After a restart nothing committed is lost, nothing is half-written (a programme is wholly
the old or wholly the new one), no job is stuck (the killed plan is failed with a reason,
a new plan runs to done), and a terminated connection costs no request an error.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from coprod.domain import Programme
from coprod.errors import NotFound
from coprod.generate import generate
from coprod.io import load_programme, write_programme
from coprod.storage.db import session_scope
from coprod.storage.records import RecordStore
from coprod.storage.users import UserStore
from tests.server.conftest import EXAMPLE, PASSWORD
from tests.server.faults import Served, answered, gone_within, post_in_background, serve

KILL_DELAYS_S = (0.6, 0.3, 0.1, 0.02)  # after the body is sent; shorter if the server was quicker


@pytest.fixture(scope="module")
def url(private_database_url: str) -> str:
    with session_scope(private_database_url) as session:
        RecordStore(session).import_programme(load_programme(EXAMPLE), "keep", "pytest")
        UserStore(session).add("po", "UA-DB", "programme-office", PASSWORD)
    return private_database_url


def _stored(url: str, name: str) -> Programme | None:
    with session_scope(url) as session:
        store = RecordStore(session)
        try:
            return store.load(store.programme(name))
        except NotFound:
            return None


def _import(url: str, name: str, programme: Programme) -> None:
    with session_scope(url) as session:
        RecordStore(session).import_programme(programme, name, "pytest", replace=True)


def _committed_change(served: Served, token: str) -> float:
    """Change a record of 'keep' through the API (committed when answered); the new value."""
    status, line = served.call("GET", "/programmes/keep/lines/UA-LVIV-1", token)
    assert status == 200
    hours = line["data"]["hours_per_period"] + 1
    body = {"version": line["version"], "data": {**line["data"], "hours_per_period": hours}}
    status, _ = served.call("PUT", "/programmes/keep/lines/UA-LVIV-1", token, body)
    assert status == 200
    return float(hours)


def _hours(url: str) -> float:
    stored = _stored(url, "keep")
    assert stored is not None
    return next(ln.hours_per_period for ln in stored.lines if ln.id == "UA-LVIV-1")


def _wait_plan(served: Served, token: str, name: str, number: int, until: tuple[str, ...]) -> str:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status, body = served.call("GET", f"/programmes/{name}/plans/{number}", token)
        assert status == 200, body
        if body["status"] in until:
            return str(body["status"])
        time.sleep(0.02)
    raise AssertionError(f"plan {number} never reached {until}")


def test_kill_9_during_a_plan_then_restart(url: str, tmp_path: Path) -> None:
    # M: its plan outlasts the second the worker may take to notice its server is gone
    _import(url, "plan-kill", generate("M", 5))
    for attempt in range(3):  # a plan may finish between the last poll and the kill: again
        with serve(url, tmp_path) as served:
            token = served.login("po", PASSWORD)
            worker = served.worker()
            hours = _committed_change(served, token)
            options = {"time_limit": 50_000 + attempt}  # not the reuse of an earlier plan
            status, started = served.call("POST", "/programmes/plan-kill/plans", token, options)
            assert status == 202, started
            number = started["number"]
            _wait_plan(served, token, "plan-kill", number, ("building", "solving"))
            served.kill9()
            assert gone_within(worker, 15), "the plan worker outlived its server"
        with serve(url, tmp_path) as served:
            token = served.login("po", PASSWORD)
            status, killed = served.call("GET", f"/programmes/plan-kill/plans/{number}", token)
            if killed["status"] == "done":
                continue
            assert killed["status"] == "failed" and "interrupted" in killed["error"], killed
            status, again = served.call("POST", "/programmes/plan-kill/plans", token, options)
            assert status == 202 and again["number"] == number + 1 and not again["reused"], again
            assert _wait_plan(served, token, "plan-kill", again["number"], ("done", "failed")) == "done"
        assert _hours(url) == hours  # committed before the kill: still there
        return
    raise AssertionError("every plan finished before the kill reached it: use a larger programme")


def _kill_mid_request(
    url: str, tmp_path: Path, path: str, body: bytes, headers: dict[str, str], token_headers: bool
) -> float:
    """Send `body` to `path` and SIGKILL the server while it works on it (shorter delays
    until the kill lands before the answer); the committed change made before it."""
    for delay in KILL_DELAYS_S:
        with serve(url, tmp_path) as served:
            token = served.login("po", PASSWORD)
            hours = _committed_change(served, token)
            auth = {"Authorization": f"Bearer {token}"} if token_headers else _cookie_and_form(served, token)
            conn = post_in_background(
                served, path, body.replace(b"@CSRF@", auth.pop("csrf", "").encode()), {**headers, **auth}
            )
            time.sleep(delay)
            served.kill9()
            if answered(conn) is None:
                return hours
    raise AssertionError("the server always answered before it was killed: use a larger programme")


def _cookie_and_form(served: Served, token: str) -> dict[str, str]:
    """The dashboard's session cookie, and the form token its upload page carries."""
    request = urllib.request.Request(served.base + "/upload", headers={"Cookie": f"coprod_token={token}"})
    with urllib.request.urlopen(request, timeout=60) as page:
        html = page.read().decode()
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "the upload page carries no form token"
    return {"Cookie": f"coprod_token={token}", "csrf": found.group(1)}


def test_kill_9_during_an_api_import_leaves_the_old_or_the_new_programme(url: str, tmp_path: Path) -> None:
    old, new = load_programme(EXAMPLE), generate("M", 2)  # M: megabytes to validate and write
    _import(url, "import-kill", old)
    payload = {
        "name": "import-kill",
        "programme": new.model_dump(mode="json", by_alias=True),
        "replace": True,
    }
    body = json.dumps(payload).encode()
    hours = _kill_mid_request(url, tmp_path, "/programmes", body, {"Content-Type": "application/json"}, True)
    assert _stored(url, "import-kill") in (old, new)
    assert _hours(url) == hours
    with serve(url, tmp_path) as served:  # and the server takes the import after the restart
        token = served.login("po", PASSWORD)
        status, _ = served.call("POST", "/programmes", token, payload)
        assert status == 201
    assert _stored(url, "import-kill") == new


def test_kill_9_during_a_dashboard_upload_leaves_the_old_or_the_new_programme(
    url: str, tmp_path: Path
) -> None:
    old = load_programme(EXAMPLE)
    _import(url, "upload-kill", old)
    file = tmp_path / "new.yaml"
    write_programme(generate("M", 3), file, "yaml")
    new = load_programme(file)
    boundary = "coprodfaultboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nupload-kill\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n@CSRF@\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="new.yaml"\r\n'
        "Content-Type: application/x-yaml\r\n\r\n".encode()
        + file.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode(),
    ]
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    hours = _kill_mid_request(url, tmp_path, "/upload", b"".join(parts), headers, False)
    assert _stored(url, "upload-kill") in (old, new)
    assert _hours(url) == hours


@pytest.mark.postgresql_only  # only a server can terminate connections: not collected on SQLite
def test_terminated_postgresql_connections_are_replaced_on_the_next_request(url: str, tmp_path: Path) -> None:
    assert url.startswith("postgresql")
    with serve(url, tmp_path) as served:
        token = served.login("po", PASSWORD)
        for _ in range(3):
            assert served.call("GET", "/programmes/keep/lines?limit=5", token)[0] == 200
        assert _terminate_others(url) >= 2  # the server's pool and its plan worker's
        for _ in range(8):  # every pooled connection is taken at least once
            status, body = served.call("GET", "/programmes/keep/lines?limit=5", token)
            assert status == 200, body
        fresh = served.login("po", PASSWORD)  # a login and a token never seen (no cache)
        assert served.call("GET", "/me", fresh)[0] == 200
        status, started = served.call("POST", "/programmes/keep/plans", fresh)
        assert status in (200, 202), started
        assert _wait_plan(served, fresh, "keep", started["number"], ("done", "failed")) == "done"


def _terminate_others(url: str) -> int:
    """End every other connection to this database, as an administrator or a failover would."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
            )
    finally:
        admin.dispose()


@pytest.mark.postgresql_only
def test_connections_terminated_while_the_worker_starts_leave_plans_running(url: str, tmp_path: Path) -> None:
    # CI found a worker that died when its connection ended during its own start (a queue
    # nobody ran): connections are ended again and again from the moment the server answers
    with serve(url, tmp_path) as served:
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            _terminate_others(url)
            time.sleep(0.05)
        token = served.login("po", PASSWORD)
        status, started = served.call("POST", "/programmes/keep/plans", token, {"time_limit": 4_000})
        assert status in (200, 202), started
        assert _wait_plan(served, token, "keep", started["number"], ("done", "failed")) == "done"


def test_a_killed_plan_worker_is_replaced_and_its_job_failed_with_reason(url: str, tmp_path: Path) -> None:
    _import(url, "worker-kill", generate("M", 6))
    with serve(url, tmp_path) as served:
        token = served.login("po", PASSWORD)
        worker = served.worker()
        status, started = served.call("POST", "/programmes/worker-kill/plans", token, {"time_limit": 60_001})
        assert status == 202, started
        number = started["number"]
        _wait_plan(served, token, "worker-kill", number, ("building", "solving", "done"))
        worker.kill()  # SIGKILL the worker alone: the server lives on
        assert gone_within(worker, 15)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            children = [c for c in served.proc_children() if c.pid != worker.pid]
            if children:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the server started no new plan worker")
        status, killed = served.call("GET", f"/programmes/worker-kill/plans/{number}", token)
        if killed["status"] != "done":  # it may have finished before the kill reached it
            killed_status = _wait_plan(served, token, "worker-kill", number, ("failed",))
            assert killed_status == "failed"
            status, killed = served.call("GET", f"/programmes/worker-kill/plans/{number}", token)
            assert "interrupted" in killed["error"], killed
        status, again = served.call("POST", "/programmes/keep/plans", token, {"time_limit": 60_002})
        assert status == 202, again
        assert _wait_plan(served, token, "keep", again["number"], ("done", "failed")) == "done"
