"""What the commands print fits an 80-column terminal: no line wider, no cell cut short
("2026-0…"), whole units without decimals, no rows of "+0" changes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[2] / "examples"
EXAMPLE = str(EXAMPLES / "uk-ua-interceptors.yaml")
COPROD = str(Path(sys.executable).parent / "coprod")


def _run(*args: str) -> str:
    env = {**os.environ, "COLUMNS": "80", "TERM": "xterm-256color"}
    done = subprocess.run([COPROD, *args], capture_output=True, text=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("validate", EXAMPLE),
        ("plan", EXAMPLE),
        (
            "replan",
            EXAMPLE,
            "--changes",
            str(EXAMPLES / "changes" / "replan-demand-and-delay.yaml"),
            "--frozen",
            "2",
        ),
        ("scenario", "compare", EXAMPLE, *sorted(str(p) for p in (EXAMPLES / "changes").glob("*.yaml"))),
        ("risk", EXAMPLE, "--uncertainty", str(EXAMPLES / "uncertainty.yaml"), "-n", "3"),
    ],
    ids=["validate", "plan", "replan", "scenario-compare", "risk"],
)
def test_output_fits_80_columns(args: tuple[str, ...]) -> None:
    text = _run(*args)
    lines = text.splitlines()
    assert lines, "printed nothing"
    wide = [line for line in lines if len(line) > 80]
    assert not wide, "\n".join(wide)
    assert "…" not in text, [line for line in lines if "…" in line]
    assert not re.search(r"\d,\d{3}\.000\b", text), "whole units printed with decimals"
    assert "+0 / +0" not in text and "(on time +0, unmet +0)" not in text


def test_long_lists_say_how_many_more_and_where() -> None:
    text = _run("plan", EXAMPLE)
    more = [line for line in text.splitlines() if line.startswith("... and ")]
    assert more and all("--out" in line or "--format json" in line for line in more), more
    import json

    plan = json.loads(_run("plan", EXAMPLE, "--format", "json"))
    late = sum(r["status"] != "on_time" for r in plan["requirements"])
    assert late > 10 and f"Late or unmet requirements ({late})" in text  # all, not those shown
