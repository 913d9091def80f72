"""Records as forms: one input per field, typed from the domain model (numbers with their
units, dates, choices for enums and references), and a form's text back to a record.

Nested single records (a line's ramp-up) are flattened into `ramp_up.start` and so on;
lists of nested records (revisions, BOM lines, calendar exceptions) stay one YAML field
each, since they have no fixed shape (line hours per period have their own grid)."""

from __future__ import annotations

import datetime as dt
import enum
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from coprod.access import Principal
from coprod.app.database import Tx
from coprod.app.records import RecordQuery, list_records, section_model
from coprod.errors import Forbidden, Problem, ProgrammeInvalid

__all__ = ["FormField", "field_errors", "form_fields", "record_from_form"]

# field -> the section its value names (a select of the records the user may read)
REFERENCES = {
    "partner": "partners",
    "owner": "partners",
    "licensor": "partners",
    "licensee": "partners",
    "supplier": "partners",
    "customer": "partners",
    "site": "sites",
    "ship_to": "sites",
    "from_site": "sites",
    "line": "lines",
    "design": "designs",
    "component": "components",
    "destination": "destinations",
}
UNITS = {
    "hours_per_period": "hours per period",
    "hours_per_unit": "hours per unit",
    "lead_time": "periods",
    "ramp_periods": "periods",
    "capacity_per_period": "units per period",
    "cap_per_period": "units per period",
    "quantity": "units",
    "min_order": "units",
    "pilot_rate": "units per period",
    "full_rate": "units per period",
    # {own}: the record's currency (its `currency`, else the programme's); {cur}: the programme's
    "unit_price": "{own} per unit",
    "cost_per_unit": "{own} per unit",
    "royalty_per_unit": "{own} per unit",
    "holding_cost": "{cur} per unit and period",
    "rate": "{cur} per unit of the currency",
    "currency": "empty: {cur}",
    "learning_rate": "unit hours × this per doubling",
    "priority": "1 = first",
}


@dataclass(frozen=True, slots=True)
class FormField:
    name: str  # as in files; nested: "ramp_up.start"
    label: str
    kind: str  # text | integer | number | date | boolean | choice | yaml
    required: bool
    value: Any
    unit: str = ""
    choices: list[str] = field(default_factory=list)
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None


