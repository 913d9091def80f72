"""Actuals on the command line, as a user runs them: the example batch in YAML, CSV and XLSX,
all or nothing, the tracking report, a trace, royalty statements recomputed here from the
file, and plans as of a date."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "uk-ua-interceptors.yaml"
ACTUALS = ROOT / "examples" / "actuals"
COPROD = str(Path(sys.executable).parent / "coprod")


def run(db: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "COPROD_DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [COPROD, *map(str, args)], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def fresh(tmp_path: Path, name: str = "db.sqlite") -> Path:
    db = tmp_path / name
    assert run(db, "db", "upgrade").returncode == 0
    imported = run(db, "import", EXAMPLE, "--name", "example")
    assert imported.returncode == 0, imported.stderr
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = fresh(tmp_path_factory.mktemp("actuals"))
    done = run(path, "actuals", "import", ACTUALS / "actuals.yaml", "--programme", "example")
    assert done.returncode == 0, done.stderr
    assert "recorded 43 events" in done.stdout
    return path


def _royalties(db: Path) -> list[dict[str, Any]]:
    result = run(db, "royalties", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_csv_and_xlsx_batches_record_the_same_events(tmp_path: Path, db: Path) -> None:
    expected = _royalties(db)
    for fmt, path in (("csv", ACTUALS / "csv"), ("xlsx", ACTUALS / "actuals.xlsx")):
        other = fresh(tmp_path, f"{fmt}.sqlite")
        done = run(other, "actuals", "import", path)
        assert done.returncode == 0 and "recorded 43 events" in done.stdout, done.stderr
        assert _royalties(other) == expected
        assert (
            run(other, "trace", "UA-FPV10-000100", "--format", "json").stdout
            == run(db, "trace", "UA-FPV10-000100", "--format", "json").stdout
        )


def test_royalties_recomputed_from_the_file(db: Path) -> None:
    """Units accepted under each licence, by month of acceptance, times its royalty: worked
    out here from the YAML and the programme, without coprod's ledger."""
    programme = yaml.safe_load(EXAMPLE.read_text())
    events = yaml.safe_load((ACTUALS / "actuals.yaml").read_text())
    partner = {s["id"]: s["partner"] for s in programme["sites"]}
    lots = {lot["id"]: lot for lot in events["lots"]}
    owed: dict[tuple[str, str, str], float] = defaultdict(float)
    for acc in events["acceptances"]:
        lot = lots[acc["lot"]]
        for lic in programme["licences"]:
            start, end = lic["valid_from"], lic.get("valid_to") or dt.date.max
            if (
                lic["licensee"] == partner[lot["site"]]
                and lic["design"] == lot["design"]
                and start <= lot["built"] <= end
            ):
                month = acc["date"].replace(day=1)
                # in the licence's currency at the rate in force on the first of the month
                rate = max(
                    (r for r in programme["exchange_rates"] if r["currency"] == lic.get("currency")),
                    key=lambda r: r["valid_from"] if r["valid_from"] <= month else dt.date.min,
                    default={"rate": 1.0},
                )["rate"]
                owed[(lic["licensee"], month.isoformat(), lic["id"])] += (
                    acc["accepted"] * lic["royalty_per_unit"] * rate
                )
    rows = _royalties(db)
    got = {(r["licensee"], r["period"], r["licence"]): r["amount"] for r in rows}
    assert got == pytest.approx(dict(owed))
    assert got == {("UK-MFG", "2026-03-01", "LIC-UK-INT1-B1"): pytest.approx(118 * 260 * 1.15)}  # GBP 260
    [row] = rows
    assert (row["licence_currency"], row["amount_in_licence_currency"]) == ("GBP", 118 * 260.0)
    assert (row["partner_currency"], row["amount_in_partner_currency"]) == ("GBP", 118 * 260.0)
    text = run(db, "royalties", "--currency", "licence").stdout
    assert "GBP 30,680.00" in text and "EUR" not in text
    assert "EUR 35,282.00" in run(db, "royalties").stdout
    assert "UK-MFG: GBP 30,680.00 in all" in run(db, "royalties", "--currency", "own").stdout
    csv_out = run(db, "royalties", "--format", "csv", "--period", "2026-03-15")
    assert csv_out.stdout.splitlines()[0].startswith("licensee,licensor,period,licence")
    assert run(db, "royalties", "--period", "2026-02-01", "--format", "json").stdout.strip() == "[]"


