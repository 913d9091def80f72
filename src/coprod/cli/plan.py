"""`coprod plan` (a file, or a stored programme kept as a version), `coprod plan diff A B`,
and `coprod replan`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from coprod.app.options import Method, Objective, PlanStage, Priority, Resolution
from coprod.cli.common import (
    Format,
    ProgrammePath,
    collector_paused,
    err,
    out,
    status,
    user_errors,
    writable,
    writing,
)

if TYPE_CHECKING:
    from coprod.app.options import PlanOptions

__all__ = ["register"]

STAGES = {
    PlanStage.BUILDING: "Building the LP",
    PlanStage.SOLVING: "Solving with HiGHS",
    PlanStage.ROUNDING: "Rounding to whole units",
    PlanStage.EXPLAINING: "Explaining the plan",
}


# What `--first` (the heuristic's plan, no LP solve) cannot honour: an error rather than an
# option silently ignored. Kept with --first: --out, --format, --programme, --as-of,
# --resolution auto/exact (the first plan is made in single periods whatever the LP's).
_NO_LP = "--first solves no LP"
FIRST_CONFLICTS = {
    "--export-mps": f"the MPS file is the LP coprod solves, and {_NO_LP}",
    "--export-lp": f"the LP file is the LP coprod solves, and {_NO_LP}",
    "--method": f"it chooses how HiGHS solves the LP, and {_NO_LP}",
    "--objective lexicographic": f"its two phases are two LP solves, and {_NO_LP}",
    "--time-limit": f"it limits the LP solve, and {_NO_LP} (without --first, a time limit returns "
    "the first plan when the LP has none in time)",
    "--solver-log": f"it shows HiGHS's log, and {_NO_LP}",
    "--resolution aggregated": "the first plan is made in single periods throughout; the buckets "
    "are the LP's",
    "--stability": "lines are held still by a term of the LP's objective; the heuristic does not know it",
    "--last": "the previous plan is held still (with --stability) by the LP; the heuristic does not know it",
    "--priority strict": "the heuristic ranks requirements by priority weight and serves every "
    "one on time before any late, so a lower class on time can take what a higher class needed "
    "to be less late; only the LP's class-by-class solves keep strict priority",
    "--fair-share": "equal fractions on time are terms of the LP's objective; the heuristic "
    "does not know them",
    "--why-idle": "idle reasons need the LP's plan (its duals); the first plan has none",
}


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
    export_mps: Annotated[
        Path | None,
        typer.Option("--export-mps", help="Write the LP solved (at the chosen resolution) as MPS"),
    ] = None,
    export_lp: Annotated[
        Path | None, typer.Option("--export-lp", help="Write the LP solved in LP format")
    ] = None,
    method: Annotated[
        Method,
        typer.Option(
            help="HiGHS method; auto: simplex below 20k columns or when supply is folded (below 300k), "
            "else ipm"
        ),
    ] = Method.AUTO,
    objective: Annotated[
        Objective, typer.Option(help="weighted: one solve; lexicographic: two phases")
    ] = Objective.WEIGHTED,
    time_limit: Annotated[
        float | None,
        typer.Option(
            help="Seconds the solver may take; when it runs out, the best plan so far (the first "
            "plan if the LP has none) is returned with its state and gap",
            min=0.001,
        ),
    ] = None,
    first: Annotated[
        bool,
        typer.Option(
            "--first",
            help="Stop at the first plan: the fast heuristic's whole-unit plan (state first, gap "
            "unknown), no LP solve",
        ),
    ] = False,
    resolution: Annotated[
        Resolution,
        typer.Option(
            help="auto: exact when the LP is small, else single periods near term and 4-period "
            "buckets beyond (the plan says which and why); aggregated: always the latter; exact: every "
            "period (supply that can never bind is still folded: exact in value)"
        ),
    ] = Resolution.AUTO,
    stability: Annotated[
        float,
        typer.Option(
            help="With --last: each unit a production, order or shipment line moves costs this "
            "many unit-periods of lateness (docs/scenarios.md); 0: off",
            min=0.0,
        ),
    ] = 0.0,
    last: Annotated[
        Path | None, typer.Option("--last", help="A previous plan.json to keep still (see --stability)")
    ] = None,
    solver_log: Annotated[bool, typer.Option(help="Show the HiGHS log")] = False,
    priority: Annotated[
        Priority,
        typer.Option(help="weighted: priorities are weights; strict: no lower class served before a higher"),
    ] = Priority.WEIGHTED,
    fair_share: Annotated[
        bool, typer.Option(help="Equal priorities competing for scarce supply get the same fraction on time")
    ] = False,
    why_idle: Annotated[
        str | None,
        typer.Option(help="Say why this line, licence or offer is idle while requirements are late"),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="With --programme: plan the rest of the horizon from the actuals before this day"
        ),
    ] = None,
) -> None:
    """Compute the best feasible plan: service first, cost second.

    `coprod plan FILE` plans a file; `coprod plan --programme NAME` plans a programme in the
    database and stores the plan as a version; `coprod plan diff A B --programme NAME` shows
    what moved between two stored versions."""
    from coprod.app.options import PlanOptions, SolverOptions

    if path == "diff":
        _plan_diff(programme, versions or [], fmt)
        return
    if versions:
        _usage(f"unexpected arguments {versions}")
    if path is None and programme is None:
        _usage("give a programme file, or --programme NAME for one in the database")
    if as_of is not None and programme is None:
        _usage("--as-of plans a database programme from its actuals: give --programme NAME")
    if first:
        given = {
            "--export-mps": export_mps is not None,
            "--export-lp": export_lp is not None,
            "--method": method is not Method.AUTO,
            "--objective lexicographic": objective is Objective.LEXICOGRAPHIC,
            "--time-limit": time_limit is not None,
            "--solver-log": solver_log,
            "--resolution aggregated": resolution is Resolution.AGGREGATED,
            "--stability": stability > 0,
            "--last": last is not None,
            "--priority strict": priority is Priority.STRICT,
            "--fair-share": fair_share,
            "--why-idle": why_idle is not None,
        }
        _usage_all(
            [f"{name} cannot be used with --first: {FIRST_CONFLICTS[name]}" for name in given if given[name]]
        )
    writable("--out", out_dir, folder=True)
    writable("--export-mps", export_mps, folder=False)
    writable("--export-lp", export_lp, folder=False)
    exports = tuple(x for x in (export_mps, export_lp) if x is not None)
    with user_errors():
        options = PlanOptions(
            solver=SolverOptions(method=method, time_limit=time_limit, log=solver_log),
            objective=objective,
            export=exports,
            resolution=resolution,
            priority=priority,
            fair_share=fair_share,
            stability=stability,
            first_only=first,
        )
    if programme is not None and (stability > 0 or last is not None):
        _usage("--stability and --last work on a programme file; a stored programme is not wired yet")
    if last is not None and stability <= 0 and not first:
        _usage("--last needs --stability (the cost of each unit moved against it): alone it has no effect")
    with collector_paused():
        result = _plan(path, programme, options, last, first, as_of)
        _show(result, out_dir, fmt)
    if why_idle is not None:
        from coprod.app.plan_view import why_idle as why

        with user_errors():
            lines = why(result, why_idle)
        target = err if fmt is Format.JSON else out  # JSON on stdout stays machine-readable
        target.print(f"why {why_idle} is idle while requirements are late:", highlight=False, markup=False)
        for line in lines:
            target.print(f"  {line}", highlight=False, markup=False)


def _plan(
    path: str | None,
    programme: str | None,
    options: PlanOptions,
    last: Path | None,
    first: bool,
    as_of: str | None,
) -> Any:
    """Plan the file or the stored programme, showing progress and the first plan."""
    with user_errors(), status("Loading the programme") as spinner:

        def progress(stage: PlanStage) -> None:
            spinner.update(STAGES.get(stage, str(stage)))

        def on_first(made: Any) -> None:
            from coprod.cli.render import first_plan_line

            err.print(first_plan_line(made, final=first), highlight=False)

        if path is not None:
            from coprod.app.plan_files import plan_file

            result = plan_file(Path(path), options, progress, last, on_first)
        else:
            from coprod.app.database import configured_url, local_operator
            from coprod.app.plans import plan_stored
            from coprod.cli.tracking import parse_day

            assert programme is not None
            day = parse_day(as_of, "--as-of")
            number, result = plan_stored(
                configured_url(), programme, local_operator(), options, progress, day
            )
            err.print(f"stored as plan {number} of '{programme}'", highlight=False, markup=False)
    return result


def _usage(message: str) -> None:
    _usage_all([message])


def _usage_all(messages: list[str]) -> None:
    """Exit 2 with every message, when there is one."""
    for message in messages:
        err.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False)
    if messages:
        raise typer.Exit(2)


def _show(result: Any, out_dir: Path | None, fmt: Format) -> None:
    from coprod.app.plan_files import plan_json, write_plan_folder

    if out_dir is not None:
        with user_errors(), writing("--out", out_dir):
            write_plan_folder(result, out_dir)
        err.print(
            f"plan written to {out_dir}/ (summary.md, plan.json and one CSV per table)", highlight=False
        )
    if fmt is Format.JSON:
        sys.stdout.write(plan_json(result) + "\n")
    else:
        from coprod.cli.render import plan_summary

        out.print(plan_summary(result), highlight=False)


def replan(
    path: ProgrammePath,
    changes: Annotated[Path, typer.Option("--changes", help="A change set (YAML)")],
    frozen: Annotated[int, typer.Option(help="Keep the first N periods as planned")] = 0,
    stability: Annotated[
        float,
        typer.Option(
            help="Each unit a line moves beyond the frozen periods costs this many unit-periods "
            "of lateness (docs/scenarios.md); 0: off",
            min=0.0,
        ),
    ] = 0.0,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.TEXT,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write the new plan here")] = None,
) -> None:
    """Plan, apply a change set (warm on the live solver when it can, else on a rebuilt LP),
    hold the frozen periods, and show what changed."""
    from coprod.app.plan_files import replan_file, write_plan_folder

    writable("--out", out_dir, folder=True)
    with user_errors(), status("Planning the programme"):
        run = replan_file(path, changes, frozen, stability=stability)
    before, after, delta = run.before, run.after, run.diff
    if out_dir is not None:
        with user_errors(), writing("--out", out_dir):
            write_plan_folder(after, out_dir)
    if fmt is Format.JSON:
        payload = {
            # the plan before the changes, cold (the key's old name kept for scripts; not
            # the heuristic's "first plan")
            "first_plan_s": before.timings["total_s"],
            "before_plan_s": before.timings["total_s"],
            "replan_s": after.timings["total_s"],
            "replan": after.replan,
            "diff": delta,
            "plan": after.public_dict(),
        }
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    how = after.replan
    out.print(
        f"plan before the changes (cold) {before.timings['total_s']:.2f} s; {how['path']} re-plan "
        f"{after.timings['total_s']:.2f} s; {run.changes} change(s)",
        highlight=False,
    )
    stable = f"; stability {how['stability']:g}" if how["stability"] else ""
    out.print(f"frozen periods held: {how['frozen']}{stable}", highlight=False)
    out.print(f"{how['path']}: {how['why']}", highlight=False)
    _print_diff(delta, after.currency)


def _print_diff(delta: dict[str, Any], currency: str | None) -> None:
    from coprod.cli.render import kpi_changes, requirement_changes

    out.print(kpi_changes(delta), highlight=False)
    if "cost_change" in delta:
        out.print(
            f"cost change: {currency + ' ' if currency else ''}{delta['cost_change']:+,.0f}", highlight=False
        )
    for table, moved in delta.get("churn", {}).items():
        out.print(
            f"{table} lines moved: {moved['moved']:,} of {moved['lines_before']:,} "
            f"({moved['units']:,} units)",
            highlight=False,
        )
    for part in requirement_changes(delta):
        out.print(part, highlight=False)


def _plan_diff(programme: str | None, versions: list[str], fmt: Format) -> None:
    from coprod.app.database import configured_url, local_operator
    from coprod.app.plans import diff_stored
    from coprod.app.programmes import only_programme

    if len(versions) != 2 or not all(v.isdigit() and 0 < int(v) < 2**31 for v in versions):
        _usage("usage: coprod plan diff A B --programme NAME (A and B: plan numbers)")
    with user_errors():
        url = configured_url()
        name = only_programme(url, programme)
        delta = diff_stored(url, name, local_operator(), int(versions[0]), int(versions[1]))
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(delta, indent=2, default=str) + "\n")
        return
    out.print(f"plan {versions[0]} -> plan {versions[1]} of '{name}'", highlight=False, markup=False)
    _print_diff(delta, None)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan_cmd)
    app.command()(replan)
