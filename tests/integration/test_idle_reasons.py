"""Why not? Every idle or under-used line, licence and offer has a reason while requirements
are late. Tiny programmes worked by hand (base: tests/programmes.py, L1 with 100 hours a
month at 1 hour a unit, R1: 50 units due in January), and the example's UK first batch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coprod.errors import InputError
from coprod.io import load_programme
from coprod.planning import plan
from coprod.planning.idle import why_idle
from tests.programmes import load, plan_data, tiny_data

EXAMPLE = Path(__file__).parents[2] / "examples" / "uk-ua-interceptors.yaml"


def _reasons(result: Any, ent: str) -> dict[str, tuple[str, str]]:
    return {r["period"]: (r["code"], r["reason"]) for r in result.idle_reasons if r["id"] == ent}


def test_a_licence_window_keeps_a_line_idle() -> None:
    # MFG builds X under a licence from March: January and February are idle for that reason
    # while R1 (due January) waits; March builds all 50 (R1 done, nothing more is late).
    data = tiny_data()
    data["sites"][0]["partner"] = "MFG"
    data["licences"] = [
        {"id": "LIC", "licensor": "DA", "licensee": "MFG", "design": "X", "valid_from": "2026-03-01"}
    ]
    result = plan_data(data)
    reasons = _reasons(result, "L1")
    assert set(reasons) == {"2026-01-01", "2026-02-01"}
    assert all(code == "licence_window" for code, _ in reasons.values())
    assert "MFG holds no licence for X in 2026-01-01 (LIC 2026-03-01..open)" in reasons["2026-01-01"][1]


def test_ramp_up_and_the_licence_it_leaves_unused() -> None:
    # The line starts on 1 February at a pilot rate of 20, full rate 100 from March. R1 wants
    # 150 in January: 20 in February, 100 in March, 30 in April. While R1 waits (January to
    # March): January idle (ramp-up not started), February 20 of 100 hours (rate used in
    # full); March's hours are used in full, so it is not listed. The licensee's licence
    # (cap 100) is under-used in January and February for the same reasons.
    data = tiny_data()
    data["sites"][0]["partner"] = "MFG"
    data["licences"] = [
        {
            "id": "LIC",
            "licensor": "DA",
            "licensee": "MFG",
            "design": "X",
            "valid_from": "2026-01-01",
            "cap_per_period": 100,
        }
    ]
    data["lines"][0]["ramp_up"] = {
        "start": "2026-02-01",
        "pilot_rate": 20,
        "full_rate": 100,
        "ramp_periods": 1,
    }
    data["requirements"][0]["quantity"] = 150
    result = plan_data(data)
    line = _reasons(result, "L1")
    assert set(line) == {"2026-01-01", "2026-02-01"}
    assert line["2026-01-01"] == ("ramp_up", "line L1's ramp-up starts on 2026-02-01")
    assert line["2026-02-01"][0] == "ramp_up" and "allows 20 units" in line["2026-02-01"][1]
    licence = {r["period"]: r for r in result.idle_reasons if r["id"] == "LIC"}
    assert set(licence) == {"2026-01-01", "2026-02-01"}
    assert (licence["2026-02-01"]["used"], licence["2026-02-01"]["available"]) == (20, 100)
    assert licence["2026-02-01"]["code"] == "ramp_up"


@pytest.mark.parametrize("stock", [None, 1])
def test_material_that_cannot_arrive_in_time(stock: int | None) -> None:
    # MOTORs take 2 months: nothing can be built before March. With no stock the offer is
    # folded (reduce.py) and the line has no build before March; with 1 MOTOR in stock it
    # has order columns, but 1 MOTOR is not enough for a unit (4 a unit).
    data = tiny_data()
    data["supply_offers"][0]["lead_time"] = 2
    if stock is not None:
        data["stock"] = [{"site": "S1", "item": "MOTOR", "quantity": stock}]
    result = plan_data(data)
    reasons = _reasons(result, "L1")
    assert set(reasons) == {"2026-01-01", "2026-02-01"}
    assert all(code == "material" for code, _ in reasons.values())
    assert "MOTOR" in reasons["2026-01-01"][1]


def test_no_lane_is_the_reason() -> None:
    data = tiny_data()
    data["destinations"].append({"id": "D2", "partner": "MOD", "country": "UA"})
    data["lanes"][0]["to"] = "D2"
    reasons = _reasons(plan_data(data), "L1")
    assert reasons and all(v == ("lane", "no lane from S1 to D1") for v in reasons.values())


def test_nothing_late_means_no_idle_reasons() -> None:
    result = plan_data(tiny_data())
    assert result.kpis["requirements_late_or_unmet"] == 0 and result.idle_reasons == []
    assert why_idle(result, "L1", load(tiny_data())) == [
        "L1 is not idle or under-used in any period in which a requirement it could serve is late"
    ]
    with pytest.raises(InputError, match="'L9' is not a line, licence or supply offer"):
        why_idle(result, "L9", load(tiny_data()))


def test_the_uk_first_batch_licence_says_why_it_is_not_used_in_march() -> None:
    # The example: LIC-UK-INT1-B1 allows 330 a month, March to May, while priority-1 INT-1
    # requirements are late. Nothing is built under it: revision 1 of INT-1 (in force until
    # September) holds FC-H7, which export control keeps with the design authority (issue 11;
    # before it the Midlands were sent 308 in April), so the Midlands may not build it.
    programme = load_programme(EXAMPLE)
    result = plan(programme)
    reasons = _reasons(result, "LIC-UK-INT1-B1")
    for month in ("2026-03-01", "2026-04-01", "2026-05-01"):
        assert reasons[month][0] == "export_control", reasons[month]
        assert "FC-H7 is export-controlled (ML11.a) and UK-MIDLANDS" in reasons[month][1]
    lines = why_idle(result, "LIC-UK-INT1-B1", programme)
    assert lines[0].startswith("2026-03-01: 0 of 330 used: FC-H7 is export-controlled")
    # every idle row names a reason with one of the documented codes
    codes = {
        "licence_window",
        "bom",
        "ramp_up",
        "licence_cap",
        "lane",
        "export_control",
        "material",
        "offer_window",
        "hours",
        "cost",
    }
    assert result.idle_reasons and all(r["code"] in codes and r["reason"] for r in result.idle_reasons)


def test_the_cli_says_why_a_licence_is_idle_and_plans_strictly() -> None:
    from typer.testing import CliRunner

    from coprod.cli import app

    run = CliRunner().invoke(
        app, ["plan", str(EXAMPLE), "--priority", "strict", "--fair-share", "--why-idle", "LIC-UK-INT1-B1"]
    )
    assert run.exit_code == 0, run.output
    assert "why LIC-UK-INT1-B1 is idle while requirements are late:" in run.output
    assert "[export_control]" in run.output  # FC-H7 stays with the design authority (issue 11)
    bad = CliRunner().invoke(app, ["plan", str(EXAMPLE), "--why-idle", "NOPE"])
    assert bad.exit_code == 2 and "'NOPE' is not a line, licence or supply offer" in bad.output
    assert "Traceback" not in bad.output
