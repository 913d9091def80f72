"""The programme as a folder of CSV files: one file per record type, nested parts in their own.

Layout (docs/programme-format.md has every column):
    programme.csv        key,value: name, currency, start, periods, granularity, priority_weight.N
    partners.csv sites.csv destinations.csv components.csv designs.csv routings.csv
    licences.csv supply_offers.csv lanes.csv stock.csv requirements.csv
    exchange_rates.csv   currency, valid_from, rate (a `currency` column on partners, routings,
                         licences, supply_offers and lanes names the currency of their money)
    lines.csv            with the ramp-up as ramp_* columns
    line_exceptions.csv  line, period, hours, reason
    assembly_bom.csv     parent, item, qty, yield
    revisions.csv        design, revision, effective_from, note
    design_bom.csv       design, revision, item, qty, yield
    variants.csv         design, id, name
    variant_changes.csv  variant, change (replace|add), item, to, qty, yield
    export_controls.csv  item, revision, classification, partners, countries (optional: the
                         export control of a component, a design or, with `revision`, a
                         design revision; partners and countries separated by spaces)
An empty cell means "not given" (the default applies).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from coprod.domain import Programme
from coprod.errors import InputError, Problem
from coprod.io.plain import to_plain
from coprod.io.raw import Origin, RawProgramme

__all__ = ["CSV_FILES", "read_csv_folder", "write_csv_folder"]

FLAT = {
    "partners": ["id", "name", "country", "role", "currency"],
    "sites": ["id", "partner", "country", "name"],
    "destinations": ["id", "partner", "country", "name"],
    "routings": ["design", "line", "hours_per_unit", "cost_per_unit", "currency", "lead_time"],
    "licences": [
        "id",
        "licensor",
        "licensee",
        "design",
        "valid_from",
        "valid_to",
        "cap_per_period",
        "royalty_per_unit",
        "currency",
    ],
    "supply_offers": [
        "id",
        "component",
        "supplier",
        "ship_to",
        "lead_time",
        "capacity_per_period",
        "unit_price",
        "currency",
        "min_order",
        "available_from",
    ],
    # to: a destination or a site; items: what a lane between sites carries, space-separated
    "lanes": [
        "id",
        "from_site",
        "to",
        "lead_time",
        "cost_per_unit",
        "capacity_per_period",
        "items",
        "currency",
    ],
    "stock": ["site", "item", "quantity"],
    "requirements": ["id", "customer", "destination", "item", "quantity", "due", "priority"],
    # programme-currency units per unit of `currency`, in force until its next rate
    "exchange_rates": ["currency", "valid_from", "rate"],
}
LINES = [
    "id",
    "site",
    "hours_per_period",
    "ramp_start",
    "pilot_rate",
    "full_rate",
    "ramp_periods",
    "learning_rate",
]
RAMP = {
    "ramp_start": "start",
    "pilot_rate": "pilot_rate",
    "full_rate": "full_rate",
    "ramp_periods": "ramp_periods",
    "learning_rate": "learning_rate",
}
CHILDREN = {
    "line_exceptions": ["line", "period", "hours", "reason"],
    "components": ["id", "name", "holding_cost"],
    "assembly_bom": ["parent", "item", "qty", "yield"],
    "designs": ["id", "name", "owner", "holding_cost"],
    "revisions": ["design", "revision", "effective_from", "note"],
    "design_bom": ["design", "revision", "item", "qty", "yield"],
    "variants": ["design", "id", "name"],
    "variant_changes": ["variant", "change", "item", "to", "qty", "yield"],
}


def _csv_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without the byte-order mark Excel writes), else the
    Windows code page Excel's plain "CSV (Comma delimited)" uses."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 or Windows-1252 text; save it as 'CSV UTF-8'") from exc


# Optional: written only when the programme has any (planning as of a date sets them).
SCHEDULED = ["site", "item", "quantity", "arrives", "source"]
# Optional: written only when a supplier has committed (docs/collaboration.md).
COMMITMENTS = ["offer", "period", "quantity", "release", "note"]
# Optional: written only when an item or revision is export-controlled (docs/export-control.md).
CONTROLS = ["item", "revision", "classification", "partners", "countries"]


def _files() -> tuple[str, ...]:
    return (
        "programme",
        *FLAT,
        "lines",
        *CHILDREN,
        "scheduled_receipts",
        "offer_commitments",
        "export_controls",
    )


class _Reader:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.raw = RawProgramme({}, str(folder))

    def rows(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        path = self.folder / f"{name}.csv"
        if not path.exists():
            return []
        text = _csv_text(path)
        # Excel in locales with a decimal comma saves CSV separated by semicolons
        header = text.split("\n", 1)[0]
        delimiter = ";" if header.count(";") > header.count(",") else ","
        try:
            reader = csv.DictReader(text.splitlines(keepends=True), delimiter=delimiter)
            out = []
            for row in reader:
                extra = row.pop(None, None)
                if extra:
                    self.problem(name, reader.line_num, "", f"more cells than columns: {extra}")
                cells = {
                    k.strip(): v.strip() for k, v in row.items() if k and v is not None and v.strip() != ""
                }
                out.append((reader.line_num, cells))
            return out
        except csv.Error as exc:
            raise InputError(f"{path}: cannot read CSV: {exc}") from exc

    def problem(self, name: str, row: int, field: str, message: str) -> None:
        self.raw.problems.append(Problem(str(self.folder / f"{name}.csv"), f"row {row}", field, message))

    def origin(self, name: str, row: int, key: str = "") -> Origin:
        label = f"row {row}" + (f" ({key})" if key else "")
        return Origin(str(self.folder / f"{name}.csv"), label)


def _settings(reader: _Reader) -> None:
    settings: dict[str, Any] = {}
    calendar: dict[str, Any] = {}
    weights: dict[str, Any] = {}
    for line, row in reader.rows("programme"):
        key, value = row.get("key", ""), row.get("value")
        if key in ("start", "periods", "granularity"):
            calendar[key] = value
            reader.raw.sources[("calendar",)] = reader.origin("programme", line)
        elif key in ("name", "currency"):
            settings[key] = value
        elif key.startswith("priority_weight."):
            weights[key.split(".", 1)[1]] = value
        else:
            reader.problem("programme", line, "key", f"unknown setting '{key}'")
    if weights:
        settings["priority_weights"] = weights
    if settings:
        reader.raw.data["settings"] = settings
    reader.raw.data["calendar"] = calendar


def _group(reader: _Reader, name: str, parent_key: str, parents: dict[str, Any]) -> dict[str, list[Any]]:
    """Rows of a child file grouped by parent id; rows naming no known parent are problems."""
    groups: dict[str, list[Any]] = {}
    for line, row in reader.rows(name):
        parent = row.pop(parent_key, "")
        if parent not in parents:
            reader.problem(name, line, parent_key, f"unknown {parent_key} '{parent}'")
            continue
        groups.setdefault(parent, []).append((line, row))
    return groups


def read_csv_folder(folder: Path) -> RawProgramme:
    if not (folder / "programme.csv").exists():
        raise InputError(f"{folder}: not a programme folder (programme.csv is missing)")
    reader = _Reader(folder)
    data, sources = reader.raw.data, reader.raw.sources
    _settings(reader)
    for name in FLAT:
        data[name] = []
        for i, (line, row) in enumerate(reader.rows(name)):
            key = (
                row.get("id", "")
                if name != "exchange_rates"
                else f"{row.get('currency')}@{row.get('valid_from')}"
            )
            sources[(name, i)] = reader.origin(name, line, key)
            if name == "lanes" and "items" in row:
                row["items"] = str(row["items"]).replace(",", " ").replace(";", " ").split()
            data[name].append(row)

    if (folder / "offer_commitments.csv").exists():
        offers = {row.get("id", ""): (i, row) for i, row in enumerate(data["supply_offers"])}
        for parent, kids in _group(reader, "offer_commitments", "offer", offers).items():
            i, row = offers[parent]
            row["commitments"] = [r for _, r in kids]
            for j, (line, _) in enumerate(kids):
                sources[("supply_offers", i, "commitments", j)] = reader.origin("offer_commitments", line)

    if (folder / "scheduled_receipts.csv").exists():
        data["scheduled_receipts"] = []
        for i, (line, row) in enumerate(reader.rows("scheduled_receipts")):
            sources[("scheduled_receipts", i)] = reader.origin("scheduled_receipts", line)
            data["scheduled_receipts"].append(row)

    lines: dict[str, Any] = {}
    data["lines"] = []
    for i, (line, row) in enumerate(reader.rows("lines")):
        ramp = {RAMP[k]: row.pop(k) for k in list(row) if k in RAMP}
        if ramp:
            row["ramp_up"] = ramp
        sources[("lines", i)] = reader.origin("lines", line, row.get("id", ""))
        data["lines"].append(row)
        lines[row.get("id", "")] = (i, row)
    for parent, kids in _group(reader, "line_exceptions", "line", lines).items():
        i, row = lines[parent]
        row["exceptions"] = [r for _, r in kids]
        for j, (line, _) in enumerate(kids):
            sources[("lines", i, "exceptions", j)] = reader.origin("line_exceptions", line)

    comps: dict[str, Any] = {}
    data["components"] = []
    for i, (line, row) in enumerate(reader.rows("components")):
        sources[("components", i)] = reader.origin("components", line, row.get("id", ""))
        data["components"].append(row)
        comps[row.get("id", "")] = (i, row)
    for parent, kids in _group(reader, "assembly_bom", "parent", comps).items():
        i, row = comps[parent]
        row["bom"] = [r for _, r in kids]
        for j, (line, _) in enumerate(kids):
            sources[("components", i, "bom", j)] = reader.origin("assembly_bom", line)

    _read_designs(reader)
    _read_controls(reader, comps)
    return reader.raw


def _read_controls(reader: _Reader, comps: dict[str, Any]) -> None:
    """export_controls.csv: each row sets the control of a component, design or revision."""
    data, sources = reader.raw.data, reader.raw.sources
    designs = {row.get("id", ""): (i, row) for i, row in enumerate(data["designs"])}
    for line, row in reader.rows("export_controls"):
        item, revision = str(row.pop("item", "")), str(row.pop("revision", ""))
        control = {k: v for k, v in row.items() if k == "classification"}
        for key in ("partners", "countries"):
            if key in row:
                control[key] = str(row[key]).replace(",", " ").replace(";", " ").split()
        unknown = sorted(set(row) - {"classification", "partners", "countries"})
        if unknown:
            reader.problem("export_controls", line, unknown[0], f"unknown column '{unknown[0]}'")
        if item in comps and not revision:
            i, target = comps[item]
            path: tuple[Any, ...] = ("components", i)
        elif item in designs and not revision:
            i, target = designs[item]
            path = ("designs", i)
        elif item in designs:
            i, drow = designs[item]
            found = [
                (j, r) for j, r in enumerate(drow["revisions"]) if str(r.get("revision", "")) == revision
            ]
            if not found:
                reader.problem("export_controls", line, "revision", f"unknown revision {item} {revision}")
                continue
            j, target = found[0]
            path = ("designs", i, "revisions", j)
        else:
            what = "design" if revision else "component or design"
            reader.problem("export_controls", line, "item", f"unknown {what} '{item}'")
            continue
        if "export_control" in target:
            reader.problem("export_controls", line, "item", f"a second export control for {item} {revision}")
            continue
        target["export_control"] = control
        sources[(*path, "export_control")] = reader.origin("export_controls", line)


def _read_designs(reader: _Reader) -> None:
    data, sources = reader.raw.data, reader.raw.sources
    designs: dict[str, Any] = {}
    data["designs"] = []
    for i, (line, row) in enumerate(reader.rows("designs")):
        sources[("designs", i)] = reader.origin("designs", line, row.get("id", ""))
        row["revisions"], row["variants"] = [], []
        data["designs"].append(row)
        designs[row.get("id", "")] = (i, row)
    revisions: dict[tuple[str, str], Any] = {}
    for parent, kids in _group(reader, "revisions", "design", designs).items():
        i, row = designs[parent]
        for j, (line, rev) in enumerate(kids):
            rev["bom"] = []
            row["revisions"].append(rev)
            revisions[(parent, rev.get("revision", ""))] = ((i, j), rev)
            sources[("designs", i, "revisions", j)] = reader.origin("revisions", line)
    for line, row in reader.rows("design_bom"):
        key = (row.pop("design", ""), row.pop("revision", ""))
        if key not in revisions:
            reader.problem("design_bom", line, "revision", f"unknown design revision {key[0]} {key[1]}")
            continue
        (i, j), rev = revisions[key]
        sources[("designs", i, "revisions", j, "bom", len(rev["bom"]))] = reader.origin("design_bom", line)
        rev["bom"].append(row)
    variants: dict[str, Any] = {}
    for parent, kids in _group(reader, "variants", "design", designs).items():
        i, row = designs[parent]
        for j, (line, var) in enumerate(kids):
            row["variants"].append(var)
            variants[var.get("id", "")] = ((i, j), var)
            sources[("designs", i, "variants", j)] = reader.origin("variants", line, var.get("id", ""))
    for line, row in reader.rows("variant_changes"):
        vid, change = row.pop("variant", ""), row.pop("change", "")
        if vid not in variants:
            reader.problem("variant_changes", line, "variant", f"unknown variant '{vid}'")
            continue
        (i, j), var = variants[vid]
        if change == "replace":
            entry = {"from": row.get("item", ""), "to": row.get("to", "")}
            var.setdefault("replace", []).append(entry)
            sources[("designs", i, "variants", j, "replace", len(var["replace"]) - 1)] = reader.origin(
                "variant_changes", line
            )
        elif change == "add":
            entry = {k: v for k, v in row.items() if k in ("item", "qty", "yield")}
            var.setdefault("add", []).append(entry)
            sources[("designs", i, "variants", j, "add", len(var["add"]) - 1)] = reader.origin(
                "variant_changes", line
            )
        else:
            reader.problem("variant_changes", line, "change", f"expected 'replace' or 'add', got '{change}'")


def _write(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns, extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})


def _cell(value: Any) -> Any:
    """A CSV cell: nothing for None, a list (a lane's items) space-separated."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return value


def write_csv_folder(programme: Programme, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    plain = to_plain(programme)
    cal, settings = plain["calendar"], plain["settings"]
    meta = [{"key": k, "value": settings[k]} for k in ("name", "currency")]
    meta += [{"key": k, "value": cal[k]} for k in ("start", "periods", "granularity")]
    meta += [{"key": f"priority_weight.{k}", "value": v} for k, v in settings["priority_weights"].items()]
    _write(folder / "programme.csv", ["key", "value"], meta)
    commitments = [{"offer": o["id"], **c} for o in plain["supply_offers"] for c in o.pop("commitments", ())]
    for name, columns in FLAT.items():
        if name != "exchange_rates" or plain[name]:  # optional: folders without rates stay as they were
            _write(folder / f"{name}.csv", columns, plain[name])
    if commitments:
        _write(folder / "offer_commitments.csv", COMMITMENTS, commitments)
    if plain["scheduled_receipts"]:
        _write(folder / "scheduled_receipts.csv", SCHEDULED, plain["scheduled_receipts"])
    lines, exceptions = [], []
    for ln in plain["lines"]:
        ramp = ln.pop("ramp_up") or {}
        for ex in ln.pop("exceptions"):
            exceptions.append({"line": ln["id"], **ex})
        lines.append({**ln, **{col: ramp.get(key) for col, key in RAMP.items()}})
    _write(folder / "lines.csv", LINES, lines)
    _write(folder / "line_exceptions.csv", CHILDREN["line_exceptions"], exceptions)
    controls: list[dict[str, Any]] = []

    def control(item: str, revision: int | None, record: dict[str, Any]) -> None:
        found = record.pop("export_control", None)
        if found is not None:
            controls.append(
                {
                    "item": item,
                    "revision": revision,
                    "classification": found["classification"],
                    "partners": " ".join(found["partners"]),
                    "countries": " ".join(found["countries"]),
                }
            )

    comps, assembly = [], []
    for c in plain["components"]:
        assembly += [{"parent": c["id"], **b} for b in c.pop("bom")]
        control(c["id"], None, c)
        comps.append(c)
    _write(folder / "components.csv", CHILDREN["components"], comps)
    _write(folder / "assembly_bom.csv", CHILDREN["assembly_bom"], assembly)
    designs, revisions, bom, variants, changes = [], [], [], [], []
    for d in plain["designs"]:
        control(d["id"], None, d)
        for r in d.pop("revisions"):
            control(d["id"], r["revision"], r)
            bom += [{"design": d["id"], "revision": r["revision"], **b} for b in r.pop("bom")]
            revisions.append({"design": d["id"], **r})
        for v in d.pop("variants"):
            changes += [
                {"variant": v["id"], "change": "replace", "item": x["from"], "to": x["to"]}
                for x in v.pop("replace")
            ]
            changes += [{"variant": v["id"], "change": "add", **b} for b in v.pop("add")]
            variants.append({"design": d["id"], **v})
        designs.append(d)
    for name, rows in (
        ("designs", designs),
        ("revisions", revisions),
        ("design_bom", bom),
        ("variants", variants),
        ("variant_changes", changes),
    ):
        _write(folder / f"{name}.csv", CHILDREN[name], rows)
    if controls:
        _write(folder / "export_controls.csv", CONTROLS, controls)


CSV_FILES: tuple[str, ...] = _files()  # every file (and workbook sheet) of the layout, by stem
