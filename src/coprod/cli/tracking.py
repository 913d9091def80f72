"""`coprod actuals import`, `coprod track`, `coprod trace`, `coprod royalties`: what was
built, accepted, shipped and received, against the plan, and what is owed for it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from coprod.cli.common import Format, out, user_errors
from coprod.errors import InputError

__all__ = ["parse_day", "register"]

actuals_app = typer.Typer(
    help="Actuals: lots, inspections, shipments, receipts, orders.", no_args_is_help=True
)
ProgrammeName = Annotated[
    str | None, typer.Option("--programme", help="The database programme (default: the only one)")
]


class ShownCurrency(StrEnum):
    """Which currency `coprod royalties` shows amounts in."""

    PROGRAMME = "programme"  # the programme's (settings.currency)
    LICENCE = "licence"  # each licence's own, as agreed
    OWN = "own"  # each licensee's own (partners[].currency)


# (amount key, currency key) of a statement row per shown currency (tracking/royalties.py)
SHOWN = {
    ShownCurrency.PROGRAMME: ("amount", "currency"),
    ShownCurrency.LICENCE: ("amount_in_licence_currency", "licence_currency"),
    ShownCurrency.OWN: ("amount_in_partner_currency", "partner_currency"),
}


class TableFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    CSV = "csv"


def parse_day(text: str | None, option: str) -> dt.date | None:
    """An ISO date given on the command line, or InputError naming the option."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option}: '{text}' is not a date (YYYY-MM-DD)") from None


def _programme(name: str | None) -> tuple[str, str]:
    from coprod.app.database import configured_url
    from coprod.app.programmes import only_programme

    url = configured_url()
    return url, only_programme(url, name)


@actuals_app.command("import")
def import_cmd(
    path: Annotated[
        Path, typer.Argument(help="A batch: .yaml, .xlsx, a folder of CSV files or one CSV file")
    ],
    programme: ProgrammeName = None,
) -> None:
    """Record a batch of events, all or nothing: every rule is checked first (file, record
    and field named for each problem), and nothing is stored unless all pass."""
    from coprod.app.actuals import import_actuals_file
    from coprod.app.database import local_operator

    with user_errors():
        url, name = _programme(programme)
        summary = import_actuals_file(url, name, local_operator(), path)
    counts = ", ".join(f"{n} {kind}" for kind, n in summary.counts.items())
    out.print(f"recorded {summary.total} events in '{name}': {counts}", highlight=False, markup=False)


