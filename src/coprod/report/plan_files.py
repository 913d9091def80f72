"""Write a plan to a folder: one CSV per table, plan.json, and summary.md."""

from __future__ import annotations

import csv
from operator import itemgetter
from pathlib import Path

import orjson

from coprod.planning import TABLES, Plan
from coprod.report.summary import summary_markdown

__all__ = ["plan_json", "write_plan_folder"]


def plan_json(plan: Plan) -> str:
    """What `public_dict` holds, as JSON text, without copying it first: orjson reads the
    rows as they are (a first plan at M: 0.01 s against 0.1 s for the copy and json)."""
    fields = {name: getattr(plan, name) for name in plan.__dataclass_fields__ if name not in _PRIVATE}
    text: str = orjson.dumps(fields, default=str, option=_OPTIONS).decode()
    return text


_PRIVATE = frozenset({"solver_state"})  # what public_dict leaves out
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def write_plan_folder(plan: Plan, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        rows = plan.table(name)
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            if rows:
                # a table's rows are made by one function, keys in one order: their values
                # by itemgetter (csv.DictWriter checked every row's keys: 0.025 s at M)
                fields = list(rows[0])
                writer = csv.writer(fh)
                writer.writerow(fields)
                cells = itemgetter(*fields)
                writer.writerows(map(cells, rows) if len(fields) > 1 else ([cells(r)] for r in rows))
        written.append(path)
    (folder / "plan.json").write_text(plan_json(plan), encoding="utf-8")
    (folder / "summary.md").write_text(summary_markdown(plan), encoding="utf-8")
    return [*written, folder / "plan.json", folder / "summary.md"]
