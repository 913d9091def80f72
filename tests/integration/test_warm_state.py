"""A plan keeps its LP basis (planning/warm_state.py) so an order promise starts warm: the
warm quote must be the quote a cold solve gives, on tiny and generated programmes, and a
state that does not fit the LP must be refused with a reason, never used."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from coprod.generate import generate
from coprod.planning import plan
from coprod.planning.analyse import analyse
from coprod.planning.model import build_model
from coprod.planning.promise import PromiseRequest, quote
from coprod.planning.warm_state import capture, restore_statuses
from tests.programmes import load, tiny_data


@pytest.mark.parametrize("seed", [0, 3, 7])
def test_warm_quote_equals_cold_quote_on_generated_programmes(seed: int) -> None:
    p = generate("S", seed)
    base = plan(p)
    assert base.solver_state["shape"] == [base.lp["rows"], base.lp["columns"]]
    r0 = p.requirements[seed % len(p.requirements)]
    due = p.calendar.starts[p.calendar.periods // 3]
    req = PromiseRequest(item=r0.item, quantity=300, destination=r0.destination, due=due)
    warm = quote(p, base, req, alternatives=False)
    cold = quote(p, dataclasses.replace(base, solver_state={}), req, alternatives=False)
    assert warm["start"].startswith("warm"), warm["start"]
    assert cold["start"].startswith("cold: the plan holds no solver state")
    assert warm["quote"]["schedule"] == cold["quote"]["schedule"]
    assert warm["kept"] == cold["kept"]
    # the same LP optimum (the whole-unit plans may round different optimal vertices)
    assert warm["_plan"].lp_objective == pytest.approx(cold["_plan"].lp_objective, rel=1e-7)


def test_public_outputs_leave_the_solver_state_out() -> None:
    base = plan(load(tiny_data()))
    assert base.solver_state and "solver_state" in base.to_dict()
    assert "solver_state" not in base.public_dict()


def _basic(statuses: tuple[np.ndarray, np.ndarray]) -> int:
    return int((statuses[0] == 1).sum() + (statuses[1] == 1).sum())


def test_state_maps_by_keys_and_refuses_what_it_cannot_read() -> None:
    p = load(tiny_data())
    m = build_model(analyse(p))
    n_rows, n_cols = m.lp.shape
    cols = np.zeros(n_cols, dtype=np.int8)
    rows = np.ones(n_rows, dtype=np.int8)  # all slacks basic: a valid basis
    rows[0], cols[3] = 0, 1  # one column in, one slack out
    state = capture(m.lp, cols, rows)
    same = restore_statuses(state, m.lp)
    assert isinstance(same, tuple)
    assert np.array_equal(same[0], cols) and np.array_equal(same[1], rows)
    assert restore_statuses({}, m.lp) == (
        "the plan holds no solver state (planned by an older coprod, or not by the LP)"
    )
    assert "another coprod version" in str(restore_statuses({**state, "version": 0}, m.lp))
    assert "cannot be read" in str(restore_statuses({**state, "col_status": "!!"}, m.lp))
    # families renamed: nothing matches, so the solve starts cold and says why
    renamed = {**state, "columns": [{**f, "name": "x" + f["name"]} for f in state["columns"]]}
    renamed["rows"] = [{**f, "name": "x" + f["name"]} for f in state["rows"]]
    assert restore_statuses(renamed, m.lp) == "only 0% of the plan's LP is in this one"
    # entries of the same family in another order are found by their keys
    fam = m.lp.columns["make"]
    flipped = {**state, "columns": [dict(f) for f in state["columns"]]}
    flipped_cols = cols.copy()
    for f in flipped["columns"]:
        if f["name"] == "make":
            keys = {k: np.asarray(v)[::-1].astype(np.int32) for k, v in fam.keys.items()}
            f["keys"] = {k: _pack(v) for k, v in keys.items()}
            flipped_cols[fam.slice] = cols[fam.slice][::-1]
    flipped["col_status"] = _pack8(flipped_cols)
    back = restore_statuses(flipped, m.lp)
    assert isinstance(back, tuple) and np.array_equal(back[0], cols)
    # one basic variable too many, or too few: HiGHS takes it once balanced to as many as rows
    from coprod.planning.highs import HighsSession

    over = restore_statuses(capture(m.lp, np.r_[np.int8(1), cols[1:]], rows), m.lp)
    under = restore_statuses(capture(m.lp, np.zeros(n_cols, dtype=np.int8), rows), m.lp)
    assert isinstance(over, tuple) and _basic(over) == n_rows + 1
    assert isinstance(under, tuple) and _basic(under) == n_rows - 1
    for statuses in (over, under):
        session = HighsSession(m.lp)
        assert session.start_from_statuses(*statuses)
        assert session.solve().status.value == "optimal"


def _pack(a: np.ndarray) -> str:
    from coprod.planning.warm_state import _pack as pack

    return pack(a, np.int32)


def _pack8(a: np.ndarray) -> str:
    from coprod.planning.warm_state import _pack as pack

    return pack(a)


def test_quote_at_a_new_destination_starts_warm_and_equals_cold() -> None:
    # the example has no INT-1 for UA-DEPOT-W: the quote's LP gains lanes and rows in the
    # middle of families, found by their keys
    from pathlib import Path

    from coprod.io import load_programme

    p = load_programme(Path(__file__).parents[2] / "examples" / "uk-ua-interceptors.yaml")
    base = plan(p)
    req = PromiseRequest(item="INT-1", quantity=500, destination="UA-DEPOT-W", due=dt.date(2026, 6, 1))
    warm = quote(p, base, req, alternatives=False)
    cold = quote(p, dataclasses.replace(base, solver_state={}), req, alternatives=False)
    assert warm["start"].startswith("warm"), warm["start"]
    assert warm["quote"]["on_time"] == cold["quote"]["on_time"]
    assert warm["quote"]["unmet"] == cold["quote"]["unmet"]
    assert warm["_plan"].lp_objective == pytest.approx(cold["_plan"].lp_objective, rel=1e-7)


def test_quote_due_in_another_bucket_still_answers() -> None:
    # a due date that changes the LP's families: cold, with the reason, same answer shape
    p = generate("S", 1)
    base = plan(p)
    r0 = p.requirements[0]
    req = PromiseRequest(
        item=r0.item, quantity=50, destination=r0.destination, due=p.calendar.starts[p.calendar.periods - 1]
    )
    q = quote(p, base, req, alternatives=False)
    assert q["start"].startswith(("warm", "cold: "))
    assert sum(d["quantity"] for d in q["quote"]["schedule"]) + q["quote"]["unmet"] == 50
    assert dt.date.fromisoformat(q["quote"]["due"]) == p.calendar.starts[p.calendar.periods - 1]
