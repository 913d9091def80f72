"""`coprod scenario ...` and `coprod risk`: what-if comparisons and Monte Carlo risk."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from coprod.cli_common import Format, ProgrammePath, err, out, user_errors

scenario_app = typer.Typer(help="What-if scenarios compared side by side.", no_args_is_help=True)


def _fmt(key: str, value: Any, currency: str) -> str:
    if key.endswith("_rate"):
        return f"{value:.1%}"
    if key == "cost":
        return f"{currency} {value:,.0f}"
    return f"{value:,}"


@scenario_app.command("compare")
def compare_cmd(
    base: ProgrammePath,
    scenarios: Annotated[
        list[Path], typer.Argument(help="Change sets (YAML with `changes:`) or whole programmes")
    ],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write kpis.csv, monthly.csv, comparison.json")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.TEXT,
) -> None:
    """Plan the base and each scenario; show KPIs and monthly deliveries side by side."""
    from coprod.scenarios import compare, load_scenario
    from coprod.scenarios.compare import KPI_ROWS
    from coprod.services import validate_file

    with user_errors(), err.status("Planning the scenarios"):
        programme = validate_file(base)
        loaded = [load_scenario(programme, path) for path in scenarios]
        result = compare(programme, loaded, base_name=base.stem)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, rows in (("kpis", result.kpis()), ("monthly", result.monthly())):
            with (out_dir / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
                writer = csv.DictWriter(fh, list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
        (out_dir / "comparison.json").write_text(json.dumps(result.to_dict(), indent=2, default=str))
        err.print(f"comparison written to {out_dir}/")
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, default=str) + "\n")
        return
    currency = programme.settings.currency
    kpis = result.kpis()
    table = Table(title="Scenarios side by side (differences against the base: green better, red worse)")
    table.add_column("KPI")
    for name in result.names:
        table.add_column(name, justify="right")
    for key, label, higher_is_better in KPI_ROWS:
        cells = [_fmt(key, kpis[0][key], currency)]
        for row in kpis[1:]:
            diff = row[key] - kpis[0][key]
            colour = "" if abs(diff) < 1e-9 else ("green" if (diff > 0) == higher_is_better else "red")
            text = _fmt(key, row[key], currency)
            cells.append(f"[{colour}]{text}[/]" if colour else text)
        table.add_row(label, *cells)
    table.add_row("what binds most", *[row["top_bottleneck"] for row in kpis])
    out.print(table)
    monthly = Table(title="Delivered per period (required in brackets)")
    monthly.add_column("period")
    for name in result.names:
        monthly.add_column(name, justify="right")
    for row in result.monthly():
        base_got = row[f"{result.names[0]}: delivered"]
        cells = []
        for i, name in enumerate(result.names):
            got, req = row[f"{name}: delivered"], row[f"{name}: required"]
            text = f"{got:,} ({req:,})"
            if i and got != base_got:
                text = f"[{'green' if got > base_got else 'red'}]{text}[/]"
            cells.append(text)
        monthly.add_row(row["period"], *cells)
    out.print(monthly)
