"""The use cases every entry point shares (CLI today; API and sweeps later)."""

from __future__ import annotations

import json
from pathlib import Path

from coprod.domain import Programme
from coprod.io import load_programme, write_programme
from coprod.planning import Plan, PlanOptions, plan
from coprod.planning.solve import Progress

__all__ = ["convert_programme", "plan_file", "programme_schema", "validate_file"]


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
