"""The anytime planner's first plan against today's default plan, and its service.

    python -m benchmarks.first_plan [--rounds 3] [--skip-service]

Speed: generated M seed 1 written once as YAML; `coprod plan FILE --first --format json` (A)
and `coprod plan FILE --format json` (B) run as fresh processes, taken in turn (A B A B ...),
each timed end to end (process start, imports, load, plan, JSON written): wall, and CPU
seconds (user + sys of the child, from getrusage), with the load average before each run.
Medians per mode and the ratio of each pair (A / B, taken next to each other).

Service: in one process, the first plan and the default plan on the bundled example and
generated S and M seeds: on-time rate, weighted lateness (priority-weighted unit-periods
late), unmet units, and the service term (lateness and unmet, as the LP prices it).

Writes benchmarks/results/first_plan.json and .md. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
EXAMPLE = Path(__file__).parents[1] / "examples" / "uk-ua-interceptors.yaml"
COPROD = str(Path(sys.executable).parent / "coprod")
SRC = Path(__file__).parents[1] / "src"


def timed(args: list[str]) -> dict[str, float]:
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    plan = json.loads(done.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "load_1m": round(load, 2),
        "state": plan["state"],
        "on_time_rate": round(plan["kpis"]["on_time_rate"], 4),
        "weighted_late_periods": plan["kpis"]["weighted_late_periods"],
    }


def speed(rounds: int, folder: Path) -> dict[str, Any]:
    from coprod.generate import generate
    from coprod.io import write_programme

    path = folder / "m1.yaml"
    write_programme(generate("M", 1), path, "yaml")
    # bytecode as an installed package has it: with PYTHONDONTWRITEBYTECODE set (CI, some
    # shells) every run would compile coprod's changed sources again (~0.15 s a process)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(SRC)], check=True, capture_output=True)
    first_cmd = [COPROD, "plan", str(path), "--first", "--format", "json"]
    default_cmd = [COPROD, "plan", str(path), "--format", "json"]
    runs: list[dict[str, Any]] = []
    for _ in range(rounds):
        a, b = timed(first_cmd), timed(default_cmd)
        runs.append(
            {
                "first": a,
                "default": b,
                "ratio_cpu": round(a["cpu_s"] / b["cpu_s"], 3),
                "ratio_wall": round(a["wall_s"] / b["wall_s"], 3),
            }
        )
    med = {
        mode: {k: statistics.median(r[mode][k] for r in runs) for k in ("wall_s", "cpu_s")}
        for mode in ("first", "default")
    }
    return {
        "instance": "generated M seed 1 (YAML)",
        "commands": {
            "first": "coprod plan FILE --first --format json",
            "default": "coprod plan FILE --format json",
        },
        "runs": runs,
        "median": med,
        "median_ratio_cpu": statistics.median(r["ratio_cpu"] for r in runs),
        "median_ratio_wall": statistics.median(r["ratio_wall"] for r in runs),
        "goal": "first plan <= 0.1x the default plan",
    }


def service() -> list[dict[str, Any]]:
    from coprod.generate import generate
    from coprod.io import load_programme
    from coprod.planning import PlanOptions, plan

    cases = [("example", load_programme(EXAMPLE))]
    cases += [(f"S seed {k}", generate("S", k)) for k in (1, 2, 3)]
    cases += [(f"M seed {k}", generate("M", k)) for k in (1, 2)]
    cases += [("S seed 7, 104 weeks", generate("S", 7, 104))]
    out = []
    for name, programme in cases:
        row: dict[str, Any] = {"instance": name}
        for mode, options in (("first", PlanOptions(first_only=True)), ("default", PlanOptions())):
            p = plan(programme, options)
            row[mode] = {
                "state": p.state,
                "method": p.method,
                "on_time_rate": round(p.kpis["on_time_rate"], 4),
                "weighted_late_periods": p.kpis["weighted_late_periods"],
                "unmet_units": p.kpis["unmet_units"],
                "service_term_W": round(p.service_term / p.unit_weight, 1),
                "objective": round(p.objective, 2),
                "gap": p.gap,
            }
        out.append(row)
    return out


def markdown(result: dict[str, Any]) -> str:
    s = result.get("speed")
    lines = ["# First plan (anytime planner) against the default plan", ""]
    if s:
        lines += [
            f"{s['instance']}, fresh processes in turn (A B A B), end to end. CPU = user + sys.",
            "",
            "| round | first wall s | first CPU s | default wall s | default CPU s | CPU ratio | wall ratio "
            "| load |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for i, r in enumerate(s["runs"], 1):
            a, b = r["first"], r["default"]
            lines.append(
                f"| {i} | {a['wall_s']} | {a['cpu_s']} | {b['wall_s']} | {b['cpu_s']} | {r['ratio_cpu']} | "
                f"{r['ratio_wall']} | {a['load_1m']} / {b['load_1m']} |"
            )
        m = s["median"]
        lines += [
            "",
            f"Medians: first {m['first']['wall_s']} s wall / {m['first']['cpu_s']} s CPU; default "
            f"{m['default']['wall_s']} s wall / {m['default']['cpu_s']} s CPU; paired ratio CPU "
            f"{s['median_ratio_cpu']}, wall {s['median_ratio_wall']} (goal {s['goal']}).",
            "",
        ]
    if result.get("service"):
        lines += [
            "## Service: first plan against the default plan",
            "",
            "| instance | first on time | default on time | first weighted late | default weighted late | "
            "first unmet | default unmet | first service (W) | default service (W) | default state, gap |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in result["service"]:
            a, b = r["first"], r["default"]
            gap = "unknown" if b["gap"] is None else f"{b['gap']:.2%}"
            lines.append(
                f"| {r['instance']} | {a['on_time_rate']:.1%} | {b['on_time_rate']:.1%} | "
                f"{a['weighted_late_periods']:,.0f} | {b['weighted_late_periods']:,.0f} | "
                f"{a['unmet_units']:,} | {b['unmet_units']:,} | "
                f"{a['service_term_W']:,.0f} | {b['service_term_W']:,.0f} | "
                f"{b['state']} ({b['method']}), {gap} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--skip-service", action="store_true")
    args = ap.parse_args()
    result: dict[str, Any] = {"machine_cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        result["speed"] = speed(args.rounds, Path(tmp))
    if not args.skip_service:
        result["service"] = service()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "first_plan.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "first_plan.md").write_text(markdown(result), encoding="utf-8")
    sys.stdout.write(markdown(result))


if __name__ == "__main__":
    main()
