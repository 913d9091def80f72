"""Risk sweep throughput: samples per second on 1 (serial) and 2 (Dask LocalCluster) workers.

    python -m benchmarks.risk [--n-example 40] [--n-m 6]

Writes benchmarks/results/risk.json and risk.md. Scaling efficiency = (rate on 2 workers)
/ (2 x rate on 1). Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

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


def _rate(p: Programme, u: Uncertainty, n: int, executor: Executor) -> dict[str, Any]:
    started = time.perf_counter()
    result = run_risk(p, u, n, seed=11, executor=executor)
    wall = time.perf_counter() - started
    return {
        "samples": n,
        "workers": getattr(executor, "workers", 1),
        "seconds": wall,
        "samples_per_second": n / wall,
        "p50_on_time_units": result.summary()["on_time_units"]["p50"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n-example", type=int, default=40)
    parser.add_argument("--n-m", type=int, default=6)
    args = parser.parse_args()
    cases = [
        (
            "example",
            load_programme(ROOT / "examples" / "uk-ua-interceptors.yaml"),
            load_small_file(ROOT / "examples" / "uncertainty.yaml", Uncertainty, "uncertainty"),
            args.n_example,
        ),
    ]
    m = generate("M", 1)
    cases.append(("generated M", m, _generated_uncertainty(m), args.n_m))
    rows = []
    for name, p, u, n in cases:
        one = _rate(p, u, n, SerialExecutor())
        dask = DaskExecutor(workers=2)
        try:
            _rate(p, u, 2, dask)  # warm the workers (imports) before measuring
            two = _rate(p, u, n, dask)
        finally:
            dask.close()
        rows.append(
            {
                "programme": name,
                "serial": one,
                "dask_2_workers": two,
                "same_answer": one["p50_on_time_units"] == two["p50_on_time_units"],
                "scaling_efficiency": two["samples_per_second"] / (2 * one["samples_per_second"]),
            }
        )
        print(rows[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "risk.json").write_text(json.dumps(rows, indent=2))
    lines = [
        "| programme | samples | 1 worker samples/s | 2 workers samples/s | efficiency | same answer |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['programme']} | {r['serial']['samples']} | {r['serial']['samples_per_second']:.2f} | "
            f"{r['dask_2_workers']['samples_per_second']:.2f} | {r['scaling_efficiency']:.0%} | "
            f"{r['same_answer']} |"
        )
    (RESULTS / "risk.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
