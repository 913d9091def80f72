"""The use cases every entry point shares (CLI today; API and sweeps later)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

from coprod.domain import Programme
from coprod.errors import SolverError
from coprod.io import load_programme, write_programme
from coprod.planning import Plan, PlanOptions, plan
from coprod.planning.solve import Progress

__all__ = [
    "convert_programme",
    "diff_stored",
    "plan_file",
    "plan_stored",
    "programme_schema",
    "validate_file",
]


def validate_file(path: Path) -> Programme:
    """Load and validate; raises ProgrammeInvalid listing every problem."""
    return load_programme(path)


def plan_file(path: Path, options: PlanOptions | None = None, progress: Progress | None = None) -> Plan:
    programme = load_programme(path)
    if progress is None:
        return plan(programme, options)
    return plan(programme, options, progress)


def convert_programme(source: Path, target: Path, fmt: str) -> Programme:
    programme = load_programme(source)
    write_programme(programme, target, fmt)
    return programme


def programme_schema() -> str:
    """JSON Schema of the programme file format, generated from the domain model."""
    schema = Programme.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "coprod programme"
    return json.dumps(schema, indent=2)


def _only_programme(session: Any, name: str | None) -> str:
    from coprod.errors import InputError
    from coprod.storage.records import RecordStore

    if name is not None:
        return name
    names = [p.name for p in RecordStore(session).programmes()]
    if len(names) != 1:
        raise InputError(f"say which programme (--programme): the database holds {names or 'none'}")
    return names[0]


def plan_stored(
    name: str, options: PlanOptions | None = None, progress: Progress | None = None
) -> tuple[int, Plan]:
    """Plan a database programme and store the plan as its next version."""
    from coprod.access import Principal, Role
    from coprod.config import settings
    from coprod.storage.db import session_scope, upgrade
    from coprod.storage.plans import PlanStore, plan_from_dict
    from coprod.storage.records import RecordStore

    url = settings().database_url
    upgrade(url)
    office = Principal(getpass.getuser(), "", Role.PROGRAMME_OFFICE)
    with session_scope(url) as session:
        store = PlanStore(session, url)
        version, new = store.start(RecordStore(session).programme(name), office)
        number, version_id = version.number, version.id
    if new:
        PlanStore.run_now(url, version_id, name, options, progress)
    with session_scope(url) as session:
        done = PlanStore(session, url).get(RecordStore(session).programme(name), number)
        if done.result is None:
            raise SolverError(f"plan {number} failed: {done.error}")
        return number, plan_from_dict(done.result)


def diff_stored(name: str | None, a: int, b: int) -> dict[str, Any]:
    """What moved between two stored plan versions of a database programme."""
    from coprod.config import settings
    from coprod.errors import Conflict
    from coprod.planning.diff import diff_plans
    from coprod.storage.db import session_scope
    from coprod.storage.plans import PlanStore, plan_from_dict
    from coprod.storage.records import RecordStore

    url = settings().database_url
    with session_scope(url) as session:
        row = RecordStore(session).programme(_only_programme(session, name))
        plans = []
        for number in (a, b):
            version = PlanStore(session, url).get(row, number)
            if version.result is None:
                raise Conflict(f"plan {number} is {version.status}, not done")
            plans.append(plan_from_dict(version.result))
    return diff_plans(plans[0], plans[1])
