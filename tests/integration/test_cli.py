"""The command line end to end, as a user runs it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "examples" / "uk-ua-interceptors.yaml"
COPROD = [str(Path(sys.executable).parent / "coprod")]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [*COPROD, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_validate_ok_and_bad(tmp_path: Path) -> None:
    ok = run("validate", EXAMPLE)
    assert ok.returncode == 0 and "valid" in ok.stdout and "72 requirements" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("destination: UA-DEPOT-E,", "destination: UA-DEPOT-X,", 1))
    result = run("validate", bad)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(bad) in result.stderr and "requirements[0] (R001): field 'destination'" in result.stderr
    assert "unknown destination 'UA-DEPOT-X'" in result.stderr


def test_plan_writes_tables_summary_and_mps(tmp_path: Path) -> None:
    out, mps, lp = tmp_path / "plan", tmp_path / "plan.mps", tmp_path / "plan.lp"
    result = run("plan", EXAMPLE, "--out", out, "--export-mps", mps, "--export-lp", lp)
    assert result.returncode == 0, result.stderr
    assert "On time" in result.stdout and "What limits the plan" in result.stdout
    for name in (
        "production",
        "purchases",
        "shipments",
        "deliveries",
        "requirements",
        "bottlenecks",
    ):
        assert (out / f"{name}.csv").stat().st_size > 0
    assert "ROWS" in mps.read_text()[:200] and "hours[UK-MID-1@2026-03-01]" in mps.read_text()
    assert lp.read_text().startswith("\\") or "obj" in lp.read_text()[:500]
    summary = (out / "summary.md").read_text()
    assert "## Late or unmet requirements" in summary


def test_plan_json_is_machine_readable() -> None:
    result = run("plan", EXAMPLE, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # nothing but JSON on stdout
    assert data["status"] == "optimal"
    assert set(data["kpis"]) >= {"on_time_rate", "fill_rate", "unmet_units"}
    assert data["deliveries_by_period"][0]["period"] == "2026-01-01"


def test_convert_round_trip(tmp_path: Path) -> None:
    assert run("convert", EXAMPLE, "--to", "csv", tmp_path / "csv").returncode == 0
    assert run("convert", tmp_path / "csv", "--to", "yaml", tmp_path / "p.yaml").returncode == 0
    again = run("plan", tmp_path / "p.yaml", "--format", "json")
    direct = run("plan", EXAMPLE, "--format", "json")
    assert json.loads(again.stdout)["lp_objective"] == json.loads(direct.stdout)["lp_objective"]


def test_user_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    for args in (
        ("plan", tmp_path / "missing.yaml"),
        ("plan", EXAMPLE, "--export-mps", tmp_path / "x.txt"),
        ("convert", tmp_path / "missing", "--to", "csv", tmp_path / "o"),
    ):
        result = run(*args)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr and "error" in result.stderr


def test_replan_says_rebuilt_or_warm_and_holds_the_fence(tmp_path: Path) -> None:
    changes = EXAMPLE.parent / "changes" / "replan-demand-and-delay.yaml"
    first = run("plan", EXAMPLE, "--out", tmp_path / "first")
    assert first.returncode == 0
    done = run("replan", EXAMPLE, "--changes", changes, "--frozen", "2", "--out", tmp_path / "after")
    assert done.returncode == 0, done.stderr
    assert "rebuilt re-plan" in done.stdout and "frozen periods held: 2" in done.stdout
    assert "purchases lines moved:" in done.stdout

    def january(folder: Path) -> dict[tuple[str, str], int]:
        plan = json.loads((folder / "plan.json").read_text())
        return {
            (r["line"], r["item"]): r["quantity"] for r in plan["production"] if r["period"] == "2026-01-01"
        }

    assert january(tmp_path / "after") == january(tmp_path / "first") != {}
    report = run(
        "replan", EXAMPLE, "--changes", changes, "--frozen", "2", "--stability", "0.01", "--format", "json"
    )
    assert report.returncode == 0, report.stderr
    answer = json.loads(report.stdout)
    assert answer["replan"]["stability"] == 0.01
    assert answer["before_plan_s"] == answer["first_plan_s"] > 0 and answer["replan_s"] > 0


def test_plan_with_stability_needs_the_last_plan(tmp_path: Path) -> None:
    lone = run("plan", EXAMPLE, "--stability", "0.1")
    assert lone.returncode == 2 and "--last" in lone.stderr and "Traceback" not in lone.stderr
    missing = run("plan", EXAMPLE, "--stability", "0.1", "--last", tmp_path / "nope.json")
    assert missing.returncode == 2 and "no such plan file" in missing.stderr
    assert run("plan", EXAMPLE, "--out", tmp_path / "p").returncode == 0
    kept = run(
        "plan", EXAMPLE, "--stability", "0.1", "--last", tmp_path / "p" / "plan.json", "--format", "json"
    )
    assert kept.returncode == 0, kept.stderr
    plan = json.loads(kept.stdout)
    first = json.loads((tmp_path / "p" / "plan.json").read_text())
    assert plan["production"] == first["production"] and plan["resolution"]["used"] == "exact"
    alone = run("plan", EXAMPLE, "--last", tmp_path / "p" / "plan.json")  # no effect without stability
    assert alone.returncode == 2 and "--last needs --stability" in alone.stderr, alone.stderr
