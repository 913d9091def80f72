"""The anytime planner's first plan (planning/heuristic.py): tiny programmes worked by hand,
every limit checked on generated programmes of several shapes, the optimum never later than
the first plan, the time limit, and `coprod plan --first`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coprod.generate import generate
from coprod.planning import Plan, PlanOptions, plan
from coprod.planning.options import SolverOptions
from tests.integration.test_cli import EXAMPLE, run
from tests.plan_checks import check_plan
from tests.programmes import (
    delivered_by_period,
    load,
    production_by_period,
    tiny_data,
    tiny_licence,
    tiny_ramp_up,
)


def first(data: dict[str, Any]) -> Plan:
    programme = load(data)
    result = plan(programme, PlanOptions(first_only=True))
    check_plan(programme, result)
    assert (result.state, result.status, result.bound, result.gap) == ("first", "first", None, None)
    return result


def req(result: Plan, rid: str) -> tuple[int, int, int]:
    row = result.requirement(rid)
    return row["on_time"], row["late"], row["unmet"]


def test_scarce_line_goes_to_the_higher_priority_first() -> None:
    # 100 hours a month, 1 hour a unit; 80 + 80 due in January: priority 1 gets its 80,
    # priority 2 the 20 hours left, and its other 60 come in February
    data = tiny_data()
    data["requirements"][0]["quantity"] = 80
    data["requirements"].append({**data["requirements"][0], "id": "R0", "priority": 2})
    result = first(data)
    assert req(result, "R1") == (80, 0, 0)
    assert req(result, "R0") == (20, 60, 0)
    assert delivered_by_period(result, "R0") == {"2026-01-01": 20, "2026-02-01": 60}


def test_builds_ahead_into_earlier_spare_capacity() -> None:
    # 150 due in February on a line of 100 a month: 100 in February, 50 built in January
    data = tiny_data()
    data["requirements"][0].update(quantity=150, due="2026-02-01")
    result = first(data)
    assert req(result, "R1") == (150, 0, 0)
    assert production_by_period(result) == {"2026-01-01": 50, "2026-02-01": 100}


def test_material_lead_time_delays_production() -> None:
    # motors take 2 months: nothing can be built before March; 50 due in January are 2 late
    data = tiny_data()
    data["supply_offers"][0]["lead_time"] = 2
    result = first(data)
    assert req(result, "R1") == (0, 50, 0)
    assert production_by_period(result) == {"2026-03-01": 50}
    assert [(r["order_period"], r["arrival_period"], r["quantity"]) for r in result.purchases] == [
        ("2026-01-01", "2026-03-01", 200)
    ]
    assert result.deliveries[0]["periods_late"] == 2


def test_ramp_up_caps_the_first_months() -> None:
    # pilot 10 a month rising to 100 over 2 months: January 10, February 55
    data = tiny_data()
    data["lines"][0]["ramp_up"] = tiny_ramp_up()
    result = first(data)
    assert req(result, "R1") == (10, 40, 0)
    assert production_by_period(result) == {"2026-01-01": 10, "2026-02-01": 40}


def test_a_licence_cap_holds() -> None:
    data = tiny_data()
    data["sites"].append({"id": "S2", "partner": "MFG", "country": "GB"})
    data["lines"] = [{"id": "L2", "site": "S2", "hours_per_period": 1000}]
    data["routings"] = [{"design": "X", "line": "L2", "hours_per_unit": 1, "cost_per_unit": 10}]
    data["supply_offers"][0]["ship_to"] = "S2"
    data["lanes"][0]["from_site"] = "S2"
    data["licences"] = [tiny_licence(cap_per_period=30, royalty_per_unit=5)]
    result = first(data)
    assert req(result, "R1") == (30, 20, 0)


def _shown(made: Plan | str) -> None:
    """A caller that shows the first plan (the CLI, a plan job): the optimum must not be later."""


GENERATED = [("S", seed, None) for seed in range(1, 6)] + [("S", 7, 104), ("M", 1, None), ("M", 2, 26)]


@pytest.mark.parametrize(("size", "seed", "periods"), GENERATED)
def test_first_plan_keeps_every_limit_and_the_optimum_is_never_later(
    size: str, seed: int, periods: int | None
) -> None:
    programme = generate(size, seed, periods)
    early = plan(programme, PlanOptions(first_only=True))
    check_plan(programme, early)
    assert early.kpis["on_time_rate"] > 0.5  # a heuristic that serves, not one that merely fits
    best = plan(programme, PlanOptions(resolution="exact"), on_first=_shown)
    check_plan(programme, best)
    assert best.state == "optimal" and best.gap is not None and best.gap >= 0
    if best.method != "heuristic":  # the LP's own plan: within rounding of its bound
        assert best.gap < 0.05
    assert best.service_term <= early.service_term * (1 + 1e-9)
    assert best.objective >= best.bound - 1e-6 * abs(best.bound)


def _by_class(programme: Any, result: Plan) -> list[float]:
    """Weighted late unit-periods per priority class, highest first, unmet units counted
    as delivered the period after the horizon (as the LP prices them)."""
    cal, out = programme.calendar, {}
    for row, rq in zip(result.requirements, programme.requirements, strict=True):
        unmet = row["unmet"] * programme.weight_of(rq.priority) * (cal.periods - cal.index_of(rq.due) + 1)
        out[rq.priority] = out.get(rq.priority, 0.0) + row["weighted_late_periods"] + unmet
    return [out[c] for c in sorted(out)]


@pytest.mark.parametrize(("seed", "lanes"), [(2, False), (2, True), (1, False), (4, False)])
def test_strict_priority_is_never_later_than_the_first_plan_class_by_class(seed: int, lanes: bool) -> None:
    """Strict priority rounds the LP class by class; where that leaves a higher class later
    than the first plan did (generated S seed 2: class 2 later, the others equal), the
    first plan is returned: compared class by class, highest first, never worse."""
    from coprod.planning.options import Priority

    programme = generate("S", seed, site_lanes=lanes)
    early = plan(programme, PlanOptions(first_only=True, priority=Priority.STRICT))
    best = plan(programme, PlanOptions(priority=Priority.STRICT), on_first=_shown)
    check_plan(programme, best)
    first_classes, best_classes = _by_class(programme, early), _by_class(programme, best)
    # lexicographic: the highest class where the two differ decides
    differ = [
        (b, f) for b, f in zip(best_classes, first_classes, strict=True) if abs(b - f) > 1e-6 * max(1, f)
    ]
    assert not differ or differ[0][0] < differ[0][1], (best_classes, first_classes)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_service_first_objective_is_never_later_than_the_first_plan(seed: int) -> None:
    from coprod.planning.options import Objective

    programme = generate("S", seed)
    early = plan(programme, PlanOptions(first_only=True))
    best = plan(programme, PlanOptions(objective=Objective.LEXICOGRAPHIC), on_first=_shown)
    check_plan(programme, best)
    assert best.service_term <= early.service_term * (1 + 1e-9)


def test_tight_lines_keep_every_limit() -> None:
    programme = generate("S", 3)
    tight = programme.model_copy(
        update={
            "lines": tuple(
                x.model_copy(update={"hours_per_period": x.hours_per_period / 3}) for x in programme.lines
            )
        }
    )
    early = plan(tight, PlanOptions(first_only=True))
    check_plan(tight, early)
    assert early.kpis["late_units"] + early.kpis["unmet_units"] > 0  # it is tight


def test_time_limit_returns_the_first_plan_with_gap_unknown() -> None:
    programme = generate("M", 1)
    result = plan(programme, PlanOptions(solver=SolverOptions(time_limit=0.001)))
    check_plan(programme, result)
    assert result.state in ("first", "improving")
    assert result.gap is None


def test_cli_first_shows_the_first_plan_and_its_json_keys() -> None:
    text = run("plan", EXAMPLE, "--first")
    assert text.returncode == 0, text.stderr
    assert "first plan (state first)" in text.stderr
    assert "state first, gap unknown" in text.stdout
    done = run("plan", EXAMPLE, "--first", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["state"], data["bound"], data["gap"]) == ("first", None, None)
    full = run("plan", EXAMPLE, "--format", "json")
    assert "first plan (state first)" in full.stderr and "optimising" in full.stderr
    data = json.loads(full.stdout)
    assert data["state"] == "optimal" and data["gap"] is not None and data["bound"] <= data["objective"]


@pytest.mark.parametrize("site_lanes", [False, True])
def test_programmes_with_transfers_get_a_first_plan_without_them(site_lanes: bool) -> None:
    # transfers between sites stay at zero in a first plan: each site works from its own
    # supply; the LP then brings the transfers (and never serves less)
    from coprod.io import load_programme

    programme = generate("S", 2, site_lanes=True) if site_lanes else load_programme(EXAMPLE)
    early = plan(programme, PlanOptions(first_only=True))
    assert early.state == "first"
    assert early.transfers == []
    check_plan(programme, early)
    best = plan(programme, on_first=_shown)
    assert best.service_term <= early.service_term * (1 + 1e-9)
    if not site_lanes:  # the example's licensees get their flight controllers by transfer
        assert best.transfers


@pytest.mark.parametrize(("size", "seed", "periods"), [("M", 1, None), ("S", 7, 160)])
def test_default_plan_on_coarse_buckets_keeps_every_limit(size: str, seed: int, periods: int | None) -> None:
    # the default resolution aggregates the far weeks: its plan must still hold every limit
    # as the LP states it (a bucket's learning factor, shipments leaving mid-bucket)
    programme = generate(size, seed, periods)
    result = plan(programme)
    assert result.resolution["used"] == "aggregated"
    check_plan(programme, result)


# What only the LP, the server, the store or a sweep needs: a first plan alone must load none
# of it (it is most of what the first plan would otherwise wait for at start-up)
NOT_FOR_A_FIRST_PLAN = (
    "highspy",
    "coprod.planning.highs",
    "coprod.planning.repair",
    "coprod.planning.idle",
    "coprod.planning.explain",
    "coprod.api",
    "coprod.storage",
    "fastapi",
    "sqlalchemy",
    "dask",
    "distributed",
    "plotly",
    "yaml",  # PyYAML writes programmes; reading is yaml-rs
    "scipy",  # the first plan reads the LP through planning/sparse.py
    "numpy.ma",  # np.unique looks for masked arrays with it
    "rich.live",  # a spinner, where stderr is a pipe (as here) and would show none
)

PROBE = """
import atexit, json, sys
from coprod.cli import app
record, sys.argv = sys.argv[1], ["coprod", *sys.argv[2:]]
def _modules() -> None:
    with open(record, "w") as fh:
        json.dump(sorted(sys.modules), fh)
