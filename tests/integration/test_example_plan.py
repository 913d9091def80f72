"""The bundled example: a feasible whole-unit plan, the same optimum by an independent solver,
and one weighted solve giving the service of a literal two-phase (lexicographic) solve."""

from __future__ import annotations

from pathlib import Path

import pytest

from coprod.io import load_programme
from coprod.planning import Plan, PlanOptions, plan
from tests.plan_checks import check_plan
from tests.programmes import plan_data, solve_mps_with_cbc, tiny_data

EXAMPLES = Path(__file__).parents[2] / "examples"
EXAMPLE = EXAMPLES / "uk-ua-interceptors.yaml"


@pytest.fixture(scope="module")
def example_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Path]:
    mps = tmp_path_factory.mktemp("lp") / "example.mps"
    return plan(load_programme(EXAMPLE), PlanOptions(export=(mps,))), mps


def test_example_plan_respects_every_limit(example_plan: tuple[Plan, Path]) -> None:
    result, _ = example_plan
    check_plan(load_programme(EXAMPLE), result)
    k = result.kpis
    assert 0.5 < k["on_time_rate"] < 1.0  # the example is built to be tight, not hopeless
    assert k["delivered_units"] + k["unmet_units"] == k["required_units"]
    # Whole units cost at most a little more service than the LP optimum.
    assert result.objective >= result.lp_objective - 1e-6 * abs(result.lp_objective)
    assert result.objective <= result.lp_objective * 1.01


EDITED_COPIES = [p for p in sorted((EXAMPLES / "changes").glob("*.yaml")) if "calendar:" in p.read_text()]


@pytest.mark.parametrize("path", EDITED_COPIES)
def test_edited_copies_plan_feasibly(path: Path) -> None:
    programme = load_programme(path)
    check_plan(programme, plan(programme))


def test_exported_mps_gives_the_same_optimum_in_cbc(example_plan: tuple[Plan, Path]) -> None:
    result, mps = example_plan
    assert solve_mps_with_cbc(mps) == pytest.approx(result.lp_objective, rel=1e-6)


def _service(result: Plan) -> float:
    return float(sum(r["weighted_late_periods"] for r in result.requirements)) + sum(
        r["unmet"] * 1e9 for r in result.requirements
    )


def test_one_weighted_solve_matches_the_two_phase_service_on_the_example() -> None:
    programme = load_programme(EXAMPLE)
    weighted = plan(programme, PlanOptions(objective="weighted"))
    two_phase = plan(programme, PlanOptions(objective="lexicographic"))
    # Same service (lateness and unmet, priority-weighted) and same cost at the LP optimum;
    # whole-unit rounding of two different optimal vertices may differ by a few units.
    assert weighted.lp_service == pytest.approx(two_phase.lp_service, rel=1e-9)
    assert weighted.lp_objective == pytest.approx(two_phase.lp_objective, rel=1e-7)
    assert weighted.kpis["unmet_units"] == pytest.approx(two_phase.kpis["unmet_units"], abs=20)


@pytest.mark.parametrize("price", [1, 50, 5000])
def test_weights_keep_service_first_whatever_the_prices(price: float) -> None:
    data = tiny_data()
    data["supply_offers"][0]["unit_price"] = price
    data["lines"][0]["hours_per_period"] = 60
    data["requirements"][0]["quantity"] = 100
    weighted = plan_data(data)
    two_phase = plan_data(data, objective="lexicographic")
    assert _service(weighted) == _service(two_phase)
    assert weighted.costs["total"] == pytest.approx(two_phase.costs["total"])


@pytest.mark.parametrize("size", ["S", "M"])
def test_folding_ample_supply_keeps_the_optimum(size: str) -> None:
    from coprod.generate import generate

    programme = generate(size, seed=2)
    if size == "S":  # no stock of components, so folding applies
        programme = programme.model_copy(update={"stock": ()})
    folded = plan(programme, PlanOptions(fold_supply=True, resolution="exact"))
    exact = plan(programme, PlanOptions(fold_supply=False, resolution="exact"))
    assert folded.lp["columns"] < exact.lp["columns"]
    assert folded.lp_objective == pytest.approx(exact.lp_objective, rel=1e-6)
    check_plan(programme, folded)


def test_the_default_resolution_loses_little_against_the_exact_optimum() -> None:
    from coprod.generate import generate
    from coprod.planning.loss import loss_vs_exact

    programme = generate("S", 3)
    loss = loss_vs_exact(programme)
    assert loss.fine_periods < programme.calendar.periods  # it did aggregate
    assert -1e-9 <= loss.loss <= 0.02  # committing the near-term plan never beats the exact optimum
    coarse = plan(programme, PlanOptions(resolution="aggregated"))
    exact = plan(programme, PlanOptions(resolution="exact"))
    assert coarse.resolution["used"] == "aggregated" and exact.resolution["used"] == "exact"
    assert coarse.resolution["buckets"] == len(coarse.periods) < programme.calendar.periods
    # the default plans a programme this small exactly: no aggregation, so no loss
    default = plan(programme)
    assert default.resolution["used"] == "exact" and "small" in default.resolution["reason"]
    assert default.lp_objective == pytest.approx(exact.lp_objective, rel=1e-9)
    assert coarse.lp["columns"] < exact.lp["columns"]
    assert set(coarse.periods) < set(exact.periods)
    assert {r["period"] for r in coarse.production} <= set(coarse.periods)
    assert coarse.kpis["delivered_units"] + coarse.kpis["unmet_units"] == coarse.kpis["required_units"]
    check_plan(programme, coarse)  # every limit and figure, in 4-period buckets too
    check_plan(programme, exact)
