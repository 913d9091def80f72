"""A supplier's commitment replaces the offer's capacity in its period, in every file format."""

from __future__ import annotations

from pathlib import Path

import pytest

from coprod.errors import ProgrammeInvalid
from coprod.io import load_programme, write_programme
from coprod.io.workbook import programme_from_workbook, programme_workbook
from tests.programmes import delivered_by_period, load, plan_data, tiny_data


def _committed(commitments: list[dict[str, object]], min_order: int = 0) -> dict[str, object]:
    """R1 needs 50 X (4 motors each) in January; motors come only from O1 (lead 0)."""
    data = tiny_data()
    data["requirements"][0]["quantity"] = 50
    data["supply_offers"][0].update(min_order=min_order, commitments=commitments)
    return data


def test_a_commitment_caps_the_period_it_arrives_in() -> None:
    # 120 motors committed for January: 30 X on time, the other 20 in February (catalogue).
    plan = plan_data(_committed([{"period": "2026-01-01", "quantity": 120}]))
    assert delivered_by_period(plan, "R1") == {"2026-01-01": 30, "2026-02-01": 20}


def test_a_zero_commitment_closes_the_period_and_others_keep_the_catalogue() -> None:
    plan = plan_data(
        _committed([{"period": "2026-01-01", "quantity": 0}, {"period": "2026-02-01", "quantity": 40}])
    )
    # nothing in January, 10 X from February's 40 motors, the rest in March (catalogue capacity)
    assert delivered_by_period(plan, "R1") == {"2026-02-01": 10, "2026-03-01": 40}


def test_commitments_follow_the_lead_time() -> None:
    data = _committed([{"period": "2026-03-01", "quantity": 80}])
    data["supply_offers"][0]["lead_time"] = 2
    data["requirements"][0]["due"] = "2026-03-01"
    # orders placed in January arrive in March: 80 motors, 20 X; the other 30 arrive in April
    plan = plan_data(data)
    assert delivered_by_period(plan, "R1") == {"2026-03-01": 20, "2026-04-01": 30}


@pytest.mark.parametrize(
    ("commitment", "field", "text"),
    [
        ({"period": "2027-01-01", "quantity": 5}, "commitments[0].period", "outside the horizon"),
        (
            {"period": "2026-01-01", "quantity": 10},
            "commitments[0].quantity",
            "below the minimum order",
        ),
    ],
)
def test_bad_commitments_name_the_offer_and_field(
    commitment: dict[str, object], field: str, text: str
) -> None:
    with pytest.raises(ProgrammeInvalid) as caught:
        load(_committed([commitment], min_order=50))
    found = [(f.record, f.field, f.message) for f in caught.value.problems]
    assert any("O1" in rec and fld == field and text in msg for rec, fld, msg in found), found


def test_two_commitments_for_one_period_are_refused() -> None:
    with pytest.raises(ProgrammeInvalid) as caught:
        load(_committed([{"period": "2026-01-01", "quantity": 5}, {"period": "2026-01-01", "quantity": 6}]))
    assert "same period" in str(caught.value)


@pytest.mark.parametrize("fmt", ["yaml", "csv", "xlsx"])
def test_commitments_survive_every_file_format(tmp_path: Path, fmt: str) -> None:
    programme = load(_committed([{"period": "2026-02-01", "quantity": 40, "release": 3, "note": "part"}]))
    if fmt == "xlsx":
        again = programme_from_workbook(programme_workbook(programme))
    else:
        target = tmp_path / ("p.yaml" if fmt == "yaml" else "p")
        write_programme(programme, target, fmt)
        again = load_programme(target)
        if fmt == "csv":
            assert (target / "offer_commitments.csv").read_text().startswith("offer,period,quantity")
    assert again.supply_offers[0].commitments == programme.supply_offers[0].commitments
    assert again.supply_offers[0].commitments[0].quantity == 40
