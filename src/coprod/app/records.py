"""Records one at a time: list (filtered, sorted and paged in SQL), read, create, update,
delete. The record rules (access.py) are applied by the store for every entry point."""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

from coprod.access import SECTIONS, Principal, controlled_items, withhold_technical
from coprod.app.caches import Lru
from coprod.app.database import Tx
from coprod.errors import InputError, NotFound
from coprod.storage.records import SECTION_MODELS, FieldKind, RecordStore

__all__ = [
    "RecordPage",
    "RecordQuery",
    "RecordView",
    "create_record",
    "delete_record",
    "get_record",
    "list_records",
    "parse_query",
    "record_from_yaml",
    "section_model",
    "update_record",
]


@dataclass(frozen=True, slots=True)
class RecordView:
    key: str
    version: int
    partner: str | None
    data: dict[str, Any]
    # export-controlled items whose technical records were left out for this user
    withheld: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordPage:
    items: list[RecordView]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class RecordQuery:
    where: dict[str, tuple[FieldKind, Any]]
    sort: list[tuple[str, FieldKind, bool]]
    limit: int = 100
    offset: int = 0
    search: str = ""  # part of the key, any case


def section_model(section: str) -> type[Any]:
    if section not in SECTIONS:
        raise NotFound(f"no record type '{section}' (one of: {', '.join(SECTIONS)})")
    return SECTION_MODELS[section]


def _kind(annotation: Any) -> FieldKind | None:
    """The SQL kind a field is filtered and sorted as; None for lists and nested records."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _kind(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        kinds = {_kind(a) for a in typing.get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if typing.get_origin(annotation) is typing.Literal:
        return "string"
    if annotation is bool:
        return "boolean"
    if annotation is int:
        return "integer"
    if annotation is float:
        return "float"
    if annotation in (str, dt.date) or (isinstance(annotation, type) and issubclass(annotation, enum.Enum)):
        return "string"
    return None


@cache
def filterable_fields(section: str) -> dict[str, FieldKind]:
    """Field (as written in files) -> kind, for the fields a list can filter and sort on."""
    out: dict[str, FieldKind] = {}
    for name, info in section_model(section).model_fields.items():
        kind = _kind(info.annotation)
        if kind is not None:
            out[info.alias or name] = kind
    return out


def _value(section: str, field: str, kind: FieldKind, text: str) -> Any:
    try:
        if kind == "integer":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "boolean":
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            return text.lower() == "true"
    except ValueError:
        raise InputError(f"where {field}={text!r}: {section}.{field} is {kind}, not {text!r}") from None
    return text


def parse_query(
    section: str, where: list[str], sort: str | None, limit: int = 100, offset: int = 0, search: str = ""
) -> RecordQuery:
    """`where` items `field=value` and `sort` as `field,-other` (minus: descending), checked
    against the section's fields: an unknown or unsortable field is an InputError (422)."""
    fields = filterable_fields(section)
    known = ", ".join(fields)
    conditions: dict[str, tuple[FieldKind, Any]] = {}
    for item in where:
        field, sep, text = item.partition("=")
        field = field.strip()
        if not sep or not field:
            raise InputError(f"where '{item}': expected field=value")
        if field not in fields:
            raise InputError(f"where '{item}': {section} cannot be filtered on '{field}' (fields: {known})")
        conditions[field] = (fields[field], _value(section, field, fields[field], text))
    order: list[tuple[str, FieldKind, bool]] = []
    for raw in (sort or "").split(","):
        part = raw.strip()
        if not part:
            continue
        descending = part.startswith("-")
        field = part.lstrip("+-")
        if field not in fields:
            raise InputError(f"sort '{part}': {section} cannot be sorted on '{field}' (fields: {known})")
        order.append((field, fields[field], descending))
    if not 1 <= limit <= 1000 or offset < 0:
        raise InputError("limit is 1..1000 and offset 0 or more")
    return RecordQuery(where=conditions, sort=order, limit=limit, offset=offset, search=search.strip()[:200])


