"""Actuals at scale: import 100,000 events on generated M and plan as of a date, against the
plain plan of the same stored programme.

    python -m benchmarks.actuals [--events 100000] [--repeat 3] [--as-of-week 30]

Each repeat uses a fresh SQLite database: import the programme, plan it (the plain plan),
import the events from one YAML file (`coprod actuals import`), plan as of week N. The
events: lots of about three units for the requirements due before the as-of date (first
articles, acceptance, shipment to the requirement's destination, receipt delivering against
it), and weekly purchase orders on the offers with their receipts, up to the count asked.
Wall and CPU seconds (this process: the plans run here, as `coprod plan --programme` does),
medians over the repeats, and the load average; results in benchmarks/results/actuals.*.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from coprod.domain import Programme

RESULTS = Path(__file__).parent / "results"
LOT = 3


def _revision(p: Programme, design: str, day: dt.date) -> int:
    revs = sorted(p.design_by_id[design].revisions, key=lambda r: r.effective_from)
    return [r.revision for r in revs if r.effective_from <= day][-1] if revs[0].effective_from <= day else 1


def _builder(p: Programme, design: str, day: dt.date) -> str | None:
    """A line that may build `design` on `day` (the owner's, or a licensee's in its window)."""
    owner = p.design_by_id[design].owner
    for rt in p.routings:
        if rt.design != design:
            continue
        partner = p.site_by_id[p.line_by_id[rt.line].site].partner
        if partner == owner or any(
            lic.licensee == partner
            and lic.design == design
            and lic.valid_from <= day
            and (lic.valid_to is None or day <= lic.valid_to)
            for lic in p.licences
        ):
            return rt.line
    return None


def generate_events(p: Programme, as_of: dt.date, count: int) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    start, serial = p.calendar.start, 0
    inspected: set[tuple[str, str, int]] = set()
    for rq in sorted(p.requirements, key=lambda r: r.due):
        if rq.due >= as_of - dt.timedelta(days=3):
            continue
        design = p.design_of(rq.item).id
        built = max(start + dt.timedelta(days=1), rq.due - dt.timedelta(days=4))
        line = _builder(p, design, built)
        if line is None:
            continue
        site = p.line_by_id[line].site
        revision = _revision(p, design, built)
        if (site, design, revision) not in inspected:
            inspected.add((site, design, revision))
            out["first_articles"].append(
                {
                    "id": f"FA-{site}-{design}-{revision}",
                    "site": site,
                    "design": design,
                    "revision": revision,
                    "result": "passed",
                    "date": start.isoformat(),
                    "inspector": "bench",
                }
            )
        left = rq.quantity
        while left > 0 and sum(len(v) for v in out.values()) < count:
            qty = min(LOT, left)
            left -= qty
            lot = f"L{serial:07d}"
            variant = rq.item if rq.item != design else None
            out["lots"].append(
                {
                    "id": lot,
                    "site": site,
                    "line": line,
                    "design": design,
                    "variant": variant,
                    "revision": revision,
                    "quantity": qty,
                    "first_serial": f"SN-{serial:07d}",
                    "last_serial": f"SN-{serial + qty - 1:07d}",
                    "built": built.isoformat(),
                }
            )
            serial += qty
            day = (built + dt.timedelta(days=1)).isoformat()
            out["acceptances"].append({"id": f"A{lot}", "lot": lot, "accepted": qty, "date": day})
            out["shipments"].append(
                {
                    "id": f"S{lot}",
                    "from_site": site,
                    "to": rq.destination,
                    "lines": [{"lot": lot, "quantity": qty}],
                    "shipped": day,
                    "expected": (built + dt.timedelta(days=2)).isoformat(),
                }
            )
            out["receipts"].append(
                {
                    "id": f"R{lot}",
                    "shipment": f"S{lot}",
                    "received": (built + dt.timedelta(days=2)).isoformat(),
                    "lines": [{"lot": lot, "received": qty}],
                    "deliveries": [{"requirement": rq.id, "quantity": qty}],
                }
            )
    week = 0
    while sum(len(v) for v in out.values()) < count:
        ordered = start + dt.timedelta(weeks=week % max(1, p.calendar.index_of(as_of)))
        for o in p.supply_offers:
            if sum(len(v) for v in out.values()) >= count:
                break
            po = f"PO-{week}-{o.id}"
            due = ordered + dt.timedelta(weeks=o.lead_time)
            out["purchase_orders"].append(
                {
                    "id": po,
                    "supplier": o.supplier,
                    "component": o.component,
                    "site": o.ship_to,
                    "quantity": max(1, o.capacity_per_period // 10),
                    "ordered": ordered.isoformat(),
                    "due": due.isoformat(),
                }
            )
            if due < as_of and sum(len(v) for v in out.values()) < count:
                out["order_receipts"].append(
                    {
                        "id": f"OR-{week}-{o.id}",
                        "order": po,
                        "received": due.isoformat(),
                        "quantity": max(1, o.capacity_per_period // 10),
                    }
                )
        week += 1
    return dict(out)


def _timed(fn: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def run_once(p: Programme, events_file: Path, as_of: dt.date, folder: Path) -> dict[str, float]:
    from coprod.app.actuals import import_actuals_file
    from coprod.app.database import local_operator, migrate, transaction
    from coprod.app.plans import plan_stored
    from coprod.storage.records import RecordStore

    url = f"sqlite:///{folder / 'bench.db'}"
    migrate(url)
    with transaction(url) as tx:
        RecordStore(tx).import_programme(p, "M", "bench")
    who = local_operator()
    _, plain_s, plain_cpu = _timed(lambda: plan_stored(url, "M", who))
    summary, import_s, import_cpu = _timed(lambda: import_actuals_file(url, "M", who, events_file))
    (_, asof), asof_s, asof_cpu = _timed(lambda: plan_stored(url, "M", who, as_of=as_of))
    return {
        "events": summary.total,
        "plain_plan_s": plain_s,
        "plain_plan_cpu_s": plain_cpu,
        "import_s": import_s,
        "import_cpu_s": import_cpu,
        "as_of_plan_s": asof_s,
        "as_of_plan_cpu_s": asof_cpu,
        "as_of_solve_s": asof.timings["solve_s"],
        "as_of_periods": len(asof.periods),
    }


def main() -> None:
    from coprod.generate import generate

    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--as-of-week", type=int, default=30)
    args = parser.parse_args()
    p = generate("M", 1)
    as_of = p.calendar.starts[args.as_of_week]
    events = generate_events(p, as_of, args.events)
    runs = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.yaml"
        path.write_text(yaml.safe_dump(events, sort_keys=False))
        size_mb = path.stat().st_size / 1e6
        for i in range(args.repeat):
            folder = Path(tmp) / f"run{i}"
            folder.mkdir()
            runs.append(run_once(p, path, as_of, folder))
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    result = {
        "programme": "generated M, seed 1",
        "as_of": as_of.isoformat(),
        "events": {k: len(v) for k, v in events.items()},
        "file_mb": round(size_mb, 1),
        "median": median,
        "ratios": {
            "import / plain plan": median["import_s"] / median["plain_plan_s"],
            "as-of plan / plain plan": median["as_of_plan_s"] / median["plain_plan_s"],
            "import + as-of plan / plain plan": (median["import_s"] + median["as_of_plan_s"])
            / median["plain_plan_s"],
        },
        "runs": runs,
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "cores": os.cpu_count(),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "actuals.json").write_text(json.dumps(result, indent=2))
    lines = [
        f"# Actuals on generated M ({sum(result['events'].values()):,} events, as of {as_of})",
        "",
        "| step | wall s (median) | CPU s (median) | / plain plan |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, key in (
        ("plain plan", "plain_plan"),
        ("import events", "import"),
        ("plan as of", "as_of_plan"),
    ):
        ratio = median[f"{key}_s"] / median["plain_plan_s"]
        lines.append(f"| {label} | {median[f'{key}_s']:.2f} | {median[f'{key}_cpu_s']:.2f} | {ratio:.2f} |")
    lines += [
        "",
        f"load average before/after: {load_before} / {result['load_average']['after']}; {args.repeat} runs",
    ]
    (RESULTS / "actuals.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
