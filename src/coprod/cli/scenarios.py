"""`coprod scenario ...` and `coprod risk`: what-if comparisons and Monte Carlo risk."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from coprod.cli.common import Format, ProgrammePath, err, out, status, user_errors, writable, writing

__all__ = ["register"]

scenario_app = typer.Typer(help="What-if scenarios compared side by side.", no_args_is_help=True)


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
    from coprod.app.scenarios import KPI_ROWS, compare_files

    writable("--out", out_dir, folder=True)
    with user_errors(), status("Planning the scenarios"):
        programme, result = compare_files(base, scenarios)
    if out_dir is not None:
        with writing("--out", out_dir):
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
    from coprod.cli.render import comparison

    for part in comparison(result, KPI_ROWS, programme.settings.currency):
        out.print(part, highlight=False)


def risk(
    path: ProgrammePath,
    uncertainty: Annotated[Path, typer.Option("--uncertainty", help="The uncertainty file (YAML)")],
    n: Annotated[int, typer.Option("-n", help="Number of samples", min=1, max=1_000_000)] = 200,
    seed: Annotated[int | None, typer.Option(help="Overrides the file's seed")] = None,
    workers: Annotated[int | None, typer.Option(help="Run on a local Dask cluster of N processes")] = None,
    dask: Annotated[
        str | None, typer.Option("--dask", help="A Dask scheduler address, tcp://host:8786")
    ] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write risk.json and CSV tables here")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.TEXT,
) -> None:
    """Monte Carlo risk: the spread of deliveries, P(target), P(on time), what drives risk."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from coprod.app.scenarios import risk_file

    writable("--out", out_dir, folder=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with user_errors(), Progress(*columns, console=err) as bar:

        def started(count: int) -> Callable[[], None]:
            task = bar.add_task(f"Planning samples ({count} worker(s))", total=n)
            return lambda: bar.advance(task)

        result = risk_file(path, uncertainty, n, seed, workers, dask, started)
    payload = result.to_dict()
    if out_dir is not None:
        with writing("--out", out_dir):
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / "risk.json").write_text(json.dumps(payload, indent=2, default=str))
            for name in ("factors", "requirements", "deliveries", "production"):
                rows = payload[name]
                with (out_dir / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
                    writer = csv.DictWriter(fh, list(rows[0]))
                    writer.writeheader()
                    writer.writerows(rows)
        err.print(f"risk written to {out_dir}/")
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    _print_risk(payload)


def _print_risk(payload: dict[str, Any]) -> None:
    s = payload["summary"]
    out.print(
        f"{s['samples']} samples on {s['workers']} worker(s) in {s['seconds']:.1f} s "
        f"({s['samples_per_second']:.1f} samples/s)"
    )
    ot, fill = s["on_time_units"], s["fill_rate"]
    out.print(f"units on time  P10 {ot['p10']:,.0f}  P50 {ot['p50']:,.0f}  P90 {ot['p90']:,.0f}")
    out.print(f"fill rate      P10 {fill['p10']:.1%}  P50 {fill['p50']:.1%}  P90 {fill['p90']:.1%}")
    if "cost" in s:
        c = s["cost"]
        out.print(f"cost {c['currency']}       P10 {c['p10']:,.0f}  P50 {c['p50']:,.0f}  P90 {c['p90']:,.0f}")
    if s["target"]:
        t = s["target"]
        out.print(
            f"[bold]P({t['measure']} of {t['item'] or 'all designs'} >= {t['rate']:,.0f} in {t['by']}) = "
            f"{t['probability']:.0%}[/]"
        )
    from coprod.cli.render import risk_factors, risk_periods

    out.print(risk_factors(payload["factors"]), highlight=False)
    out.print(risk_periods(payload["deliveries"]), highlight=False)
    risky = sorted(payload["requirements"], key=lambda r: (r["p_on_time"], r["requirement"]))[:10]
    out.print(
        "Requirements least likely on time: "
        + ", ".join(f"{r['requirement']} {r['p_on_time']:.0%}" for r in risky)
        + f" (all {len(payload['requirements'])}: requirements.csv with --out)",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(scenario_app, name="scenario")
    app.command()(risk)
