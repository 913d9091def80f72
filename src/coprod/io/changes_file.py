"""Small YAML files beside a programme (change sets, uncertainty), validated with errors
naming the file, the entry (e.g. changes[2]) and the field."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from coprod.domain.changes import ChangeSet
from coprod.errors import InputError, Problem, ProgrammeInvalid
from coprod.io.yaml_loader import YamlSyntaxError, parse_yaml

__all__ = ["load_change_set", "load_small_file"]

M = TypeVar("M", bound=BaseModel)


def load_small_file(path: Path, model: type[M], what: str) -> M:
    if not path.is_file():
        raise InputError(f"{path}: no such {what} file")
    try:
        data = parse_yaml(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ProgrammeInvalid([Problem(str(path), "", "", f"not UTF-8 text: {exc.reason}")]) from exc
    except YamlSyntaxError as exc:
        raise ProgrammeInvalid(
            [Problem(str(path), exc.where, "", f"YAML syntax error: {exc.problem}")]
        ) from exc
    if isinstance(data, dict) and "name" in model.model_fields and "name" not in data:
        data = {**data, "name": path.stem}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = [str(x) for x in error["loc"]]
            if len(loc) > 1 and loc[1].isdigit():
                # entries are tagged unions: loc is [section, index, kind, field...]
                record, rest = f"{loc[0]}[{loc[1]}]", loc[3:] if len(loc) > 3 else loc[2:]
            else:
                record, rest = (loc[0] if loc else ""), loc[1:]
            problems.append(Problem(str(path), record, ".".join(rest), str(error["msg"])))
        raise ProgrammeInvalid(problems) from exc


def load_change_set(path: Path) -> ChangeSet:
    return load_small_file(path, ChangeSet, "change set")
