"""Change sets of every kind, applied and planned; scenario comparison on the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coprod.app.scenarios import load_scenario
from coprod.domain.changes import ChangeSet, apply_changes, check_changes
from coprod.io import load_programme
from coprod.planning import plan
from coprod.planning.replan import PlanningSession
from coprod.scenarios import compare
from tests.plan_checks import check_plan
from tests.programmes import delivered_by_period, load, production_by_period, tiny_data

EXAMPLES = Path(__file__).parents[2] / "examples"
M = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]


def changes(*items: dict[str, object]) -> ChangeSet:
    return ChangeSet.model_validate({"changes": list(items)})


def test_move_demand_shifts_a_share_to_the_other_variant() -> None:
    data = tiny_data()
    data["components"].append({"id": "RX2"})
    data["designs"][0]["variants"] = [{"id": "X-B2", "add": [{"item": "RX2", "qty": 1}]}]
    data["supply_offers"].append(
        {
            "id": "O2",
            "component": "RX2",
            "supplier": "SUP",
            "ship_to": "S1",
            "lead_time": 0,
            "capacity_per_period": 1000,
            "unit_price": 1,
        }
    )
    base = load(data)
    moved = apply_changes(
        base, changes({"type": "move_demand", "from_item": "X", "to_item": "X-B2", "share": 0.3})
    )
    by_item = {r.item: r.quantity for r in moved.requirements}
    assert by_item == {"X": 35, "X-B2": 15}
    result = plan(moved)
    assert {p["component"]: p["quantity"] for p in result.purchases} == {"MOTOR": 200, "RX2": 15}


def test_add_shift_ramp_delay_and_drop_site() -> None:
    data = tiny_data()
    data["requirements"][0]["quantity"] = 150
    base = load(data)
    more = plan(apply_changes(base, changes({"type": "add_shift", "line": "L1", "hours": 50})))
    assert delivered_by_period(more, "R1") == {M[0]: 150}
    data["lines"][0]["ramp_up"] = {"start": "2026-01-01", "pilot_rate": 100, "full_rate": 100}
    ramped = load(data)
    late = plan(apply_changes(ramped, changes({"type": "ramp_delay", "line": "L1", "periods": 2})))
    assert min(production_by_period(late)) == M[2]
    data["sites"].append({"id": "S2", "partner": "DA", "country": "UA"})
    gone = apply_changes(load(data), changes({"type": "drop_site", "site": "S1"}))
    assert not gone.lines and not gone.routings and plan(gone).requirement("R1")["unmet"] == 150


def test_due_date_change_replans_cold_and_matches() -> None:
    programme = load(tiny_data())
    live = PlanningSession(programme)
    edit = changes({"type": "requirement_due", "requirement": "R1", "due": "2026-03-01"})
    after = live.replan(edit)
    assert after.timings.get("cold_rebuild") == 1.0
    assert after.requirement("R1")["due"] == M[2]
    assert after.lp_objective == pytest.approx(plan(apply_changes(programme, edit)).lp_objective)


def test_change_set_checks_name_change_and_field() -> None:
    programme = load(tiny_data())
    findings = check_changes(
        programme,
        changes(
            {"type": "move_demand", "from_item": "X", "to_item": "NOPE", "share": 0.5},
            {"type": "ramp_delay", "line": "L1", "periods": 1},
            {"type": "drop_site", "site": "ATLANTIS"},
        ),
    )
    assert [(f.index, f.field) for f in findings] == [(0, "to_item"), (1, "line"), (2, "site")]


def test_compare_example_scenarios() -> None:
    base = load_programme(EXAMPLES / "uk-ua-interceptors.yaml")
    scenarios = [
        load_scenario(base, EXAMPLES / "changes" / name)
        for name in ("drop-norway.yaml", "second-shift-uk.yaml")
    ]
    result = compare(base, scenarios)
    kpis = {row["scenario"]: row for row in result.kpis()}
    assert kpis["no Norwegian site"]["unmet_units"] > kpis["base"]["unmet_units"]
    for (_, programme), p in zip(scenarios, result.plans[1:], strict=True):
        check_plan(programme, p)
    monthly = result.monthly()
    assert len(monthly) == 18 and monthly[0]["base: required"] == 4500


def test_scenario_compare_cli_exports(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    cmd = [
        str(Path(sys.executable).parent / "coprod"),
        "scenario",
        "compare",
        str(EXAMPLES / "uk-ua-interceptors.yaml"),
        str(EXAMPLES / "changes" / "shift-demand-to-band2.yaml"),
        str(EXAMPLES / "changes" / "motor-supplier-delay.yaml"),
        "--out",
        str(tmp_path),
        "--format",
        "json",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["scenarios"] == ["uk-ua-interceptors", "30% FPV demand to band 2", "motor-supplier-delay"]
    assert (tmp_path / "kpis.csv").read_text().startswith("scenario,")
    assert "30% FPV demand to band 2: delivered" in (tmp_path / "monthly.csv").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text("changes:\n  - {type: drop_site, site: NOWHERE}\n")
    cmd[4:6] = [str(bad)]
    done = subprocess.run(cmd[:5], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 2 and "unknown site 'NOWHERE'" in done.stderr and "Traceback" not in done.stderr
