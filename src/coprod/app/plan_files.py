"""Plan programme files, without a database: plan, re-plan after a change set, write the
plan's folder (tables, plan.json, summary.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coprod.io import load_programme
from coprod.planning import Plan, PlanOptions
from coprod.planning.solve import FirstPlan, Progress

__all__ = ["Replan", "load_plan_json", "plan_file", "plan_json", "replan_file", "write_plan_folder"]


def plan_file(
    path: Path,
    options: PlanOptions | None = None,
    progress: Progress | None = None,
    last: Path | None = None,
    on_first: FirstPlan | None = None,
) -> Plan:
    """Plan the file; with `last` (a plan.json) and options.stability, keep it still;
    `on_first` is shown the first plan as soon as there is one (planning/solve.py)."""
    from coprod.errors import InputError
    from coprod.planning import plan

    if options is not None and options.stability > 0 and last is None:
        raise InputError("--stability needs --last PLAN.json: the plan whose lines to keep still")
    programme = load_programme(path)
    previous = load_plan_json(last) if last is not None else None
    if progress is None:
        return plan(programme, options, last=previous, on_first=on_first)
    return plan(programme, options, progress, last=previous, on_first=on_first)


def load_plan_json(path: Path) -> Plan:
    """A plan written by `coprod plan --out` (plan.json) or `--format json`."""
    import json

    from coprod.errors import InputError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Plan.from_dict(data)
    except FileNotFoundError:
        raise InputError(f"{path}: no such plan file") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InputError(f"{path}: not a plan written by coprod (plan.json): {exc}") from None


@dataclass(frozen=True, slots=True)
class Replan:
    before: Plan
    after: Plan
    changes: int
    frozen: int
    diff: dict[str, Any]


def replan_file(
    path: Path, changes: Path, frozen: int, options: PlanOptions | None = None, stability: float = 0.0
) -> Replan:
    """Plan the file, apply the change set to the live solver, re-plan (holding `frozen`
    periods, penalising moves beyond them by `stability`), and diff."""
    from coprod.errors import InputError
    from coprod.io.changes_file import load_change_set
    from coprod.planning.diff import diff_plans
    from coprod.planning.replan import PlanningSession

    if frozen < 0:
        raise InputError("--frozen must be 0 or more")
    change_set = load_change_set(changes)
    live = PlanningSession(load_programme(path), options)
    before = live.plan
    after = live.replan(change_set, frozen=frozen, source=str(changes), stability=stability)
    return Replan(before, after, len(change_set.changes), frozen, diff_plans(before, after))


def plan_json(plan: Plan) -> str:
    from coprod.report.plan_files import plan_json as as_json

    return as_json(plan)


def write_plan_folder(plan: Plan, folder: Path) -> list[Path]:
    from coprod.report.plan_files import write_plan_folder as write

    return write(plan, folder)