def record_from_yaml(text: str) -> dict[str, Any]:
    """A record typed as YAML in a form: a mapping of fields, as JSON would carry it."""
    import json

    from coprod.errors import Problem, ProgrammeInvalid
    from coprod.io.yaml_loader import YamlSyntaxError, parse_yaml

    try:
        data = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise ProgrammeInvalid([Problem("form", exc.where, "", f"YAML syntax error: {exc.problem}")]) from exc
    if not isinstance(data, dict):
        raise ProgrammeInvalid([Problem("form", "", "", "expected a mapping of fields (field: value)")])
    plain: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return plain


def _view(rec: Any) -> RecordView:
    return RecordView(key=rec.key, version=rec.version, partner=rec.partner, data=rec.data)


def _shown(store: RecordStore, row: Any, who: Principal, section: str, recs: list[Any]) -> list[RecordView]:
    """The records as `who` may read them: export-controlled technical records withheld
    from a partner not allowed (access.withhold_technical); every controlled record shown
    whole is a read recorded in the audit trail (docs/export-control.md)."""
    if section not in ("components", "designs"):
        return [_view(r) for r in recs]
    country: str | None = None
    out = []
    for rec in recs:
        controlled = controlled_items(section, rec.data)
        if not controlled:
            out.append(_view(rec))
            continue
        if country is None:
            country = store.partner_country(row, who.partner)
        data, withheld = withhold_technical(who, section, rec.data, country)
        shown = [x for x in controlled if x not in withheld]
        if shown:
            store.record_read(row, who, section, rec.key, shown)
        out.append(RecordView(rec.key, rec.version, rec.partner, data, tuple(withheld)))
    return out


# How many records a filter matches, per database, programme state, section, scope and filter
# (not the sort or the page): paging through one filter counts its records once. Every write
# raises the programme's version, so a count of an older state is never found again.
_TOTALS: Lru[int] = Lru(1024)


def list_records(tx: Tx, who: Principal, programme: str, section: str, query: RecordQuery) -> RecordPage:
    store = RecordStore(tx)
    section_model(section)
    row = store.programme(programme)
    counted = (
        str(tx.get_bind().engine.url),
        row.id,
        row.version,
        row.created_at,
        section,
        who.role,
        who.partner,
        tuple(sorted(query.where.items())),
        query.search,
    )
    recs, total = store.list(
        row,
        section,
        who,
        query.where,
        query.sort,
        query.limit,
        query.offset,
        query.search,
        total=_TOTALS.get(counted),
    )
    _TOTALS.put(counted, total)
    return RecordPage(_shown(store, row, who, section, recs), total, query.limit, query.offset)


def get_record(tx: Tx, who: Principal, programme: str, section: str, key: str) -> RecordView:
    store = RecordStore(tx)
    row = store.programme(programme)
    return _shown(store, row, who, section, [store.get(row, section, key, who)])[0]


def may_write(tx: Tx, who: Principal, programme: str, section: str, key: str) -> bool:
    """Whether the user may change this record (for pages that offer an edit form)."""
    store = RecordStore(tx)
    rec = store.get(store.programme(programme), section, key, who)
    return who.can_write(section, rec.partner)


def create_record(tx: Tx, who: Principal, programme: str, section: str, data: dict[str, Any]) -> RecordView:
    store = RecordStore(tx)
    return _view(store.create(store.programme(programme), section, data, who))


def update_record(
    tx: Tx, who: Principal, programme: str, section: str, key: str, version: int, data: dict[str, Any]
) -> RecordView:
    store = RecordStore(tx)
    return _view(store.update(store.programme(programme), section, key, version, data, who))


def delete_record(tx: Tx, who: Principal, programme: str, section: str, key: str, version: int) -> None:
    store = RecordStore(tx)
    store.delete(store.programme(programme), section, key, version, who)
