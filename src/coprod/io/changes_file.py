"""Read a change set (YAML) with errors naming the file, the change and the field."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from coprod.domain.changes import ChangeSet
from coprod.errors import InputError, Problem, ProgrammeInvalid
from coprod.io.yaml_loader import SAFE_LOADER

__all__ = ["load_change_set"]


def load_change_set(path: Path) -> ChangeSet:
    if not path.is_file():
        raise InputError(f"{path}: no such change set file")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise ProgrammeInvalid([Problem(str(path), "", "", f"YAML syntax error: {exc}")]) from exc
    if isinstance(data, dict) and "name" not in data:
        data = {**data, "name": path.stem}
    try:
        return ChangeSet.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = [str(x) for x in error["loc"]]
            record = f"{loc[0]}[{loc[1]}]" if len(loc) > 1 and loc[1].isdigit() else (loc[0] if loc else "")
            field = (
                ".".join(loc[3:] if len(loc) > 3 else loc[2:]) if len(loc) > 1 and loc[1].isdigit() else ""
            )
            problems.append(Problem(str(path), record, field, str(error["msg"])))
        raise ProgrammeInvalid(problems) from exc
