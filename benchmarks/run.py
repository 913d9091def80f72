"""Benchmark coprod against the Pyomo baseline on generated programmes.

    make bench                 # size S
    make bench SIZE="S M L"    # several sizes; python -m benchmarks.run --size S M --repeat 3

Each measurement runs in a fresh process (its own peak RSS), one after another so they do
not compete for the 2 cores. Per size: coprod's default plan, coprod's exact plan (no
reductions; its objective must equal the baseline's), the baseline, and cold vs warm
re-plans. Medians over --repeat runs. Writes benchmarks/results/latest.json and latest.md,
and docs/performance.png (time and memory against LP size). Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import platform
import resource
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).parent / "results"
DOCS = Path(__file__).parents[1] / "docs"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def job_coprod(size: str, seed: int, exact: bool, fmt: str = "yaml") -> dict[str, Any]:
    """coprod end to end: the default plan, or the exact plan (every period, no reduction:
    the same LP as the baseline's)."""
    from coprod.generate import generate
    from coprod.io import load_programme, write_programme
    from coprod.planning import PlanOptions, plan
    from coprod.report.plan_files import write_plan_folder

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("p.yaml" if fmt == "yaml" else "p")
        write_programme(generate(size, seed), path, fmt)
        started = time.perf_counter()
        programme = load_programme(path)
        load_s = time.perf_counter() - started
        options = PlanOptions(fold_supply=False, resolution="exact") if exact else PlanOptions()
        result = plan(programme, options)
        clock = time.perf_counter()
        write_plan_folder(result, Path(tmp) / "plan")
        write_s = time.perf_counter() - clock
    t = result.timings
    return {
        "load_s": load_s,
        "build_s": t["build_s"],
        "solve_s": t["solve_s"] + t["repair_s"],
        "lp_solve_s": t["solve_s"],
        "repair_s": t["repair_s"],
        "explain_s": t["explain_s"],
        "write_s": write_s,
        "total_s": load_s + t["build_s"] + t["solve_s"] + t["repair_s"] + t["explain_s"] + write_s,
        "peak_rss_mb": _peak_mb(),
        "objective": result.lp_objective,
        "plan_objective": result.objective,
        "method": result.method,
        "lp": result.lp,
        "on_time_rate": result.kpis["on_time_rate"],
        "fill_rate": result.kpis["fill_rate"],
    }


def job_loss(size: str, seed: int) -> dict[str, Any]:
    """The default plan's near-term production and orders, committed into the exact LP and
    re-optimised, against the exact optimum (planning/loss.py)."""
    from coprod.generate import generate
    from coprod.planning.loss import loss_vs_exact

    result = loss_vs_exact(generate(size, seed))
    return {"loss": result.loss, "fine_periods": result.fine_periods}


def job_baseline(size: str, seed: int) -> dict[str, Any]:
    from benchmarks.baseline_pyomo import solve_baseline
    from coprod.generate import generate

    started = time.perf_counter()
    programme = generate(size, seed)
    out = solve_baseline(programme)
    out["total_s"] = time.perf_counter() - started
    out["peak_rss_mb"] = _peak_mb()
    return out


def job_replan(size: str, seed: int) -> dict[str, Any]:
    from coprod.domain.changes import ChangeSet
    from coprod.generate import generate
    from coprod.planning.replan import PlanningSession

    programme = generate(size, seed)
    rng = np.random.default_rng(seed)
    n = len(programme.requirements)
    picked = rng.choice(n, size=max(1, n // 20), replace=False)
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
    live = PlanningSession(programme)
    folded = {programme.supply_offers[k].id for k in live.model.structure.ample.values()}
    offer = next(o for o in programme.supply_offers if o.id not in folded and o.lead_time > 0)
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
    out: dict[str, Any] = {"cold_s": live.plan.timings["total_s"]}
    out["demand_5pct_warm_s"] = live.replan(demand).timings["total_s"]
    out["supplier_delay_warm_s"] = live.replan(delay).timings["total_s"]
    out["warm_s"] = out["demand_5pct_warm_s"]
    out["warm_over_cold"] = out["warm_s"] / out["cold_s"]
    return out


def _run(fn: Any, *args: Any) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        result: dict[str, Any] = pool.submit(fn, *args).result()
        return result


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(runs[-1])
    for key, value in runs[-1].items():
        if isinstance(value, float) and key.endswith(("_s", "_mb")):
            out[key] = statistics.median(r[key] for r in runs)
    return out


def bench(
    size: str, seed: int, repeat: int, baseline: bool, exact_plan: bool = True, fmt: str = "yaml"
) -> dict[str, Any]:
    default = _median([_run(job_coprod, size, seed, False, fmt) for _ in range(repeat)])
    exact = (
        _median([_run(job_coprod, size, seed, True, fmt) for _ in range(repeat)])
        if exact_plan
        else dict(default)
    )
    row: dict[str, Any] = {
        "size": size,
        "seed": seed,
        "repeat": repeat,
        "lp": default.pop("lp"),
        "coprod": default,
        "exact": exact,
    }
    exact_lp = exact.pop("lp")
    row["exact"]["lp"] = exact_lp
    row["loss_vs_exact"] = _run(job_loss, size, seed)["loss"] if exact_plan else None
    if baseline:
        base = _median([_run(job_baseline, size, seed) for _ in range(repeat)])
        row["baseline"] = base
        row["objective_match"] = abs(base["objective"] - exact["objective"]) <= 1e-6 * abs(base["objective"])
        row["speedup_vs_baseline"] = base["total_s"] / default["total_s"]
        row["exact_solve_over_baseline_solve"] = exact["lp_solve_s"] / base["solve_s"]
    else:
        row["baseline"], row["objective_match"] = None, None
    row["replan"] = _median([_run(job_replan, size, seed) for _ in range(repeat)])
    return row


def _num(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| size | LP rows x cols (nnz), default | coprod total s | solve s | peak MB | exact total s | "
        "baseline total s | baseline solve s | speed-up | objective match | loss vs exact | "
        "re-plan cold s | warm s (5 % demand) | warm s (supplier delay) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        c, e, b, lp, rp = r["coprod"], r["exact"], r["baseline"] or {}, r["lp"], r["replan"]
        lines.append(
            f"| {r['size']} | {lp['rows']:,} x {lp['columns']:,} ({lp['nonzeros']:,}) | {c['total_s']:.2f} | "
            f"{c['solve_s']:.2f} | {c['peak_rss_mb']:.0f} | {e['total_s']:.2f} | "
            f"{b.get('total_s', float('nan')):.2f} | {b.get('solve_s', float('nan')):.2f} | "
            f"{r.get('speedup_vs_baseline', float('nan')):.1f}x | {r['objective_match']} | "
            f"{_num(r['loss_vs_exact'], '.1e')} | {rp['cold_s']:.2f} | {rp['demand_5pct_warm_s']:.2f} | "
            f"{rp['supplier_delay_warm_s']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def _plot(rows: list[dict[str, Any]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    cols = [r["lp"]["columns"] for r in rows]
    ax1.loglog(cols, [r["coprod"]["total_s"] for r in rows], "o-", label="coprod (default)")
    ax1.loglog(cols, [r["exact"]["total_s"] for r in rows], "s--", label="coprod (exact)")
    based = [r for r in rows if r["baseline"]]
    if based:
        ax1.loglog(
            [r["lp"]["columns"] for r in based],
            [r["baseline"]["total_s"] for r in based],
            "^:",
            label="Pyomo baseline",
        )
    ax1.set(xlabel="LP columns (default plan)", ylabel="end-to-end seconds", title="Time")
    ax2.loglog(cols, [r["coprod"]["peak_rss_mb"] for r in rows], "o-", label="coprod (default)")
    if based:
        ax2.loglog(
            [r["lp"]["columns"] for r in based],
            [r["baseline"]["peak_rss_mb"] for r in based],
            "^:",
            label="Pyomo baseline",
        )
    ax2.set(xlabel="LP columns (default plan)", ylabel="peak RSS MB", title="Memory")
    for ax in (ax1, ax2):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.suptitle(f"coprod on generated programmes ({platform.machine()}, {mp.cpu_count()} cores)")
    fig.tight_layout()
    fig.savefig(DOCS / "performance.png", dpi=110)


def combine(paths: list[Path]) -> None:
    """Merge result files of separate runs (e.g. S M with the baseline, L without) into latest.*"""
    rows = []
    for path in paths:
        data = json.loads(path.read_text())
        rows += data.get("results", [data])
    (RESULTS / "latest.json").write_text(json.dumps({"results": rows}, indent=2))
    (RESULTS / "latest.md").write_text(_table(rows))
    _plot(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", nargs="+", default=["S"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="skip the Pyomo baseline (slow at L)")
    parser.add_argument("--no-exact", action="store_true", help="skip the exact (unreduced) plan")
    parser.add_argument(
        "--format", choices=("yaml", "csv"), default="yaml", help="programme file format to load"
    )
    parser.add_argument("--out", default="", help="results file stem instead of latest (keeps latest.*)")
    args = parser.parse_args()
    sizes = [x for part in args.size for x in part.split()]
    rows = []
    for size in sizes:
        rows.append(bench(size, args.seed, args.repeat, not args.no_baseline, not args.no_exact, args.format))
        print(_table(rows[-1:]), flush=True)
    RESULTS.mkdir(exist_ok=True)
    machine = {"machine": platform.machine(), "cores": mp.cpu_count(), "python": platform.python_version()}
    payload = {"machine": machine, "results": rows} if len(rows) > 1 else {"machine": machine, **rows[0]}
    stem = "latest" if not args.out else args.out
    (RESULTS / f"{stem}.json").write_text(json.dumps(payload, indent=2))
    (RESULTS / f"{stem}.md").write_text(_table(rows))
    if stem == "latest":
        _plot(rows)


if __name__ == "__main__":
    main()
