"""What-if comparisons and Monte Carlo risk of programme files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from coprod.domain import Programme
from coprod.errors import InputError, Problem, ProgrammeInvalid
from coprod.io import load_programme
from coprod.scenarios.compare import KPI_ROWS

__all__ = ["KPI_ROWS", "compare_files", "load_scenario", "risk_file"]


def load_scenario(base: Programme, path: Path) -> tuple[str, Programme]:
    """A change set (a YAML file with `changes:`) applied to `base`, or a whole programme."""
    from coprod.domain.changes import apply_changes, check_changes
    from coprod.io.changes_file import load_change_set
    from coprod.io.yaml_loader import YamlSyntaxError, parse_yaml

    try:
        head = parse_yaml(path.read_text(encoding="utf-8-sig")) if path.is_file() else None
    except (YamlSyntaxError, UnicodeDecodeError):
        head = None
    if isinstance(head, dict) and "changes" in head:
        changes = load_change_set(path)
        findings = check_changes(base, changes)
        if findings:
            raise ProgrammeInvalid(
                [Problem(str(path), f"changes[{f.index}] ({f.key})", f.field, f.message) for f in findings]
            )
        return changes.name or path.stem, apply_changes(base, changes)
    return path.stem, load_programme(path)


def compare_files(base: Path, scenarios: list[Path]) -> tuple[Programme, Any]:
    """Plan the base and each scenario: (the base programme, the Comparison)."""
    from coprod.scenarios import compare

    programme = load_programme(base)
    loaded = [load_scenario(programme, path) for path in scenarios]
    return programme, compare(programme, loaded, base_name=base.stem)


def risk_file(
    path: Path,
    uncertainty: Path,
    n: int,
    seed: int | None,
    workers: int | None,
    dask: str | None,
    started: Callable[[int], Callable[[], None]],
) -> Any:
    """A Monte Carlo sweep of a programme file; `started(workers)` is told how many workers
    run and returns the callback ticked once per sample. Returns the RiskResult."""
    from coprod.io.changes_file import load_small_file
    from coprod.scenarios.executors import DaskExecutor, Executor, SerialExecutor
    from coprod.scenarios.risk import run_risk
    from coprod.scenarios.uncertainty import Uncertainty, check_uncertainty

    programme = load_programme(path)
    spec = load_small_file(uncertainty, Uncertainty, "uncertainty")
    findings = check_uncertainty(programme, spec)
    if findings:
        raise ProgrammeInvalid(
            [
                Problem(
                    str(uncertainty), f.section + (f"[{f.index}]" if f.index >= 0 else ""), f.field, f.message
                )
                for f in findings
            ]
        )
    executor: Executor
    try:
        executor = DaskExecutor(address=dask, workers=workers) if (dask or workers) else SerialExecutor()
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler {dask}: {exc}") from exc
    try:
        tick = started(getattr(executor, "workers", 1))
        return run_risk(programme, spec, n, seed, executor, progress=tick)
    finally:
        executor.close()
