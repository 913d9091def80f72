"""Charts of a plan for the role pages: capacity as a heatmap of load against capacity per
line and period, a Gantt-style view of what each line builds when, a supplier's orders and
a customer's deliveries. Axes that count units start at zero; every secondary axis names
its unit; colours come from one qualitative palette and are named in the legend.

A chart with nothing to show is not drawn (None): the page says so in words instead of a
flat line on an empty axis."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import plotly.graph_objects as go

__all__ = [
    "PALETTE",
    "bands_chart",
    "colour_order",
    "deliveries_chart",
    "gantt_chart",
    "load_heatmap",
    "orders_chart",
    "probability_chart",
    "requirements_chart",
    "scenario_chart",
]

# Okabe-Ito: distinct for the common colour-vision deficiencies, and in print.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
LAYOUT: dict[str, Any] = {
    "margin": {"l": 70, "r": 70, "t": 50, "b": 60},
    "legend": {"orientation": "h", "y": -0.18},
    "template": "plotly_white",
}


def _colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def load_heatmap(loads: list[dict[str, Any]]) -> str | None:
    """Planned hours as a share of available hours, per line (rows) and period (columns);
    hover shows both figures. 100 % means the line is full."""
    if not loads:
        return None
    periods = loads[0]["periods"]
    z, text = [], []
    for load in loads:
        row, tips = [], []
        for hours, used in zip(load["hours"], load["used"], strict=True):
            share = round(100 * used / hours) if hours > 0 else None
            row.append(share)
            tips.append(f"{used:,.0f} of {hours:,.0f} h" if hours > 0 else "no hours")
        z.append(row)
        text.append(tips)
    names = [f"{load['line']} ({load['site']})" for load in loads]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=periods,
            y=names,
            text=text,
            texttemplate="%{z}%",
            hovertemplate="%{y}, %{x}: %{z}% load (%{text})<extra></extra>",
            zmin=0,
            zmax=100,
            colorscale=[
                [0, "#f7fbff"],
                [0.5, "#9ecae1"],
                [0.89, "#3182bd"],
                [0.9, "#E69F00"],
                [0.99, "#E69F00"],
                [1, "#D55E00"],
            ],
            colorbar={"title": {"text": "load, % of hours"}, "ticksuffix": "%"},
        )
    )
    fig.update_layout(
        title="Load against capacity (planned hours as % of available hours)",
        height=max(220, 60 + 42 * len(loads)),
        yaxis={"autorange": "reversed"},
        **{**LAYOUT, "margin": {"l": 170, "r": 30, "t": 50, "b": 50}},
    )
    return str(fig.to_json())


def _next(period: str, periods: list[str]) -> str:
    i = periods.index(period)
    if i + 1 < len(periods):
        return periods[i + 1]
    start = dt.date.fromisoformat(period)
    step = (
        dt.date.fromisoformat(periods[-1]) - dt.date.fromisoformat(periods[-2]) if len(periods) > 1 else None
    )
    return str(start + (step or dt.timedelta(days=30)))


def colour_order(programme: Any) -> list[str]:
    """The programme's designs, then its built assemblies: the order colours are given in."""
    return [d.id for d in programme.designs] + sorted(programme.built_assemblies)


