"""The default resolution against the exact plan, over programmes nobody here tuned to.

    python -m benchmarks.corpus                       # 150 corpus seeds + long generated ones
    python -m benchmarks.corpus --seeds 40 --no-long  # quicker

Per programme: the default plan (`auto`), the plain aggregated grid (`aggregated`, the old
default's buckets, to show what the guard saves), and the exact plan. Service loss is the
exact plan's on-time rate minus the other's, in percentage points (positive: the other
delivers less on time); cost loss is (cost - exact cost) / exact cost. Shapes come from
coprod.corpus (seeds 0..N-1, weekly 12-260 and monthly 6-60 periods, 60-140 % utilisation,
lead times up to a third of the horizon, single tight lines); "long" programmes are generated
S over 104-260 weeks, above the exact-LP budget, so the default aggregates them. Writes
benchmarks/results/corpus.json. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from coprod.corpus import corpus_programme, shape
from coprod.domain import Programme
from coprod.generate import generate
from coprod.planning import Plan, PlanOptions, plan

RESULTS = Path(__file__).parent / "results"
MODES = ("auto", "aggregated", "exact")


def _run(p: Programme, resolution: str) -> tuple[Plan, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = plan(p, PlanOptions(resolution=resolution))
    return result, time.perf_counter() - wall, time.process_time() - cpu


def measure(name: str, p: Programme, info: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"programme": name, **info}
    plans = {}
    for mode in MODES:
        result, wall, cpu = _run(p, mode)
        plans[mode] = result
        row[mode] = {
            "on_time_rate": result.kpis["on_time_rate"],
            "cost": result.costs["total"],
            "weighted_late_periods": result.kpis["weighted_late_periods"],
            "wall_s": wall,
            "cpu_s": cpu,
            "resolution": result.resolution,
        }
    exact = plans["exact"]
    for mode in ("auto", "aggregated"):
        row[mode]["service_loss_pp"] = 100 * (exact.kpis["on_time_rate"] - plans[mode].kpis["on_time_rate"])
        row[mode]["cost_loss"] = (plans[mode].costs["total"] - exact.costs["total"]) / max(
            1.0, exact.costs["total"]
        )
        row[mode]["holds"] = abs(row[mode]["service_loss_pp"]) <= 0.5 and row[mode]["cost_loss"] <= 0.01
    return row


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"programmes": len(rows)}
    for mode in ("auto", "aggregated"):
        service = [r[mode]["service_loss_pp"] for r in rows]
        cost = [r[mode]["cost_loss"] for r in rows]
        out[mode] = {
            "service_loss_pp": {
                "max": max(service),
                "median": statistics.median(service),
                "max_abs": max(abs(x) for x in service),
            },
            "cost_loss": {"max": max(cost), "median": statistics.median(cost)},
            "guarantee_holds": sum(r[mode]["holds"] for r in rows),
            "refined": sum(r[mode]["resolution"]["refinements"] > 0 for r in rows),
            "planned_exactly": sum(r[mode]["resolution"]["used"] == "exact" for r in rows),
            "median_wall_s": statistics.median(r[mode]["wall_s"] for r in rows),
        }
    out["exact"] = {"median_wall_s": statistics.median(r["exact"]["wall_s"] for r in rows)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=150)
    ap.add_argument("--no-long", action="store_true", help="skip the long generated programmes")
    ap.add_argument("--out", type=Path, default=RESULTS / "corpus.json")
    args = ap.parse_args()
    load_start = os.getloadavg()
    rows = []
    for seed in range(args.seeds):
        rows.append(measure(f"corpus {seed}", corpus_programme(seed), {"shape": shape(seed).as_dict()}))
        print(json.dumps({k: rows[-1][k] for k in ("programme",)} | {"auto": rows[-1]["auto"]["holds"]}))
    long_rows = []
    if not args.no_long:
        for periods in (104, 156, 208, 260):
            for seed in (0, 1):
                p = generate("S", seed, periods=periods)
                long_rows.append(measure(f"generated S seed {seed}, {periods} weeks", p, {"weeks": periods}))
                print(json.dumps({"programme": long_rows[-1]["programme"], "auto": long_rows[-1]["auto"]}))
    report = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_start": load_start,
            "load_end": os.getloadavg(),
        },
        "corpus": summary(rows),
        "long": summary(long_rows) if long_rows else None,
        "rows": rows + long_rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, default=str))
    print(json.dumps({"corpus": report["corpus"], "long": report["long"]}, indent=1))


if __name__ == "__main__":
    main()
