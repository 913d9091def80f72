"""The only module that imports highspy: hand a LinearProgram to HiGHS and read the answer.

A `HighsSession` keeps one `Highs` instance alive, so the integer repair and re-plans after
bound or right-hand-side edits start from the previous basis (warm), which is where a
kept instance pays; after cost edits a cold interior-point solve is usually faster.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import highspy
import numpy as np

from coprod.errors import InputError, SolverError
from coprod.planning.lp import LinearProgram
from coprod.planning.options import Method, SolverOptions
from coprod.planning.outcome import SolveOutcome, SolveStatus  # their home; kept importable here

__all__ = ["HighsSession", "SolveOutcome", "SolveStatus", "SolverOptions"]


_STATUS = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.INFEASIBLE,
}


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """HiGHS prints a banner on stdout from C++ when the first instance is made; that would
    corrupt `coprod plan --format json`, so the file descriptor is pointed at /dev/null."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded use): nothing to protect
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs() -> highspy.Highs:
    with _stdout_silenced():
        return highspy.Highs()  # type: ignore[no-untyped-call]


class HighsSession:
    def __init__(self, lp: LinearProgram, options: SolverOptions | None = None, folded: bool = False) -> None:
        """`folded`: supply that can never bind was folded out of `lp` (it picks the method)."""
        self.options = options or SolverOptions()
        self.lp = lp
        self.folded = folded
        self.highs = new_highs()
        self.highs.setOptionValue("output_flag", self.options.log)
        if self.options.threads:
            self.highs.setOptionValue("threads", self.options.threads)
        if self.options.time_limit:
            self.highs.setOptionValue("time_limit", float(self.options.time_limit))
        self._pass(lp)

    def _pass(self, lp: LinearProgram) -> None:
        model = highspy.HighsLp()
        n_rows, n_cols = lp.shape
        model.num_col_, model.num_row_ = n_cols, n_rows
        model.col_cost_ = lp.cost
        model.col_lower_, model.col_upper_ = lp.col_lower, lp.col_upper
        model.row_lower_, model.row_upper_ = lp.row_lower, lp.row_upper
        csc = lp.matrix.tocsc()
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = csc.indptr.astype(np.int32)
        model.a_matrix_.index_ = csc.indices.astype(np.int32)
        model.a_matrix_.value_ = csc.data
        model.a_matrix_.num_col_, model.a_matrix_.num_row_ = n_cols, n_rows
        status = self.highs.passModel(model)
        if status == highspy.HighsStatus.kError:
            raise SolverError("HiGHS rejected the model (see the log with --solver-log)")

    def solve(self, method: Method | None = None) -> SolveOutcome:
        n_cols = self.lp.shape[1]
        chosen = method or self.options.resolved_method(n_cols, self.folded)
        self.highs.setOptionValue("solver", chosen.value)
        self.highs.setOptionValue("run_crossover", "on" if self.options.crossover else "off")
        started = time.perf_counter()
        self.highs.run()
        seconds = time.perf_counter() - started
        model_status = self.highs.getModelStatus()
        status = _STATUS.get(model_status)
        solution = self.highs.getSolution()
        if status is SolveStatus.INFEASIBLE:
            # Unmet-demand columns make every programme feasible; only contradictory fixed
            # values (e.g. frozen periods) can get here.
            raise SolverError("the plan is infeasible with the values held fixed")
        if status is None or (status is SolveStatus.TIME_LIMIT and not solution.value_valid):
            text = self.highs.modelStatusToString(model_status)
            raise SolverError(f"HiGHS stopped without a plan: {text}")
        info = self.highs.getInfo()
        iterations = int(info.simplex_iteration_count) + int(info.ipm_iteration_count)
        return SolveOutcome(
            status=status,
            objective=float(self.highs.getInfo().objective_function_value),
            x=np.asarray(solution.col_value),
            row_dual=np.asarray(solution.row_dual),
            col_dual=np.asarray(solution.col_dual),
            seconds=seconds,
            method=chosen.value,
            iterations=iterations,
        )

    def save_basis(self) -> highspy.HighsBasis:
        """The current basis (after a simplex solve or an IPM solve with crossover)."""
        return self.highs.getBasis()

    def restore_basis(self, basis: highspy.HighsBasis) -> None:
        self.highs.setBasis(basis)

    # ---- bases as plain arrays: carried to another LP of the same family (risk samples) ----
    BASIC = int(highspy.HighsBasisStatus.kBasic)
    AT_LOWER = int(highspy.HighsBasisStatus.kLower)

    def basis_statuses(self, basis: highspy.HighsBasis | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The current basis (or `basis`, as `save_basis` gave it) as int8 arrays (columns,
        rows) of HiGHS's status codes: picklable, so an executor can send one base basis to
        every worker. `.value` per status: 0.6x the time of int() on 70k of them."""
        basis = basis if basis is not None else self.highs.getBasis()
        cols = np.array([v.value for v in basis.col_status], dtype=np.int8)
        rows = np.array([v.value for v in basis.row_status], dtype=np.int8)
        return cols, rows

    def has_basis(self) -> bool:
        """Whether the last solve left a basis (not an interior-point solve without crossover)."""
        return bool(self.highs.getBasis().valid)

    def simplex_strategy(self, primal: bool) -> None:
        """Primal or dual simplex for the next simplex solves. From a basis carried over from
        another LP (neither primal nor dual feasible for this one) primal took 0.7x dual's
        time on the example's risk samples; after bound edits dual is the one that starts
        feasible (HiGHS's default)."""
        self.highs.setOptionValue("simplex_strategy", 4 if primal else 1)

    def start_from_statuses(self, cols: np.ndarray, rows: np.ndarray) -> bool:
        """Start the next simplex solve from this basis (codes as `basis_statuses` gives).
        The count of basic variables is made to match the rows first (row slacks made basic
        or nonbasic); a basis that is then singular is repaired by HiGHS with slacks. False
        when HiGHS refused it (the solve then starts cold)."""
        cols, rows = cols.astype(np.int8), rows.astype(np.int8).copy()
        missing = rows.size - int((cols == self.BASIC).sum() + (rows == self.BASIC).sum())
        if missing > 0:  # too few basics: slacks of nonbasic rows enter
            rows[np.flatnonzero(rows != self.BASIC)[:missing]] = self.BASIC
        elif missing < 0:  # too many: slacks of basic rows leave at their lower bound
            leave = np.flatnonzero(rows == self.BASIC)[:-missing]
            rows[leave] = np.where(np.isfinite(self.lp.row_lower[leave]), self.AT_LOWER, 2)
        if int((cols == self.BASIC).sum() + (rows == self.BASIC).sum()) != rows.size:
            return False
        basis = highspy.HighsBasis()
        members = [highspy.HighsBasisStatus(i) for i in range(5)]  # looked up once, not per entry
        basis.col_status = [members[v] for v in cols.tolist()]
        basis.row_status = [members[v] for v in rows.tolist()]
        basis.valid = True
        return bool(self.highs.setBasis(basis) == highspy.HighsStatus.kOk)

    def column_lower(self) -> np.ndarray:
        """The column lower bounds the instance holds now (a re-plan fixes frozen columns)."""
        return np.asarray(self.highs.getLp().col_lower_)

    def set_column_bounds(self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        cols = np.asarray(cols, dtype=np.int32)
        if cols.size:
            self.highs.changeColsBounds(cols.size, cols, np.asarray(lower, float), np.asarray(upper, float))

    def set_row_bounds(self, rows: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=np.int32)
        if rows.size:
            self.highs.changeRowsBounds(  # type: ignore[attr-defined]
                rows.size, rows, np.asarray(lower, float), np.asarray(upper, float)
            )

    def set_costs(self, cost: np.ndarray) -> None:
        cols = np.arange(cost.size, dtype=np.int32)
        self.highs.changeColsCost(cost.size, cols, np.asarray(cost, float))

    def add_row(self, lower: float, upper: float, cols: np.ndarray, values: np.ndarray) -> int:
        """Add a row; returns its index."""
        cols = np.asarray(cols, dtype=np.int32)
        self.highs.addRow(lower, upper, cols.size, cols, np.asarray(values, float))
        return int(self.highs.getNumRow()) - 1

    def export(self, path: Path, names: tuple[list[str], list[str]] | None = None) -> None:
        """Write the model as MPS or LP (by the file's extension) for any other solver."""
        if path.suffix.lower() not in (".mps", ".lp"):
            raise InputError(f"{path}: the export file must end in .mps or .lp")
        if names is not None:
            col_names, row_names = names
            for i, name in enumerate(col_names):
                self.highs.passColName(i, name)
            for i, name in enumerate(row_names):
                self.highs.passRowName(i, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with _stdout_silenced():
            status = self.highs.writeModel(str(path))
        if status == highspy.HighsStatus.kError:
            raise InputError(f"{path}: HiGHS could not write the model")