def gantt_chart(
    production: list[dict[str, Any]],
    periods: list[str],
    design_of: dict[str, str],
    order: list[str] | None = None,
) -> str | None:
    """What each line builds when: one bar per line and period, coloured by design, its
    length the period and its label the units. `order`: every design (and built assembly)
    of the programme, so a design keeps its colour whoever looks and whatever they see."""
    if not production:
        return None
    designs = sorted({design_of[r["item"]] for r in production})
    palette = [*(order or []), *(d for d in designs if d not in (order or []))]
    colour = {d: _colour(i) for i, d in enumerate(palette)}
    cells: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in production:
        cells[(r["line"], r["period"], design_of[r["item"]])] += r["quantity"]
    lines = sorted({r["line"] for r in production})
    fig = go.Figure()
    for design in designs:
        mine = [(ln, p, q) for (ln, p, d), q in sorted(cells.items()) if d == design and q > 0]
        if not mine:
            continue
        starts = [p for _, p, _ in mine]
        lengths = [
            (dt.date.fromisoformat(_next(p, periods)) - dt.date.fromisoformat(p)).days * 86_400_000
            for p in starts
        ]
        fig.add_bar(
            name=design,
            y=[ln for ln, _, _ in mine],
            x=lengths,
            base=starts,
            orientation="h",
            marker_color=colour[design],
            text=[f"{q:,}" for _, _, q in mine],
            textposition="inside",
            hovertemplate="%{y} from %{base|%Y-%m-%d}: %{text} units of " + design + "<extra></extra>",
        )
    fig.update_layout(
        title="What each line builds when (units per period, coloured by design)",
        barmode="stack",
        height=max(240, 80 + 46 * len(lines)),
        xaxis={"type": "date", "title": "period", "range": [periods[0], _next(periods[-1], periods)]},
        showlegend=True,
        yaxis={"categoryorder": "array", "categoryarray": lines[::-1], "title": "line"},
        **LAYOUT,
    )
    return str(fig.to_json())


def deliveries_chart(rows: list[dict[str, Any]], periods: list[str]) -> str | None:
    """Delivered per period stacked by design, required per period, and both cumulated on
    a second axis (units). None when nothing is required or delivered in the rows shown."""
    if not any(r["required"] or r["delivered"] for r in rows):
        return None
    by_design: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    required: dict[str, int] = defaultdict(int)
    for r in rows:
        by_design[r.get("design", r["item"])][r["period"]] += r["delivered"]
        required[r["period"]] += r["required"]
    fig = go.Figure()
    for i, (design, cells) in enumerate(sorted(by_design.items())):
        fig.add_bar(
            name=f"delivered {design}",
            x=periods,
            y=[cells.get(p, 0) for p in periods],
            marker_color=_colour(i),
        )
    fig.add_scatter(
        name="required",
        x=periods,
        y=[required.get(p, 0) for p in periods],
        mode="lines+markers",
        line={"color": "#000", "width": 2},
    )
    cum_req, cum_got, a, b = [], [], 0, 0
    for p in periods:
        a += required.get(p, 0)
        b += sum(cells.get(p, 0) for cells in by_design.values())
        cum_req.append(a)
        cum_got.append(b)
    fig.add_scatter(
        name="cumulative required (right axis)",
        x=periods,
        y=cum_req,
        yaxis="y2",
        line={"dash": "dot", "color": "#555"},
    )
    fig.add_scatter(
        name="cumulative delivered (right axis)",
        x=periods,
        y=cum_got,
        yaxis="y2",
        line={"color": "#009E73", "width": 3},
    )
    fig.update_layout(
        barmode="stack",
        title="Deliveries per period",
        height=400,
        yaxis={"title": "units per period", "rangemode": "tozero"},
        yaxis2={"title": "cumulative units", "overlaying": "y", "side": "right", "rangemode": "tozero"},
        **LAYOUT,
    )
    return str(fig.to_json())


def orders_chart(orders: list[dict[str, Any]], periods: list[str]) -> str | None:
    """A supplier's orders: units to arrive per period, stacked by component."""
    if not orders:
        return None
    cells: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in orders:
        cells[r["component"]][r["arrival_period"]] += r["quantity"]
    fig = go.Figure()
    for i, (component, by_period) in enumerate(sorted(cells.items())):
        fig.add_bar(
            name=component, x=periods, y=[by_period.get(p, 0) for p in periods], marker_color=_colour(i)
        )
    fig.update_layout(
        barmode="stack",
        title="Units needed from you, by the period they must arrive",
        height=380,
        yaxis={"title": "units", "rangemode": "tozero"},
        **LAYOUT,
    )
    return str(fig.to_json())


