"""The Gantt of what each line builds gives a design the same colour whoever looks: the
programme office (every line) and a site planner (its own lines) see INT-1 alike."""

from __future__ import annotations

import json
from typing import Any

from coprod.api.web.plan_charts import gantt_chart

PERIODS = ["2026-01-01", "2026-02-01", "2026-03-01"]
ORDER = ["FPV-10", "INT-1", "FC-F7"]
DESIGN_OF = {"FPV-10": "FPV-10", "INT-1": "INT-1", "INT-1-B2": "INT-1", "FC-F7": "FC-F7"}


def _colours(rows: list[dict[str, Any]], order: list[str] | None) -> dict[str, str]:
    figure = gantt_chart(rows, PERIODS, DESIGN_OF, order)
    assert figure is not None
    return {trace["name"]: trace["marker"]["color"] for trace in json.loads(figure)["data"]}


def row(line: str, item: str, quantity: int = 10) -> dict[str, Any]:
    return {"line": line, "item": item, "period": PERIODS[0], "quantity": quantity}


def test_a_design_keeps_its_colour_whatever_rows_are_shown() -> None:
    office = _colours(
        [row("KYIV", "FPV-10"), row("UK", "INT-1"), row("UK", "INT-1-B2"), row("FC", "FC-F7")], ORDER
    )
    planner = _colours([row("UK", "INT-1")], ORDER)
    assert planner["INT-1"] == office["INT-1"]
    assert len(set(office.values())) == 3  # three designs, three colours
    # without the programme's order the colours follow what is shown, and INT-1's moves
    assert _colours([row("UK", "INT-1")], None)["INT-1"] != office["INT-1"]
