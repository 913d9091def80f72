"""Risk sweep throughput, cold (every sample planned from scratch, as before) against warm
(every sample from the base basis, lean, batched: scenarios/warm.py), on 1 worker (serial)
and 2 (Dask LocalCluster), taken in turn.

    python -m benchmarks.risk [--n-example 200] [--n-m 6]

Per run: samples per second, wall, CPU seconds (user + sys) of this process and of every
process it started (the Dask workers), the load average before and after. Ratios: warm /
cold on one worker (goal >= 3 on the example), warm on 2 workers / warm on 1 (goal >= 1.7
when two cores are free), and whether each pair gave the same answer. Writes
benchmarks/results/risk.json and risk.md. Not part of the test run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

import psutil

from coprod.domain import Programme
from coprod.generate import generate
from coprod.io import load_programme
from coprod.io.changes_file import load_small_file
from coprod.scenarios.executors import DaskExecutor, Executor, SerialExecutor
from coprod.scenarios.risk import run_risk
from coprod.scenarios.uncertainty import Uncertainty

ROOT = Path(__file__).parents[1]
RESULTS = Path(__file__).parent / "results"


def _generated_uncertainty(p: Programme) -> Uncertainty:
    ramped = next(ln.id for ln in p.lines if ln.ramp_up is not None)
    return Uncertainty.model_validate(
        {
            "seed": 1,
            "factors": [
                {"type": "ramp_delay", "line": ramped, "periods": {"uniform_int": [0, 4]}},
                {"type": "yield", "factor": {"uniform": [0.92, 1.0]}},
                {
                    "type": "supplier_slip",
                    "supplier": "SUP00",
                    "periods": {"uniform_int": [1, 3]},
                    "probability": 0.3,
                },
                {"type": "demand", "factor": {"normal": [1.0, 0.08]}},
            ],
        }
    )


def _cpu() -> float:
    """CPU seconds (user + sys) of this process and every process it started and waits on."""
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):  # a worker that ended meanwhile
            total += sum(child.cpu_times()[:2])
    return total


def _rate(p: Programme, u: Uncertainty, n: int, executor: Executor, warm: bool) -> dict[str, Any]:
    load = os.getloadavg()
    cpu = _cpu()
    started = time.perf_counter()
    result = run_risk(p, u, n, seed=11, executor=executor, warm=warm)
    wall = time.perf_counter() - started
    return {
        "samples": n,
        "workers": getattr(executor, "workers", 1),
        "warm": warm,
        "seconds": round(wall, 3),
        "cpu_s": round(_cpu() - cpu, 2),
        "samples_per_second": n / wall,
        "load_before": [round(x, 2) for x in load],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "p50_on_time_units": result.summary()["on_time_units"]["p50"],
        "answer": result.to_dict(),
    }


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keep = ("requirements", "deliveries", "production")
    return all(a["answer"][k] == b["answer"][k] for k in keep)


def _case(name: str, p: Programme, u: Uncertainty, n: int) -> dict[str, Any]:
    runs: dict[str, dict[str, Any]] = {}
    for warm in (False, True):
        runs[f"{'warm' if warm else 'cold'}_1"] = _rate(p, u, n, SerialExecutor(), warm)
    dask = DaskExecutor(workers=2)
    try:
        _rate(p, u, 2, dask, True)  # start the workers (imports) before measuring
        for warm in (False, True):
            runs[f"{'warm' if warm else 'cold'}_2"] = _rate(p, u, n, dask, warm)
    finally:
        dask.close()
    row = {
        "programme": name,
        **{k: {x: v for x, v in r.items() if x != "answer"} for k, r in runs.items()},
        "warm_over_cold_1_worker": runs["warm_1"]["samples_per_second"]
        / runs["cold_1"]["samples_per_second"],
        "warm_2_over_1_worker": runs["warm_2"]["samples_per_second"] / runs["warm_1"]["samples_per_second"],
        "cold_2_over_1_worker": runs["cold_2"]["samples_per_second"] / runs["cold_1"]["samples_per_second"],
        "same_answer_warm_serial_dask": _same(runs["warm_1"], runs["warm_2"]),
        "same_answer_cold_serial_dask": _same(runs["cold_1"], runs["cold_2"]),
    }
    print({k: v for k, v in row.items() if not isinstance(v, dict)}, flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    # 200: what `coprod risk` draws by default, so the fixed cost of a sweep weighs as in use
    parser.add_argument("--n-example", type=int, default=200)
    parser.add_argument("--n-m", type=int, default=6)
    args = parser.parse_args()
    rows = [
        _case(
            "example",
            load_programme(ROOT / "examples" / "uk-ua-interceptors.yaml"),
            load_small_file(ROOT / "examples" / "uncertainty.yaml", Uncertainty, "uncertainty"),
            args.n_example,
        )
    ]
    if args.n_m > 0:
        m = generate("M", 1)
        rows.append(_case("generated M", m, _generated_uncertainty(m), args.n_m))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "risk.json").write_text(json.dumps(rows, indent=2))
    lines = [
        "| programme | samples | mode | 1 worker samples/s (CPU s, wall s) | 2 workers samples/s (CPU s, "
        "wall s) | 2 / 1 workers | same answer serial / Dask | load before -> after |",
        "| --- | ---: | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        for mode in ("cold", "warm"):
            one, two = r[f"{mode}_1"], r[f"{mode}_2"]
            lines.append(
                f"| {r['programme']} | {one['samples']} | {mode} | {one['samples_per_second']:.2f} "
                f"({one['cpu_s']:.1f}, {one['seconds']:.1f}) | {two['samples_per_second']:.2f} "
                f"({two['cpu_s']:.1f}, {two['seconds']:.1f}) | {r[f'{mode}_2_over_1_worker']:.2f}x | "
                f"{r[f'same_answer_{mode}_serial_dask']} | "
                f"{one['load_before'][0]} -> {two['load_after'][0]} |"
            )
        lines.append(
            f"| {r['programme']} | | warm / cold, 1 worker | {r['warm_over_cold_1_worker']:.2f}x | | | | |"
        )
    (RESULTS / "risk.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