def requirements_chart(
    requirements: list[dict[str, Any]], deliveries: dict[str, list[dict[str, Any]]], periods: list[str]
) -> str | None:
    """A customer's units per period: due (line) against planned deliveries, on time and late."""
    if not requirements:
        return None
    due: dict[str, int] = defaultdict(int)
    on_time: dict[str, int] = defaultdict(int)
    late: dict[str, int] = defaultdict(int)
    for r in requirements:
        due[r["due"]] += r["quantity"]
        for d in deliveries.get(r["id"], []):
            (late if d["periods_late"] else on_time)[d["period"]] += d["quantity"]
    fig = go.Figure()
    fig.add_bar(
        name="delivered on time", x=periods, y=[on_time.get(p, 0) for p in periods], marker_color=PALETTE[2]
    )
    fig.add_bar(
        name="delivered late", x=periods, y=[late.get(p, 0) for p in periods], marker_color=PALETTE[5]
    )
    fig.add_scatter(
        name="due",
        x=periods,
        y=[due.get(p, 0) for p in periods],
        mode="lines+markers",
        line={"color": "#000"},
    )
    fig.update_layout(
        barmode="stack",
        title="Your units: due and planned deliveries per period",
        height=380,
        yaxis={"title": "units", "rangemode": "tozero"},
        **LAYOUT,
    )
    return str(fig.to_json())


def scenario_chart(names: list[str], monthly: list[dict[str, Any]], periods: list[str]) -> str:
    """Cumulative units delivered on time per scenario, against cumulative required."""
    fig = go.Figure()
    required, total = [], 0
    for row in monthly:
        total += row[f"{names[0]}: required"]
        required.append(total)
    fig.add_scatter(name="required (as stored)", x=periods, y=required, line={"color": "#000", "dash": "dot"})
    for i, name in enumerate(names):
        on_time, acc = [], 0
        for row in monthly:
            acc += row[f"{name}: on time"]
            on_time.append(acc)
        fig.add_scatter(name=f"on time: {name}", x=periods, y=on_time, line={"color": _colour(i), "width": 3})
    fig.update_layout(
        title="Cumulative units delivered on time, per scenario",
        height=400,
        yaxis={"title": "cumulative units", "rangemode": "tozero"},
        **LAYOUT,
    )
    return str(fig.to_json())


def bands_chart(deliveries: list[dict[str, Any]]) -> str | None:
    """P10-P90 band and median of units delivered per period (all designs)."""
    if not deliveries:
        return None
    cells: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for r in deliveries:
        cell = cells[r["period"]]
        cell[0] += r["p10"]
        cell[1] += r["p50"]
        cell[2] += r["p90"]
    periods = sorted(cells)
    fig = go.Figure()
    fig.add_scatter(
        name="P90", x=periods, y=[cells[p][2] for p in periods], line={"width": 0}, showlegend=False
    )
    fig.add_scatter(
        name="P10–P90 band",
        x=periods,
        y=[cells[p][0] for p in periods],
        fill="tonexty",
        fillcolor="rgba(0,114,178,0.25)",
        mode="lines",
        line={"width": 0},
    )
    fig.add_scatter(
        name="median (P50)",
        x=periods,
        y=[cells[p][1] for p in periods],
        line={"color": PALETTE[0], "width": 3},
    )
    fig.update_layout(
        title="Units delivered per period: median and P10–P90 band (sums over designs)",
        height=380,
        yaxis={"title": "units per period", "rangemode": "tozero"},
        **LAYOUT,
    )
    return str(fig.to_json())


def probability_chart(requirements: list[dict[str, Any]]) -> str | None:
    """P(on time) per requirement, in due order."""
    if not requirements:
        return None
    rows = sorted(requirements, key=lambda r: (r["due"], r["requirement"]))
    fig = go.Figure(
        go.Bar(
            x=[r["requirement"] for r in rows],
            y=[round(100 * r["p_on_time"], 1) for r in rows],
            marker_color=[
                PALETTE[2] if r["p_on_time"] >= 0.9 else PALETTE[1] if r["p_on_time"] >= 0.5 else PALETTE[5]
                for r in rows
            ],
            hovertemplate="%{x}: %{y}% of samples on time<extra></extra>",
        )
    )
    fig.update_layout(
        title="P(on time) per requirement (green ≥ 90 %, orange ≥ 50 %, red below)",
        height=360,
        yaxis={"title": "% of samples on time", "range": [0, 100], "ticksuffix": "%"},
        **LAYOUT,
    )
    return str(fig.to_json())
