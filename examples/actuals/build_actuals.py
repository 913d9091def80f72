"""Write the example batch (actuals.yaml) as CSV files (csv/) and as a workbook (actuals.xlsx).

Run from the repository root: python examples/actuals/build_actuals.py
"""

from __future__ import annotations

from pathlib import Path

from coprod.io.actuals_file import parse_actuals, read_actuals, write_actuals_folder, write_actuals_workbook

HERE = Path(__file__).parent

if __name__ == "__main__":
    batch = parse_actuals(read_actuals(HERE / "actuals.yaml"))
    write_actuals_folder(batch, HERE / "csv")
    (HERE / "actuals.xlsx").write_bytes(write_actuals_workbook(batch))
