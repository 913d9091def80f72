"""Fuzzing: seeded mutations of programme files through `validate` and `plan`.

Every mutant is a YAML file or a CSV folder made from a valid programme (the tiny hand-made
one, the bundled example, a generated S) by one to three mutations: a field set to an odd
value (empty, huge, negative, NaN, a date that does not exist, a wrong type, a path, control
characters), a key or record deleted or duplicated, a reference pointed at nothing, a
section emptied, the text truncated or garbled, a CSV cell, column or file changed. Each
must end in a Programme or a CoprodError whose problems name what is wrong; a Programme must
plan, within a time limit, to a Plan that passes the independent checks (tests/plan_checks).
Anything else is a crash; a case that runs past its time is a hang.

    python -m benchmarks.fuzz -n 10000 --seed 1 --workers 2   (results/fuzz.json)

tests/unit/test_fuzz_files.py runs a small seeded slice of the same mutants.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import copy
import json
import random
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "uk-ua-interceptors.yaml"
RESULTS = Path(__file__).parent / "results"
ODD: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    -(10**12),
    10**18,
    2**63,
    0.5,
    -0.0,
    1e308,
    float("nan"),
    float("inf"),
    "",
    " ",
    "x" * 5000,
    "ÆØÅ ü 漢字 🚀",
    "../../etc/passwd",
    "a\x00b",
    "line\nbreak",
    "2026-02-30",
    "2026-13-01",
    "1999-01-01",
    "2100-01-01",
    "2026-01-01T00:00:00",
    "NaN",
    "1e9",
    "-5",
    [],
    [1, 2],
    {},
    {"id": "Z"},
    "=1+1",
    "<script>x</script>",
]


JUNK = ["\t", "\x00", ": :", "- - -", "{", "]", "\ufeff", "&a *a", "!!python/object:os.system"]


def bases(generated: bool = True) -> list[tuple[str, dict[str, Any]]]:
    """The valid programmes mutants are made from (generated S only when asked: it is the
    slow one)."""
    from tests.programmes import tiny_data

    from coprod.generate import generate
    from coprod.io.plain import to_plain

    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    found = [("tiny", tiny_data()), ("example", example)]
    return [*found, ("generated-S", to_plain(generate("S", 5)))] if generated else found


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


def _ids(data: dict[str, Any]) -> list[str]:
    return [
        r["id"]
        for rows in data.values()
        if isinstance(rows, list)
        for r in rows
        if isinstance(r, dict) and "id" in r
    ]


def mutate_data(data: dict[str, Any], rng: random.Random) -> str:
    """Change `data` in place by one structural mutation; what was done, in words."""
    paths = _paths(data)
    path = rng.choice(paths)
    parent, key = _parent(data, path), path[-1]
    kind = rng.randrange(8)
    if kind <= 2:
        value = rng.choice(ODD)
        parent[key] = copy.deepcopy(value)
        return f"set {path} to {value!r:.40}"
    if kind == 3:
        del parent[key]
        return f"deleted {path}"
    if kind == 4 and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[key]))
        return f"duplicated {path}"
    if kind == 5:
        ids = _ids(data)
        if ids and isinstance(parent, dict) and isinstance(parent.get(key), str):
            parent[key] = rng.choice(["NOWHERE", *ids])
            return f"pointed {path} at {parent[key]}"
    if kind == 6:
        section = rng.choice([k for k, v in data.items() if isinstance(v, list)] or ["partners"])
        data[section] = []
        return f"emptied {section}"
    if isinstance(parent, dict):
        parent[f"unknown_{rng.randrange(99)}"] = 1
        return f"added a field beside {path}"
    parent[key] = {}
    return f"replaced {path} by an empty mapping"


def mutate_text(text: str, rng: random.Random) -> tuple[str, str]:
    kind = rng.randrange(5)
    at = rng.randrange(max(1, len(text)))
    if kind == 0:
        return text[:at], f"truncated at {at}"
    if kind == 1:
        junk = rng.choice(
            ["\t", "\x00", ": :", "- - -", "{", "]", "\ufeff", "&a *a", "!!python/object:os.system"]
        )
        return text[:at] + junk + text[at:], f"inserted {junk!r} at {at}"
    if kind == 2:
        return text.replace(":", "", 1 + rng.randrange(3)), "removed colons"
    if kind == 3:
        return text[at:], f"cut the first {at} characters"
    lines = text.splitlines()
    rng.shuffle(lines)
    return "\n".join(lines), "shuffled the lines"


def mutate_csv(folder: Path, rng: random.Random) -> str:
    files = sorted(folder.glob("*.csv"))
    path = rng.choice(files)
    text = path.read_text(encoding="utf-8")
    kind = rng.randrange(6)
    lines = text.splitlines()
    if kind == 0:
        path.unlink()
        return f"deleted {path.name}"
    if kind == 1 and len(lines) > 1:
        row = rng.randrange(1, len(lines))
        cells = lines[row].split(",")
        cells[rng.randrange(len(cells))] = str(rng.choice(ODD)).replace("\n", " ")
        lines[row] = ",".join(cells)
    elif kind == 2:
        lines[0] = lines[0] + ",extra"
    elif kind == 3 and lines:
        header = lines[0].split(",")
        rng.shuffle(header)
        lines[0] = ",".join(header)
    elif kind == 4:
        lines.append('"unclosed,quote')
    else:
        new, how = mutate_text(text, rng)
        path.write_text(new, encoding="utf-8")
        return f"{path.name}: {how}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return f"{path.name}: mutation {kind}"


def make_mutant(seed: int, folder: Path) -> tuple[Path, str]:
    """The mutant of `seed`, written under `folder`: its path and what was done."""
    from coprod.io import write_programme

    rng = random.Random(seed)
    name, data = rng.choice(_BASES)
    data = copy.deepcopy(data)
    done = [name]
    as_csv = rng.random() < 0.25
    for _ in range(1 + rng.randrange(3)):
        if rng.random() < 0.8:
            done.append(mutate_data(data, rng))
    if as_csv:
        try:
            from coprod.io import validate_raw
            from coprod.io.raw import RawProgramme

            programme = validate_raw(RawProgramme(data, "mutant"))
        except Exception:  # an invalid programme cannot be written as CSV: mutate its YAML
            as_csv = False
        else:
            out = folder / "csv"
            write_programme(programme, out, "csv")
            done.append(mutate_csv(out, rng))
            return out, "; ".join(done)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    if rng.random() < 0.3:
        text, how = mutate_text(text, rng)
        done.append(how)
    path = folder / "mutant.yaml"
    path.write_text(text, encoding="utf-8")
    return path, "; ".join(done)


_BASES: list[tuple[str, dict[str, Any]]] = []


def check_case(seed: int, time_limit: float = 60.0) -> dict[str, Any]:
    """Run one mutant: outcome valid | invalid | crash, with what was done and how long."""
    from tests.plan_checks import check_plan

    from coprod.errors import CoprodError, ProgrammeInvalid
    from coprod.io import load_programme
    from coprod.planning import PlanOptions, SolverOptions, plan

    if not _BASES:
        _BASES.extend(bases())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path, what = make_mutant(seed, Path(tmp))
        outcome, detail = "valid", ""
        try:
            programme = load_programme(path)
        except ProgrammeInvalid as exc:
            outcome = "invalid"
            if not exc.problems or not all(p.message for p in exc.problems):
                outcome, detail = "crash", "ProgrammeInvalid without problems"
        except CoprodError as exc:
            outcome = "invalid"
            if not str(exc):
                outcome, detail = "crash", "an error without a message"
        except Exception:
            outcome, detail = "crash", traceback.format_exc(limit=6)
        else:
            try:
                result = plan(programme, PlanOptions(solver=SolverOptions(time_limit=time_limit)))
                check_plan(programme, result)
            except Exception:
                outcome, detail = "crash", traceback.format_exc(limit=6)
    return {
        "seed": seed,
        "what": what,
        "outcome": outcome,
        "detail": detail,
        "s": time.perf_counter() - started,
    }


def run(n: int, seed: int, workers: int, case_timeout: float) -> dict[str, Any]:
    from rich.progress import Progress

    counts: Counter[str] = Counter()
    crashes: list[dict[str, Any]] = []
    hangs: list[int] = []
    slowest = 0.0
    started, cpu = time.perf_counter(), time.process_time()
    seeds = list(range(seed * 1_000_000, seed * 1_000_000 + n))
    with Progress() as bar, cf.ProcessPoolExecutor(max_workers=workers) as pool:
        task = bar.add_task("fuzzing", total=n)
        futures = {pool.submit(check_case, s): s for s in seeds}
        for future in cf.as_completed(futures, timeout=None):
            s = futures[future]
            try:
                result = future.result(timeout=case_timeout)
            except cf.TimeoutError:
                hangs.append(s)
                continue
            counts[result["outcome"]] += 1
            slowest = max(slowest, result["s"])
            if result["s"] > case_timeout:
                hangs.append(s)
            if result["outcome"] == "crash":
                crashes.append(result)
            bar.advance(task)
    return {
        "cases": n,
        "seed": seed,
        "workers": workers,
        "outcomes": dict(counts),
        "crashes": len(crashes),
        "hangs": len(hangs),
        "slowest_case_s": round(slowest, 2),
        "wall_s": round(time.perf_counter() - started, 1),
        "cpu_s_parent": round(time.process_time() - cpu, 1),
        "crash_examples": crashes[:20],
        "hang_seeds": hangs[:20],
    }


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--case-timeout", type=float, default=120.0, help="seconds before a case is a hang")
    parser.add_argument("--out", type=Path, default=RESULTS / "fuzz.json")
    args = parser.parse_args()
    report = run(args.n, args.seed, args.workers, args.case_timeout)
    report["load_average"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "crash_examples"}, indent=2))


if __name__ == "__main__":
    main()
