"""Order promising on tiny programmes whose quotes are worked out by hand.

The tiny programme: line L1 has 100 hours a month, X takes 1 hour and 4 MOTOR, four months
from 2026-01. R1 (priority 2) is planned on time in January; every quote must keep that.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from coprod.errors import InputError
from coprod.planning import plan
from coprod.planning.promise import PromiseRequest, quote
from tests.plan_checks import check_quote
from tests.programmes import load, tiny_data

M = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
JAN = dt.date(2026, 1, 1)


def _quote(data: dict[str, Any], qty: int, due: dt.date = JAN, **kw: Any) -> dict[str, Any]:
    p = load(data)
    base = plan(p)
    q = quote(
        p, base, PromiseRequest(item=kw.pop("item", "X"), quantity=qty, destination="D1", due=due, **kw)
    )
    check_quote(p, base, q)
    return q


def _by_period(q: dict[str, Any]) -> dict[str, int]:
    return {d["period"]: d["quantity"] for d in q["quote"]["schedule"]}


def _data(r1: int = 80) -> dict[str, Any]:
    data = tiny_data()
    data["requirements"][0].update(quantity=r1, priority=2)
    return data


def test_capacity_limited_quote_keeps_r1_on_time() -> None:
    # January: 100 hours, 80 kept for R1, 20 left; then 100 in February, 30 of March.
    q = _quote(_data(), 150)
    assert _by_period(q) == {M[0]: 20, M[1]: 100, M[2]: 30}
    assert (q["quote"]["on_time"], q["quote"]["full_by"], q["quote"]["unmet"]) == (20, M[2], 0)
    assert q["kept"] == {"requirements": 1, "on_time_units": 80, "dropped": [], "shortfalls": []}
    hours = [x for x in q["limits"] if x["constraint"] == "hours"]
    assert hours and hours[0]["entity"] == "L1"
    assert "L1" in q["quote"]["cause"]
    alt = q["alternatives"]
    assert alt["later_date"] == {"quantity": 150, "date": M[2]}
    assert alt["partial_by_due"] == {"quantity": 20, "date": M[0]}
    # At top priority (weight 4 against R1's 2) it takes all of January: R1 loses 80.
    top = alt["top_priority"]
    assert (top["on_time"], top["full_by"]) == (100, M[1])
    assert top["costs_others"] == [
        {"requirement": "R1", "on_time_before": 80, "on_time_after": 0, "lost": 80}
    ]


def test_partial_quantity_when_the_horizon_runs_out() -> None:
    # 20 + 100 + 100 + 100 = 320 within the horizon, 180 never.
    q = _quote(_data(), 500)
    assert _by_period(q) == {M[0]: 20, M[1]: 100, M[2]: 100, M[3]: 100}
    assert (q["quote"]["unmet"], q["quote"]["full_by"]) == (180, None)
    assert q["alternatives"]["later_date"]["date"] is None


def test_material_limited_quote() -> None:
    # 200 MOTOR a month = 50 units; R1 (50) takes January's, so 50 in Feb and 50 in Mar.
    data = _data(50)
    data["supply_offers"][0]["capacity_per_period"] = 200
    q = _quote(data, 100)
    assert _by_period(q) == {M[1]: 50, M[2]: 50}
    assert q["quote"]["on_time"] == 0
    assert any(x["constraint"] != "hours" and x["constraint"] != "cause" for x in q["limits"])


def test_lead_time_limited_quote() -> None:
    # R1 is served from 200 MOTOR in stock; new motors take 2 months: ordered in January,
    # they arrive in March, so the new 30 come in March, whatever the capacity.
    data = _data(50)
    data["supply_offers"][0]["lead_time"] = 2
    data["stock"] = [{"item": "MOTOR", "site": "S1", "quantity": 200}]
    q = _quote(data, 30)
    assert _by_period(q) == {M[2]: 30}
    assert "is held for the existing requirements' planned on-time deliveries" in q["quote"]["cause"]


def test_due_later_is_on_time_and_r1_untouched() -> None:
    # Due in February: 20 built in January (kept in stock) + 100 in February, all on time.
    q = _quote(_data(), 120, due=dt.date(2026, 2, 1))
    assert _by_period(q) == {M[1]: 120}
    assert (q["quote"]["on_time"], q["quote"]["unmet"]) == (120, 0)


def test_variant_alternative() -> None:
    # Variant X-B2 needs a radio RX2 only available from March: on time never, full in March.
    data = _data()
    data["components"].append({"id": "RX2"})
    data["designs"][0]["variants"] = [{"id": "X-B2", "add": [{"item": "RX2", "qty": 1}]}]
    data["supply_offers"].append(
        {
            "id": "O2",
            "component": "RX2",
            "supplier": "SUP",
            "ship_to": "S1",
            "lead_time": 2,
            "capacity_per_period": 1000,
            "unit_price": 1,
        }
    )
    q = _quote(data, 20, item="X-B2")
    assert _by_period(q) == {M[2]: 20}
    variants = q["alternatives"]["variants"]
    assert [(v["item"], v["on_time"], v["full_by"]) for v in variants] == [("X", 20, M[0])]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"item": "NOPE"}, "item"),
        ({"destination": "D9"}, "destination"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"due": dt.date(2027, 1, 1)}, "due"),
        ({"due": dt.date(2025, 1, 1)}, "due"),
        ({"priority": 7}, "priority"),
    ],
)
def test_bad_requests_name_the_field(change: dict[str, Any], field: str) -> None:
    p = load(_data())
    base = plan(p)
    args: dict[str, Any] = {"item": "X", "quantity": 10, "destination": "D1", "due": JAN, **change}
    with pytest.raises(InputError, match=f"^{field}:"):
        quote(p, base, PromiseRequest(**args))


# ---- the command line on a stored programme ---------------------------------------------
def _stored(tmp_path: Any) -> Any:
    import yaml

    from tests.integration.test_actuals_cli import run

    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(_data()), encoding="utf-8")
    db = tmp_path / "db.sqlite"
    assert run(db, "db", "upgrade").returncode == 0
    assert run(db, "import", path, "--name", "tiny").returncode == 0
    planned = run(db, "plan", "--programme", "tiny")
    assert planned.returncode == 0, planned.stderr
    return db


def test_cli_quote_commit_and_errors(tmp_path: Any) -> None:
    import json

    from tests.integration.test_actuals_cli import run

    db = _stored(tmp_path)
    args = ("promise", "--item", "X", "--quantity", "150", "--destination", "D1", "--due", "2026-01-01")
    text = run(db, *args)
    assert text.returncode == 0, text.stderr
    assert "2026-01-01: 20 (cumulative 20)" in text.stdout
    assert "R1 loses 80" in text.stdout
    done = run(db, *args, "--format", "json")
    q = json.loads(done.stdout)
    assert _by_period(q) == {M[0]: 20, M[1]: 100, M[2]: 30}
    assert q["committed"] == []
    # the stored plan kept its solver state: the quote starts from its basis
    assert q["start"].startswith("warm"), q["start"]
    assert q["plan_current"] is True
    version = q["programme_version"]
    # a commit against another version of the programme is refused, nothing written
    stale = run(db, *args, "--commit", "--version", str(version + 1))
    assert stale.returncode == 2 and "version:" in stale.stderr and "Traceback" not in stale.stderr
    again = json.loads(run(db, *args, "--format", "json").stdout)
    assert again["programme_version"] == version and again["committed"] == []
    # bad input: exit 2, the field named, no traceback
    for bad, field in (
        (("--item", "NOPE"), "item"),
        (("--destination", "D9"), "destination"),
        (("--quantity", "0"), "quantity"),
        (("--due", "2030-01-01"), "due"),
        (("--due", "soon"), "--due"),
    ):
        wrong = list(args)
        wrong[wrong.index(bad[0]) + 1] = bad[1]
        failed = run(db, *wrong)
        assert failed.returncode == 2, (bad, failed.stdout, failed.stderr)
        assert f"{field}:" in failed.stderr and "Traceback" not in failed.stderr
    # commit: the promised schedule becomes three requirements; a re-plan keeps R1 on time
    # and delivers each on its date
    committed = run(db, *args, "--commit", "--version", str(version), "--id", "NEW", "--format", "json")
    assert committed.returncode == 0, committed.stderr
    made = json.loads(committed.stdout)["committed"]
    assert [(c["id"], c["quantity"], c["due"]) for c in made] == [
        ("NEW-1", 20, M[0]),
        ("NEW-2", 100, M[1]),
        ("NEW-3", 30, M[2]),
    ]
    # the stored plan is now of an earlier version: the quote says so
    after = run(db, *args)
    assert after.returncode == 0 and "is of an earlier version of the programme" in after.stdout
    assert json.loads(run(db, *args, "--format", "json").stdout)["plan_current"] is False
    replanned = run(db, "plan", "--programme", "tiny", "--format", "json")
    assert replanned.returncode == 0, replanned.stderr
    rows = {r["id"]: r["status"] for r in json.loads(replanned.stdout)["requirements"]}
    assert rows == {"R1": "on_time", "NEW-1": "on_time", "NEW-2": "on_time", "NEW-3": "on_time"}
