"""Pegging: every unit a requirement receives is traced to stock or to a line and period."""

from __future__ import annotations

import json
from pathlib import Path

from coprod.api.web.views import pegging
from coprod.io import load_programme
from coprod.planning import plan

EXAMPLE = Path(__file__).parents[2] / "examples" / "uk-ua-interceptors.yaml"


def test_pegged_units_add_up_to_the_deliveries_and_come_from_real_production() -> None:
    programme = load_programme(EXAMPLE)
    result = json.loads(json.dumps(plan(programme).to_dict(), default=str))
    built = {(r["line"], r["period"], r["item"]) for r in result["production"]}
    checked = 0
    for req in result["requirements"]:
        if req["delivered"] == 0:
            continue
        pegs = pegging(result, programme, req["id"])
        assert sum(p["quantity"] for p in pegs) == req["delivered"], req["id"]
        for p in pegs:
            assert p["made"] <= p["departed"] <= p["delivered"]
            assert p["line"] == "stock" or (p["line"], p["made"], req["item"]) in built
        checked += 1
    assert checked > 50
