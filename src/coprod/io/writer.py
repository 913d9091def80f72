"""Write a programme as one commented YAML file or as a CSV folder."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml

from coprod.domain import Programme
from coprod.errors import InputError
from coprod.io.csv_format import write_csv_folder
from coprod.io.plain import to_plain

__all__ = ["dump_yaml", "write_programme"]

COMMENTS = {
    "settings": "Programme name, currency of every price, weight of lateness per priority",
    "calendar": "Planning buckets: first day, number of periods, week or month",
    "partners": "Partners: design authority, manufacturers, suppliers, customer",
    "sites": "Plants of the partners",
    "lines": "Production lines: hours per period, calendar exceptions, ramp-up",
    "destinations": "Where the customer receives units",
    "components": "Parts with a balance; a component with a bom is an assembly (exploded)",
    "designs": "Deliverable drones: owner, BOM revisions (effective from a date), variants",
    "routings": "Hours (and cost, in `currency` or the programme's) per unit of a design on a line",
    "licences": "Who may build which design, from when, how many per period, royalty per unit",
    "supply_offers": "Component offers: supplier, ship-to site, lead time (periods), capacity",
    "lanes": (
        "Transport from a site to a destination or to another site (a transfer): lead time "
        "(periods), cost per unit, capacity per period, items carried"
    ),
    "stock": "Stock on hand at the start of the horizon",
    "requirements": "The customer's requirements: item, quantity, due date, priority (1 = first)",
    "scheduled_receipts": "Goods on their way: lots in transit, open orders (arrival date)",
    "exchange_rates": "Programme-currency units per unit of a partner's currency, from a date until the next",
}


def _flow(record: Any) -> str:
    text = yaml.safe_dump(record, default_flow_style=True, sort_keys=False, width=math.inf)
    return text.strip()


def _is_flat(record: dict[str, Any]) -> bool:
    return not any(isinstance(v, dict | list) for v in record.values())


def dump_yaml(programme: Programme) -> str:
    plain = to_plain(programme)
    out = [
        f"# coprod programme: {programme.settings.name}",
        "# Format: docs/programme-format.md",
        "",
    ]
    for section, value in plain.items():
        if section in ("scheduled_receipts", "exchange_rates") and not value:
            continue  # an optional section: files without it stay as they were
        out.append(f"# {COMMENTS[section]}")
        if isinstance(value, dict):
            out.append(yaml.safe_dump({section: value}, sort_keys=False, width=100).rstrip())
        elif not value:
            out.append(f"{section}: []")
        else:
            out.append(f"{section}:")
            for raw_record in value:
                record = _drop_empty(raw_record)
                if _is_flat(record):
                    out.append(f"  - {_flow(record)}")
                else:
                    block = yaml.safe_dump([record], sort_keys=False, width=100).rstrip()
                    out.extend("  " + line for line in block.splitlines())
        out.append("")
    return "\n".join(out)


def _drop_empty(record: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty optional parts (no exceptions, no variants, no export control of a
    revision) to keep files readable;
    in nested records (revisions, ...) the unset ones (None: the default applies)."""
    return {k: _drop_none(v) for k, v in record.items() if v not in ((), [], None, "")}


def _drop_none(value: Any) -> Any:
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    return value


def write_programme(programme: Programme, path: Path, fmt: str) -> None:
    """Write `programme` to `path` as 'yaml' (a file) or 'csv' (a folder)."""
    if fmt == "yaml":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_yaml(programme), encoding="utf-8")
    elif fmt == "csv":
        if path.exists() and not path.is_dir():
            raise InputError(f"{path}: exists and is not a folder")
        write_csv_folder(programme, path)
    else:
        raise InputError(f"unknown format '{fmt}': use yaml or csv")
