"""The access tables of docs/access.md, read as data: the independent statement of who may
do what, which both the declarations in access.py and the running server are tested against."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).parents[1] / "docs" / "access.md"
ROLES = ("programme-office", "design-authority", "site-planner", "supplier", "customer", "auditor")


def table(heading: str) -> dict[str, dict[str, str]]:
    """The table under `## heading`: row name -> role -> cell (notes in brackets dropped,
    '–' as the empty string)."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"## {heading}")
    rows: dict[str, dict[str, str]] = {}
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if not line.startswith("| ") or line.startswith("| ---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] in ("record type", "event type", "action", "plan table"):
            assert [c.replace(" ", "-") for c in cells[1:]] == list(ROLES), cells
            continue
        values = [c.split("(")[0].strip() for c in cells[1:]]
        rows[cells[0]] = {role: ("" if v == "–" else v) for role, v in zip(ROLES, values, strict=True)}
    assert rows, f"no table under '## {heading}' in {DOC}"
    return rows
