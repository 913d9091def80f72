"""The plan command pauses the cyclic garbage collector while it plans (cli/common.py) and
gives the caller its own setting back, also when planning fails."""

from __future__ import annotations

import gc

import pytest

from coprod.cli.common import collector_paused


def test_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the plan failed")
    assert gc.isenabled()


def test_a_caller_that_had_it_off_keeps_it_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_was_made_meanwhile_counts_as_old() -> None:
    # re-enabled with 100k young objects pending, the first allocation would scan them all
    # (a young-generation pass); moved to the oldest generation, they are not
    gc.collect()  # every generation's count at zero: no older pass follows the young one
    with collector_paused():
        rows = [{"quantity": i} for i in range(100_000)]
    assert any(o is rows for o in gc.get_objects(generation=2))


def test_objects_the_process_froze_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
