"""A page of 100 records of a generated L programme through the API, on SQLite and PostgreSQL.

    python -m benchmarks.api_pages                       # both backends, generated L seed 1
    python -m benchmarks.api_pages --backend sqlite --size M --requests 40

The issue's goal: a page of 100 records of generated L through the API in <= 50 ms on SQLite
and PostgreSQL. Per backend: a fresh database (benchmarks/load.py's helpers), the programme
imported, two users (the programme office, who reads every record, and a site planner, whose
pages are filtered to its partner in SQL), `coprod serve` as a subprocess. Per user and section
(the biggest: supply offers, requirements, components, routings): --requests pages, each a
different query so that no answer comes from the server's read cache (a random offset, with or
without a sort on a field and a filter on one), then the same query again (cached). Timed at the
client (wall, loopback, one request at a time); the server's CPU seconds beside it (psutil).
Results: benchmarks/results/api_pages.json and docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
from pathlib import Path
from typing import Any

from benchmarks.load import PASSWORD, RESULTS, call, coprod, database, server

SECTIONS = ("supply_offers", "requirements", "components", "routings")
NAME = "pages"


def prepare(url: str, path: Path, planner_partner: str) -> None:
    coprod(url, "db", "upgrade")
    coprod(url, "import", str(path), "--name", NAME)
    for user, partner, role in (
        ("office", "DA", "programme-office"),
        ("planner", planner_partner, "site-planner"),
    ):
        coprod(
            url, "user", "add", user, "--partner", partner, "--role", role, "--password-stdin", stdin=PASSWORD
        )


def queries(section: str, total: int, n: int, rng: random.Random) -> list[str]:
    """n distinct page queries of `section`: offsets over the whole section, a third sorted on
    a field, a third filtered on one (a value some record has)."""
    from coprod.app.records import filterable_fields

    fields = [f for f, kind in filterable_fields(section).items() if kind in ("string", "integer", "float")]
    out: list[str] = []
    for _ in range(20 * n):  # a small section has fewer distinct pages than asked for
        if len(out) == n:
            break
        offset = rng.randrange(0, max(1, total - 100))
        params: list[tuple[str, str]] = [("limit", "100"), ("offset", str(offset))]
        kind = len(out) % 3
        if kind == 1 and fields:
            params.append(("sort", rng.choice(["", "-"]) + rng.choice(fields)))
        q = f"/programmes/{NAME}/{section}?" + urllib.parse.urlencode(params)
        if q not in out:
            out.append(q)
    return out


def _timed(base: str, path: str, token: str) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    body = call(base, "GET", path, token)
    return time.perf_counter() - started, body


def _filtered(base: str, section: str, token: str, rng: random.Random, n: int) -> list[str]:
    """Filter queries: a field's value taken from a record of a first page."""
    from coprod.app.records import filterable_fields

    items = call(base, "GET", f"/programmes/{NAME}/{section}?limit=100", token)["items"]
    fields = [f for f, kind in filterable_fields(section).items() if kind in ("string", "integer")]
    out = []
    for _ in range(n):
        if not items or not fields:
            break
        data = rng.choice(items)["data"]
        field = rng.choice([f for f in fields if data.get(f) is not None] or fields)
        if data.get(field) is None:
            continue
        params = {"limit": "100", "where": f"{field}={data[field]}"}
        out.append(f"/programmes/{NAME}/{section}?" + urllib.parse.urlencode(params))
    return out


def bench_backend(backend: str, path: Path, planner_partner: str, n: int, seed: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as (url, _):
        started = time.perf_counter()
        prepare(url, path, planner_partner)
        import_s = time.perf_counter() - started
        with server(url, {}) as (base, proc):
            tokens = {
                user: call(base, "POST", "/auth/token", body={"username": user, "password": PASSWORD})[
                    "access_token"
                ]
                for user in ("office", "planner")
            }
            rng = random.Random(seed)
            for user, token in tokens.items():
                for section in SECTIONS:
                    try:
                        total = call(base, "GET", f"/programmes/{NAME}/{section}?limit=1", token)["total"]
                    except urllib.error.HTTPError as exc:  # a section the role may not read
                        if exc.code != 403:
                            raise
                        continue
                    qs = queries(section, total, n, rng) + _filtered(base, section, token, rng, n // 3)
                    load = os.getloadavg()[0]
                    cpu0 = sum(proc.cpu_times()[:2])
                    cold, cached, sizes = [], [], []
                    for q in qs:
                        seconds, body = _timed(base, q, token)
                        cold.append(seconds)
                        sizes.append(len(body["items"]))
                        cached.append(_timed(base, q, token)[0])
                    cpu = sum(proc.cpu_times()[:2]) - cpu0
                    row = {
                        "backend": backend,
                        "user": user,
                        "section": section,
                        "total": total,
                        "requests": len(qs),
                        "items_median": statistics.median(sizes),
                        "uncached_ms_median": 1000 * statistics.median(cold),
                        "uncached_ms_p90": 1000 * statistics.quantiles(cold, n=10, method="inclusive")[-1],
                        "uncached_ms_max": 1000 * max(cold),
                        "cached_ms_median": 1000 * statistics.median(cached),
                        "server_cpu_ms_per_request": 1000 * cpu / (2 * len(qs)),
                        "load_avg_1m": load,
                        "import_s": import_s,
                    }
                    rows.append(row)
                    print(_line(row), flush=True)
    return rows


HEADER = (
    "| backend | user | section (records visible) | pages | uncached ms median / p90 / max | "
    "cached ms median | server CPU ms per request | load |\n"
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"
)


def _line(r: dict[str, Any]) -> str:
    return (
        f"| {r['backend']} | {r['user']} | {r['section']} ({r['total']:,}) | {r['requests']} | "
        f"{r['uncached_ms_median']:.1f} / {r['uncached_ms_p90']:.1f} / {r['uncached_ms_max']:.1f} | "
        f"{r['cached_ms_median']:.1f} | {r['server_cpu_ms_per_request']:.1f} | {r['load_avg_1m']:.1f} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql"), nargs="+", default=["sqlite", "postgresql"]
    )
    parser.add_argument("--size", default="L")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=30, help="distinct pages per user and section")
    args = parser.parse_args(argv)
    from coprod.generate import generate
    from coprod.io import write_programme

    with tempfile.TemporaryDirectory() as tmp:
        programme = generate(args.size, args.seed)
        # a site planner of a partner with many sites: its pages are filtered in SQL
        partners = [s.partner for s in programme.sites if s.partner != "DA"]
        planner = max(sorted(set(partners)), key=partners.count)  # ties: the first by name
        path = Path(tmp) / "p.yaml"
        write_programme(programme, path, "yaml")
        print(HEADER, flush=True)
        rows = [r for b in args.backend for r in bench_backend(b, path, planner, args.requests, args.seed)]
    report = {
        "size": args.size,
        "seed": args.seed,
        "machine": {"machine": platform.machine(), "cores": os.cpu_count(), "python": sys.version.split()[0]},
        "rows": rows,
        "goal_ms": 50,
        "worst_uncached_median_ms": max(r["uncached_ms_median"] for r in rows),
        "worst_uncached_p90_ms": max(r["uncached_ms_p90"] for r in rows),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "api_pages.json").write_text(json.dumps(report, indent=2))
    (RESULTS / "api_pages.md").write_text(HEADER + "\n" + "\n".join(_line(r) for r in rows) + "\n")
    print(json.dumps({k: report[k] for k in ("worst_uncached_median_ms", "worst_uncached_p90_ms")}))


if __name__ == "__main__":
    main()
