"""What commands print: made to fit 80 columns (long causes get rows of their own, never a
cell cut to "2026-0…"), whole units as whole numbers, rates as percentages, lists that are
cut say how many more there are and where they are. `--format json` stays complete."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

__all__ = ["KPI_LABELS", "kpi_changes", "plan_summary", "requirement_changes", "units", "value"]

KPI_LABELS = {
    "on_time_rate": "on-time rate",
    "fill_rate": "fill rate",
    "on_time_units": "units on time",
    "late_units": "units late",
    "unmet_units": "units unmet",
    "produced_units": "units produced",
    "required_units": "units required",
    "delivered_units": "units delivered",
    "requirements_late_or_unmet": "requirements late or unmet",
    "weighted_late_periods": "priority-weighted lateness",
}
SHOWN = 10  # rows of a long list shown on the terminal


def units(n: float) -> str:
    return f"{round(n):,}"


def value(key: str, v: float, signed: bool = False) -> str:
    """A KPI as people read it: rates in percent, units whole, lateness to one decimal."""
    sign = "+" if signed else ""
    if key.endswith("_rate"):
        return f"{v * 100:{sign}.1f} pt" if signed else f"{v:.1%}"
    if key == "weighted_late_periods":
        return f"{v:{sign},.1f}"
    return f"{round(v):{sign},}"


def _table(*columns: str, right: Iterable[str] = ()) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    right = set(right)
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left", no_wrap=True)
    return table


def gap_text(plan: Any) -> str:
    gap = getattr(plan, "gap", None)
    return "gap unknown" if gap is None else f"gap {gap:.2%}"


def first_plan_line(made: Any, final: bool = False) -> Text:
    """One line for the first plan as soon as the heuristic has it (or why there is none).
    Weighted lateness counts delivered units only, so the units never delivered stand beside
    it (a first plan may be 0 late with a third of the demand unmet)."""
    if isinstance(made, str):
        return Text(f"no first plan: {made}", style="yellow")
    k = made.kpis
    then = "" if final else "; optimising..."
    return Text.assemble(
        ("first plan", "bold cyan"),
        f" (state {made.state}): on time {k['on_time_rate']:.1%}, "
        f"{k['requirements_late_or_unmet']} of {k['requirements']} requirements late or unmet, "
        f"weighted lateness {k['weighted_late_periods']:,.0f}, unmet {units(k['unmet_units'])} units, "
        f"{gap_text(made)}, "
        f"{made.timings.get('heuristic_s', 0.0):.2f} s{then}",
    )


def plan_summary(plan: Any, currency_shown: bool = True) -> RenderableType:
    k = plan.kpis
    parts: list[RenderableType] = [
        Text(f"Plan for {plan.programme}", style="bold"),
        Text(
            f"{plan.status} ({plan.method}); state {getattr(plan, 'state', 'optimal')}, {gap_text(plan)}; "
            f"{len(plan.periods)} periods "
            f"{plan.periods[0]}..{plan.periods[-1]}; LP {plan.lp['rows']:,} x {plan.lp['columns']:,}"
        ),
        Text(""),
        Text(
            f"On time {k['on_time_rate']:.1%} of {units(k['required_units'])} units "
            f"({units(k['on_time_units'])}); fill rate {k['fill_rate']:.1%}; "
            f"late {units(k['late_units'])}; never delivered {units(k['unmet_units'])}; "
            f"{k['requirements_late_or_unmet']} of {k['requirements']} requirements late or unmet."
        ),
    ]
    if currency_shown and getattr(plan, "costs", None):
        costs = _table("cost", plan.currency, right=(plan.currency,))
        for name in ("production", "royalties", "purchases", "transport", "holding", "total"):
            if name in plan.costs:
                costs.add_row(name, units(plan.costs[name]))
        parts += [Text(""), costs]
        nets = [r for r in getattr(plan, "partner_costs", []) if r["figure"] == "net"]
        if nets:  # what each partner pays (less royalties received), in its own money too
            own = _table(
                "partner",
                f"net {plan.currency}",
                "own currency",
                right=(f"net {plan.currency}", "own currency"),
            )
            for r in nets:
                own.add_row(
                    r["partner"], units(r["amount"]), f"{r['currency']} {units(r['amount_in_currency'])}"
                )
            parts += [Text(""), own]
    parts += [Text(""), _deliveries(plan), Text(""), *_limits(plan), Text(""), *_late(plan)]
    return Group(*parts)


def _deliveries(plan: Any) -> Table:
    per: dict[str, list[int]] = {}
    for row in plan.deliveries_by_period:
        cell = per.setdefault(row["period"], [0, 0, 0])
        cell[0] += row["required"]
        cell[1] += row["delivered"]
        cell[2] += row["on_time"]
    table = _table("period", "required", "delivered", "on time", right=("required", "delivered", "on time"))
    table.title, table.title_justify = "Deliveries per period, all items", "left"
    for period in plan.periods:
        if period in per:
            table.add_row(period, *(units(n) for n in per[period]))
    return table


def _limits(plan: Any) -> list[RenderableType]:
    out: list[RenderableType] = [Text("What limits the plan", style="bold")]
    if not plan.bottlenecks:
        return [*out, Text("Nothing binds: every requirement is met at least cost.")]
    for row in plan.bottlenecks[:5]:
        out.append(Text(f"{row['rank']}. {row['text']}"))
    if len(plan.bottlenecks) > 5:
        out.append(
            Text(f"... and {len(plan.bottlenecks) - 5} more (bottlenecks.csv with --out, or --format json)")
        )
    return out


def _late(plan: Any) -> list[RenderableType]:
    late = [r for r in plan.requirements if r["status"] != "on_time"]
    late.sort(key=lambda r: (-r["unmet"], -r["weighted_late_periods"], r["id"]))
    title = Text(f"Late or unmet requirements ({len(late)})", style="bold")
    if not late:
        return [title, Text("None: every requirement is delivered on time.")]
    causes: dict[str, int] = {}
    table = _table(
        "req",
        "item",
        "qty",
        "due",
        "on time",
        "late",
        "unmet",
        "why",
        right=("qty", "on time", "late", "unmet", "why"),
    )
    for r in late[:SHOWN]:
        cause = r.get("cause") or "not explained"
        number = causes.setdefault(cause, len(causes) + 1)
        table.add_row(
            r["id"],
            r["item"],
            units(r["quantity"]),
            r["due"],
            units(r["on_time"]),
            units(r["late"]),
            units(r["unmet"]),
            f"[{number}]",
        )
    out: list[RenderableType] = [title, table]
    if len(late) > SHOWN:
        out.append(Text(f"... and {len(late) - SHOWN} more (requirements.csv with --out, or --format json)"))
    out.append(Text("Why", style="bold"))
    for cause, number in causes.items():
        out.append(Text(f"[{number}] {cause}"))
    return out


def kpi_changes(delta: dict[str, Any]) -> Table:
    table = _table("KPI", "before", "after", "change", right=("before", "after", "change"))
    for key, row in delta["kpis"].items():
        table.add_row(
            KPI_LABELS.get(key, key),
            value(key, row["before"]),
            value(key, row["after"]),
            value(key, row["change"], signed=True),
        )
    return table


def requirement_changes(delta: dict[str, Any], limit: int = 20) -> list[RenderableType]:
    """Requirements whose on-time or unmet units changed; those that only moved between late
    periods are counted, not listed."""
    rows = delta["requirements"]
    changed = [r for r in rows if r["on_time_change"] or r["unmet_change"] or r["status_before"] is None]
    only_later = len(rows) - len(changed)
    out: list[RenderableType] = [
        Text(
            f"{len(changed)} requirement(s) changed on-time or unmet units"
            + (f"; {only_later} only moved between late periods" if only_later else "")
            + f"; {len(delta['production'])} line-period(s) changed production"
        )
    ]
    if not changed:
        return out
    table = _table("req", "item", "due", "status", "on time", "unmet", right=("on time", "unmet"))
    for r in changed[:limit]:
        status = f"{(r['status_before'] or 'new').replace('_', ' ')} -> {r['status_after'].replace('_', ' ')}"
        table.add_row(
            r["id"], r["item"], r["due"], status, f"{r['on_time_change']:+,}", f"{r['unmet_change']:+,}"
        )
    out.append(table)
    if len(changed) > limit:
        out.append(Text(f"... and {len(changed) - limit} more (--format json lists them all)"))
    return out


COLUMNS_PER_TABLE = 5  # scenario columns per table: 5 x 11 characters beside the labels fit 80


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else f"S{i}"


def _kpi_cell(key: str, v: float) -> str:
    if key.endswith("_rate"):
        return f"{v:.1%}"
    if key == "cost":
        return f"{v / 1e6:,.1f}"
    return units(v)


def comparison(result: Any, kpi_rows: Iterable[tuple[str, str, bool]], currency: str) -> list[RenderableType]:
    """Scenarios side by side: a legend of letters, KPIs in tables of at most five scenarios
    (the base first in each, differences coloured: green better, red worse), what binds most
    per scenario, and deliveries per period."""
    names, kpis = result.names, result.kpis()
    out: list[RenderableType] = [Text("Scenarios", style="bold")]
    for i, name in enumerate(names):
        out.append(Text(f"{_letter(i)}  {name}" + ("  (base)" if i == 0 else "")))
    rows = list(kpi_rows)
    for start in range(1, max(2, len(names)), COLUMNS_PER_TABLE - 1):
        shown = [0, *range(start, min(len(names), start + COLUMNS_PER_TABLE - 1))]
        table = _table("KPI", *(_letter(i) for i in shown), right=[_letter(i) for i in shown])
        for key, name, higher_is_better in rows:
            label = f"cost ({currency} M)" if key == "cost" else name.replace("requirements ", "reqs ")
            cells = []
            for i in shown:
                v, base = kpis[i][key], kpis[0][key]
                text = _kpi_cell(key, v)
                if i and abs(v - base) > 1e-9:
                    text = f"[{'green' if (v > base) == higher_is_better else 'red'}]{text}[/]"
                cells.append(text)
            table.add_row(label, *cells)
        out += [Text(""), table]
    out += [Text(""), Text("What binds most", style="bold")]
    for i, row in enumerate(kpis):
        out.append(Text(f"{_letter(i)}  {row['top_bottleneck'] or 'nothing binds'}"))
    out += [Text(""), *_monthly(result)]
    return out


def _monthly(result: Any) -> list[RenderableType]:
    names = result.names
    out: list[RenderableType] = [
        Text("Delivered per period (* where a scenario requires other than the base)")
    ]
    monthly = result.monthly()
    for start in range(1, max(2, len(names)), COLUMNS_PER_TABLE - 1):
        shown = [0, *range(start, min(len(names), start + COLUMNS_PER_TABLE - 1))]
        table = _table(
            "period", "required", *(_letter(i) for i in shown), right=["required", *map(_letter, shown)]
        )
        for row in monthly:
            base_req, base_got = row[f"{names[0]}: required"], row[f"{names[0]}: delivered"]
            cells = []
            for i in shown:
                got, req = row[f"{names[i]}: delivered"], row[f"{names[i]}: required"]
                text = units(got) + ("*" if req != base_req else "")
                if i and got != base_got:
                    text = f"[{'green' if got > base_got else 'red'}]{text}[/]"
                cells.append(text)
            table.add_row(row["period"], units(base_req), *cells)
        out.append(table)
    return out


def _span(low: float, high: float, unit: str) -> str:
    if unit == "periods":
        return f"{round(low)}-{round(high)} periods"
    if unit == "x demand":
        return f"x{low:.2f}-{high:.2f}"
    return f"{low:.2f}-{high:.2f}" + (f" {unit}" if unit else "")


def risk_factors(factors: list[dict[str, Any]]) -> RenderableType:
    table = _table(
        "#", "factor", "rho on time", "rho target", "sampled range", right=("rho on time", "rho target")
    )
    for f in factors:
        table.add_row(
            str(f["rank"]),
            f["factor"],
            f"{f['rho_on_time_units']:+.2f}",
            f"{f['rho_target']:+.2f}",
            _span(f["min"], f["max"], f.get("unit", "")),
        )
    return Group(Text("What drives the risk (Spearman's rho with units on time and with the target)"), table)


def risk_periods(deliveries: list[dict[str, Any]]) -> RenderableType:
    by_period: dict[str, list[float]] = {}
    for row in deliveries:
        cell = by_period.setdefault(row["period"], [0.0, 0.0, 0.0])
        cell[0] += row["p10"]
        cell[1] += row["p50"]
        cell[2] += row["p90"]
    table = _table("period", "P10", "P50", "P90", right=("P10", "P50", "P90"))
    for period, (p10, p50, p90) in by_period.items():
        table.add_row(period, units(p10), units(p50), units(p90))
    return Group(Text("Deliveries per period, all designs (sums of per-design percentiles)"), table)
