"""A plan summary in words and small tables, for the terminal and for summary.md."""

from __future__ import annotations

from collections import defaultdict

from coprod.planning import Plan

__all__ = ["summary_markdown"]


def _money(plan: Plan, value: float) -> str:
    return f"{plan.currency} {value:,.0f}"


def summary_markdown(plan: Plan, top: int = 5) -> str:
    k = plan.kpis
    out = [
        f"# Plan for {plan.programme}",
        "",
        f"Status: **{plan.status}** ({plan.method}); {len(plan.periods)} periods "
        f"{plan.periods[0]}..{plan.periods[-1]}; LP {plan.lp['rows']:,} rows x "
        f"{plan.lp['columns']:,} columns.",
        "",
        "## Service",
        f"- On time: **{k['on_time_rate']:.1%}** of {k['required_units']:,} units required "
        f"({k['on_time_units']:,} units); fill rate {k['fill_rate']:.1%}.",
        f"- Late: {k['late_units']:,} units; never delivered in the horizon: {k['unmet_units']:,} units.",
        f"- Requirements late or unmet: {k['requirements_late_or_unmet']} of {k['requirements']}.",
        "",
        "## Cost",
    ]
    for name in ("production", "royalties", "purchases", "transport", "holding", "total"):
        out.append(f"- {name}: {_money(plan, plan.costs[name])}")
    if plan.partner_costs:  # each partner's figures, in the programme's currency and its own
        out += [
            "",
            "## Cost per partner",
            "",
            f"| partner | figure | {plan.currency} | own currency |",
            "| --- | --- | ---: | ---: |",
        ]
        out += [
            f"| {r['partner']} | {r['figure'].replace('_', ' ')} | {r['amount']:,.2f} | "
            f"{r['currency']} {r['amount_in_currency']:,.2f} |"
            for r in plan.partner_costs
        ]
    if plan.transfers:  # transport includes them; say what moved between which sites
        moved: dict[tuple[str, str], float] = defaultdict(float)
        for t in plan.transfers:
            moved[(t["from_site"], t["to_site"])] += t["quantity"]
        out += ["", "## Transfers between sites", ""]
        out += [f"- {a} -> {b}: {q:,.0f} units" for (a, b), q in sorted(moved.items())]
    out += [
        "",
        "## Deliveries per period (all items)",
        "",
        "| period | required | delivered | on time |",
        "| --- | ---: | ---: | ---: |",
    ]
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in plan.deliveries_by_period:
        cell = per[row["period"]]
        cell[0] += row["required"]
        cell[1] += row["delivered"]
        cell[2] += row["on_time"]
    for period in plan.periods:
        if period in per:
            req, got, ok = per[period]
            out.append(f"| {period} | {req:,} | {got:,} | {ok:,} |")
    out += ["", f"## What limits the plan (top {top} by marginal value)", ""]
    if not plan.bottlenecks:
        out.append("- Nothing binds: every requirement is met at least cost.")
    for row in plan.bottlenecks[:top]:
        out.append(f"{row['rank']}. {row['text']}")
    late = [r for r in plan.requirements if r["status"] != "on_time"]
    late.sort(key=lambda r: -r["weighted_late_periods"] - 1e9 * r["unmet"])
    out += ["", f"## Late or unmet requirements ({len(late)})", ""]
    if late:
        out += [
            "| requirement | item | qty | due | on time | late | unmet | cause |",
            "| --- | --- | ---: | --- | ---: | ---: | ---: | --- |",
        ]
    for r in late[: max(top * 2, 10)]:
        out.append(
            f"| {r['id']} | {r['item']} | {r['quantity']:,} | {r['due']} | {r['on_time']:,} | "
            f"{r['late']:,} | {r['unmet']:,} | {r['cause']} |"
        )
    if len(late) > max(top * 2, 10):
        out.append(f"\n... and {len(late) - max(top * 2, 10)} more in requirements.csv")
    return "\n".join(out) + "\n"
