"""Monte Carlo risk: factors applied as specified, seeded samples, identical on Dask."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coprod.errors import ProgrammeInvalid
from coprod.io import load_programme
from coprod.io.changes_file import load_small_file
from coprod.scenarios.executors import DaskExecutor
from coprod.scenarios.risk import apply_sample, run_risk
from coprod.scenarios.uncertainty import Uncertainty, check_uncertainty, draw
from tests.programmes import load, tiny_data

EXAMPLES = Path(__file__).parents[2] / "examples"


def spec(*factors: dict[str, object], **extra: object) -> Uncertainty:
    return Uncertainty.model_validate({"factors": list(factors), **extra})


def test_factors_change_the_programme_as_specified() -> None:
    data = tiny_data()
    data["lines"][0]["ramp_up"] = {
        "start": "2026-01-01",
        "pilot_rate": 10,
        "full_rate": 100,
        "ramp_periods": 2,
    }
    data["designs"][0]["revisions"][0]["bom"][0]["yield"] = 0.9
    p = load(data)
    u = spec(
        {"type": "ramp_delay", "line": "L1", "periods": {"constant": 2}},
        {"type": "learning_rate", "line": "L1", "value": {"constant": 0.8}},
        {"type": "yield", "factor": {"constant": 0.5}},
        {"type": "supplier_slip", "supplier": "SUP", "periods": {"constant": 1}},
        {"type": "demand", "factor": {"constant": 1.5}},
    )
    values = draw(u, 1)[0]
    q = apply_sample(p, u.factors, values)
    ramp = q.lines[0].ramp_up
    assert ramp is not None and ramp.start.isoformat() == "2026-03-01" and ramp.learning_rate == 0.8
    assert q.designs[0].revisions[0].bom[0].yield_ == pytest.approx(0.45)
    assert q.supply_offers[0].lead_time == 1
    assert q.requirements[0].quantity == 75


def test_draws_are_seeded_and_within_their_ranges() -> None:
    u = spec(
        {"type": "demand", "factor": {"uniform": [0.9, 1.1]}},
        {"type": "supplier_slip", "supplier": "SUP", "periods": {"uniform_int": [1, 3]}, "probability": 0.5},
    )
    a, b = draw(u, 400, seed=3), draw(u, 400, seed=3)
    assert np.array_equal(a, b) and not np.array_equal(a, draw(u, 400, seed=4))
    assert a[:, 0].min() >= 0.9 and a[:, 0].max() <= 1.1
    slips = a[:, 1]
    assert set(np.unique(slips)) <= {0.0, 1.0, 2.0, 3.0} and 0.35 < (slips > 0).mean() < 0.65


def test_bad_uncertainty_files_name_entry_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "u.yaml"
    bad.write_text("factors:\n  - {type: demand, factor: {uniform: [2, 1]}}\n  - {type: yield}\n")
    with pytest.raises(ProgrammeInvalid) as info:
        load_small_file(bad, Uncertainty, "uncertainty")
    where = {(p.record, p.field) for p in info.value.problems}
    assert ("factors[0]", "factor") in where and ("factors[1]", "factor") in where
    u = spec(
        {"type": "ramp_delay", "line": "L1", "periods": {"constant": 1}},
        {"type": "supplier_slip", "supplier": "NOBODY", "periods": {"constant": 1}},
        target={"item": "X", "rate": 10, "by": "2030-01-01"},
    )
    found = {(f.section, f.index, f.field) for f in check_uncertainty(load(tiny_data()), u)}
    assert found == {("factors", 0, "line"), ("factors", 1, "supplier"), ("target", -1, "by")}


def test_risk_on_the_example_same_answer_serial_and_on_two_dask_workers() -> None:
    p = load_programme(EXAMPLES / "uk-ua-interceptors.yaml")
    u = load_small_file(EXAMPLES / "uncertainty.yaml", Uncertainty, "uncertainty")
    serial = run_risk(p, u, 12, seed=5)
    executor = DaskExecutor(workers=2)
    try:
        assert executor.workers == 2
        ticks: list[int] = []
        parallel = run_risk(p, u, 12, seed=5, executor=executor, progress=lambda: ticks.append(1))
        again = run_risk(p, u, 3, seed=6, executor=executor)  # a second sweep on the same cluster
    finally:
        executor.close()
    assert len(ticks) == 12
    assert again.requirement_probabilities() == run_risk(p, u, 3, seed=6).requirement_probabilities()
    assert serial.to_dict()["deliveries"] == parallel.to_dict()["deliveries"]
    assert serial.requirement_probabilities() == parallel.requirement_probabilities()
    assert serial.target_probability() == parallel.target_probability()
    summary = serial.summary()
    assert (
        summary["on_time_units"]["p10"] <= summary["on_time_units"]["p50"] <= summary["on_time_units"]["p90"]
    )
    ranking = serial.factor_ranking()
    assert [r["rank"] for r in ranking] == list(range(1, len(u.factors) + 1))
    assert abs(ranking[0]["rho_on_time_units"]) >= abs(ranking[-1]["rho_on_time_units"])


def test_target_probability_counts_samples_reaching_the_rate() -> None:
    data = tiny_data()
    data["requirements"][0]["quantity"] = 100
    u = spec(
        {"type": "demand", "factor": {"choice": [0.5, 1.0]}},
        target={"item": "X", "rate": 100, "by": "2026-01-01", "measure": "production"},
    )
    result = run_risk(load(data), u, 40, seed=1)
    full = result.values[:, 0] == 1.0
    assert result.target_probability() == pytest.approx(full.mean())
    assert 0 < full.mean() < 1


def test_risk_cli_writes_tables_and_rejects_bad_files(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    coprod = str(Path(sys.executable).parent / "coprod")
    env = {**os.environ, "COLUMNS": "200"}
    example = str(EXAMPLES / "uk-ua-interceptors.yaml")
    done = subprocess.run(
        [
            coprod,
            "risk",
            example,
            "--uncertainty",
            str(EXAMPLES / "uncertainty.yaml"),
            "-n",
            "6",
            "--format",
            "json",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["summary"]["samples"] == 6 and data["summary"]["target"]["probability"] is not None
    assert (tmp_path / "factors.csv").read_text().startswith("factor,")
    assert "6/6" in done.stderr  # the progress bar finished
    bad = tmp_path / "bad.yaml"
    bad.write_text("factors:\n  - {type: ramp_delay, line: NOPE, periods: {constant: 1}}\n")
    refused = subprocess.run(
        [coprod, "risk", example, "--uncertainty", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert (
        refused.returncode == 2 and "factors[0]" in refused.stderr and "unknown line 'NOPE'" in refused.stderr
    )
    assert "Traceback" not in refused.stderr


def test_warm_samples_equal_cold_plans_and_do_not_depend_on_order() -> None:
    from coprod.planning import plan
    from coprod.scenarios.risk import evaluate_batch
    from coprod.scenarios.warm import base_basis, plan_sample

    p = load_programme(EXAMPLES / "uk-ua-interceptors.yaml")
    u = load_small_file(EXAMPLES / "uncertainty.yaml", Uncertainty, "uncertainty")
    values = draw(u, 4, seed=5)
    base = base_basis(p)
    for v in values:
        q = apply_sample(p, u.factors, v)
        warm, cold = plan_sample(q, base), plan(q)
        assert warm.warm  # started from the base basis, carried over by key
        # the LP optimum's value is unique; whole units round from whichever optimal vertex
        assert warm.lp_objective == pytest.approx(cold.lp_objective, rel=1e-7)
        assert warm.objective == pytest.approx(cold.objective, rel=1e-3)
        assert plan_sample(q, None).lp_objective == pytest.approx(cold.lp_objective, rel=1e-7)
    # every sample starts from the base, never from the one before: any order, the same samples
    shared = (p, u, base)
    forward = evaluate_batch(shared, list(values))
    backward = evaluate_batch(shared, list(values[::-1]))[::-1]
    for a, b in zip(forward, backward, strict=True):
        assert np.array_equal(a.deliveries, b.deliveries) and np.array_equal(a.production, b.production)
        assert a.on_time_units == b.on_time_units


def test_a_sweep_without_a_target_ranks_factors_by_on_time_units_only() -> None:
    u = spec({"type": "demand", "factor": {"uniform": [0.5, 1.5]}})
    result = run_risk(load(tiny_data()), u, 6, seed=2)
    out = result.to_dict()  # was a ValueError: the range of no finite target values
    assert out["summary"]["target"] is None
    [row] = out["factors"]
    assert row["rho_target"] == 0.0 and row["factor"]


def test_an_exchange_rate_factor_moves_the_cost_and_the_choice_of_offer() -> None:
    # O1: EUR 1 a motor; O2: NOK 10 a motor at EUR 0.08 per NOK (EUR 0.80). A NOK rate 1.25x
    # firmer or more makes O2 dearer than O1: the plan switches offers, and cost follows the
    # factor only up to EUR 1 a motor (200 motors: 50 X of 4).
    data = tiny_data()
    data["partners"][2]["currency"] = "NOK"
    data["exchange_rates"] = [{"currency": "NOK", "valid_from": "2026-01-01", "rate": 0.08}]
    data["supply_offers"].append(
        {**data["supply_offers"][0], "id": "O2", "unit_price": 10, "currency": "NOK"}
    )
    p = load(data)
    u = spec({"type": "exchange_rate", "currency": "NOK", "factor": {"uniform": [0.5, 2.0]}}, seed=3)
    weak = apply_sample(p, u.factors, np.array([0.5]))
    assert [r.rate for r in weak.exchange_rates] == [0.04]
    result = run_risk(p, u, 12)
    factor = result.values[:, 0]
    cost = np.array([s.cost for s in result.samples])
    motors = 200
    expected = np.minimum(0.8 * factor, 1.0) * motors + 50 * 10 + 50 * 1  # motors, routing, lane
    assert cost == pytest.approx(expected)
    summary = result.to_dict()["summary"]
    assert summary["cost"]["currency"] == "EUR" and summary["cost"]["p10"] < summary["cost"]["p90"]
    assert result.factor_ranking()[0]["rho_cost"] > 0.5
    # a currency the programme has no rate for is named
    bad = spec({"type": "exchange_rate", "currency": "USD", "factor": {"constant": 1.1}})
    assert [(f.field, "USD" in f.message) for f in check_uncertainty(p, bad)] == [("currency", True)]
