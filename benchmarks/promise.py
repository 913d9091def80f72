"""Order promising on generated programmes: how long a quote takes once the plan exists.

    .venv/bin/python -m benchmarks.promise --size M --seed 1 --repeat 3

Two measurements, each side by side and taken in turn (A B A B):

- in process, the same stored plan: a quote warm from the plan's solver state (its basis,
  planning/warm_state.py) against the same quote cold (the plan's state removed), the quote
  alone and with every alternative;
- end to end, what a user waits for: `coprod promise --format json` as a fresh process on
  an SQLite database holding the programme and its plan (`coprod import`, `coprod plan
  --programme`): interpreter start, imports, loading the programme and the stored plan, the
  quote, the answer. With and without the alternatives.

The request: 500 more of the first requirement's item at its destination, due in the middle
of the horizon. Wall and CPU seconds (user + sys), the load average, medians over rounds,
and the warm/cold ratio per round. Writes benchmarks/results/promise.json and .md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
COPROD = [sys.executable, "-m", "coprod"]


def _timed(fn: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _process(args: list[str], env: dict[str, str]) -> tuple[dict[str, Any], float, float]:
    """Run a coprod command, return its JSON answer, wall and CPU seconds."""
    cpu0, wall0 = _children_cpu(), time.perf_counter()
    done = subprocess.run([*COPROD, *args], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout), time.perf_counter() - wall0, _children_cpu() - cpu0


def _median(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in rows) for k in rows[0]}


def in_process(p: Any, base: Any, req: Any, repeat: int) -> dict[str, Any]:
    from coprod.planning.promise import quote

    cold_base = dataclasses.replace(base, solver_state={})
    out: dict[str, Any] = {}
    for alternatives in (False, True):
        name = "with_alternatives" if alternatives else "alone"
        rounds: dict[str, list[dict[str, float]]] = {"warm": [], "cold": []}
        answers = {}
        for _ in range(repeat):
            for mode, b in (("warm", base), ("cold", cold_base)):
                q, wall, cpu = _timed(lambda b=b, a=alternatives: quote(p, b, req, alternatives=a))
                q.pop("_plan")
                rounds[mode].append({"wall_s": wall, "cpu_s": cpu, "load_1m": os.getloadavg()[0]})
                answers[mode] = (q["start"], q["quote"]["schedule"], q["quote"]["unmet"])
        ratios = [c["cpu_s"] / w["cpu_s"] for w, c in zip(rounds["warm"], rounds["cold"], strict=True)]
        out[name] = {
            "warm": _median(rounds["warm"]),
            "cold": _median(rounds["cold"]),
            "cold_over_warm_cpu (median of per-round ratios)": statistics.median(ratios),
            "warm_start": answers["warm"][0],
            "cold_start": answers["cold"][0],
            "same_schedule": answers["warm"][1:] == answers["cold"][1:],
        }
    return out


def end_to_end(size: str, seed: int, req: Any, repeat: int) -> dict[str, Any]:
    import coprod

    # bytecode as an installed package has it: with PYTHONDONTWRITEBYTECODE set (CI, some
    # shells) every process would compile coprod's sources again (benchmarks/first_plan.py)
    src = Path(coprod.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True, capture_output=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "COPROD_DATABASE_URL": f"sqlite:///{tmp}/promise.db"}
        source = f"{tmp}/programme.yaml"
        make = [*COPROD, "generate", source, "--size", size, "--seed", str(seed)]
        subprocess.run(make, env=env, check=True, capture_output=True)
        done = subprocess.run(
            [*COPROD, "import", source], env=env, check=True, capture_output=True, text=True
        )
        name = re.search(r"as '([^']+)'", done.stdout + done.stderr).group(1)  # type: ignore[union-attr]
        subprocess.run([*COPROD, "plan", "--programme", name], env=env, check=True, capture_output=True)
        ask = [
            "promise",
            "--programme",
            name,
            "--item",
            req.item,
            "--quantity",
            str(req.quantity),
            "--destination",
            req.destination,
            "--due",
            str(req.due),
            "--format",
            "json",
        ]
        rows: dict[str, list[dict[str, float]]] = {"alone": [], "with_alternatives": []}
        starts = {}
        for _ in range(repeat):
            for mode, extra in (("alone", ["--no-alternatives"]), ("with_alternatives", [])):
                answer, wall, cpu = _process([*ask, *extra], env)
                rows[mode].append(
                    {
                        "wall_s": wall,
                        "cpu_s": cpu,
                        "quote_total_s": answer["timings"]["total_s"],
                        "load_1m": os.getloadavg()[0],
                    }
                )
                starts[mode] = answer["start"]
        return {mode: {**_median(r), "start": starts[mode]} for mode, r in rows.items()}


def through_api(req: Any, repeat: int) -> dict[str, Any]:
    """`POST /programmes/m/promise` on a running `coprod serve` (SQLite) holding generated M
    seed 1 and its plan: what the dashboard's form waits for. The first quote after start
    reads and validates the programme (then cached, as in service); the next ones are timed.
    Client wall per request and the server's CPU (psutil) over the request."""
    from benchmarks.load import (
        NAME,
        call,
        cpu_delta,
        cpu_snapshot,
        database,
        login,
        prepare,
        server,
        wait_plan,
    )

    body = {
        "item": req.item,
        "quantity": req.quantity,
        "destination": req.destination,
        "due": str(req.due),
    }
    rows: dict[str, list[dict[str, float]]] = {"alone": [], "with_alternatives": []}
    starts: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp, database("sqlite", Path(tmp)) as (url, dbname):
        prepare(url, Path(tmp))
        with server(url, {}) as (base, proc):
            token = login(base)["office"]
            number = call(base, "POST", f"/programmes/{NAME}/plans", token)["number"]
            if wait_plan(base, token, number) != "done":
                raise SystemExit("the plan failed")
            call(base, "POST", f"/programmes/{NAME}/promise", token, {**body, "alternatives": False})
            for _ in range(repeat):
                for mode, alternatives in (("alone", False), ("with_alternatives", True)):
                    before = cpu_snapshot(proc, dbname)
                    wall0 = time.perf_counter()
                    answer = call(
                        base,
                        "POST",
                        f"/programmes/{NAME}/promise",
                        token,
                        {**body, "alternatives": alternatives},
                    )
                    wall = time.perf_counter() - wall0
                    cpu = sum(cpu_delta(before, cpu_snapshot(proc, dbname)).values())
                    rows[mode].append({"wall_s": wall, "cpu_s": cpu, "load_1m": os.getloadavg()[0]})
                    starts[mode] = answer["start"]
    return {mode: {**_median(r), "start": starts[mode]} for mode, r in rows.items()}


