"""Two clients racing on one record; a killed import leaves the database as it was."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from coprod.api import create_app
from coprod.generate import generate
from coprod.io import load_programme
from coprod.storage.db import session_scope
from coprod.storage.records import RecordStore
from coprod.storage.tables import AuditEntry, ProgrammeRow, Record
from tests.server.conftest import Api

BASE = "/programmes/example"


def test_two_clients_racing_on_one_version_one_wins(seeded: str) -> None:
    first, second = Api(TestClient(create_app(seeded)), "po"), Api(TestClient(create_app(seeded)), "po")
    rec = first.get(f"{BASE}/lines/UA-LVIV-1").json()
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def write(name: str, api: Api, hours: float) -> None:
        barrier.wait()
        r = api.put(
            f"{BASE}/lines/UA-LVIV-1",
            json={"version": rec["version"], "data": {**rec["data"], "hours_per_period": hours}},
        )
        results[name] = r.status_code

    threads = [
        threading.Thread(target=write, args=("a", first, 3100.0)),
        threading.Thread(target=write, args=("b", second, 3200.0)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == [200, 409]
    winner = 3100.0 if results["a"] == 200 else 3200.0
    now = first.get(f"{BASE}/lines/UA-LVIV-1").json()
    assert now["version"] == rec["version"] + 1 and now["data"]["hours_per_period"] == winner
    trail = first.get(f"{BASE}/audit", params={"key": "UA-LVIV-1"}).json()
    assert [e["after"]["hours_per_period"] for e in trail if e["action"] == "update"][-1] == winner


def _counts(url: str) -> tuple[int, int, int]:
    with session_scope(url) as session:
        return (
            session.scalar(select(func.count()).select_from(ProgrammeRow)) or 0,
            session.scalar(select(func.count()).select_from(Record)) or 0,
            session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def test_import_killed_mid_transaction_leaves_the_database_as_before(seeded: str, tmp_path: Path) -> None:
    before = _counts(seeded)
    script = tmp_path / "import_then_hang.py"
    script.write_text(
        textwrap.dedent(f"""
        import sys, time
        from coprod.generate import generate
        from coprod.storage.db import session_scope
        from coprod.storage.records import RecordStore
        with session_scope({seeded!r}) as session:
            RecordStore(session).import_programme(generate("S", 4), "half-imported", "killer")
            session.flush()  # every row written, nothing committed
            print("flushed", flush=True)
            time.sleep(60)
    """)
    )
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "flushed"
        proc.kill()  # SIGKILL: no rollback, no cleanup, as when a machine dies
        proc.wait(timeout=30)
    assert proc.returncode != 0
    assert _counts(seeded) == before
    with session_scope(seeded) as session:
        assert "half-imported" not in [p.name for p in RecordStore(session).programmes()]


def test_import_export_round_trip_is_lossless(seeded: str) -> None:
    example = load_programme(Path(__file__).parents[2] / "examples" / "uk-ua-interceptors.yaml")
    for name, programme in (("rt-example", example), ("rt-generated", generate("S", 9))):
        with session_scope(seeded) as session:
            RecordStore(session).import_programme(programme, name, "pytest")
        with session_scope(seeded) as session:
            store = RecordStore(session)
            assert store.load(store.programme(name)) == programme