def track(
    programme: ProgrammeName = None,
    plan: Annotated[
        int | None, typer.Option(help="Compare with this plan (default: the latest whole plan)")
    ] = None,
    site: Annotated[str | None, typer.Option(help="Only this site's lines")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.TEXT,
) -> None:
    """Plan against actual per site, line and period: built, accepted, shipped, received,
    cumulative, variance and adherence."""
    from coprod.app.database import local_operator, transaction
    from coprod.app.tracking import track as track_use_case

    with user_errors():
        url, name = _programme(programme)
        with transaction(url) as tx:
            report = track_use_case(tx, local_operator(), name, plan)
    rows = [r for r in report.rows if site is None or r["site"] == site]
    lines = [r for r in report.lines if site is None or r["site"] == site]
    if fmt is Format.JSON:
        payload = {
            "programme": name,
            "plan": report.plan,
            "through": report.through,
            "lines": lines,
            "rows": rows,
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    against = f"plan {report.plan}" if report.plan else "no plan yet"
    out.print(f"'{name}': actuals through {report.through} against {against}", highlight=False, markup=False)
    from rich.table import Table  # here: other commands start without it

    table = Table("line", "period", "plan", "built", "acc.", "ship.", "recv.", "cum", "adh.", box=None)
    for r in rows:
        if not (r["planned"] or r["built"] or r["accepted"] or r["shipped"] or r["received"]):
            continue
        adherence = f"{r['adherence']:.0%}" if r["adherence"] is not None else "–"
        table.add_row(
            r["line"],
            r["period"][:7],
            f"{r['planned']:,.0f}",
            f"{r['built']:,}",
            f"{r['accepted']:,}",
            f"{r['shipped']:,}",
            f"{r['received']:,}",
            f"{r['cum_built']:,}",
            adherence,
        )
    out.print(table)
    summary = Table("line", "built", "planned", "adherence", "rate reached", "target", box=None)
    for s in lines:
        summary.add_row(
            s["line"],
            f"{s['built']:,}",
            f"{s['planned']:,.0f}",
            f"{s['adherence']:.0%}" if s["adherence"] is not None else "–",
            f"{s['rate_reached']:,}" + (f" ({s['rate_period'][:7]})" if s["rate_period"] else ""),
            f"{s['target_rate']:,.0f}" if s["target_rate"] else "–",
        )
    out.print(summary)


def trace(
    serial: Annotated[str, typer.Argument(help="The serial number of one unit")],
    programme: ProgrammeName = None,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.TEXT,
) -> None:
    """The history of one unit: lot, line, revision, first article and acceptance,
    shipments, receipt and the requirement it served."""
    from coprod.app.database import local_operator, transaction
    from coprod.app.tracking import trace as trace_use_case

    with user_errors():
        url, name = _programme(programme)
        with transaction(url) as tx:
            found = trace_use_case(tx, local_operator(), name, serial)
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(found, indent=2) + "\n")
        return
    lot = found["lot"]
    say = out.print
    say(
        f"{serial}: lot {lot['id']} of {lot['quantity']} {found['product']} rev {found['revision']}",
        markup=False,
    )
    say(f"  built {lot['built']} on line {found['line']} at {found['site']}", markup=False)
    for f in found["first_articles"]:
        say(f"  first article {f['id']}: {f['result']} on {f['date']} by {f['inspector']}", markup=False)
    for a in found["acceptances"]:
        why = f" ({a['reason']})" if a["reason"] else ""
        say(
            f"  acceptance {a['id']}: {a['accepted']} accepted, {a['rejected']} rejected{why} on {a['date']}",
            markup=False,
        )
    for s in found["shipments"]:
        say(
            f"  shipment {s['id']}: {s['from_site']} -> {s['to']} on {s['shipped']}, due {s['expected']}",
            markup=False,
        )
    for r in found["receipts"]:
        note = f" ({r['note']})" if r["note"] else ""
        say(f"  receipt {r['id']} on {r['received']}{note}", markup=False)
    for q in found["requirements"]:
        say(
            f"  served requirement {q['requirement']} ({q['quantity']} units of receipt {q['receipt']})",
            markup=False,
        )
    if not found["shipments"]:
        say("  not shipped yet", markup=False)


def royalties(
    programme: ProgrammeName = None,
    period: Annotated[
        str | None, typer.Option(help="Only the period containing this date (YYYY-MM-DD)")
    ] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help="text, json or csv")] = TableFormat.TEXT,
    currency: Annotated[
        ShownCurrency,
        typer.Option(
            "--currency",
            help="Amounts in the programme's currency, each licence's, or each licensee's own (text); "
            "json and csv carry all three",
        ),
    ] = ShownCurrency.PROGRAMME,
) -> None:
    """Royalty statements per licensee and period: units accepted per design, royalty per
    unit, amount, and the licence's cap used."""
    from coprod.app.database import local_operator, transaction
    from coprod.app.tracking import royalties as royalties_use_case

    with user_errors():
        day = parse_day(period, "--period")
        url, name = _programme(programme)
        with transaction(url) as tx:
            rows = royalties_use_case(tx, local_operator(), name, day)
    if fmt is TableFormat.JSON:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if fmt is TableFormat.CSV:
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
        return
    _royalty_table(rows, currency)


def _royalty_table(rows: list[dict[str, Any]], shown: ShownCurrency) -> None:
    if not rows:
        out.print("no units accepted under a licence yet")
        return
    amount_key, currency_key = SHOWN[shown]
    from rich.table import Table  # here: other commands start without it

    table = Table("licensee", "period", "licence", "units", "per unit", "amount", "cap used", box=None)
    for r in rows:
        used = f"{r['cap_used']:.0%}" if r["cap_used"] is not None else "–"
        table.add_row(
            r["licensee"],
            r["period"][:7],
            r["licence"],
            f"{r['accepted']:,}",
            f"{r['licence_currency']} {r['royalty_per_unit']:,.2f}",  # as the licence says
            f"{r[currency_key]} {r[amount_key]:,.2f}",
            used,
        )
    out.print(table)
    total: dict[tuple[str, str], float] = {}
    for r in rows:
        key = (r["licensee"], r[currency_key])
        total[key] = total.get(key, 0.0) + r[amount_key]
    for (licensee, cur), amount in total.items():
        out.print(f"  {licensee}: {cur} {amount:,.2f} in all", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(actuals_app, name="actuals")
    app.command()(track)
    app.command()(trace)
    app.command()(royalties)
