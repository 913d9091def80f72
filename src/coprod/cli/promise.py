"""`coprod promise`: when can a new requirement be delivered, keeping every existing
requirement's planned on-time deliveries? `--commit` adds it with the promised schedule."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from coprod.cli.common import Format, out, user_errors

__all__ = ["register"]


def promise(
    item: Annotated[str, typer.Option(help="The design or variant asked for")],
    quantity: Annotated[int, typer.Option(help="Units asked for (at least 1)")],
    destination: Annotated[str, typer.Option(help="Where the units are to arrive")],
    programme: Annotated[
        str | None, typer.Option("--programme", help="The database programme (default: the only one)")
    ] = None,
    due: Annotated[str | None, typer.Option(help="Wanted by this day (default: as soon as possible)")] = None,
    priority: Annotated[int, typer.Option(help="Its priority once committed (1 = most urgent)")] = 2,
    req_id: Annotated[
        str | None, typer.Option("--id", help="Its requirement id (default: PROMISE-n)")
    ] = None,
    commit: Annotated[bool, typer.Option(help="Add it as requirements with the promised schedule")] = False,
    version: Annotated[
        int | None,
        typer.Option(
            "--version",
            help="With --commit: the programme version the quote was made on (refused, exit 2, "
            "if the programme has changed since)",
        ),
    ] = None,
    alternatives: Annotated[bool, typer.Option(help="Also work out the alternatives")] = True,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.TEXT,
) -> None:
    """Quote a delivery schedule for a new requirement against the latest stored plan: what
    limits it, and the alternatives (later date, partial quantity, another variant, what it
    would cost the others at top priority)."""
    from coprod.app.database import configured_url, local_operator, transaction
    from coprod.app.programmes import only_programme
    from coprod.app.promise import PromiseRequest, parse_due
    from coprod.app.promise import promise as run

    with user_errors():
        url = configured_url()
        name = only_programme(url, programme)
        req = PromiseRequest(
            item=item,
            quantity=quantity,
            destination=destination,
            due=parse_due(due, "--due"),
            priority=priority,
            id=req_id or "",
        )
        with transaction(url) as tx:
            result = run(
                tx, local_operator(), name, req, commit=commit, version=version, alternatives=alternatives
            )
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")
        return
    for line in render(result):
        out.print(line, highlight=False, markup=False)


def render(r: dict[str, Any]) -> list[str]:
    rq, q = r["requirement"], r["quote"]
    lines = [
        f"quote for {rq['quantity']} {rq['item']} to {rq['destination']}, due {q['due']} "
        f"(plan {r['plan']}, keeping {r['kept']['on_time_units']:,} on-time units of "
        f"{r['kept']['requirements']} requirements):"
    ]
    if not r.get("plan_current", True):
        lines.append(
            f"  note: plan {r['plan']} is of an earlier version of the programme; re-plan for a quote "
            "of the programme as it is now"
        )
    for d in q["schedule"]:
        late = f", {d['periods_late']} period(s) late" if d["periods_late"] else ""
        lines.append(f"  {d['period']}: {d['quantity']:,} (cumulative {d['cumulative']:,}){late}")
    if q["unmet"]:
        lines.append(f"  {q['unmet']:,} cannot be delivered within the horizon")
    lines.append(f"on time: {q['on_time']:,}; in full by: {q['full_by'] or 'not within the horizon'}")
    if r["limits"]:
        lines.append("limited by:")
        lines += [f"  {x['text']}" for x in r["limits"]]
    alt = r["alternatives"]
    if alt:
        lines.append("alternatives:")
        later = alt["later_date"]
        lines.append(
            f"  later date: all {later['quantity']:,} by {later['date'] or 'never within the horizon'}"
        )
        lines.append(f"  partial: {alt['partial_by_due']['quantity']:,} by {alt['partial_by_due']['date']}")
        for v in alt["variants"]:
            lines.append(
                f"  variant {v['item']}: {v['on_time']:,} on time, in full by {v['full_by'] or 'never'}"
            )
        top = alt["top_priority"]
        lost = (
            ", ".join(f"{x['requirement']} loses {x['lost']:,}" for x in top["costs_others"])
            or "nobody loses"
        )
        extra = f" (others: {top['others_lost_units']:,} units)" if top.get("others_lost_units") else ""
        lines.append(f"  at top priority: {top['on_time']:,} on time; {lost}{extra}")
    lines.append(f"quoted on programme version {r['programme_version']} ({r.get('start', '')})")
    for c in r["committed"]:
        lines.append(f"committed requirement {c['id']}: {c['quantity']:,} due {c['due']}")
    if r["committed"]:
        lines.append(f"programme version {r['programme_version_after']} (re-plan to include it)")
    return lines


def register(app: typer.Typer) -> None:
    app.command()(promise)