atexit.register(_modules)
app()
"""


def _loaded(tmp_path: Path, *args: str) -> tuple[set[str], dict[str, Any]]:
    """The modules a `coprod` process had loaded when it ended, and its JSON plan."""
    record = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(record), *args, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(record.read_text())), json.loads(done.stdout)


def test_a_first_plan_alone_does_not_import_the_lp_side(tmp_path: Path) -> None:
    modules, data = _loaded(tmp_path, "plan", str(EXAMPLE), "--first")
    assert data["state"] == "first" and data["requirements"]
    assert [m for m in NOT_FOR_A_FIRST_PLAN if m in modules] == []
    # the probe sees them where they are used: the default plan solves the LP with HiGHS
    modules, data = _loaded(tmp_path, "plan", str(EXAMPLE))
    assert data["state"] == "optimal"
    assert {"highspy", "coprod.planning.highs", "coprod.planning.repair"} <= modules


THREADS = (
    "import os, coprod.cli, numpy, scipy.sparse; "
    "print(os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')))"
)
LINUX_2_CORES = Path("/proc/self/task").is_dir() and (os.cpu_count() or 1) >= 2


def _threads(env: dict[str, str]) -> list[str]:
    """OPENBLAS_NUM_THREADS and the threads of a process that loaded the CLI, then numpy."""
    run = [sys.executable, "-c", THREADS]
    return subprocess.run(run, capture_output=True, text=True, env=env, check=True).stdout.split()


@pytest.mark.skipif(not LINUX_2_CORES, reason="counts threads in /proc; one core has one BLAS thread anyway")
def test_the_cli_loads_numpy_with_one_blas_thread_unless_told() -> None:
    # OpenBLAS's thread pool spun up at start-up cost a first plan a fifth of its CPU
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert _threads(env) == ["1", "1"]  # the main thread alone
    told = _threads({**env, "OPENBLAS_NUM_THREADS": "2"})
    assert told[0] == "2" and int(told[1]) > 1


OLD = """
import gc
from coprod.cli.common import collector_paused
gc.collect()  # every generation's count at zero: no older pass follows the young one
with collector_paused():
    rows = [{"quantity": i} for i in range(100_000)]
print(any(o is rows for o in gc.get_objects(generation=2)))
"""


def test_what_was_made_meanwhile_counts_as_old() -> None:
    # re-enabled with 100k young objects pending, the first allocation would scan them all
    # (a young-generation pass); moved to the oldest generation, they are not. In a fresh
    # process: one that froze objects of its own (a suite's worker tests) is left alone.
    done = subprocess.run([sys.executable, "-c", OLD], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_first_alone_never_solves_the_lp_and_says_why_there_is_no_first_plan() -> None:
    """The heuristic only checks lane capacities: a first plan that would overrun one is no
    plan. `--first` promises no LP solve, so it says why instead of solving it."""
    from coprod.errors import InputError

    data = tiny_data()
    for lane in data["lanes"]:
        lane["capacity_per_period"] = 1
    programme = load(data)
    with pytest.raises(InputError, match=r"no first plan: the first plan broke lane_capacity\[K1@"):
        plan(programme, PlanOptions(first_only=True))
    full = plan(programme)  # the LP plans it, within the lane's capacity
    check_plan(programme, full)
    assert full.state == "optimal"
