"""Order promising on generated programmes: how long a quote takes once the plan exists.

    .venv/bin/python -m benchmarks.promise --size M --seed 1

Plans the generated programme (the stored plan a quote reads), then quotes 500 more of the
first requirement's item at its destination, due in the middle of the horizon: the quote
alone (one solve) and with every alternative. Wall and CPU seconds, the load average, and
the quote's own build/solve split. Writes benchmarks/results/promise.json. The quote here
runs in process (no database): the use case adds the stored plan's load (see load_s in a
CLI --format json answer).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


def _timed(fn: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quantity", type=int, default=500)
    args = parser.parse_args()
    from coprod.generate import generate
    from coprod.planning import plan
    from coprod.planning.promise import PromiseRequest, quote

    p = generate(args.size, args.seed)
    base, plan_wall, plan_cpu = _timed(lambda: plan(p))
    r0 = p.requirements[0]
    due = p.calendar.starts[p.calendar.periods // 2]
    req = PromiseRequest(item=r0.item, quantity=args.quantity, destination=r0.destination, due=due)
    load_before = os.getloadavg()
    alone, q_wall, q_cpu = _timed(lambda: quote(p, base, req, alternatives=False))
    full, a_wall, a_cpu = _timed(lambda: quote(p, base, req))
    for q in (alone, full):
        q.pop("_plan")
    out = {
        "size": args.size,
        "seed": args.seed,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "plan": {"wall_s": plan_wall, "cpu_s": plan_cpu, "lp": base.lp},
        "request": {
            "item": req.item,
            "quantity": req.quantity,
            "destination": req.destination,
            "due": str(due),
        },
        "quote_alone": {"wall_s": q_wall, "cpu_s": q_cpu, "timings": alone["timings"]},
        "quote_with_alternatives": {
            "wall_s": a_wall,
            "cpu_s": a_cpu,
            "timings": full["timings"],
            "variants": len(full["alternatives"]["variants"]),
        },
        "answer": {
            "on_time": alone["quote"]["on_time"],
            "full_by": alone["quote"]["full_by"],
            "unmet": alone["quote"]["unmet"],
            "kept_on_time_units": alone["kept"]["on_time_units"],
            "dropped": alone["kept"]["dropped"],
        },
        "goal_s": 1.0,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "promise.json").write_text(json.dumps(out, indent=2, default=str) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