def _base(annotation: Any) -> tuple[Any, bool]:
    """The annotation without Optional, and whether None is allowed."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _base(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        inner, _ = _base(args[0]) if len(args) == 1 else (annotation, False)
        return inner, True
    return annotation, False


def _bounds(info: Any) -> tuple[float | None, float | None]:
    low = high = None
    for m in info.metadata:
        for attr in ("ge", "gt"):
            if getattr(m, attr, None) is not None:
                low = float(getattr(m, attr))
        for attr in ("le", "lt"):
            if getattr(m, attr, None) is not None:
                high = float(getattr(m, attr))
    return low, high


def _kind(annotation: Any) -> tuple[str, list[str]]:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "choice", [str(m.value) for m in annotation]
    if typing.get_origin(annotation) is typing.Literal:
        return "choice", [str(a) for a in typing.get_args(annotation)]
    if annotation is bool:
        return "boolean", []
    if annotation is int:
        return "integer", []
    if annotation is float:
        return "number", []
    if annotation is dt.date:
        return "date", []
    if annotation is str:
        return "text", []
    return "yaml", []


def _choices(tx: Tx, who: Principal, programme: str, section: str, current: Any) -> list[str] | None:
    """Keys the user may read in `section` (the current value kept); None if none readable."""
    if who.mode(section) is None:
        return None
    try:
        found = list_records(tx, who, programme, section, RecordQuery({}, [], 1000, 0)).items
    except Forbidden:
        return None
    keys = [r.key for r in found]
    if current and current not in keys:
        keys.insert(0, str(current))
    return keys


def _fields_of(
    model: type[BaseModel], data: dict[str, Any], prefix: str, currency: str, refs: Any
) -> list[FormField]:
    out: list[FormField] = []
    own = (data.get("currency") if data else None) or currency
    for name, info in model.model_fields.items():
        key = info.alias or name
        base, optional = _base(info.annotation)
        value = data.get(key) if data else None
        if isinstance(base, type) and issubclass(base, BaseModel):  # one nested record: flattened
            out.extend(_fields_of(base, value or {}, f"{prefix}{key}.", currency, refs))
            continue
        kind, choices = _kind(base)
        ref = REFERENCES.get(key) if kind == "text" and not prefix else None
        if ref is not None:
            keys = refs(ref, value)
            if keys is not None:
                kind, choices = "choice", keys
        low, high = _bounds(info)
        if kind == "yaml":  # a list of nested records, as YAML text
            import yaml

            value = yaml.safe_dump(value, sort_keys=False, allow_unicode=True) if value else ""
        if value is None and not info.is_required() and info.default is not None and kind != "yaml":
            default = info.default.value if isinstance(info.default, enum.Enum) else info.default
            value = default if not isinstance(default, tuple) else None
        out.append(
            FormField(
                name=prefix + key,
                label=(prefix + key).replace("_", " ").replace(".", ": "),
                kind=kind,
                required=info.is_required() and not optional and not prefix,
                value=value,
                unit=""
                if info.is_required() and key == "currency"
                else UNITS.get(key, "").format(cur=currency, own=own),
                choices=choices,
                help=info.description or "",
                minimum=low,
                maximum=high,
            )
        )
    return out


def form_fields(
    tx: Tx, who: Principal, programme: str, section: str, data: dict[str, Any] | None, currency: str
) -> list[FormField]:
    """The inputs of a record form, filled from `data` (None: a new record)."""
    model = section_model(section)
    return _fields_of(
        model, data or {}, "", currency, lambda ref, current: _choices(tx, who, programme, ref, current)
    )


def _convert(f: FormField, text: str) -> Any:
    from coprod.io.yaml_loader import YamlSyntaxError, parse_yaml

    if f.kind == "boolean":
        return text in ("on", "true", "1")
    if f.kind == "yaml":
        try:
            return json.loads(json.dumps(parse_yaml(text), default=str)) if text.strip() else []
        except YamlSyntaxError as exc:
            raise ValueError(f"not YAML: {exc}") from exc
    if f.kind == "integer":
        try:
            return int(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise ValueError(f"'{text}' is not a whole number") from None
    if f.kind == "number":
        try:
            return float(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"'{text}' is not a number") from None
    return text


def record_from_form(fields: list[FormField], form: dict[str, str]) -> dict[str, Any]:
    """The record a submitted form describes: empty optional inputs are left out (the
    model's default applies); a nested record with every input empty is left out too.
    Unreadable inputs raise ProgrammeInvalid naming the field."""
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for f in fields:
        text = form.get(f.name, "").strip() if f.kind != "boolean" else form.get(f.name, "")
        if f.kind != "boolean" and text == "":
            continue
        try:
            value = _convert(f, text)
        except ValueError as exc:
            problems.append(Problem("form", "", f.name, str(exc)))
            continue
        head, _, tail = f.name.partition(".")
        if tail:
            data.setdefault(head, {})[tail] = value
        else:
            data[f.name] = value
    if problems:
        raise ProgrammeInvalid(problems)
    return data


def field_errors(
    problems: list[Problem], fields: list[FormField], key: str
) -> tuple[dict[str, list[str]], list[str]]:
    """Problems by the form field they name (shown beside it), and the rest (on top).
    A cross-reference problem of another record is kept on top, with its record named."""
    names = {f.name for f in fields}
    by_field: dict[str, list[str]] = {}
    rest: list[str] = []
    for p in problems:
        name = p.field.replace("[", ".").replace("]", "")
        name = name if name in names else p.field.split(".")[0]
        mine = "[" not in p.record or f"({key})" in p.record  # this record, not another one
        if name in names and mine:
            by_field.setdefault(name, []).append(p.message)
        else:
            rest.append(str(p))
    return by_field, rest
