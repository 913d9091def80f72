"""Folding ample supply (planning/reduce.py) returns a new Structure and leaves its input alone."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from coprod.planning import analyse as analyse_module
from coprod.planning import reduce, structure
from coprod.planning.analyse import analyse
from coprod.planning.reduce import find_ample, fold_ample_supply
from tests.programmes import load, tiny_data


def test_fold_returns_a_new_structure_and_keeps_the_input() -> None:
    # the tiny programme's only offer is the cheapest, fastest and far above any use: ample
    unfolded = analyse(load(tiny_data()), fold_supply=False)
    before = [(b.periods.copy(), b.material_cost.copy()) for b in unfolded.builds]
    pairs, offers = list(unfolded.component_pairs), list(unfolded.offers)
    ample = find_ample(unfolded)
    assert list(ample.values()) == [0]
    folded = fold_ample_supply(unfolded, ample)
    assert folded is not unfolded
    assert folded.ample == ample and not unfolded.ample
    assert unfolded.component_pairs == pairs and unfolded.offers == offers
    for b, (periods, material) in zip(unfolded.builds, before, strict=True):
        assert np.array_equal(b.periods, periods) and np.array_equal(b.material_cost, material)
    # the folded builds carry the folded components' price; none of the folded pairs keeps a balance
    assert sum(float(b.material_cost.sum()) for b in folded.builds) > 0
    assert not set(ample) & set(folded.component_pairs)
    # the same structure analyse builds itself
    direct = analyse(load(tiny_data()))
    assert direct.component_pairs == folded.component_pairs and direct.offers == folded.offers
    for a, b in zip(direct.builds, folded.builds, strict=True):
        assert np.array_equal(a.periods, b.periods) and np.allclose(a.material_cost, b.material_cost)


def _imports(module: object) -> set[str]:
    tree = ast.parse(Path(str(getattr(module, "__file__", ""))).read_text())
    return {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def test_no_import_circle_between_reduce_and_analyse() -> None:
    assert "coprod.planning.analyse" not in _imports(reduce)
    assert "coprod.planning.reduce" not in _imports(structure)
    assert "coprod.planning.structure" in _imports(reduce)
    assert "coprod.planning.reduce" in _imports(analyse_module)


def test_the_generator_adds_site_lanes_and_leaves_the_rest_alone() -> None:
    from coprod.generate import generate

    off, on = generate("S", 3), generate("S", 3, site_lanes=True)
    extra = [ln for ln in on.lanes if ln.to in on.site_by_id]
    assert on.lanes[: len(off.lanes)] == off.lanes and len(extra) == 3 * 2  # every ordered pair
    assert on.model_copy(update={"lanes": off.lanes}) == off
    leaves = [c.id for c in off.components if not c.bom]
    assert {ln.items for ln in extra} == {extra[0].items} and len(extra[0].items) == len(leaves) // 5
