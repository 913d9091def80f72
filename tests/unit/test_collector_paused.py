"""The plan command pauses the cyclic garbage collector while it plans (cli/common.py) and
gives the caller its own setting back, also when planning fails (what it made counts as
old afterwards: tests/integration/test_first_plan.py, in a fresh process)."""

from __future__ import annotations

import gc
import subprocess
import sys

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


def test_objects_the_process_froze_stay_frozen() -> None:
    # in a fresh interpreter: in the test process other threads (servers, workers of other
    # tests) free frozen objects at any time, and the count moves under the test
    code = (
        "import gc\n"
        "from coprod.cli.common import collector_paused\n"
        "gc.freeze()\n"
        "frozen = gc.get_freeze_count()\n"
        "with collector_paused():\n"
        "    pass\n"
        "print(frozen > 0, gc.get_freeze_count() == frozen)\n"
    )
    run = [sys.executable, "-c", code]
    done = subprocess.run(run, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"], done.stdout
