"""Plan time with lanes between sites on against off, on the same generated programme.

    .venv/bin/python -m benchmarks.transfers --size M --seed 0 --rounds 3

`generate(size, seed, site_lanes=True)` adds a lane between every ordered pair of sites
carrying a fifth of the purchased components (issue 11); everything else is the programme
`site_lanes=False` gives. Each round plans both, in turn (off then on, the order swapped every
round so neither always runs on a warmer machine), with the default options (what
`coprod plan` runs). Per run: wall and CPU seconds (user + sys of this process, HiGHS's
threads included), the load average before and after, the LP's size, the plan's service and
cost. Writes benchmarks/results/transfers.json and .md. Generating the programme is not timed.
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

RESULTS = Path(__file__).parent / "results"


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _run(size: str, seed: int, on: bool) -> dict[str, Any]:
    from coprod.generate import generate
    from coprod.planning import plan

    p = generate(size, seed, site_lanes=on)
    load_before = os.getloadavg()
    wall, cpu = time.perf_counter(), _cpu()
    result = plan(p)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    return {
        "site_lanes": on,
        "lanes": len(p.lanes),
        "wall_s": wall,
        "cpu_s": cpu,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "lp": result.lp,
        "timings": result.timings,
        "resolution": result.resolution.get("used"),
        "transfers": len(result.transfers),
        "units_transferred": sum(t["quantity"] for t in result.transfers),
        "on_time_rate": result.kpis["on_time_rate"],
        "fill_rate": result.kpis["fill_rate"],
        "cost_total": result.costs["total"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds = []
    for k in range(args.rounds):
        order = (False, True) if k % 2 == 0 else (True, False)
        runs = {("on" if on else "off"): _run(args.size, args.seed, on) for on in order}
        runs["order"] = ["on" if on else "off" for on in order]  # type: ignore[assignment]
        rounds.append(runs)
        print(
            f"round {k + 1}: off {runs['off']['wall_s']:.2f} s wall / {runs['off']['cpu_s']:.2f} s CPU, "
            f"on {runs['on']['wall_s']:.2f} s wall / {runs['on']['cpu_s']:.2f} s CPU",
            flush=True,
        )
    summary = {
        mode: {
            "median_wall_s": statistics.median(r[mode]["wall_s"] for r in rounds),
            "median_cpu_s": statistics.median(r[mode]["cpu_s"] for r in rounds),
        }
        for mode in ("off", "on")
    }
    ratio = {
        "wall_on_over_off": summary["on"]["median_wall_s"] / summary["off"]["median_wall_s"],
        "cpu_on_over_off": summary["on"]["median_cpu_s"] / summary["off"]["median_cpu_s"],
    }
    out = {
        "size": args.size,
        "seed": args.seed,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "what": "coprod plan (default options) of generate(size, seed) with and without site_lanes",
        "rounds": rounds,
        "summary": summary,
        "ratio": ratio,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "transfers.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "transfers.md").write_text(_markdown(out), encoding="utf-8")
    print(_markdown(out))


def _markdown(out: dict[str, Any]) -> str:
    lines = [
        f"# Plan with lanes between sites on against off: generated {out['size']}, seed {out['seed']}",
        "",
        "`python -m benchmarks.transfers`; each round plans both in turn (the order swaps every",
        f"round); {out['machine']['cpus']} CPUs, Python {out['machine']['python']}. CPU = user + sys.",
        "",
        "| round | site lanes | lanes | LP rows x cols | wall s | CPU s | load before | transfers "
        "| on time | cost |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for k, r in enumerate(out["rounds"], 1):
        for mode in r["order"]:
            x = r[mode]
            lines.append(
                f"| {k} | {mode} | {x['lanes']} | {x['lp']['rows']:,} x {x['lp']['columns']:,} "
                f"| {x['wall_s']:.2f} | {x['cpu_s']:.2f} | {x['load_average_before'][0]:.2f} "
                f"| {x['transfers']:,} ({x['units_transferred']:,} units) | {x['on_time_rate']:.1%} "
                f"| {x['cost_total']:,.0f} |"
            )
    s, q = out["summary"], out["ratio"]
    lines += [
        "",
        f"Median: off {s['off']['median_wall_s']:.2f} s wall / {s['off']['median_cpu_s']:.2f} s CPU; "
        f"on {s['on']['median_wall_s']:.2f} s wall / {s['on']['median_cpu_s']:.2f} s CPU; "
        f"on / off = {q['wall_on_over_off']:.2f} (wall), {q['cpu_on_over_off']:.2f} (CPU).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
