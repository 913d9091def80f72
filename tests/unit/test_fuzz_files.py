"""A seeded slice of the fuzzing benchmark (benchmarks/fuzz.py, 10,000 mutants on demand):
mutated programme files (YAML and CSV folders) end in a programme that plans within every
limit, or in errors that name what is wrong; never a crash."""

from __future__ import annotations

import pytest
from benchmarks import fuzz


@pytest.fixture(scope="module", autouse=True)
def small_bases() -> None:
    fuzz._BASES[:] = fuzz.bases(generated=False)


@pytest.mark.parametrize("chunk", range(4))
def test_mutated_files_never_crash(chunk: int) -> None:
    results = [
        fuzz.check_case(seed, time_limit=30) for seed in range(7_000 + 30 * chunk, 7_000 + 30 * (chunk + 1))
    ]
    crashes = [f"seed {r['seed']}: {r['what']}\n{r['detail']}" for r in results if r["outcome"] == "crash"]
    assert not crashes, "\n\n".join(crashes)
    assert {r["outcome"] for r in results} >= {"invalid"}  # the mutator does break things
