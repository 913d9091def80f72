"""Tiny programmes whose optimal plan is known by hand, built as plain data."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

from coprod.domain import Programme
from coprod.io import validate_raw
from coprod.io.raw import RawProgramme
from coprod.planning import Plan, PlanOptions, plan

BASE: dict[str, Any] = {
    "settings": {"name": "tiny", "currency": "EUR"},
    "calendar": {"start": "2026-01-01", "periods": 4, "granularity": "month"},
    "partners": [
        {"id": "DA", "country": "UA", "role": "design_authority"},
        {"id": "MFG", "country": "GB", "role": "manufacturer"},
        {"id": "SUP", "country": "PL", "role": "supplier"},
        {"id": "MOD", "country": "UA", "role": "customer"},
    ],
    "sites": [{"id": "S1", "partner": "DA", "country": "UA"}],
    "lines": [{"id": "L1", "site": "S1", "hours_per_period": 100}],
    "destinations": [{"id": "D1", "partner": "MOD", "country": "UA"}],
    "components": [{"id": "MOTOR"}],
    "designs": [
        {
            "id": "X",
            "owner": "DA",
            "revisions": [
                {
                    "revision": 1,
                    "effective_from": "2026-01-01",
                    "bom": [{"item": "MOTOR", "qty": 4}],
                }
            ],
        }
    ],
    "routings": [{"design": "X", "line": "L1", "hours_per_unit": 1, "cost_per_unit": 10}],
    "supply_offers": [
        {
            "id": "O1",
            "component": "MOTOR",
            "supplier": "SUP",
            "ship_to": "S1",
            "lead_time": 0,
            "capacity_per_period": 100000,
            "unit_price": 1,
        }
    ],
    "lanes": [{"id": "K1", "from_site": "S1", "to": "D1", "lead_time": 0, "cost_per_unit": 1}],
    "requirements": [
        {
            "id": "R1",
            "customer": "MOD",
            "destination": "D1",
            "item": "X",
            "quantity": 50,
            "due": "2026-01-01",
            "priority": 1,
        }
    ],
}


def tiny_data() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def tiny_licence(**fields: Any) -> dict[str, Any]:
    """The design authority DA licensing design X to MFG from the tiny programme's start."""
    return {
        "id": "LIC",
        "licensor": "DA",
        "licensee": "MFG",
        "design": "X",
        "valid_from": "2026-01-01",
        **fields,
    }


def tiny_ramp_up(pilot: float = 10, full: float = 100, periods: int = 2) -> dict[str, Any]:
    """A ramp-up from the tiny programme's start: `pilot` a period rising to `full`."""
    return {"start": "2026-01-01", "pilot_rate": pilot, "full_rate": full, "ramp_periods": periods}


def load(data: dict[str, Any]) -> Programme:
    return validate_raw(RawProgramme(data, "test.yaml"))


def plan_data(data: dict[str, Any], **options: Any) -> Plan:
    """Plan a tiny programme; every limit and every figure of the plan is checked."""
    from tests.plan_checks import check_plan

    programme = load(data)
    result = plan(programme, PlanOptions(**options))
    check_plan(programme, result)
    return result


def delivered_by_period(result: Plan, rid: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in result.deliveries:
        if d["requirement"] == rid:
            out[d["period"]] = out.get(d["period"], 0) + d["quantity"]
    return out


def production_by_period(result: Plan, line: str | None = None) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in result.production:
        if line is None or row["line"] == line:
            out[row["period"]] = out.get(row["period"], 0) + row["quantity"]
    return out


def solve_mps_with_cbc(path: Path) -> float:
    """The optimum of an MPS file by CBC (shipped inside PuLP's wheel): an independent solver."""
    import pulp

    _, problem = pulp.LpProblem.fromMPS(str(path))
    status = problem.solve(pulp.COIN_CMD(path=pulp.apis.coin_api.pulp_cbc_path, msg=False))
    assert pulp.LpStatus[status] == "Optimal"
    return float(pulp.value(problem.objective) or 0.0)


def plan_cross_checked(data: dict[str, Any], **options: Any) -> Plan:
    """Plan with HiGHS, and check CBC finds the same optimum of the exported LP."""
    with tempfile.TemporaryDirectory() as tmp:
        mps = Path(tmp) / "model.mps"
        programme = load(data)
        result = plan(programme, PlanOptions(export=(mps,), **options))
        cbc = solve_mps_with_cbc(mps)
    from tests.plan_checks import check_plan

    check_plan(programme, result)
    assert abs(cbc - result.lp_objective) <= 1e-6 * max(1.0, abs(result.lp_objective)), (
        cbc,
        result.lp_objective,
    )
    return result
