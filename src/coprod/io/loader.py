"""Read a programme (YAML file or CSV folder), validate it, and report every problem at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from coprod.domain import Programme, check_references
from coprod.errors import InputError, Problem, ProgrammeInvalid
from coprod.io.csv_format import read_csv_folder
from coprod.io.messages import describe
from coprod.io.raw import RawProgramme
from coprod.io.yaml_loader import YamlSyntaxError, parse_yaml

__all__ = ["load_programme", "programme_from_yaml", "read_raw", "validate_raw", "yaml_mapping"]


def read_raw(path: Path) -> RawProgramme:
    """Read a programme file or folder without validating it."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return read_csv_folder(path)
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"{path}: expected a .yaml file or a folder of CSV files")
    return RawProgramme(_read_yaml(path), str(path))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows editors) is fine
    except UnicodeDecodeError as exc:
        raise ProgrammeInvalid([Problem(str(path), "", "", f"not UTF-8 text: {exc.reason}")]) from exc
    return yaml_mapping(text, str(path))


def yaml_mapping(text: str, origin: str) -> dict[str, Any]:
    """The YAML text as a mapping of sections, or ProgrammeInvalid naming line and column."""
    try:
        data = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise ProgrammeInvalid([Problem(origin, exc.where, "", f"YAML syntax error: {exc.problem}")]) from exc
    if data is None:
        raise ProgrammeInvalid([Problem(origin, "", "", "empty programme: the file is empty")])
    if not isinstance(data, dict):
        raise ProgrammeInvalid([Problem(origin, "", "", "expected a mapping of sections")])
    return data


def programme_from_yaml(data: bytes, name: str) -> Programme:
    """A programme from the bytes of an uploaded YAML file named `name`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProgrammeInvalid([Problem(name, "", "", f"not UTF-8 text: {exc.reason}")]) from exc
    return validate_raw(RawProgramme(yaml_mapping(text, name), name))


def _field_problems(raw: RawProgramme, exc: ValidationError) -> tuple[list[Problem], set[Any]]:
    problems: list[Problem] = []
    bad: set[Any] = set()
    for error in exc.errors():
        loc = tuple(error["loc"])
        origin, field = raw.locate(loc)
        problems.append(Problem(origin.file, origin.record, field, describe(error)))
        if len(loc) >= 2 and isinstance(loc[1], int):
            bad.add((loc[0], loc[1]))
        elif loc:
            bad.add((loc[0], None))
    return problems, bad


def _prune(data: dict[str, Any], bad: set[Any]) -> tuple[dict[str, Any], set[str]]:
    """Drop records with field errors so the rest can still be cross-checked."""
    pruned = dict(data)
    dropped: set[str] = set()
    for section, index in bad:
        if index is None:
            continue
        rows = data.get(section)
        if isinstance(rows, list) and isinstance(rows[index], dict):
            dropped |= _ids_within(rows[index])
    for section in {s for s, _ in bad}:
        rows = data.get(section)
        if isinstance(rows, list):
            pruned[section] = [r for i, r in enumerate(rows) if (section, i) not in bad]
    return pruned, dropped - {""}


def _ids_within(record: Any) -> set[str]:
    """Every id in a record, nested ones too (a dropped design takes its variants along)."""
    found: set[str] = set()
    if isinstance(record, dict):
        if isinstance(record.get("id"), str):
            found.add(record["id"])
        for value in record.values():
            found |= _ids_within(value)
    elif isinstance(record, list):
        for value in record:
            found |= _ids_within(value)
    return found


def validate_raw(raw: RawProgramme) -> Programme:
    """Validate fields, then references; raise ProgrammeInvalid listing every problem."""
    problems: list[Problem] = list(raw.problems)
    try:
        programme = Programme.model_validate(raw.data)
    except ValidationError as exc:
        found, bad = _field_problems(raw, exc)
        problems += found
        pruned, dropped = _prune(raw.data, bad)
        try:
            programme = Programme.model_validate(pruned)
        except ValidationError:
            raise ProgrammeInvalid(problems) from exc
        findings = [
            f
            for f in check_references(programme)
            if not any(f"'{d}'" in f.message for d in dropped) and not f.message.startswith("empty")
        ]
        problems += _finding_problems(raw, programme, findings, pruned)
        raise ProgrammeInvalid(problems) from exc
    problems += _finding_problems(raw, programme, check_references(programme), raw.data)
    if problems:
        raise ProgrammeInvalid(problems)
    return programme


def _finding_problems(
    raw: RawProgramme, programme: Programme, findings: list[Any], data: dict[str, Any]
) -> list[Problem]:
    out: list[Problem] = []
    for f in findings:
        if f.index < 0:
            out.append(Problem(raw.default_file, "", f.field, f.message))
            continue
        index = _original_index(raw.data, data, f.section, f.index)
        origin, rest = raw.locate((f.section, index))
        field = ".".join(p for p in (rest, f.field) if p)
        out.append(Problem(origin.file, origin.record, field, f.message))
    return out


def _original_index(original: dict[str, Any], pruned: dict[str, Any], section: str, index: int) -> int:
    """Index in the file of the `index`-th record that survived pruning."""
    rows, kept = original.get(section), pruned.get(section)
    if rows is kept or not isinstance(rows, list) or not isinstance(kept, list):
        return index
    target = kept[index]
    return next(i for i, r in enumerate(rows) if r is target)


def load_programme(path: Path) -> Programme:
    """Read and validate a programme from a YAML file or a CSV folder."""
    return validate_raw(read_raw(path))
