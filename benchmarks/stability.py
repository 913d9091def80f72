"""Churn against service for a few stability values: how much a re-plan moves, what it costs.

    python -m benchmarks.stability

Per programme, a plan, then two requirement quantities change (the bundled example: R009 to
900 and R013 to 1,200, as in examples/changes/replan-demand-and-delay.yaml; generated S and M:
the two largest requirements due in the second half, +20 %), re-planned with each stability
value on a fresh session (the same first plan). Stability builds the LP without folding
ample supply (orders must be columns to be held still), and rounding to whole units
does not give the same service on the two LPs, so every row here plans unfolded, and the row
"default" is the folded session a user gets without stability, for reference. Churn is
planning.diff.churn against the session's first plan; service lost is the on-time rate
(percentage points) and weighted lateness against stability 0 on the same LP. Writes
benchmarks/results/stability.json. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from coprod.domain import Programme
from coprod.domain.changes import ChangeSet
from coprod.generate import generate
from coprod.io import load_programme
from coprod.planning import PlanOptions
from coprod.planning.diff import churn
from coprod.planning.replan import PlanningSession

RESULTS = Path(__file__).parent / "results"
EXAMPLE = Path(__file__).parents[1] / "examples" / "uk-ua-interceptors.yaml"
VALUES = (0.0, 0.001, 0.01, 0.1, 1.0)


def two_changes(p: Programme, name: str) -> ChangeSet:
    if name == "example":
        picked = [("R009", 900), ("R013", 1200)]
    else:
        half = p.calendar.labels[p.calendar.periods // 2]
        late = sorted((r for r in p.requirements if r.due.isoformat() >= half), key=lambda r: -r.quantity)
        picked = [(r.id, int(r.quantity * 1.2)) for r in late[:2]]
    return ChangeSet.model_validate(
        {
            "changes": [
                {"type": "requirement_quantity", "requirement": rid, "quantity": q} for rid, q in picked
            ]
        }
    )


def measure(name: str, p: Programme) -> list[dict[str, Any]]:
    changes = two_changes(p, name)
    rows = []
    base: dict[str, Any] | None = None
    for value in (None, *VALUES):
        live = PlanningSession(p, PlanOptions(fold_supply=value is None))
        first = live.plan
        wall, cpu = time.perf_counter(), time.process_time()
        after = live.replan(changes, stability=value or 0.0)
        row = {
            "programme": name,
            "stability": "default" if value is None else value,
            "path": after.replan["path"],
            "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu,
            "on_time_rate": after.kpis["on_time_rate"],
            "weighted_late_periods": after.kpis["weighted_late_periods"],
            "lp_service": after.lp_service,  # the LP optimum's lateness and unmet term, before rounding
            "cost": after.costs["total"],
            "churn": churn(first, after),
        }
        if value == 0.0:
            base = row
        ref = base or row
        row["service_lost_pp"] = 100 * (ref["on_time_rate"] - row["on_time_rate"])
        row["lateness_added"] = row["weighted_late_periods"] - ref["weighted_late_periods"]
        row["cost_change"] = (row["cost"] - ref["cost"]) / ref["cost"]
        row["lp_service_added"] = (row["lp_service"] - ref["lp_service"]) / ref["lp_service"]
        rows.append(row)
        c = row["churn"]
        print(
            f"{name:8s} s={row['stability']!s:<7s} {row['path']:8s} purchases {c['purchases']['moved']:4d}/"
            f"{c['purchases']['lines_before']:4d} lines {c['purchases']['units']:8d} units | production "
            f"{c['production']['moved']:4d}/{c['production']['lines_before']:4d} | shipments "
            f"{c['shipments']['moved']:4d}/{c['shipments']['lines_before']:4d} | on time "
            f"{row['on_time_rate']:.4f} ({row['service_lost_pp']:+.2f} pp; LP "
            f"{row['lp_service_added']:+.4%}) cost {row['cost_change']:+.4%} "
            f"{row['wall_s']:.1f} s",
            flush=True,
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="*", default=["S"], help="generated sizes besides the example")
    ap.add_argument("--out", type=Path, default=RESULTS / "stability.json")
    args = ap.parse_args()
    load_start = os.getloadavg()
    rows = measure("example", load_programme(EXAMPLE))
    for size in args.sizes:
        rows += measure(f"gen {size}", generate(size, 1))
    report = {"load_start": load_start, "load_end": os.getloadavg(), "values": VALUES, "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
