"""Export control in the planner, in validation and in the file formats: tiny programmes
whose answers are worked out by hand (docs/export-control.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coprod.errors import ProgrammeInvalid
from coprod.io import load_programme, write_programme
from coprod.io.workbook import programme_from_workbook, programme_workbook
from tests.programmes import delivered_by_period, load, plan_data, production_by_period, tiny_data

DA_ONLY = {"classification": "ML11.a", "partners": ["DA"]}


def two_plants(l1_hours: float = 30) -> dict[str, Any]:
    """S1 (the design authority DA, UA) makes 1 X an hour on L1, S2 (the licensee MFG, GB)
    on L2 with 100 hours; X needs 4 MOTOR and 1 FC, both offered to both sites."""
    data = tiny_data()
    data["sites"].append({"id": "S2", "partner": "MFG", "country": "GB"})
    data["lines"][0]["hours_per_period"] = l1_hours
    data["lines"].append({"id": "L2", "site": "S2", "hours_per_period": 100})
    data["components"].append({"id": "FC"})
    data["designs"][0]["revisions"][0]["bom"].append({"item": "FC", "qty": 1})
    data["routings"].append({"design": "X", "line": "L2", "hours_per_unit": 1, "cost_per_unit": 10})
    data["licences"] = [
        {"id": "LIC", "licensor": "DA", "licensee": "MFG", "design": "X", "valid_from": "2026-01-01"}
    ]
    offer = data["supply_offers"][0]
    data["supply_offers"] += [
        {**offer, "id": "O2", "ship_to": "S2"},
        {**offer, "id": "F1", "component": "FC"},
        {**offer, "id": "F2", "component": "FC", "ship_to": "S2"},
    ]
    data["lanes"].append({"id": "K2", "from_site": "S2", "to": "D1", "lead_time": 0, "cost_per_unit": 1})
    return data


def test_without_control_both_plants_build_in_january() -> None:
    result = plan_data(two_plants())
    assert delivered_by_period(result, "R1") == {"2026-01-01": 50}
    assert production_by_period(result, "L2") == {"2026-01-01": 20}


def test_controlled_component_never_goes_to_a_plant_not_allowed() -> None:
    # FC is for DA only: S2 may neither receive FC nor build X; L1 makes 30 a month: 30 in
    # January, the other 20 in February.
    data = two_plants()
    data["components"][1]["export_control"] = DA_ONLY
    result = plan_data(data)
    assert delivered_by_period(result, "R1") == {"2026-01-01": 30, "2026-02-01": 20}
    assert production_by_period(result, "L2") == {}
    assert all(row["site"] == "S1" for row in result.purchases)


def test_control_by_country_allows_the_plant_in_that_country() -> None:
    data = two_plants()
    data["components"][1]["export_control"] = {"classification": "5A002", "countries": ["GB", "UA"]}
    result = plan_data(data)
    assert delivered_by_period(result, "R1") == {"2026-01-01": 50}


def test_control_inside_an_assembly_applies_where_the_assembly_is_used() -> None:
    # X needs 1 FCA (an assembly of 1 FC): the controlled FC reaches S2 inside FCA.
    data = two_plants()
    data["components"][1]["export_control"] = DA_ONLY
    data["components"].append({"id": "FCA", "bom": [{"item": "FC", "qty": 1}]})
    data["designs"][0]["revisions"][0]["bom"][1] = {"item": "FCA", "qty": 1}
    result = plan_data(data)
    assert delivered_by_period(result, "R1") == {"2026-01-01": 30, "2026-02-01": 20}


def test_controlled_revision_blocks_the_plant_only_while_it_is_in_force() -> None:
    # Revision 1 (January, February) is DA-only; revision 2 from March is not. L1 makes 10
    # a month: 10 in January, 10 in February, then L1 10 + L2 20 in March.
    data = two_plants(l1_hours=10)
    rev1 = data["designs"][0]["revisions"][0]
    rev1["export_control"] = {"classification": "ML11.a", "partners": ["DA", "MOD"]}
    data["designs"][0]["revisions"].append({**rev1, "revision": 2, "effective_from": "2026-03-01"})
    del data["designs"][0]["revisions"][1]["export_control"]
    result = plan_data(data)
    assert delivered_by_period(result, "R1") == {"2026-01-01": 10, "2026-02-01": 10, "2026-03-01": 30}
    assert production_by_period(result, "L2") == {"2026-03-01": 20}


def test_controlled_design_is_not_shipped_to_a_destination_not_allowed() -> None:
    # X may go to UA only: D2 in GB gets nothing, and validation says why.
    data = tiny_data()
    data["designs"][0]["export_control"] = {"classification": "ML10", "countries": ["UA"]}
    data["destinations"].append({"id": "D2", "partner": "MOD", "country": "GB"})
    data["lanes"].append({"id": "K2", "from_site": "S1", "to": "D2", "lead_time": 0})
    data["requirements"].append({**data["requirements"][0], "id": "R2", "destination": "D2"})
    with pytest.raises(ProgrammeInvalid) as info:
        load(data)
    (problem,) = info.value.problems
    assert (problem.record, problem.field) == ("requirements[1] (R2)", "item")
    assert "X is export-controlled (ML10)" in problem.message and "D2" in problem.message


def test_validation_names_item_and_site_when_the_only_supply_breaks_a_control() -> None:
    # Only S2 builds X, and FC is DA-only.
    data = two_plants()
    data["components"][1]["export_control"] = DA_ONLY
    data["routings"] = data["routings"][1:]
    with pytest.raises(ProgrammeInvalid) as info:
        load(data)
    (problem,) = info.value.problems
    assert (problem.record, problem.field) == ("requirements[0] (R1)", "item")
    assert "FC is export-controlled (ML11.a)" in problem.message
    assert "S2 (partner MFG)" in problem.message


def test_a_control_naming_an_unknown_partner_is_an_error() -> None:
    data = two_plants()
    data["components"][1]["export_control"] = {"classification": "X", "partners": ["DA", "NOBODY"]}
    with pytest.raises(ProgrammeInvalid) as info:
        load(data)
    (problem,) = info.value.problems
    assert problem.field == "export_control.partners[1]"
    assert "unknown partner 'NOBODY'" in problem.message


@pytest.mark.parametrize("fmt", ["yaml", "csv", "xlsx"])
def test_controls_survive_every_file_format(tmp_path: Path, fmt: str) -> None:
    data = two_plants(l1_hours=10)
    data["components"][1]["export_control"] = DA_ONLY
    rev1 = data["designs"][0]["revisions"][0]
    data["designs"][0]["revisions"].append({**rev1, "revision": 2, "effective_from": "2026-03-01"})
    data["designs"][0]["revisions"][1]["export_control"] = {"classification": "R2", "countries": ["UA", "GB"]}
    data["designs"][0]["export_control"] = {"classification": "D", "partners": ["MFG"], "countries": ["UA"]}
    programme = load(data)
    target = tmp_path / ("out" if fmt == "csv" else f"out.{fmt}")
    if fmt == "xlsx":
        assert programme_from_workbook(programme_workbook(programme)) == programme
        return
    write_programme(programme, target, fmt)
    assert load_programme(target) == programme
    if fmt == "csv":
        assert (target / "export_controls.csv").read_text().splitlines()[0] == (
            "item,revision,classification,partners,countries"
        )
