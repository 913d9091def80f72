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
import os
import platform
import resource
import statistics
import subprocess
import sys
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


def _cpu_s() -> float:
    """CPU seconds (user + sys) of this process so far: the job's own, imports included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# The bare HiGHS runs: (the mode whose exported LP is solved, HiGHS method)
HIGHS = {
    "highs-default-choose": ("default", "choose"),
    "highs-default-ipm": ("default", "ipm"),
    "highs-exact-choose": ("exact-unfolded", "choose"),
    "highs-exact-ipm": ("exact-unfolded", "ipm"),
}

# What each coprod mode plans. "exact" is what `--resolution exact` does (every period, but
# supply that can never bind still folded: exact in value, a smaller LP); "exact-unfolded" is
# every period and no reduction at all, the same LP as the Pyomo baseline's.
MODES = {
    "default": {},
    # the anytime planner's first plan alone (`coprod plan --first`): no LP solve
    "first": {"first_only": True},
    "exact": {"resolution": "exact"},
    "exact-unfolded": {"resolution": "exact", "fold_supply": False},
}


def job_coprod(size: str, seed: int, mode: str, fmt: str = "yaml", mps: str = "") -> dict[str, Any]:
    """coprod end to end in one fresh process: imports, load, plan, write the plan folder."""
    wall0, cpu0, load = time.perf_counter(), _cpu_s(), os.getloadavg()[0]
    from coprod.generate import generate
    from coprod.io import load_programme, write_programme
    from coprod.planning import PlanOptions, plan
    from coprod.report.plan_files import write_plan_folder

    imports_s, imports_cpu = time.perf_counter() - wall0, _cpu_s() - cpu0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("p.yaml" if fmt == "yaml" else "p")
        write_programme(generate(size, seed), path, fmt)  # not timed: the input file
        started, cpu_started = time.perf_counter(), _cpu_s()
        programme = load_programme(path)
        load_s = time.perf_counter() - started
        export = (Path(mps),) if mps else ()
        result = plan(programme, PlanOptions(export=export, **MODES[mode]))  # type: ignore[arg-type]
        clock = time.perf_counter()
        write_plan_folder(result, Path(tmp) / "plan")
        write_s = time.perf_counter() - clock
        wall = time.perf_counter() - started + imports_s
        cpu = _cpu_s() - cpu_started + imports_cpu
    t = result.timings
    return {
        "mode": mode,
        "load_avg_1m": load,
        "imports_s": imports_s,
        "load_s": load_s,
        "build_s": t.get("build_s", 0.0),
        "solve_s": t.get("solve_s", 0.0) + t.get("repair_s", 0.0),
        "lp_solve_s": t.get("solve_s", 0.0),
        "repair_s": t.get("repair_s", 0.0),
        "explain_s": t.get("explain_s", 0.0),
        "write_s": write_s,
        # end to end: imports, load, plan, write (generating the input file excluded)
        "total_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": _peak_mb(),
        "objective": result.lp_objective,
        "plan_objective": result.objective,
        "method": result.method,
        "lp": result.lp,
        "on_time_rate": result.kpis["on_time_rate"],
        "fill_rate": result.kpis["fill_rate"],
    }


def job_highs(mps: str, method: str = "choose") -> dict[str, Any]:
    """The physical reference: HiGHS alone on the exported LP, read and solved in a fresh
    process (import and read time reported apart from the solve). `choose`: HiGHS's own
    defaults; `ipm`: interior point with crossover, what coprod picks above 20k columns."""
    wall0, cpu0, load = time.perf_counter(), _cpu_s(), os.getloadavg()[0]
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if method != "choose":
        h.setOptionValue("solver", method)
        h.setOptionValue("run_crossover", "on")
    h.readModel(mps)
    read_s = time.perf_counter() - wall0
    solve0, solve_cpu0 = time.perf_counter(), _cpu_s()
    h.run()
    return {
        "load_avg_1m": load,
        "method": method,
        "read_s": read_s,
        "solve_s": time.perf_counter() - solve0,
        "solve_cpu_s": _cpu_s() - solve_cpu0,
        "total_s": time.perf_counter() - wall0,
        "cpu_s": _cpu_s() - cpu0,
        "peak_rss_mb": _peak_mb(),
        "objective": h.getInfo().objective_function_value,
        "status": h.modelStatusToString(h.getModelStatus()),
    }


# (label, numerator job, denominator job, field): each ratio says which LP each side solved
RATIOS = [
    ("baseline_over_default_wall (different LPs: default vs exact)", "baseline", "default", "total_s"),
    ("baseline_over_exact_unfolded_wall (same LP)", "baseline", "exact-unfolded", "total_s"),
    ("baseline_over_exact_unfolded_cpu (same LP)", "baseline", "exact-unfolded", "cpu_s"),
    ("default_cpu_over_bare_highs_exact_cpu (goal <= 0.3)", "default", "highs-exact", "cpu_s"),
    ("exact_unfolded_cpu_over_bare_highs_same_lp_cpu", "exact-unfolded", "highs-exact", "cpu_s"),
    ("default_cpu_over_bare_highs_same_lp_ipm_cpu", "default", "highs-default-ipm", "cpu_s"),
    ("first_plan_cpu_over_default_cpu (goal <= 0.1)", "first", "default", "cpu_s"),
    ("first_plan_wall_over_default_wall (goal <= 0.1)", "first", "default", "total_s"),
]


def job_loss(size: str, seed: int) -> dict[str, Any]:
    """The default plan's near-term production and orders, committed into the exact LP and
    re-optimised, against the exact optimum (planning/loss.py)."""
    from coprod.generate import generate
    from coprod.planning.loss import loss_vs_exact

    result = loss_vs_exact(generate(size, seed))
    return {"loss": result.loss, "fine_periods": result.fine_periods}


def job_baseline(size: str, seed: int) -> dict[str, Any]:
    """The Pyomo baseline end to end in a fresh process: imports, build, solve (the programme is
    generated in memory, not loaded: its load is not in these figures, unlike coprod's)."""
    wall0, cpu0, load = time.perf_counter(), _cpu_s(), os.getloadavg()[0]
    from benchmarks.baseline_pyomo import solve_baseline
    from coprod.generate import generate

    gen0, gen_cpu0 = time.perf_counter(), _cpu_s()
    programme = generate(size, seed)
    gen_s, gen_cpu = time.perf_counter() - gen0, _cpu_s() - gen_cpu0
    out = solve_baseline(programme)
    out["load_avg_1m"] = load
    out["total_s"] = time.perf_counter() - wall0 - gen_s
    out["cpu_s"] = _cpu_s() - cpu0 - gen_cpu
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


def job_export(size: str, seed: int, mode: str, mps: str) -> dict[str, Any]:
    """Write the LP a mode solves as MPS, without solving it (not timed)."""
    from coprod.generate import generate
    from coprod.planning.analyse import analyse
    from coprod.planning.highs import HighsSession
    from coprod.planning.model import build_model
    from coprod.planning.options import PlanOptions
    from coprod.planning.resolution import choose_resolution

    programme = generate(size, seed)
    options = PlanOptions(**MODES[mode])  # type: ignore[arg-type]
    grid = choose_resolution(programme, options.resolution).grid
    model = build_model(analyse(programme, fold_supply=options.fold_supply, grid=grid))
    HighsSession(model.lp, options.solver).export(Path(mps))
    rows, cols = model.lp.shape
    return {"rows": rows, "columns": cols, "nonzeros": model.lp.nnz}


def _run(fn: Any, *args: Any) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        result: dict[str, Any] = pool.submit(fn, *args).result()
        return result


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(runs[-1])
    for key, value in runs[-1].items():
        if isinstance(value, float) and key.endswith(("_s", "_mb", "_1m")):
            out[key] = statistics.median(r[key] for r in runs)
    out["runs"] = len(runs)
    return out


def _ratio(runs_a: list[dict[str, Any]], runs_b: list[dict[str, Any]], key: str) -> float | None:
    """Median of the per-round ratios a/b: each round's pair was measured one after the other."""
    if not runs_a or not runs_b:
        return None
    return statistics.median(a[key] / b[key] for a, b in zip(runs_a, runs_b, strict=False))


def bench(
    size: str, seed: int, repeat: int, baseline: bool, exact_plan: bool = True, fmt: str = "yaml"
) -> dict[str, Any]:
    """One size. Every round runs each measured job once, in turn (default, exact, exact
    unfolded, baseline, bare HiGHS on the default and the unfolded LP), so that ratios come
    from neighbouring runs; a job not run is reported as not measured (None), never copied."""
    modes = ["default"] + (["exact", "exact-unfolded"] if exact_plan else [])
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in [*modes, "first", "baseline", *HIGHS]}
    with tempfile.TemporaryDirectory() as tmp:
        mps = {mode: str(Path(tmp) / f"{mode}.mps") for mode in modes}
        lps = {mode: _run(job_export, size, seed, mode, mps[mode]) for mode in modes}
        for _ in range(repeat):
            runs["first"].append(_run(job_coprod, size, seed, "first", fmt))  # beside the default
            for mode in modes:
                runs[mode].append(_run(job_coprod, size, seed, mode, fmt))
            if baseline and exact_plan:
                runs["baseline"].append(_run(job_baseline, size, seed))
            for key, (mode, method) in HIGHS.items():
                if mode in mps:
                    runs[key].append(_run(job_highs, mps[mode], method))
        # the physical reference for the goal: the faster bare solve of the exact LP, per round
        runs["highs-exact"] = [
            min(pair, key=lambda r: r["cpu_s"])
            for pair in zip(runs["highs-exact-choose"], runs["highs-exact-ipm"], strict=True)
        ]
    med = {k: _median(v) if v else None for k, v in runs.items()}
    default = med["default"]
    assert default is not None
    for mode in modes:
        m = med[mode]
        assert m is not None
        # the bare HiGHS rows are only a reference if the exported LP is the one planned
        m["lp_is_the_exported_lp"] = m["lp"] == lps[mode]
    row: dict[str, Any] = {
        "size": size,
        "seed": seed,
        "repeat": repeat,
        "format": fmt,
        "lp": lps["default"],
        "coprod": default,
        # the first plan of the same programme (the heuristic on the exact grid, no LP solve)
        "first": med.get("first"),
        "exact": med.get("exact"),
        "exact_unfolded": med.get("exact-unfolded"),
        "baseline": med["baseline"],
        **{key.replace("-", "_"): med[key] for key in HIGHS},
        "highs_exact_lp": med.get("highs-exact"),
        # labelled: which LP each side solved
        "ratios": {label: _ratio(runs.get(a, []), runs.get(b, []), field) for label, a, b, field in RATIOS},
    }
    if med["baseline"] is not None and med.get("exact-unfolded") is not None:
        base, unfolded = med["baseline"], med["exact-unfolded"]
        row["objective_match"] = abs(base["objective"] - unfolded["objective"]) <= 1e-6 * abs(
            base["objective"]
        )
    else:
        row["objective_match"] = None
    row["loss_vs_exact"] = _run(job_loss, size, seed)["loss"] if exact_plan else None
    unfolded = med.get("exact-unfolded")
    row["on_time_loss_pt"] = (
        100 * (unfolded["on_time_rate"] - default["on_time_rate"]) if unfolded is not None else None
    )
    row["replan"] = _median([_run(job_replan, size, seed) for _ in range(repeat)])
    return row


