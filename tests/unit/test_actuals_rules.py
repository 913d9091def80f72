"""Every rule between events, broken once each: the finding names the kind, the record and
the field, and says what is wrong. The good batch (tests/actuals.py) breaks none."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from coprod.domain.actuals import ActualsBatch, Lot
from coprod.tracking.rules import check_actuals
from tests.actuals import EVENTS, batch, programme

TODAY = dt.date(2026, 6, 1)
Edit = Callable[[dict[str, Any]], None]


def findings(edit: Edit) -> list[tuple[str, str, str, str]]:
    data = copy.deepcopy(EVENTS)
    edit(data)
    return [(f.section, f.key, f.field, f.message) for f in check_actuals(programme(), batch(data), TODAY)]


def test_the_good_batch_breaks_no_rule() -> None:
    assert check_actuals(programme(), batch(), TODAY) == []


def _second_lot(first: str, last: str, lot_id: str = "B") -> Edit:
    def edit(d: dict[str, Any]) -> None:
        d["lots"].append(
            {
                **d["lots"][0],
                "id": lot_id,
                "first_serial": first,
                "last_serial": last,
                "quantity": int(last[2:]) - int(first[2:]) + 1,
            }
        )

    return edit


def _set(kind: str, field: str, value: Any, index: int = 0) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        d[kind][index][field] = value

    return edit


CASES: list[tuple[str, Edit, tuple[str, str, str, str]]] = [
    (
        "serials overlap another lot",
        _second_lot("X-0040", "X-0060"),
        ("lots", "B", "serials", "X-0040 is already in lot A"),
    ),
    (
        "a serial list repeats a range",
        lambda d: d["lots"].append(
            {
                **d["lots"][0],
                "id": "B",
                "first_serial": None,
                "last_serial": None,
                "serials": ["X-0007"],
                "quantity": 1,
            }
        ),
        ("lots", "B", "serials", "X-0007 is already in lot A"),
    ),
    (
        "shipped before accepted",
        _set("acceptances", "date", "2026-01-20"),
        ("shipments", "SH1", "lines[0].quantity", "lot A is not accepted by 2026-01-12"),
    ),
    (
        "shipment exceeds accepted stock",
        _set("acceptances", "accepted", 40),
        ("shipments", "SH1", "lines[0].quantity", "50 units of lot A exceed the 40 accepted"),
    ),
    (
        "receipt exceeds what was shipped",
        lambda d: d["receipts"][0]["lines"][0].update(received=55),
        ("receipts", "RC1", "lines[0].received", "55 of A received or refused, but 50 were shipped"),
    ),
    ("event in the future", _set("lots", "built", "2026-06-02"), ("lots", "A", "built", "is in the future")),
    (
        "event outside the calendar",
        _set("first_articles", "date", "2025-12-31"),
        ("first_articles", "FA1", "date", "outside the calendar"),
    ),
    (
        "accepted before the first article passed",
        _set("first_articles", "date", "2026-01-12"),
        (
            "acceptances",
            "ACC-A",
            "lot",
            "first article of X rev 1 at S1 has not passed (it passed only on 2026-01-12)",
        ),
    ),
    (
        "failed first article",
        _set("first_articles", "result", "failed"),
        ("acceptances", "ACC-A", "lot", "has not passed (it failed on 2026-01-02)"),
    ),
    (
        "accepting more than the lot",
        lambda d: d["acceptances"].append({"id": "ACC-B", "lot": "A", "accepted": 1, "date": "2026-01-11"}),
        ("acceptances", "ACC-B", "accepted", "lot A holds 50 units; 51 accepted"),
    ),
    ("a line at another site", _set("lots", "line", "L2"), ("lots", "A", "line", "line L2 is at S2, not S1")),
    (
        "unknown design revision",
        _set("lots", "revision", 2),
        ("lots", "A", "revision", "X has no revision 2"),
    ),
    (
        "delivery to another destination's requirement",
        lambda d: d["receipts"][0]["deliveries"][0].update(requirement="R9"),
        ("receipts", "RC1", "deliveries[0].requirement", "unknown requirement 'R9'"),
    ),
    (
        "units received but not assigned",
        lambda d: d["receipts"][0]["deliveries"][0].update(quantity=30),
        ("receipts", "RC1", "deliveries", "50 of X received at D1, 30 assigned"),
    ),
    (
        "duplicate id",
        lambda d: d["first_articles"].append(dict(d["first_articles"][0])),
        ("first_articles", "FA1", "id", "duplicate id 'FA1'"),
    ),
    (
        "receipt of an unknown shipment",
        _set("receipts", "shipment", "SH9"),
        ("receipts", "RC1", "shipment", "unknown shipment 'SH9'"),
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_rule_names_kind_record_and_field(edit: Edit, expected: tuple[str, str, str, str]) -> None:
    found = findings(edit)
    kind, key, field, text = expected
    assert any(f[:3] == (kind, key, field) and text in f[3] for f in found), found


def test_a_licensee_builds_only_under_a_valid_licence() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["lots"].append(
            {
                "id": "B",
                "site": "S2",
                "line": "L2",
                "design": "X",
                "revision": 1,
                "quantity": 5,
                "first_serial": "G-01",
                "last_serial": "G-05",
                "built": "2026-01-10",
            }
        )

    assert findings(edit) == []
    p = programme(licences=[{**programme().licences[0].model_dump(mode="json"), "valid_from": "2026-02-01"}])
    data = copy.deepcopy(EVENTS)
    edit(data)
    found = check_actuals(p, batch(data), TODAY)
    assert [(f.key, f.field) for f in found] == [("B", "built")]
    assert "MFG holds no licence for X valid on 2026-01-10" in found[0].message


def test_a_purchase_order_needs_an_offer_and_its_receipts_stay_within_it() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["purchase_orders"] = [
            {
                "id": "PO1",
                "supplier": "SUP",
                "component": "MOTOR",
                "site": "S1",
                "quantity": 100,
                "ordered": "2026-01-05",
                "due": "2026-02-01",
            },
            {
                "id": "PO2",
                "supplier": "MFG",
                "component": "MOTOR",
                "site": "S1",
                "quantity": 100,
                "ordered": "2026-01-05",
                "due": "2026-02-01",
            },
        ]
        d["order_receipts"] = [
            {
                "id": "OR1",
                "order": "PO1",
                "received": "2026-01-20",
                "quantity": 90,
                "refused": 20,
                "note": "wet boxes",
            }
        ]

    found = {(f[0], f[1], f[2]): f[3] for f in findings(edit)}
    assert "no supply offer of MOTOR from MFG to S1" in found[("purchase_orders", "PO2", "supplier")]
    assert "order PO1 is for 100; 110 received" in found[("order_receipts", "OR1", "quantity")]
    assert len(found) == 2


def test_field_checks_on_the_records() -> None:
    lot = dict(EVENTS["lots"][0])
    with pytest.raises(ValidationError, match="number 49, not the quantity 50"):
        Lot.model_validate({**lot, "last_serial": "X-0049"})
    with pytest.raises(ValidationError, match="share a prefix"):
        Lot.model_validate({**lot, "last_serial": "Y-0050"})
    with pytest.raises(ValidationError, match="every unit needs a serial"):
        Lot.model_validate({**lot, "first_serial": None, "last_serial": None})
    with pytest.raises(ValidationError, match="rejected units need a reason"):
        ActualsBatch.model_validate(
            {"acceptances": [{"id": "a", "lot": "A", "accepted": 1, "rejected": 1, "date": "2026-01-11"}]}
        )
    assert Lot.model_validate(lot).holds("X-0050") and not Lot.model_validate(lot).holds("X-0051")
