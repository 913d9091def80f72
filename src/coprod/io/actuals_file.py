"""Batches of actuals in files: one YAML file, a folder of CSV files (or one of them), or an
XLSX workbook with one sheet per CSV file. Errors name the file (sheet), the record (row)
and the field, as for programmes.

CSV layout (docs/tracking.md has every column):
    lots.csv             id, site, line, design, variant, revision, quantity,
                         first_serial, last_serial, serials (separated by ';'), built
    first_articles.csv   id, site, design, revision, result, date, inspector, lot, note
    acceptances.csv      id, lot, accepted, rejected, reason, date
    shipments.csv        id, from_site, to, shipped, expected
    shipment_lines.csv   shipment, lot, item, quantity
    receipts.csv         id, shipment, received, note
    receipt_lines.csv    receipt, lot, item, received, refused
    receipt_deliveries.csv  receipt, requirement, quantity
    purchase_orders.csv  id, supplier, component, site, quantity, ordered, due
    order_receipts.csv   id, order, received, quantity, refused, note
"""

from __future__ import annotations

import csv
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from coprod.domain.actuals import EVENT_KINDS, ActualsBatch
from coprod.errors import InputError, Problem, ProgrammeInvalid
from coprod.io.csv_format import _Reader
from coprod.io.loader import yaml_mapping
from coprod.io.messages import describe
from coprod.io.plain import to_plain
from coprod.io.raw import RawProgramme

__all__ = [
    "ACTUALS_FILES",
    "RawActuals",
    "parse_actuals",
    "read_actuals",
    "read_upload",
    "write_actuals_folder",
    "write_actuals_workbook",
]

RawActuals = RawProgramme  # the same thing: plain data plus where each record came from

FLAT = {
    "lots": [
        "id",
        "site",
        "line",
        "design",
        "variant",
        "revision",
        "quantity",
        "first_serial",
        "last_serial",
        "serials",
        "built",
    ],
    "first_articles": ["id", "site", "design", "revision", "result", "date", "inspector", "lot", "note"],
    "acceptances": ["id", "lot", "accepted", "rejected", "reason", "date"],
    "shipments": ["id", "from_site", "to", "shipped", "expected"],
    "receipts": ["id", "shipment", "received", "note"],
    "purchase_orders": ["id", "supplier", "component", "site", "quantity", "ordered", "due"],
    "order_receipts": ["id", "order", "received", "quantity", "refused", "note"],
}
CHILDREN = {  # file -> (parent kind, parent column, field of the parent, columns)
    "shipment_lines": ("shipments", "shipment", "lines", ["shipment", "lot", "item", "quantity"]),
    "receipt_lines": ("receipts", "receipt", "lines", ["receipt", "lot", "item", "received", "refused"]),
    "receipt_deliveries": ("receipts", "receipt", "deliveries", ["receipt", "requirement", "quantity"]),
}
ACTUALS_FILES = (*FLAT, *CHILDREN)


