"""The coprod command line: a thin Typer layer over coprod.services.

Every error a user can cause ends with a message naming file, record and field, and exit
status 2; never a traceback.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markdown import Markdown

from coprod import services
from coprod.cli_common import Format, ProgrammePath, app, err, out, user_errors
from coprod.cli_scenarios import risk, scenario_app
from coprod.cli_server import db_app, export_cmd, import_cmd, serve, user_app
from coprod.io import write_programme
from coprod.io.plan_files import plan_json, write_plan_folder
from coprod.planning import PlanOptions, SolverOptions
from coprod.planning.options import Method, Objective, Resolution
from coprod.report import summary_markdown

STAGES = {
    "building": "Building the LP",
    "solving": "Solving with HiGHS",
    "rounding": "Rounding to whole units",
    "explaining": "Explaining the plan",
}


class FileFormat(StrEnum):
    YAML = "yaml"
    CSV = "csv"


app.add_typer(scenario_app, name="scenario")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.command("import")(import_cmd)
app.command("export")(export_cmd)
app.command()(serve)
app.command()(risk)


@app.command()
def validate(path: ProgrammePath) -> None:
    """Check a programme; list every problem with its file, record and field."""
    with user_errors():
        p = services.validate_file(path)
    out.print(
        f"[green]valid[/]: {p.settings.name}: {len(p.partners)} partners, {len(p.sites)} sites, "
        f"{len(p.lines)} lines, {len(p.designs)} designs, {len(p.components)} components, "
        f"{len(p.requirements)} requirements over {p.calendar.periods} {p.calendar.granularity}s"
    )


@app.command("plan")
def plan_cmd(
    path: Annotated[
        str | None,
        typer.Argument(help="Programme file or folder; or `diff A B` to compare two stored plan versions"),
    ] = None,
    versions: Annotated[list[str] | None, typer.Argument(help="With diff: the two plan numbers")] = None,
    programme: Annotated[
        str | None, typer.Option(help="Plan this database programme and store the plan as a new version")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write tables, plan.json, summary.md here")
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="text summary or the whole plan as JSON")
    ] = Format.TEXT,
    export_mps: Annotated[Path | None, typer.Option("--export-mps", help="Write the exact LP as MPS")] = None,
    export_lp: Annotated[
        Path | None, typer.Option("--export-lp", help="Write the exact LP in LP format")
    ] = None,
    method: Annotated[
        Method, typer.Option(help="HiGHS method; auto: simplex below 20k columns, else ipm")
    ] = Method.AUTO,
    objective: Annotated[
        Objective, typer.Option(help="weighted: one solve; lexicographic: two phases")
    ] = Objective.WEIGHTED,
    time_limit: Annotated[float | None, typer.Option(help="Seconds the solver may take")] = None,
    resolution: Annotated[
        Resolution,
        typer.Option(help="auto: single periods through 13 + the longest lead time, 4-period buckets beyond"),
    ] = Resolution.AUTO,
    solver_log: Annotated[bool, typer.Option(help="Show the HiGHS log")] = False,
) -> None:
    """Compute the best feasible plan: service first, cost second.

    `coprod plan FILE` plans a file; `coprod plan --programme NAME` plans a programme in the
    database and stores the plan as a version; `coprod plan diff A B --programme NAME` shows
    what moved between two stored versions."""
    if path == "diff":
        _plan_diff(programme, versions or [], fmt)
        return
    if versions:
        err.print(f"[bold red]error:[/] unexpected arguments {versions}")
        raise typer.Exit(2)
    if path is None and programme is None:
        err.print("[bold red]error:[/] give a programme file, or --programme NAME for one in the database")
        raise typer.Exit(2)
    exports = tuple(x for x in (export_mps, export_lp) if x is not None)
    options = PlanOptions(
        solver=SolverOptions(method=method, time_limit=time_limit, log=solver_log),
        objective=objective,
        export=exports,
        resolution=resolution,
    )
    with user_errors(), err.status("Loading the programme") as status:

        def progress(stage: str) -> None:
            status.update(STAGES.get(stage, stage))

        if path is not None:
            result = services.plan_file(Path(path), options, progress)
        else:
            assert programme is not None
            number, result = services.plan_stored(programme, options, progress)
            err.print(f"stored as plan {number} of '{programme}'")
    if out_dir is not None:
        with user_errors():
            write_plan_folder(result, out_dir)
        err.print(f"plan written to {out_dir}/ (summary.md, plan.json and one CSV per table)")
    if fmt is Format.JSON:
        sys.stdout.write(plan_json(result) + "\n")
    else:
        out.print(Markdown(summary_markdown(result)))


@app.command()
def convert(
    path: ProgrammePath,
    to: Annotated[FileFormat, typer.Option("--to", help="yaml (one file) or csv (a folder)")],
    target: Annotated[Path, typer.Argument(help="The file (yaml) or folder (csv) to write")],
) -> None:
    """Convert a programme between YAML and a CSV folder, losslessly."""
    with user_errors():
        services.convert_programme(path, target, to.value)
    out.print(f"written {target} ({to.value})")


@app.command()
def replan(
    path: ProgrammePath,
    changes: Annotated[Path, typer.Option("--changes", help="A change set (YAML)")],
    frozen: Annotated[int, typer.Option(help="Keep the first N periods as planned")] = 0,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.TEXT,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write the new plan here")] = None,
) -> None:
    """Plan, apply a change set to the live solver, re-plan warm, and show what changed."""
    from coprod.io.changes_file import load_change_set
    from coprod.planning.diff import diff_plans
    from coprod.planning.replan import PlanningSession

    if frozen < 0:
        err.print("[bold red]error:[/] --frozen must be 0 or more")
        raise typer.Exit(2)
    with user_errors(), err.status("Planning the programme"):
        change_set = load_change_set(changes)
        live = PlanningSession(services.validate_file(path))
        before = live.plan
        after = live.replan(change_set, frozen=frozen, source=str(changes))
    delta = diff_plans(before, after)
    if out_dir is not None:
        write_plan_folder(after, out_dir)
    if fmt is Format.JSON:
        payload = {
            "first_plan_s": before.timings["total_s"],
            "replan_s": after.timings["total_s"],
            "diff": delta,
            "plan": after.to_dict(),
        }
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    out.print(
        f"first plan {before.timings['total_s']:.2f} s; warm re-plan {after.timings['total_s']:.2f} s "
        f"({len(change_set.changes)} change(s), frozen periods: {frozen})"
    )
    for name, row in delta["kpis"].items():
        out.print(f"  {name:15} {row['before']:>12,.3f} -> {row['after']:>12,.3f}  ({row['change']:+,.3f})")
    out.print(f"  cost change: {after.currency} {delta['cost_change']:+,.0f}")
    out.print(f"  requirements that moved: {len(delta['requirements'])}")
    for r in delta["requirements"][:15]:
        out.print(
            f"    {r['id']} {r['item']} due {r['due']}: {r['status_before']} -> {r['status_after']} "
            f"(on time {r['on_time_change']:+,}, unmet {r['unmet_change']:+,})"
        )


def _plan_diff(programme: str | None, versions: list[str], fmt: Format) -> None:
    if len(versions) != 2 or not all(v.isdigit() for v in versions):
        err.print("[bold red]error:[/] usage: coprod plan diff A B --programme NAME (A and B: plan numbers)")
        raise typer.Exit(2)
    with user_errors():
        delta = services.diff_stored(programme, int(versions[0]), int(versions[1]))
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(delta, indent=2, default=str) + "\n")
        return
    out.print(f"plan {versions[0]} -> plan {versions[1]}")
    for name, row in delta["kpis"].items():
        out.print(f"  {name:15} {row['before']:>12,.3f} -> {row['after']:>12,.3f}  ({row['change']:+,.3f})")
    out.print(f"  cost change: {delta['cost_change']:+,.0f}")
    out.print(
        f"  requirements that moved: {len(delta['requirements'])}; line-periods that changed: "
        f"{len(delta['production'])}"
    )
    for r in delta["requirements"][:20]:
        out.print(
            f"    {r['id']} {r['item']} due {r['due']}: {r['status_before']} -> {r['status_after']} "
            f"(on time {r['on_time_change']:+,}, unmet {r['unmet_change']:+,})"
        )


class SizeName(StrEnum):
    S = "S"
    M = "M"
    L = "L"


@app.command()
def generate(
    size: Annotated[SizeName, typer.Option("--size", help="S, M or L (benchmarks/README)")],
    target: Annotated[Path, typer.Argument(help="A .yaml file, or a folder for CSV files")],
    seed: Annotated[int, typer.Option(help="Same seed, same programme")] = 0,
) -> None:
    """Write a deterministic synthetic programme (benchmarks, experiments)."""
    from coprod.generate import generate as make

    fmt = "yaml" if target.suffix.lower() in (".yaml", ".yml") else "csv"
    with user_errors(), err.status(f"Generating a size {size.value} programme"):
        programme = make(size.value, seed)
        write_programme(programme, target, fmt)
    out.print(
        f"written {target} ({fmt}): {len(programme.sites)} sites, {len(programme.designs)} designs, "
        f"{len(programme.components)} components, {len(programme.requirements)} requirements, "
        f"{programme.calendar.periods} periods"
    )


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--out", help="Write to this file")] = None,
) -> None:
    """Print the JSON Schema of the programme format."""
    text = services.programme_schema()
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")


def main() -> None:  # pragma: no cover - console entry
    app()
