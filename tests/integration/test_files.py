"""Programme files: YAML <-> CSV round trip, errors naming file and row, JSON Schema."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml

from coprod.app.programmes import file_schema as programme_schema
from coprod.errors import InputError, ProgrammeInvalid
from coprod.io import load_programme, write_programme

EXAMPLE = Path(__file__).parents[2] / "examples" / "uk-ua-interceptors.yaml"


def test_yaml_csv_yaml_round_trip_is_lossless(tmp_path: Path) -> None:
    original = load_programme(EXAMPLE)
    write_programme(original, tmp_path / "csv", "csv")
    from_csv = load_programme(tmp_path / "csv")
    assert from_csv == original
    write_programme(from_csv, tmp_path / "back.yaml", "yaml")
    assert load_programme(tmp_path / "back.yaml") == original
    # and the written YAML is the human-edited kind: commented sections
    assert "# The customer's requirements" in (tmp_path / "back.yaml").read_text()


def _rewrite_cell(path: Path, row: int, column: str, value: str) -> None:
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[row][column] = value
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_csv_errors_name_the_file_and_row(tmp_path: Path) -> None:
    write_programme(load_programme(EXAMPLE), tmp_path, "csv")
    _rewrite_cell(tmp_path / "requirements.csv", 2, "quantity", "lots")
    _rewrite_cell(tmp_path / "design_bom.csv", 0, "qty", "-1")
    _rewrite_cell(tmp_path / "lanes.csv", 1, "to", "ATLANTIS")
    with pytest.raises(ProgrammeInvalid) as info:
        load_programme(tmp_path)
    found = {(Path(p.file).name, p.record, p.field) for p in info.value.problems}
    assert ("requirements.csv", "row 4 (R003)", "quantity") in found
    assert ("design_bom.csv", "row 2", "qty") in found
    assert ("lanes.csv", "row 3 (KYIV-W)", "to") in found
    assert len(found) == 3


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("calendar: {start: 2026-01-01\nperiods: [\n")
    with pytest.raises(ProgrammeInvalid) as info:
        load_programme(bad)
    problem = info.value.problems[0]
    assert problem.file == str(bad) and problem.record.startswith("line ")
    assert "YAML syntax error" in problem.message


@pytest.mark.parametrize("content", ["", "- just\n- a list\n"])
def test_empty_or_wrong_shaped_yaml(tmp_path: Path, content: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(content)
    with pytest.raises(ProgrammeInvalid):
        load_programme(path)


def test_missing_path_and_wrong_extension(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_programme(tmp_path / "nope.yaml")
    (tmp_path / "p.txt").write_text("x")
    with pytest.raises(InputError, match=r"expected a \.yaml file"):
        load_programme(tmp_path / "p.txt")
    with pytest.raises(InputError, match=r"programme\.csv is missing"):
        load_programme(tmp_path)


def test_json_schema_describes_the_example() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(programme_schema())
    data = yaml.safe_load(EXAMPLE.read_text())
    data = json.loads(json.dumps(data, default=str))  # dates as ISO strings, as JSON has them
    jsonschema.validate(data, schema)
    data["requirements"][0]["quantity"] = -3
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_xlsx_workbook_round_trip_and_errors_by_sheet_row_column() -> None:
    import io

    import openpyxl

    from coprod.io.workbook import programme_from_workbook, programme_workbook

    original = load_programme(EXAMPLE)
    data = programme_workbook(original)
    assert programme_from_workbook(data) == original
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert {"programme", "requirements", "design_bom", "lines"} <= set(book.sheetnames)
    header = [c.value for c in book["lanes"][1]]
    book["lanes"].cell(row=3, column=header.index("lead_time") + 1, value=-2)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ProgrammeInvalid) as info:
        programme_from_workbook(out.getvalue(), "plan.xlsx")
    [problem] = info.value.problems
    assert (problem.file, problem.record, problem.field) == (
        "plan.xlsx sheet 'lanes'",
        "row 3 (KYIV-W)",
        "lead_time",
    )
    with pytest.raises(InputError, match="not an XLSX workbook"):
        programme_from_workbook(b"not a zip", "x.xlsx")


def test_csv_saved_by_excel_reads_the_same(tmp_path: Path) -> None:
    """Excel writes "CSV UTF-8" with a byte-order mark, plain "CSV" in the Windows code page,
    and in decimal-comma locales separates cells with semicolons: all three read as written."""
    original = load_programme(EXAMPLE)
    for variant in ("bom", "cp1252", "semicolon"):
        folder = tmp_path / variant
        write_programme(original, folder, "csv")
        for path in folder.glob("*.csv"):
            text = path.read_text(encoding="utf-8")
            if variant == "bom":
                path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
            elif variant == "cp1252":
                path.write_bytes(text.encode("cp1252"))
            else:
                rows = list(csv.reader(text.splitlines()))
                with path.open("w", newline="", encoding="utf-8") as fh:
                    csv.writer(fh, delimiter=";").writerows(rows)
        assert load_programme(folder) == original, variant


def test_a_partner_name_in_windows_1252_survives(tmp_path: Path) -> None:
    write_programme(load_programme(EXAMPLE), tmp_path, "csv")
    path = tmp_path / "partners.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    header, first = rows[0], rows[1].split(",")
    first[1] = "Forsvarets materielverk Ærø"
    path.write_bytes("\n".join([header, ",".join(first), *rows[2:]]).encode("cp1252") + b"\n")
    assert load_programme(tmp_path).partners[0].name == "Forsvarets materielverk Ærø"


def test_yaml_is_read_as_yaml_1_2_with_duplicate_keys_refused(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("country: 'NO'", "country: NO")
    assert "country: NO," in text
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    norway = [p for p in load_programme(path).partners if p.id == "NO-MFG"]
    assert norway[0].country == "NO"  # YAML 1.1 would have read False
    dup = tmp_path / "dup.yaml"
    dup.write_text(EXAMPLE.read_text(encoding="utf-8").replace("calendar:", "calendar: {}\ncalendar:", 1))
    with pytest.raises(ProgrammeInvalid) as info:
        load_programme(dup)
    assert "duplicate" in str(info.value.problems[0]) and info.value.problems[0].record.startswith("line ")
