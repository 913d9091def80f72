"""Warm re-plans on the kept solver give the cold plan's optimum; frozen periods stay put."""

from __future__ import annotations

from pathlib import Path

import pytest

from coprod.domain.changes import ChangeSet, apply_changes
from coprod.errors import ProgrammeInvalid
from coprod.io import load_programme
from coprod.io.changes_file import load_change_set
from coprod.planning import plan
from coprod.planning.diff import diff_plans
from coprod.planning.replan import PlanningSession
from tests.plan_checks import check_plan

EXAMPLES = Path(__file__).parents[2] / "examples"
CHANGES = EXAMPLES / "changes" / "replan-demand-and-delay.yaml"
EDITED = [p for p in (EXAMPLES / "changes").glob("*.yaml") if "calendar:" in p.read_text()]


def test_warm_replan_matches_a_cold_plan_of_the_changed_programme() -> None:
    programme = load_programme(EXAMPLES / "uk-ua-interceptors.yaml")
    live = PlanningSession(programme)
    before = live.plan
    changes = load_change_set(CHANGES)
    warm = live.replan(changes)
    cold = plan(apply_changes(programme, changes))
    assert warm.lp_objective == pytest.approx(cold.lp_objective, rel=1e-8)
    assert warm.lp_objective != pytest.approx(before.lp_objective, rel=1e-3)
    check_plan(apply_changes(programme, changes), warm)
    r009 = warm.requirement("R009")
    assert r009["quantity"] == 900
    # The supplier delay holds: nothing from that offer arrives before August.
    late_motors = [p for p in warm.purchases if p["offer"] == "MOTOR-2807/AS-MOTORS/UK-MIDLANDS"]
    assert late_motors and min(p["arrival_period"] for p in late_motors) >= "2026-08-01"
    delta = diff_plans(before, warm)
    assert any(r["id"] == "R013" for r in delta["requirements"])


def test_frozen_periods_keep_the_previous_production() -> None:
    programme = load_programme(EXAMPLES / "uk-ua-interceptors.yaml")
    live = PlanningSession(programme)
    first = {(r["line"], r["item"], r["period"]): r["quantity"] for r in live.plan.production}
    change = ChangeSet.model_validate(
        {"changes": [{"type": "line_hours", "line": "UA-KYIV-1", "hours": 100}]}
    )
    after = live.replan(change, frozen=3)
    frozen = {"2026-01-01", "2026-02-01", "2026-03-01"}
    kept = {k: v for k, v in first.items() if k[2] in frozen}
    again = {
        (r["line"], r["item"], r["period"]): r["quantity"] for r in after.production if r["period"] in frozen
    }
    assert again == kept
    april = sum(
        r["quantity"] for r in after.production if r["line"] == "UA-KYIV-1" and r["period"] == "2026-04-01"
    )
    assert 0 < april <= 100  # 100 hours at >= 1 hour per unit
    assert len(EDITED) == 2


def test_bad_change_sets_name_the_change_and_field(tmp_path: Path) -> None:
    programme = load_programme(EXAMPLES / "uk-ua-interceptors.yaml")
    live = PlanningSession(programme)
    with pytest.raises(ProgrammeInvalid) as info:
        live.replan(
            ChangeSet.model_validate(
                {"changes": [{"type": "requirement_quantity", "requirement": "NOPE", "quantity": 5}]}
            )
        )
    assert "changes[0]" in info.value.problems[0].record and info.value.problems[0].field == "requirement"
    bad = tmp_path / "c.yaml"
    bad.write_text("changes:\n  - {type: requirement_quantity, requirement: R001, quantity: -4}\n")
    with pytest.raises(ProgrammeInvalid) as info:
        load_change_set(bad)
    assert info.value.problems[0].record == "changes[0]"
    assert "quantity" in info.value.problems[0].field