def _num(value: float | None, spec: str, suffix: str = "") -> str:
    return "not measured" if value is None else format(value, spec) + suffix


def _get(d: dict[str, Any] | None, key: str) -> float | None:
    return None if d is None else d.get(key)


def _lp(lp: dict[str, Any] | None) -> str:
    return "–" if lp is None else f"{lp['rows']:,} x {lp['columns']:,}"


def _table(rows: list[dict[str, Any]]) -> str:
    """One line per size and job, each saying which LP it solved; wall and CPU side by side."""
    lines = [
        "| size | job | LP solved (rows x cols) | wall s | CPU s | peak MB | load (1 min) | on time |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        jobs = [
            ("coprod first plan (`--first`: the heuristic, no LP solve)", r.get("first")),
            ("coprod default plan (resolution auto, supply folded)", r["coprod"]),
            ("coprod `--resolution exact` (every period, supply folded: exact in value)", r.get("exact")),
            ("coprod exact, unfolded (the baseline's LP)", r.get("exact_unfolded")),
            ("Pyomo baseline (exact unfolded LP)", r.get("baseline")),
            ("bare HiGHS (its defaults), default plan's LP", r.get("highs_default_choose")),
            ("bare HiGHS (ipm + crossover), default plan's LP", r.get("highs_default_ipm")),
            ("bare HiGHS (its defaults), exact unfolded LP", r.get("highs_exact_choose")),
            ("bare HiGHS (ipm + crossover), exact unfolded LP", r.get("highs_exact_ipm")),
        ]
        for name, job in jobs:
            lp = None if job is None else job.get("lp")
            if name.startswith("Pyomo") or name.endswith("exact unfolded LP"):
                lp = (r.get("exact_unfolded") or {}).get("lp")
            if name.endswith("default plan's LP"):
                lp = r["lp"]
            on_time = _get(job, "on_time_rate")
            lines.append(
                f"| {r['size']} | {name} | {_lp(lp)} | {_num(_get(job, 'total_s'), '.2f')} | "
                f"{_num(_get(job, 'cpu_s'), '.2f')} | {_num(_get(job, 'peak_rss_mb'), '.0f')} | "
                f"{_num(_get(job, 'load_avg_1m'), '.1f')} | "
                f"{'–' if on_time is None else format(100 * on_time, '.2f') + ' %'} |"
            )
    lines += ["", "| size | ratio (median of per-round ratios) | value |", "| --- | --- | ---: |"]
    for r in rows:
        for name, value in r["ratios"].items():
            lines.append(f"| {r['size']} | {name} | {_num(value, '.2f', 'x')} |")
        lines.append(
            f"| {r['size']} | aggregated grid's loss vs exact (objective, planning/loss.py) | "
            f"{_num(r['loss_vs_exact'], '.2%')} |"
        )
        lines.append(
            f"| {r['size']} | default's on-time loss vs exact | {_num(r['on_time_loss_pt'], '.2f', ' pt')} |"
        )
        lines.append(
            f"| {r['size']} | objective match (exact unfolded vs baseline) | {r['objective_match']} |"
        )
        rp = r["replan"]
        lines.append(
            f"| {r['size']} | re-plan cold / warm 5 % demand / warm supplier delay, wall s | "
            f"{rp['cold_s']:.2f} / {rp['demand_5pct_warm_s']:.2f} / {rp['supplier_delay_warm_s']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def _series(rows: list[dict[str, Any]], key: str, field: str) -> tuple[list[int], list[float]]:
    """(LP columns of the LP that job solved, figure) for the rows where the job was measured."""
    xs, ys = [], []
    for r in rows:
        job = r.get(key)
        if job is None:
            continue
        # the first plan has no LP of its own: plotted at the default plan's LP size
        lp = r["lp"] if key in ("coprod", "first") else (r.get("exact_unfolded") or {}).get("lp")
        if key == "exact":
            lp = job.get("lp")
        if lp is None:
            continue
        xs.append(lp["columns"])
        ys.append(job[field])
    return xs, ys


PLOTTED = {
    "first": "coprod first plan (at the default LP's size)",
    "coprod": "coprod default plan",
    "exact_unfolded": "coprod exact (unfolded LP)",
    "baseline": "Pyomo baseline (unfolded LP)",
    "highs_exact_lp": "bare HiGHS (unfolded LP)",
}


def _plot(rows: list[dict[str, Any]]) -> None:
    """Wall and CPU against the size of the LP each job solved, and peak memory."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
    for (key, label), marker in zip(PLOTTED.items(), "Dos^v", strict=True):
        for field, style, what in (("total_s", "-", "wall"), ("cpu_s", ":", "CPU")):
            xs, ys = _series(rows, key, field)
            if xs:
                ax1.loglog(xs, ys, marker + style, label=f"{label}, {what}")
        xs, ys = _series(rows, key, "peak_rss_mb")
        if xs and key != "highs_exact_lp":
            ax2.loglog(xs, ys, marker + "-", label=label)
    ax1.set(xlabel="columns of the LP the job solved", ylabel="seconds, end to end", title="Time")
    ax2.set(xlabel="columns of the LP the job solved", ylabel="peak RSS MB", title="Memory")
    for ax in (ax1, ax2):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
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
    parser.add_argument(
        "--no-exact",
        action="store_true",
        help="skip the exact plans and bare exact solve (reported: not measured)",
    )
    parser.add_argument(
        "--format", choices=("yaml", "csv"), default="yaml", help="programme file format to load"
    )
    parser.add_argument("--out", default="", help="results file stem instead of latest (keeps latest.*)")
    parser.add_argument(
        "--combine",
        nargs="+",
        type=Path,
        default=[],
        help="merge these result files (e.g. latest.json of S M and L-labelled.json) into latest.* and plot",
    )
    args = parser.parse_args()
    if args.combine:
        combine(args.combine)
        return
    sizes = [x for part in args.size for x in part.split()]
    import coprod

    # bytecode as an installed package has it: with PYTHONDONTWRITEBYTECODE set, every fresh
    # process would compile coprod's sources again (~0.15 s, most of a first plan's share)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(coprod.__file__).parent)],
        check=True,
        capture_output=True,
    )
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
