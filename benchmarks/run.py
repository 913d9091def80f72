"""Benchmark coprod on generated programmes: load, build, solve, explain, write; warm re-plans.

    make bench SIZE=M      # or: python -m benchmarks.run --size S M

Writes benchmarks/results/latest.json and latest.md. Not part of the test run. The Pyomo
baseline of issue 3 is not written yet: `baseline` is null and `objective_match` is null.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from coprod.domain.changes import ChangeSet
from coprod.generate import generate
from coprod.io import load_programme, write_programme
from coprod.io.plan_files import write_plan_folder
from coprod.planning import plan
from coprod.planning.replan import PlanningSession

RESULTS = Path(__file__).parent / "results"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(size: str, seed: int) -> dict[str, Any]:
    programme = generate(size, seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.yaml"
        write_programme(programme, path, "yaml")
        started = time.perf_counter()
        programme = load_programme(path)
        load_s = time.perf_counter() - started
        result = plan(programme)
        clock = time.perf_counter()
        write_plan_folder(result, Path(tmp) / "plan")
        write_s = time.perf_counter() - clock
    t = result.timings
    total = load_s + t["build_s"] + t["solve_s"] + t["repair_s"] + t["explain_s"] + write_s
    rng = np.random.default_rng(seed)
    picked = rng.choice(
        len(programme.requirements), size=max(1, len(programme.requirements) // 20), replace=False
    )
    demand = ChangeSet.model_validate(
        {
            "changes": [
                {
                    "type": "requirement_quantity",
                    "requirement": programme.requirements[i].id,
                    "quantity": int(programme.requirements[i].quantity * 1.2) + 1,
                }
                for i in picked
            ]
        }
    )
    offer = programme.supply_offers[0]
    delay = ChangeSet.model_validate(
        {
            "changes": [
                {
                    "type": "supplier_delay",
                    "offer": offer.id,
                    "until": programme.calendar.label(programme.calendar.periods // 3),
                }
            ]
        }
    )
    replan = {}
    for name, changes in (("demand_5pct", demand), ("supplier_delay", delay)):
        live = PlanningSession(programme)
        cold_s = live.plan.timings["total_s"]
        warm = live.replan(changes)
        replan[name] = {
            "cold_s": cold_s,
            "warm_s": warm.timings["total_s"],
            "ratio": warm.timings["total_s"] / cold_s,
        }
    return {
        "size": size,
        "seed": seed,
        "lp": result.lp,
        "coprod": {
            "load_s": load_s,
            "build_s": t["build_s"],
            "solve_s": t["solve_s"],
            "repair_s": t["repair_s"],
            "explain_s": t["explain_s"],
            "write_s": write_s,
            "total_s": total,
            "peak_rss_mb": _rss_mb(),
            "objective": result.lp_objective,
            "method": result.method,
            "on_time_rate": result.kpis["on_time_rate"],
            "fill_rate": result.kpis["fill_rate"],
        },
        "baseline": None,
        "objective_match": None,
        "replan": {
            "cold_s": replan["demand_5pct"]["cold_s"],
            "warm_s": replan["demand_5pct"]["warm_s"],
            **replan,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", nargs="+", default=["S"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = [bench(size, args.seed) for size in args.size]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(rows if len(rows) > 1 else rows[0], indent=2))
    lines = [
        "| size | rows x cols (nnz) | build s | solve s | total s | peak RSS MB | replan cold s | warm s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        c, lp = r["coprod"], r["lp"]
        lines.append(
            f"| {r['size']} | {lp['rows']:,} x {lp['columns']:,} ({lp['nonzeros']:,}) | {c['build_s']:.2f} | "
            f"{c['solve_s']:.2f} | {c['total_s']:.2f} | {c['peak_rss_mb']:.0f} | "
            f"{r['replan']['cold_s']:.2f} | {r['replan']['warm_s']:.2f} |"
        )
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
