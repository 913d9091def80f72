"""Programmes as a whole: validate and convert files, import, upload, export, list."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coprod.access import SECTIONS, Action, Principal, controlled_items
from coprod.app.database import Tx, local_operator, migrate, transaction
from coprod.app.inputs import InputChange, compare_inputs, count_changes
from coprod.app.names import check_name
from coprod.domain import Programme
from coprod.errors import InputError, Problem, ProgrammeInvalid
from coprod.io import load_programme, write_programme

__all__ = [
    "ProgrammeSummary",
    "UploadPreview",
    "confirm_upload",
    "convert_file",
    "export_file",
    "export_programme",
    "file_format",
    "file_schema",
    "generate_file",
    "import_file",
    "import_programme",
    "list_programmes",
    "only_programme",
    "preview_upload",
    "programme_summary",
    "programme_workbook",
    "stored_programme",
    "upload",
    "validate_file",
]


@dataclass(frozen=True, slots=True)
class ProgrammeSummary:
    name: str
    version: int
    created_at: dt.datetime


def validate_file(path: Path) -> Programme:
    """Load and validate; raises ProgrammeInvalid listing every problem."""
    return load_programme(path)


def file_format(target: Path) -> str:
    """yaml for a .yaml/.yml file, csv for anything else (a folder)."""
    return "yaml" if target.suffix.lower() in (".yaml", ".yml") else "csv"


def convert_file(source: Path, target: Path, fmt: str) -> Programme:
    programme = load_programme(source)
    write_programme(programme, target, fmt)
    return programme


def file_schema() -> str:
    """JSON Schema of the programme file format, generated from the domain model."""
    schema = Programme.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "coprod programme"
    return json.dumps(schema, indent=2)


def _summary(row: object) -> ProgrammeSummary:
    return ProgrammeSummary(name=row.name, version=row.version, created_at=row.created_at)  # type: ignore[attr-defined]


def import_programme(
    tx: Tx, who: Principal, name: str, programme: Programme, replace: bool
) -> ProgrammeSummary:
    """Store a whole validated programme under `name` (replacing one only if asked); all of
    it lands or none. Plan versions and the audit trail of a replaced programme are kept."""
    from coprod.storage.records import RecordStore

    who.require(Action.UPLOAD, "import or replace whole programmes")
    check_name(name)
    _check_references(programme)
    row = RecordStore(tx).import_programme(programme, name, who.username, replace)
    return _summary(row)


def import_file(url: str, path: Path, name: str | None, replace: bool, who: Principal) -> ProgrammeSummary:
    """`coprod import`: validate the file, migrate the database, store it (name: the file's
    stem unless given)."""
    chosen = check_name(name if name is not None else path.stem)
    programme = load_programme(path)
    migrate(url)
    with transaction(url) as tx:
        return import_programme(tx, who, chosen, programme, replace)


def _parse_upload(filename: str, data: bytes) -> Programme:
    from coprod.io.loader import programme_from_yaml
    from coprod.io.workbook import programme_from_workbook

    shown = Path(filename or "upload").name[:200] or "upload"  # a name for messages, never a path
    if shown.lower().endswith(".xlsx"):
        return programme_from_workbook(data, shown)
    if shown.lower().endswith((".yaml", ".yml")) or not shown.lower().endswith(".csv"):
        return programme_from_yaml(data, shown)
    raise ProgrammeInvalid([Problem(shown, "", "", "upload a YAML programme or an XLSX workbook")])


def upload(tx: Tx, who: Principal, name: str, filename: str, data: bytes) -> ProgrammeSummary:
    """A YAML file or an XLSX workbook from a browser, stored under `name` (replacing)."""
    who.require(Action.UPLOAD, "upload programmes")
    check_name(name)
    return import_programme(tx, who, name, _parse_upload(filename, data), replace=True)


@dataclass(frozen=True, slots=True)
class UploadPreview:
    """What an upload would change, before it does: the dashboard asks before replacing."""

    name: str
    filename: str
    exists: bool
    changes: list[InputChange]
    counts: dict[str, dict[str, int]]
    records: int
    token: str  # names the staged file for the confirmation


def preview_upload(tx: Tx, who: Principal, name: str, filename: str, data: bytes) -> UploadPreview:
    """Validate an upload and compare it with the stored programme of that name; the file
    is staged (by its digest) until it is confirmed."""
    from coprod.app.uploads import stage
    from coprod.storage.records import RecordStore

    who.require(Action.UPLOAD, "upload programmes")
    check_name(name)
    programme = _parse_upload(filename, data)
    _check_references(programme, Path(filename).name or "upload")
    store = RecordStore(tx)
    existing = next((row for row in store.programmes() if row.name == name), None)
    after = programme.model_dump(mode="json", by_alias=True)
    before = store.raw_data(existing) if existing is not None else {}
    changes = compare_inputs(before, after)
    return UploadPreview(
        name=name,
        filename=Path(filename).name,
        exists=existing is not None,
        changes=changes,
        counts=count_changes(changes),
        records=sum(len(after[s]) for s in SECTIONS),
        token=stage(who.username, name, filename, data),
    )


def confirm_upload(tx: Tx, who: Principal, name: str, token: str) -> ProgrammeSummary:
    """Store the staged upload previewed under `token` (the same user, the same name)."""
    from coprod.app.uploads import take

    who.require(Action.UPLOAD, "upload programmes")
    filename, data = take(who.username, name, token)
    return upload(tx, who, name, filename, data)


def stored_programme(tx: Tx, name: str) -> Programme:
    """The stored programme as the domain aggregate (validated as a file would be)."""
    from coprod.storage.records import RecordStore

    store = RecordStore(tx)
    return store.load(store.programme(name))


def export_programme(tx: Tx, who: Principal, name: str) -> Programme:
    """The whole programme, as in a file."""
    who.require(Action.EXPORT, "export whole programmes")
    programme = stored_programme(tx, name)
    _audit_controlled_reads(tx, who, name, programme)
    return programme


def _audit_controlled_reads(tx: Tx, who: Principal, name: str, programme: Programme) -> None:
    """An export holds every technical record: each export-controlled one is a read."""
    from coprod.storage.records import RecordStore

    store = RecordStore(tx)
    row = store.programme(name)
    kinds: tuple[tuple[str, tuple[Any, ...]], ...] = (
        ("components", programme.components),
        ("designs", programme.designs),
    )
    for section, records in kinds:
        for record in records:
            items = controlled_items(section, record.model_dump(mode="json", by_alias=True))
            if items:
                store.record_read(row, who, section, record.id, items)


def export_file(url: str, name: str, target: Path, who: Principal) -> None:
    """`coprod export NAME TARGET`."""
    with transaction(url) as tx:
        programme = export_programme(tx, who, name)
    write_programme(programme, target, file_format(target))


def programme_workbook(tx: Tx, who: Principal, name: str) -> bytes:
    from coprod.io.workbook import programme_workbook as workbook

    return workbook(export_programme(tx, who, name))


def programme_summary(tx: Tx, who: Principal, name: str) -> ProgrammeSummary:
    """One programme's name, version and creation (NotFound when there is none): what a
    cache of its pages is keyed on, read with one row rather than the list of them all."""
    from coprod.storage.records import RecordStore

    return _summary(RecordStore(tx).programme(name))


def list_programmes(tx: Tx, who: Principal) -> list[ProgrammeSummary]:
    """Every programme (a partner's users see the programmes; their records stay scoped)."""
    from coprod.storage.records import RecordStore

    return [_summary(row) for row in RecordStore(tx).programmes()]


def _check_references(programme: Programme, origin: str = "request") -> None:
    """Cross-references (a programme that arrived as JSON has had only its field checks)."""
    from coprod.domain.checks import check_references

    findings = check_references(programme)
    if findings:
        raise ProgrammeInvalid(
            [Problem(origin, f"programme.{f.section}[{f.index}]", f.field, f.message) for f in findings]
        )


def generate_file(
    size: str, seed: int, target: Path, site_lanes: bool = False, built_assemblies: bool = False
) -> Programme:
    """`coprod generate`: a deterministic synthetic programme written to `target`."""
    from coprod.generate import generate

    programme = generate(size, seed, site_lanes=site_lanes, built_assemblies=built_assemblies)
    write_programme(programme, target, file_format(target))
    return programme


def only_programme(url: str, name: str | None) -> str:
    """The programme a command means: the one named, or the only one the database holds."""
    if name is not None:
        return name
    with transaction(url) as tx:
        names = [s.name for s in list_programmes(tx, local_operator())]
    if len(names) != 1:
        raise InputError(f"say which programme (--programme): the database holds {names or 'none'}")
    return names[0]
