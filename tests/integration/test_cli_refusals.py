"""What the command line refuses, as a user meets it: options a first plan cannot honour and
output paths that cannot be written end with exit status 2 and a message naming the option,
before any planning, never a traceback; what the first plan's line says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.integration.test_cli import EXAMPLE, run

EXAMPLES = EXAMPLE.parent


@pytest.mark.parametrize(
    ("option", "args"),
    [
        ("--export-mps", ("--export-mps", "{tmp}/plan.mps")),
        ("--export-lp", ("--export-lp", "{tmp}/plan.lp")),
        ("--method", ("--method", "simplex")),
        ("--objective lexicographic", ("--objective", "lexicographic")),
        ("--time-limit", ("--time-limit", "5")),
        ("--solver-log", ("--solver-log",)),
        ("--resolution aggregated", ("--resolution", "aggregated")),
        ("--stability", ("--stability", "0.1", "--last", "{tmp}/plan.json")),
        ("--last", ("--last", "{tmp}/plan.json")),
        ("--priority strict", ("--priority", "strict")),
        ("--fair-share", ("--fair-share",)),
        ("--why-idle", ("--why-idle", "UK-MID-1")),
    ],
)
def test_first_refuses_what_only_the_lp_plan_does(option: str, args: tuple[str, ...], tmp_path: Path) -> None:
    result = run("plan", EXAMPLE, "--first", *(a.format(tmp=tmp_path) for a in args))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{option} cannot be used with --first: " in result.stderr
    assert result.stdout == "" and "first plan (state" not in result.stderr  # refused before planning
    assert list(tmp_path.iterdir()) == []  # no export written


def test_first_names_every_option_it_refuses() -> None:
    result = run("plan", EXAMPLE, "--first", "--fair-share", "--why-idle", "UK-MID-1")
    assert result.returncode == 2
    assert "--fair-share cannot be used with --first" in result.stderr
    assert "--why-idle cannot be used with --first: idle reasons need the LP's plan" in result.stderr


def test_first_keeps_the_options_that_apply(tmp_path: Path) -> None:
    # the first plan is made in single periods and in priority-weight order: exact and
    # weighted are what it does anyway
    result = run(
        "plan",
        EXAMPLE,
        "--first",
        "--resolution",
        "exact",
        "--priority",
        "weighted",
        "--objective",
        "weighted",
        "--method",
        "auto",
        "--format",
        "json",
        "--out",
        tmp_path / "p",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["state"] == "first"
    assert json.loads((tmp_path / "p" / "plan.json").read_text())["state"] == "first"


def test_the_first_plan_line_shows_the_units_never_delivered() -> None:
    # weighted lateness counts delivered units only: the example's first plan is 0 late with
    # over a third of its units unmet, and the line must not read as a plan with nothing wrong
    result = run("plan", EXAMPLE, "--first", "--format", "json")
    assert result.returncode == 0, result.stderr
    unmet = json.loads(result.stdout)["kpis"]["unmet_units"]
    assert unmet > 0
    line = next(x for x in result.stderr.splitlines() if x.startswith("first plan"))
    found = re.search(r"weighted lateness [\d,]+, unmet ([\d,]+) units", line)
    assert found, line
    assert int(found.group(1).replace(",", "")) == unmet


UNWRITABLE = [
    ("--out", "/proc/coprod-x", ("plan", EXAMPLE, "--first", "--out", "{path}")),
    ("--out", "/dev/null", ("plan", EXAMPLE, "--first", "--out", "{path}")),
    ("--out", "/dev/null/sub", ("plan", EXAMPLE, "--out", "{path}")),
    ("--export-mps", "/proc/coprod-x.mps", ("plan", EXAMPLE, "--export-mps", "{path}")),
    ("--export-lp", "/dev/null/plan.lp", ("plan", EXAMPLE, "--export-lp", "{path}")),
    (
        "--out",
        "/dev/null",
        ("replan", EXAMPLE, "--changes", EXAMPLES / "changes" / "drop-norway.yaml", "--out", "{path}"),
    ),
    (
        "--out",
        "/dev/null",
        ("scenario", "compare", EXAMPLE, EXAMPLES / "changes" / "drop-norway.yaml", "--out", "{path}"),
    ),
    (
        "--out",
        "/proc/coprod-x",
        ("risk", EXAMPLE, "--uncertainty", EXAMPLES / "uncertainty.yaml", "-n", "2", "--out", "{path}"),
    ),
    ("TARGET", "/proc/coprod-x", ("generate", "--size", "S", "{path}")),
    ("TARGET", "/proc/coprod-x.yaml", ("generate", "--size", "S", "{path}")),
    ("TARGET", "/proc/coprod-x.yaml", ("convert", EXAMPLE, "--to", "yaml", "{path}")),
    ("TARGET", "/dev/null", ("convert", EXAMPLE, "--to", "csv", "{path}")),
    ("TARGET", "/proc/coprod-x.yaml", ("export", "anything", "{path}")),
    ("--out", "/proc/coprod-x/schema.json", ("schema", "--out", "{path}")),
    ("--sheet", "/proc/coprod-x.xlsx", ("answer", "--release", "1", "--sheet", "{path}")),
]


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux's /proc (root cannot write it)")
@pytest.mark.parametrize(
    ("option", "path", "args"), UNWRITABLE, ids=[f"{a[0]}-{a[1]}-{p}" for _, p, a in UNWRITABLE]
)
def test_an_unwritable_output_exits_2_naming_the_option_and_path(
    option: str, path: str, args: tuple[str | Path, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # export and answer read a database after the check: never the user's own
    monkeypatch.setenv("COPROD_DATABASE_URL", f"sqlite:///{tmp_path / 'coprod.db'}")
    result = run(*(str(a).format(path=path) for a in args))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert f"error: {option}: cannot write {path}" in message, message
    reason = message.split(f"cannot write {path}", 1)[1]
    assert re.search(r": \S", reason), message  # the reason follows the path
    assert "first plan (state" not in result.stderr  # refused before any planning


def test_checking_an_output_leaves_nothing_behind(tmp_path: Path) -> None:
    # the check makes the folders to be sure they can be made, and takes them away again:
    # a plan that fails after it (here: no such programme) leaves no empty folders
    result = run(
        "plan",
        tmp_path / "missing.yaml",
        "--out",
        tmp_path / "a" / "b",
        "--export-mps",
        tmp_path / "c" / "x.mps",
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
    kept = tmp_path / "kept.mps"
    kept.write_text("mine")
    result = run("plan", tmp_path / "missing.yaml", "--export-mps", kept)
    assert result.returncode == 2 and kept.read_text() == "mine"
