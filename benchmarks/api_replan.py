"""Re-plans through the API after a requirement edit: cold against warm, side by side.

    python -m benchmarks.api_replan [--backend sqlite|postgresql] [--n 8]

Loopback only, bounded: a fresh database (as benchmarks/load.py makes it), the generated M
programme (`coprod generate --size M --seed 1`) and the benchmark's users, `coprod serve` as
a subprocess with its plan worker as its child. Two servers in turn on the same database:
`cold` with COPROD_PLAN_SESSIONS=0 (every plan built and solved afresh, as before live
sessions), then `warm` (the default: the worker keeps the programme's session). In each, one
first plan, then N rounds of: edit one requirement's quantity (PUT), start a plan (POST),
poll its status every 20 ms until done. Per round: the client's wall from the POST to
"done", the CPU seconds (user + sys) of the server, the worker and PostgreSQL's backends
over the round, and how the plan started; the load average before and after. Results:
benchmarks/results/api_replan.json and .md (api_replan-postgresql.* for PostgreSQL; and a
row in docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.load import NAME, RESULTS, call, cpu_delta, cpu_snapshot, database, login, prepare, server

POLL_S = 0.02
REQUIREMENT_INDEX = 5  # a requirement of generated M whose quantity the rounds change


def _wait(base: str, token: str, number: int, timeout_s: float = 600) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status: dict[str, Any] = call(base, "GET", f"/programmes/{NAME}/plans/{number}", token)
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(POLL_S)
    raise SystemExit(f"plan {number} did not finish in {timeout_s:.0f} s")


def _plan(base: str, token: str) -> tuple[dict[str, Any], float, float]:
    """A plan started and polled until done (the wall to it), then until its explanation
    is complete (the wall to that: a live session's plan is done and readable first)."""
    clock = time.perf_counter()
    started = call(base, "POST", f"/programmes/{NAME}/plans", token, {})
    status = _wait(base, token, started["number"])
    wall = time.perf_counter() - clock
    if status["status"] != "done":
        raise SystemExit(f"plan {started['number']} failed: {status['error']}")
    while status.get("explanation", "complete") == "pending":
        time.sleep(POLL_S)
        status = call(base, "GET", f"/programmes/{NAME}/plans/{started['number']}", token)
    return status, wall, time.perf_counter() - clock


def _requirement(base: str, token: str) -> str:
    page = call(base, "GET", f"/programmes/{NAME}/requirements?limit={REQUIREMENT_INDEX + 1}", token)
    rows = page["items"] if isinstance(page, dict) else page
    return str(rows[REQUIREMENT_INDEX]["key"])


def _edit(base: str, token: str, key: str, quantity: int) -> float:
    rec = call(base, "GET", f"/programmes/{NAME}/requirements/{key}", token)
    clock = time.perf_counter()
    call(
        base,
        "PUT",
        f"/programmes/{NAME}/requirements/{key}",
        token,
        {"version": rec["version"], "data": {**rec["data"], "quantity": quantity}},
    )
    return time.perf_counter() - clock


def run_case(url: str, dbname: str | None, mode: str, n: int, offset: int) -> dict[str, Any]:
    env = {"COPROD_PLAN_SESSIONS": "0" if mode == "cold" else "4"}
    with server(url, env) as (base, proc):
        token = login(base)["office"]
        key = _requirement(base, token)
        base_qty = int(call(base, "GET", f"/programmes/{NAME}/requirements/{key}", token)["data"]["quantity"])
        _edit(base, token, key, base_qty + offset)  # new inputs: the first plan is never a reused one
        first, first_wall, _ = _plan(base, token)
        rounds = []
        load_before = os.getloadavg()
        for i in range(n):
            put_s = _edit(base, token, key, base_qty + offset + 10 * (i + 1))
            before = cpu_snapshot(proc, dbname)
            status, wall, complete = _plan(base, token)
            cpu = cpu_delta(before, cpu_snapshot(proc, dbname))  # to the complete plan
            result = call(base, "GET", f"/programmes/{NAME}/plans/{status['number']}/overview", token)
            rounds.append(
                {
                    "wall_s": round(wall, 3),
                    "complete_s": round(complete, 3),
                    "explanation": status.get("explanation", "complete"),
                    "put_s": round(put_s, 3),
                    "cpu_s": cpu,
                    "start": status["start"],
                    "start_reason": status["start_reason"],
                    "on_time_rate": result["kpis"]["on_time_rate"],
                }
            )
            print(mode, rounds[-1], flush=True)
        load_after = os.getloadavg()
    walls = [r["wall_s"] for r in rounds]
    return {
        "mode": mode,
        "first_plan": {"wall_s": round(first_wall, 3), "start": first["start"], "why": first["start_reason"]},
        "rounds": rounds,
        "median_wall_s": statistics.median(walls),
        "median_complete_s": statistics.median(r["complete_s"] for r in rounds),
        "median_worker_cpu_s": statistics.median(r["cpu_s"]["worker"] for r in rounds),
        "median_server_cpu_s": statistics.median(r["cpu_s"]["server"] for r in rounds),
        "median_database_cpu_s": statistics.median(r["cpu_s"]["database"] for r in rounds),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Re-plan through the API after a requirement edit, generated M, {report['backend']}, "
        f"{report['n']} rounds per mode (medians; CPU = user + sys, over the round to the "
        "complete plan). Re-plan wall: POST to done (the plan readable); complete: to its "
        "explanation stored too (idle reasons, solver state).",
        "",
        "| mode | first plan wall s | re-plan wall s | complete s | worker CPU s | server CPU s "
        "| database CPU s | started | load before -> after |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for c in report["cases"]:
        starts = sorted({f"{r['start']}: {r['start_reason']}" for r in c["rounds"]})
        lines.append(
            f"| {c['mode']} | {c['first_plan']['wall_s']:.2f} | {c['median_wall_s']:.3f} | "
            f"{c['median_complete_s']:.3f} | "
            f"{c['median_worker_cpu_s']:.2f} | {c['median_server_cpu_s']:.2f} | "
            f"{c['median_database_cpu_s']:.2f} | {'; '.join(starts)} | "
            f"{c['load_before'][0]} -> {c['load_after'][0]} |"
        )
    by_mode = {c["mode"]: c for c in report["cases"]}
    if {"cold", "warm"} <= set(by_mode):
        ratio = by_mode["warm"]["median_wall_s"] / by_mode["cold"]["median_wall_s"]
        lines += ["", f"warm / cold wall: {ratio:.2f}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--modes", nargs="+", choices=("cold", "warm"), default=["cold", "warm"])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, database(args.backend, Path(tmp)) as (url, dbname):
        prepare(url, Path(tmp))
        cases = [run_case(url, dbname, mode, args.n, 1000 * k) for k, mode in enumerate(args.modes, 1)]
    report = {
        "backend": args.backend,
        "n": args.n,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "cases": cases,
    }
    RESULTS.mkdir(exist_ok=True)
    suffix = "" if args.backend == "sqlite" else "-postgresql"
    (RESULTS / f"api_replan{suffix}.json").write_text(json.dumps(report, indent=2))
    text = markdown(report)
    (RESULTS / f"api_replan{suffix}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