def markdown(out: dict[str, Any]) -> str:
    lines = [
        f"Order promising, generated {out['size']} seed {out['seed']} "
        f"({out['plan']['lp']['rows']:,} x {out['plan']['lp']['columns']:,} LP), medians of "
        f"{out['repeat']} rounds taken in turn; load average before {out['load_average_before'][0]:.2f}.",
        "",
        "| measurement | wall s | CPU s | load (1 min) | start |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, r in out["in_process"].items():
        for mode in ("warm", "cold"):
            m = r[mode]
            start = r[f"{mode}_start"]
            lines.append(
                f"| in process, quote {name.replace('_', ' ')}, {mode} | {m['wall_s']:.2f} | "
                f"{m['cpu_s']:.2f} | {m['load_1m']:.2f} | {start} |"
            )
    for name, m in out["end_to_end"].items():
        lines.append(
            f"| `coprod promise` end to end, {name.replace('_', ' ')} | {m['wall_s']:.2f} | "
            f"{m['cpu_s']:.2f} | {m['load_1m']:.2f} | {m['start']} |"
        )
    for name, m in out.get("api", {}).items():
        lines.append(
            f"| `POST /programmes/m/promise` on a running server, {name.replace('_', ' ')} | "
            f"{m['wall_s']:.2f} | {m['cpu_s']:.2f} | {m['load_1m']:.2f} | {m['start']} |"
        )
    lines.append("")
    for name, r in out["in_process"].items():
        ratio = r["cold_over_warm_cpu (median of per-round ratios)"]
        lines.append(
            f"- quote {name.replace('_', ' ')}: cold / warm CPU {ratio:.1f}x (per-round median); "
            f"same schedule warm and cold: {r['same_schedule']}"
        )
    plan = out["plan"]
    lines.append(f"- plan (once, in process): {plan['wall_s']:.2f} s wall, {plan['cpu_s']:.2f} CPU")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quantity", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from coprod.generate import generate
    from coprod.planning import plan
    from coprod.planning.promise import PromiseRequest

    p = generate(args.size, args.seed)
    base, plan_wall, plan_cpu = _timed(lambda: plan(p))
    r0 = p.requirements[0]
    due = p.calendar.starts[p.calendar.periods // 2]
    req = PromiseRequest(item=r0.item, quantity=args.quantity, destination=r0.destination, due=due)
    load_before = os.getloadavg()
    out = {
        "size": args.size,
        "seed": args.seed,
        "repeat": args.repeat,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_before": load_before,
        "plan": {"wall_s": plan_wall, "cpu_s": plan_cpu, "lp": base.lp},
        "request": {
            "item": req.item,
            "quantity": req.quantity,
            "destination": req.destination,
            "due": str(due),
        },
        "in_process": in_process(p, base, req, args.repeat),
        "end_to_end": end_to_end(args.size, args.seed, req, args.repeat),
        # the server benchmark's programme is generated M seed 1 (benchmarks/load.py)
        "api": through_api(req, args.repeat) if (args.size.upper(), args.seed) == ("M", 1) else {},
        "load_average_after": os.getloadavg(),
        "goal_s": 1.0,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "promise.json").write_text(json.dumps(out, indent=2, default=str) + "\n", encoding="utf-8")
    (RESULTS / "promise.md").write_text(markdown(out), encoding="utf-8")
    print(markdown(out))


if __name__ == "__main__":
    main()