def test_a_bad_batch_is_refused_whole_with_file_record_and_field(tmp_path: Path) -> None:
    target = fresh(tmp_path)
    data = yaml.safe_load((ACTUALS / "actuals.yaml").read_text())
    data["shipments"][0]["shipped"] = dt.date(2026, 1, 20)  # before its lot was accepted (01-26)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    result = run(target, "actuals", "import", bad)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{bad}: shipments[0] (SHP-2601-01): field 'lines[0].quantity'" in result.stderr.replace("\n", " ")
    assert "is not accepted by 2026-01-20" in result.stderr.replace("\n", " ")
    # nothing was stored: the good batch imports whole afterwards, and twice it is refused
    assert run(target, "actuals", "import", ACTUALS / "actuals.yaml").returncode == 0
    again = run(target, "actuals", "import", ACTUALS / "csv" / "lots.csv")
    assert again.returncode == 2 and "duplicate id 'LOT-KYIV-2601-INT'" in again.stderr


def test_track_and_trace(db: Path) -> None:
    assert run(db, "plan", "--programme", "example").returncode == 0
    report = json.loads(run(db, "track", "--format", "json").stdout)
    uk = {r["period"]: r for r in report["rows"] if r["line"] == "UK-MID-1"}
    assert (uk["2026-03-01"]["built"], uk["2026-03-01"]["accepted"], uk["2026-03-01"]["rejected"]) == (
        130,
        118,
        2,
    )
    kyiv = [r for r in report["rows"] if r["line"] == "UA-KYIV-1"]
    assert [r["cum_built"] for r in kyiv] == [900, 1600, 2400]
    assert kyiv[-1]["adherence"] == pytest.approx(2400 / kyiv[-1]["cum_planned"], abs=1e-3)
    text = run(db, "trace", "UA-FPV10-000100")
    assert text.returncode == 0
    assert "served requirement R003" in text.stdout and "60 units short" in text.stdout
    missing = run(db, "trace", "NO-SUCH-1")
    assert (
        missing.returncode == 2 and "no lot of programme 'example' holds serial NO-SUCH-1" in missing.stderr
    )


def test_plan_as_of_a_date(tmp_path: Path, db: Path) -> None:
    asof = run(db, "plan", "--programme", "example", "--as-of", "2026-04-01", "--format", "json")
    assert asof.returncode == 0, asof.stderr
    result = json.loads(asof.stdout)
    assert result["periods"][0] == "2026-04-01"
    reqs = {r["id"]: r for r in result["requirements"]}
    assert "R001" not in reqs and "R003" not in reqs  # delivered in full before April
    assert reqs["R013"]["quantity"] == 840 - 596 - 118  # received, and 118 on their way from the UK
    wrong = run(db, "plan", "--programme", "example", "--as-of", "2026-04-15")
    assert wrong.returncode == 2 and "plan as of 2026-04-01 or 2026-05-01" in wrong.stderr


def test_as_of_the_start_without_events_is_the_plan(tmp_path: Path) -> None:
    empty = fresh(tmp_path)
    plain = json.loads(run(empty, "plan", "--programme", "example", "--format", "json").stdout)
    asof = json.loads(
        run(empty, "plan", "--programme", "example", "--as-of", "2026-01-01", "--format", "json").stdout
    )
    for table in ("production", "purchases", "shipments", "deliveries", "requirements"):
        assert asof[table] == plain[table], table
    shutil.rmtree(tmp_path, ignore_errors=True)
