"""The server-side command line on a real (temporary) database, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).parents[2] / "examples"
COPROD = str(Path(sys.executable).parent / "coprod")


def run(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COPROD_DATABASE_URL": url, "COLUMNS": "200"}
    return subprocess.run(
        [COPROD, *args], capture_output=True, text=True, env=env, input=stdin, timeout=300, check=False
    )


def test_db_import_user_plan_versions_diff_export(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run(url, "db", "upgrade").returncode == 0
    assert run(url, "import", str(EXAMPLES / "uk-ua-interceptors.yaml"), "--name", "ex").returncode == 0
    again = run(url, "import", str(EXAMPLES / "uk-ua-interceptors.yaml"), "--name", "ex")
    assert again.returncode == 2 and "exists" in again.stderr and "Traceback" not in again.stderr
    added = run(
        url,
        "user",
        "add",
        "alice",
        "--partner",
        "NO-MFG",
        "--role",
        "site-planner",
        "--password-stdin",
        stdin="a long password\n",
    )
    assert added.returncode == 0, added.stderr
    bad_role = run(
        url,
        "user",
        "add",
        "bob",
        "--partner",
        "X",
        "--role",
        "boss",
        "--password-stdin",
        stdin="a long password\n",
    )
    assert bad_role.returncode == 2 and "unknown role 'boss'" in bad_role.stderr
    first = run(url, "plan", "--programme", "ex", "--format", "json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["status"] == "optimal" and "stored as plan 1" in first.stderr
    replaced = run(
        url, "import", str(EXAMPLES / "changes" / "motor-supplier-delay.yaml"), "--name", "ex", "--replace"
    )
    assert replaced.returncode == 0
    assert "stored as plan 2" in run(url, "plan", "--programme", "ex").stderr
    diff = run(url, "plan", "diff", "1", "2", "--programme", "ex", "--format", "json")
    assert diff.returncode == 0, diff.stderr
    delta = json.loads(diff.stdout)
    assert delta["kpis"]["unmet_units"]["change"] > 0  # the motor delay leaves more demand unmet
    assert run(url, "plan", "diff", "1", "9", "--programme", "ex").returncode == 2
    exported = tmp_path / "ex.yaml"
    assert run(url, "export", "ex", str(exported)).returncode == 0
    assert "motor supplier delay" in exported.read_text()


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    result = run("postgresql+psycopg://nobody@127.0.0.1:1/none", "db", "upgrade")
    assert result.returncode == 2 and "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


def _add_user(url: str, username: str, partner: str) -> subprocess.CompletedProcess[str]:
    args = ("user", "add", username, "--partner", partner, "--role", "supplier", "--password-stdin")
    return run(url, *args, stdin="a long password\n")


def test_user_add_refuses_unknown_partners_and_bad_names(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    none_yet = _add_user(url, "bob", "NO-MFG")
    assert none_yet.returncode == 2 and "import a programme first" in none_yet.stderr
    assert run(url, "import", str(EXAMPLES / "uk-ua-interceptors.yaml"), "--name", "ex").returncode == 0
    nope = _add_user(url, "bob", "NOPE")
    assert nope.returncode == 2 and "unknown partner 'NOPE'" in nope.stderr and "Traceback" not in nope.stderr
    bad = _add_user(url, "bob smith", "NO-MFG")
    assert bad.returncode == 2 and "user name" in bad.stderr
    ok = _add_user(url, "bob", "NO-MFG")
    assert ok.returncode == 0, ok.stderr


def test_import_refuses_unsafe_names(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'names.db'}"
    for bad in ("../x", "a b", "x" * 300):
        refused = run(url, "import", str(EXAMPLES / "uk-ua-interceptors.yaml"), "--name", bad)
        assert refused.returncode == 2 and "programme name" in refused.stderr, refused.stderr
