"""Write a plan to a folder: one CSV per table, plan.json, and summary.md."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from coprod.planning import TABLES, Plan
from coprod.report.summary import summary_markdown

__all__ = ["plan_json", "write_plan_folder"]


def plan_json(plan: Plan) -> str:
    # no indent: json's C encoder runs only without one (indented, M took 0.6 s more)
    return json.dumps(plan.public_dict(), default=str)


def write_plan_folder(plan: Plan, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        rows = plan.table(name)
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            if rows:
                writer = csv.DictWriter(fh, list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
        written.append(path)
    (folder / "plan.json").write_text(plan_json(plan), encoding="utf-8")
    (folder / "summary.md").write_text(summary_markdown(plan), encoding="utf-8")
    return [*written, folder / "plan.json", folder / "summary.md"]