def read_actuals(path: Path) -> RawActuals:
    """Read a batch (YAML file, CSV folder or file, XLSX workbook) without validating it."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    suffix = path.suffix.lower()
    if path.is_dir():
        return _read_folder(path, str(path))
    if suffix in (".yaml", ".yml"):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ProgrammeInvalid([Problem(str(path), "", "", f"not UTF-8 text: {exc.reason}")]) from exc
        data = yaml_mapping(text, str(path))
        unknown = sorted(set(data) - set(EVENT_KINDS))
        if unknown:
            raise ProgrammeInvalid(
                [
                    Problem(str(path), k, "", f"not a kind of event (one of: {', '.join(EVENT_KINDS)})")
                    for k in unknown
                ]
            )
        return RawActuals(data, str(path))
    if suffix == ".csv":
        if path.stem not in FLAT:
            raise InputError(f"{path}: a single CSV file is named after its kind: {', '.join(FLAT)}.csv")
        return _read_folder(path.parent, str(path.parent), only=path.stem)
    if suffix == ".xlsx":
        return _read_workbook(path.read_bytes(), str(path))
    raise InputError(
        f"{path}: expected a .yaml file, a .xlsx workbook, a folder of CSV files or one CSV file"
    )


def _read_folder(folder: Path, label: str, only: str | None = None) -> RawActuals:
    reader = _Reader(folder)
    data, sources = reader.raw.data, reader.raw.sources
    index: dict[str, dict[str, dict[str, Any]]] = {}
    for kind in FLAT if only is None else (only,):
        data[kind] = []
        index[kind] = {}
        for i, (line, row) in enumerate(reader.rows(kind)):
            if kind == "lots" and "serials" in row:
                row["serials"] = [s for s in row["serials"].replace(";", " ").split() if s]
            sources[(kind, i)] = reader.origin(kind, line, row.get("id", ""))
            data[kind].append(row)
            index[kind][row.get("id", "")] = row
    if only is None:
        for name, (kind, column, field, _) in CHILDREN.items():
            positions = {id(r): i for i, r in enumerate(data[kind])}
            for line, row in reader.rows(name):
                parent = index[kind].get(row.pop(column, ""))
                if parent is None:
                    reader.problem(name, line, column, f"unknown {column} '{row.get(column, '')}'")
                    continue
                kids = parent.setdefault(field, [])
                sources[(kind, positions[id(parent)], field, len(kids))] = reader.origin(name, line)
                kids.append(row)
    reader.raw.default_file = label
    return reader.raw


def _read_workbook(content: bytes, name: str) -> RawActuals:
    from openpyxl import load_workbook

    try:
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(f"{name}: not an XLSX workbook ({exc.__class__.__name__})") from exc
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for sheet in book.worksheets:
            stem = sheet.title.strip().lower()
            if stem not in ACTUALS_FILES:
                continue  # a cover page or notes: sheets are never paths unless they are the layout's
            with (folder / f"{stem}.csv").open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                for row in sheet.iter_rows(values_only=True):
                    writer.writerow(["" if v is None else _text(v) for v in row])
        raw = _read_folder(folder, name)
    # name the workbook and its sheets, not the temporary folder
    for loc, origin in list(raw.sources.items()):
        raw.sources[loc] = type(origin)(f"{name} sheet '{Path(origin.file).stem}'", origin.record)
    raw.problems = [
        Problem(f"{name} sheet '{Path(p.file).stem}'", p.record, p.field, p.message) for p in raw.problems
    ]
    return raw


def _text(value: Any) -> str:
    if hasattr(value, "date") and callable(value.date):  # a spreadsheet date cell
        return str(value.date().isoformat())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_actuals(raw: RawActuals) -> ActualsBatch:
    """Field checks of every event; ProgrammeInvalid lists every problem (file, record, field)."""
    problems = list(raw.problems)
    try:
        batch = ActualsBatch.model_validate(raw.data)
    except ValidationError as exc:
        for error in exc.errors():
            origin, field = raw.locate(tuple(error["loc"]))
            problems.append(Problem(origin.file, origin.record, field, describe(error)))
        raise ProgrammeInvalid(problems) from exc
    if problems:
        raise ProgrammeInvalid(problems)
    return batch


def read_upload(content: bytes, name: str) -> RawActuals:
    """A batch uploaded as YAML or XLSX bytes (the API and the dashboard), unvalidated."""
    if name.lower().endswith(".xlsx"):
        return _read_workbook(content, name)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProgrammeInvalid([Problem(name, "", "", f"not UTF-8 text: {exc.reason}")]) from exc
    return _check_kinds(RawActuals(yaml_mapping(text, name), name))


def _check_kinds(raw: RawActuals) -> RawActuals:
    unknown = sorted(set(raw.data) - set(EVENT_KINDS))
    if unknown:
        problems = [
            Problem(raw.default_file, k, "", f"not a kind of event (one of: {', '.join(EVENT_KINDS)})")
            for k in unknown
        ]
        raise ProgrammeInvalid(problems)
    return raw


def write_actuals_folder(batch: ActualsBatch, folder: Path) -> None:
    """The batch as a CSV folder (the layout above); `write_actuals_workbook` makes the XLSX."""
    folder.mkdir(parents=True, exist_ok=True)
    plain = to_plain(batch)
    children: dict[str, list[dict[str, Any]]] = {name: [] for name in CHILDREN}
    for kind, columns in FLAT.items():
        rows = []
        for record in plain[kind]:
            for name, (parent, column, field, _) in CHILDREN.items():
                if parent == kind:
                    children[name] += [{column: record["id"], **kid} for kid in record.pop(field, [])]
            if kind == "lots":
                record["serials"] = ";".join(record.get("serials") or [])
            rows.append(record)
        _write(folder / f"{kind}.csv", columns, rows)
    for name, (_, _, _, columns) in CHILDREN.items():
        _write(folder / f"{name}.csv", columns, children[name])


def write_actuals_workbook(batch: ActualsBatch) -> bytes:
    from openpyxl import Workbook

    from coprod.io.sheets import write_table
    from coprod.io.workbook import _cell

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_actuals_folder(batch, folder)
        book = Workbook(write_only=True)
        for name in ACTUALS_FILES:
            with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
                rows = list(csv.reader(fh))
            write_table(book, name, rows[0], [[_cell(v) for v in row] for row in rows[1:]])
        out = BytesIO()
        book.save(out)
        return out.getvalue()


def _write(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns, extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
