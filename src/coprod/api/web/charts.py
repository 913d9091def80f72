"""Plotly figures for the pages, as JSON for Plotly.newPlot (the JS comes from the plotly package)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import plotly.graph_objects as go

__all__ = [
    "cumulative_chart",
    "deliveries_chart",
    "diff_chart",
    "line_chart",
    "production_chart",
    "rate_chart",
]

LAYOUT: dict[str, Any] = {
    "margin": {"l": 60, "r": 20, "t": 40, "b": 60},
    "height": 380,
    "legend": {"orientation": "h", "y": -0.2},
    "template": "plotly_white",
}


def deliveries_chart(rows: list[dict[str, Any]], periods: list[str]) -> str:
    """Delivered per period stacked by item, with required per period and cumulative lines."""
    by_item: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    required: dict[str, int] = defaultdict(int)
    for r in rows:
        by_item[r["item"]][r["period"]] += r["delivered"]
        required[r["period"]] += r["required"]
    fig = go.Figure()
    for item, cells in sorted(by_item.items()):
        fig.add_bar(name=f"delivered {item}", x=periods, y=[cells.get(p, 0) for p in periods])
    fig.add_scatter(
        name="required",
        x=periods,
        y=[required.get(p, 0) for p in periods],
        mode="lines+markers",
        line={"color": "black", "width": 2},
    )
    cum_req, cum_got, a, b = [], [], 0, 0
    for p in periods:
        a += required.get(p, 0)
        b += sum(cells.get(p, 0) for cells in by_item.values())
        cum_req.append(a)
        cum_got.append(b)
    fig.add_scatter(
        name="cumulative required", x=periods, y=cum_req, yaxis="y2", line={"dash": "dot", "color": "#555"}
    )
    fig.add_scatter(name="cumulative delivered", x=periods, y=cum_got, yaxis="y2", line={"color": "#0b6e4f"})
    fig.update_layout(
        barmode="stack",
        title="Deliveries per period",
        yaxis={"title": "units"},
        yaxis2={"title": "cumulative units", "overlaying": "y", "side": "right"},
        **LAYOUT,
    )
    return str(fig.to_json())


def production_chart(per_period: dict[str, int], periods: list[str], target: float | None, label: str) -> str:
    fig = go.Figure()
    fig.add_bar(
        name=f"planned production {label}",
        x=periods,
        y=[per_period.get(p, 0) for p in periods],
        marker_color="#1f5f99",
    )
    if target:
        fig.add_scatter(
            name=f"target {target:,.0f} a period",
            x=periods,
            y=[target] * len(periods),
            mode="lines",
            line={"color": "#b00020", "dash": "dash"},
        )
    fig.update_layout(
        title=f"Production of {label} against the target rate",
        yaxis={"title": "units per period", "rangemode": "tozero"},
        **LAYOUT,
    )
    return str(fig.to_json())


def line_chart(
    line: str,
    periods: list[str],
    hours: list[float],
    used: list[float],
    rate: list[float] | None,
    units: list[float],
) -> str:
    fig = go.Figure()
    fig.add_scatter(name="hours available", x=periods, y=hours, mode="lines", line={"color": "black"})
    fig.add_bar(name="hours planned", x=periods, y=used, marker_color="#1f5f99")
    if rate is not None:
        fig.add_scatter(
            name="ramp-up rate (units)",
            x=periods,
            y=rate,
            yaxis="y2",
            line={"dash": "dot", "color": "#b00020"},
        )
        fig.add_scatter(
            name="units planned", x=periods, y=units, yaxis="y2", mode="markers", marker={"color": "#b00020"}
        )
    fig.update_layout(
        title=f"Line {line}: capacity and load",
        yaxis={"title": "hours per period", "rangemode": "tozero"},
        yaxis2={"title": "units per period", "overlaying": "y", "side": "right", "rangemode": "tozero"},
        **LAYOUT,
    )
    return str(fig.to_json())


def diff_chart(kpis: dict[str, dict[str, float]]) -> str:
    names = [k for k in kpis if not k.endswith("_rate")]
    fig = go.Figure()
    fig.add_bar(name="before", x=names, y=[kpis[k]["before"] for k in names], marker_color="#999")
    fig.add_bar(name="after", x=names, y=[kpis[k]["after"] for k in names], marker_color="#1f5f99")
    fig.update_layout(barmode="group", title="Units before and after", **LAYOUT)
    return str(fig.to_json())


def cumulative_chart(title: str, rows: list[dict[str, Any]]) -> str:
    """Plan against actual, cumulative, per line: planned dashed, built solid, and the
    accepted units per period as bars (rows: the tracking rows of the lines shown)."""
    by_line: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_line[r["line"]].append(r)
    fig = go.Figure()
    for line, mine in by_line.items():
        periods = [r["period"] for r in mine]
        fig.add_scatter(
            name=f"{line} planned", x=periods, y=[r["cum_planned"] for r in mine], line={"dash": "dash"}
        )
        fig.add_scatter(
            name=f"{line} built", x=periods, y=[r["cum_built"] for r in mine], mode="lines+markers"
        )
        fig.add_bar(name=f"{line} accepted", x=periods, y=[r["accepted"] for r in mine], opacity=0.4)
    fig.update_layout(title=title, yaxis={"title": "units (cumulative; bars: accepted per period)"}, **LAYOUT)
    return str(fig.to_json())


def rate_chart(lines: list[dict[str, Any]]) -> str:
    """The rate each line reached (most built in a period) against its target rate."""
    names = [s["line"] for s in lines]
    fig = go.Figure()
    fig.add_bar(name="rate reached", x=names, y=[s["rate_reached"] for s in lines], marker_color="#1f5f99")
    fig.add_scatter(
        name="target rate",
        x=names,
        y=[s["target_rate"] for s in lines],
        mode="markers",
        marker={"symbol": "line-ew-open", "size": 40, "color": "#b00020"},
    )
    fig.update_layout(
        title="Rate reached against the target rate", yaxis={"title": "units a period"}, **LAYOUT
    )
    return str(fig.to_json())
