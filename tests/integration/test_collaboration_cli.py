"""Supplier collaboration on the command line: release the plan's orders, write the
workbook, record the filled-in answer, see where commits fall short; errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook

from tests.integration.test_actuals_cli import fresh, run


def test_release_sheet_answer_and_shortfall(tmp_path: Path) -> None:
    db = fresh(tmp_path)
    early = run(db, "release")
    assert early.returncode == 2 and "plan it first" in early.stderr
    assert run(db, "plan", "--programme", "example", "--out", tmp_path / "plan").returncode == 0
    made = run(db, "release", "--supplier", "AS-MOTORS", "--format", "json")
    assert made.returncode == 0, made.stderr
    release = json.loads(made.stdout)[0]
    assert release["supplier"] == "AS-MOTORS" and release["lines"]
    assert run(db, "release", "--supplier", "NOBODY").returncode == 2

    sheet = tmp_path / "release.xlsx"
    assert run(db, "answer", "--release", str(release["id"]), "--sheet", sheet).returncode == 0
    book = load_workbook(sheet)
    ws = book["release"]
    col = {c.value: i + 1 for i, c in enumerate(ws[1])}
    asked = ws.cell(2, col["requested"]).value
    ws.cell(2, col["committed"]).value = asked  # no status: read as a commit
    book.save(tmp_path / "answer.xlsx")
    done = run(db, "answer", "--release", str(release["id"]), "--file", tmp_path / "answer.xlsx")
    assert done.returncode == 0, done.stderr
    rows = json.loads(run(db, "commitments", "--format", "json").stdout)
    first = ws.cell(2, col["period"]).value.date().isoformat()
    offer = ws.cell(2, col["offer"]).value
    line = next(r for r in rows if r["offer"] == offer and r["period"] == first)
    assert line["state"] == "covered" and line["committed"] == asked
    assert sum(r["state"] == "open" for r in rows) == len(release["lines"]) - 1

    ws.cell(2, col["committed"]).value = "lots"
    book.save(tmp_path / "bad.xlsx")
    bad = run(db, "answer", "--release", str(release["id"]), "--file", tmp_path / "bad.xlsx")
    assert bad.returncode == 2 and "row 2" in bad.stderr and "committed" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert run(db, "answer", "--release", "999", "--sheet", tmp_path / "x.xlsx").returncode == 2
