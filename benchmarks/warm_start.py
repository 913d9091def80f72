"""Does handing the first plan to HiGHS (`Highs.setSolution`) speed up the LP solve?

    python -m benchmarks.warm_start [--rounds 3] [--size M] [--seed 1]

For the default LP (aggregated far buckets, folded supply) and the exact LP
(`--resolution exact`) of a generated programme, the LP is solved by simplex in a fresh
HiGHS instance cold (A) and after `setSolution` with a whole-unit feasible point (B), taken
in turn (A B A B ...): CPU seconds of the solve (user + sys of this process, HiGHS runs on
one thread here) and simplex iterations, with the load average. The point is the
heuristic's first plan (planning/heuristic.py) of that same LP: for the exact LP it is the
first plan `coprod plan` shows; the default LP's buckets get their own (poorer) one, so no
mapping of columns is needed. HiGHS builds a basis from the point (crossover) and starts
the simplex from it, and a solve from a basis skips presolve: the third mode (C) is the
cold solve without presolve, for that share. Dual simplex is HiGHS's default; `--primal`
uses primal simplex from the point (the point is primal feasible).

Prints a Markdown table; not part of the test run (docs/anytime.md quotes it).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
from typing import Any

import highspy

from coprod.generate import generate
from coprod.planning.analyse import analyse
from coprod.planning.heuristic import first_plan_x
from coprod.planning.highs import HighsSession
from coprod.planning.model import PlanningModel, build_model
from coprod.planning.options import Method, PlanOptions, Resolution
from coprod.planning.receipts import add_scheduled_receipts
from coprod.planning.resolution import choose_resolution

MODES = ("cold", "from the first plan", "cold, presolve off")


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _solve(m: PlanningModel, x0: Any, mode: str, primal: bool) -> tuple[float, int, float]:
    session = HighsSession(m.lp, PlanOptions().solver, folded=True)
    if mode == MODES[1]:
        point = highspy.HighsSolution()
        point.col_value = x0.tolist()
        point.value_valid = True
        if session.highs.setSolution(point) != highspy.HighsStatus.kOk:
            raise RuntimeError("HiGHS refused the point")
        session.simplex_strategy(primal)
    if mode == MODES[2]:
        session.highs.setOptionValue("presolve", "off")
    started = _cpu()
    outcome = session.solve(Method.SIMPLEX)
    return _cpu() - started, outcome.iterations, outcome.objective


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", default="M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--primal", action="store_true", help="primal simplex from the point")
    args = parser.parse_args()
    programme = generate(args.size, args.seed)
    print(f"generated {args.size} seed {args.seed}; load average before: {os.getloadavg()[0]:.2f}\n")
    print("| LP | rows x columns | start point's objective | mode | solve CPU s (median) | iterations |")
    print("| --- | --- | --- | --- | --- | --- |")
    for resolution in (Resolution.AUTO, Resolution.EXACT):
        choice = choose_resolution(programme, resolution)
        m = build_model(analyse(programme, fold_supply=True, grid=choice.grid))
        add_scheduled_receipts(m)
        x0 = first_plan_x(m)
        runs: dict[str, list[tuple[float, int, float]]] = {mode: [] for mode in MODES}
        for _ in range(args.rounds):
            for mode in MODES:
                runs[mode].append(_solve(m, x0, mode, args.primal))
        optimum = runs[MODES[0]][0][2]
        for mode in MODES:
            assert abs(runs[mode][0][2] - optimum) <= 1e-7 * abs(optimum), (mode, runs[mode][0][2], optimum)
            cpu = statistics.median(r[0] for r in runs[mode])
            rows, cols = m.lp.shape
            start = f"{float(m.lp.cost @ x0):.4g} (optimum {optimum:.4g})"
            name = f"{mode} (primal)" if args.primal and mode == MODES[1] else mode
            iterations = runs[mode][0][1]
            print(f"| {choice.used} | {rows:,} x {cols:,} | {start} | {name} | {cpu:.2f} | {iterations:,} |")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
