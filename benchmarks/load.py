"""Authenticated read load on `coprod serve`, with a plan running and without, side by side.

    make bench-load                                    # SQLite and PostgreSQL, 16 and 64 clients
    python -m benchmarks.load --backend sqlite --clients 16 --duration 10

Loopback only, bounded: per backend a fresh database (an SQLite file, or a PostgreSQL
database created for the run and dropped after it), the generated M programme
(`coprod generate --size M --seed 1`), three users (programme office, a site planner, the
customer), `coprod serve` as a subprocess (its plan worker as its child), then for each
case (no plan / a plan running) and each client count a fixed-length wrk run per mix:

- `reads` (the goal): record lists (`?limit=100`, two sections per user) and the plan
  overview (`/plans/1/overview`), spread over the three users, paced at --rate requests/s
  in total (open loop: the latency of a server that keeps up, not of a queue we made);
- `reads-max`: the same requests as fast as the server answers them (its capacity);
- `results` and `dashboard`: the whole scoped plan (`/plans/1/results`) and the dashboard
  overview page (`/p/{name}`), as fast as they go (not part of the goal).

"A plan running": a keeper thread starts a plan of the M programme (each with a different,
never binding time limit, so it is not the reuse of a finished one) and starts the next as
soon as one finishes, for the whole measurement. Recorded per run: requests/s, latency
percentiles, every non-2xx answer (503 included) as an error, CPU seconds of the server,
the worker, PostgreSQL's backends and wrk (psutil), the load average before and after.
wrk (Debian's package; C, one event loop per thread) generates the load because on two
shared cores a Python client would take the CPU the server is measured on; its Lua script
is benchmarks/load.lua. Results: benchmarks/results/load.json (and docs/performance.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).parent
RESULTS = HERE / "results"
COPROD = str(Path(sys.executable).parent / "coprod")
NAME = "m"
PASSWORD = "load-benchmark-password"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# (user, partner, role, the two record sections it lists): every request is one it may make
USERS = (
    ("office", "DA", "programme-office", ("requirements", "lines")),
    ("planner", "MFG05", "site-planner", ("lines", "routings")),
    ("customer", "MOD", "customer", ("requirements", "designs")),
)
WRK_THREADS = 2


# ---- the database and the programme --------------------------------------------------
@contextmanager
def database(backend: str, folder: Path) -> Iterator[tuple[str, str | None]]:
    """A fresh database URL (and PostgreSQL's database name), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'load.db'}", None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(os.environ.get("COPROD_LOAD_POSTGRES_URL", PG_ADMIN))
    name = f"coprod_load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False), name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def coprod(url: str, *args: str, stdin: str | None = None) -> None:
    env = {**os.environ, "COPROD_DATABASE_URL": url}
    done = subprocess.run(
        [COPROD, *args], env=env, input=stdin, text=True, capture_output=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"coprod {' '.join(args)} failed:\n{done.stderr}")


def prepare(url: str, folder: Path) -> None:
    """The generated M programme stored as NAME, and the users."""
    path = folder / "m.yaml"
    if not path.exists():
        coprod(url, "generate", "--size", "M", "--seed", "1", str(path))
    coprod(url, "db", "upgrade")
    coprod(url, "import", str(path), "--name", NAME)
    for user, partner, role, _ in USERS:
        role_args = ("--partner", partner, "--role", role, "--password-stdin")
        coprod(url, "user", "add", user, *role_args, stdin=PASSWORD)


# ---- the server ---------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(base: str, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read() or b"null")


@contextmanager
def server(url: str, env: dict[str, str]) -> Iterator[tuple[str, psutil.Process]]:
    port = free_port()
    full_env = {**os.environ, "COPROD_DATABASE_URL": url, **env}
    log = open(Path(tempfile.gettempdir()) / f"coprod-load-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [COPROD, "serve", "--host", "127.0.0.1", "--port", str(port)], env=full_env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/login", timeout=10):
                    break
            except OSError:  # not listening yet, or busy starting
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"coprod serve did not start: see {log.name}") from None
                time.sleep(0.2)
        yield base, psutil.Process(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def wait_plan(base: str, token: str, number: int, timeout_s: float = 600) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status: str = call(base, "GET", f"/programmes/{NAME}/plans/{number}", token)["status"]
        if status in ("done", "failed"):
            return status
        time.sleep(0.25)
    raise SystemExit(f"plan {number} did not finish in {timeout_s:.0f} s")


@dataclass
class PlanKeeper:
    """Keeps one plan of the programme running: starts the next when one finishes."""

    base: str
    token: str
    stop: threading.Event = field(default_factory=threading.Event)
    finished: list[str] = field(default_factory=list)
    busy: int = 0  # its calls answered 503 (counted with the run, not as the run's errors)
    _thread: threading.Thread | None = None
    _n: int = 0

    def _retrying(self, method: str, path: str, body: Any = None) -> Any:
        """A call that a busy server (503) or a slow answer does not end: the keeper must
        keep a plan running through the whole measurement."""
        while not self.stop.is_set():
            try:
                return call(self.base, method, path, self.token, body)
            except (urllib.error.HTTPError, OSError) as exc:
                if isinstance(exc, urllib.error.HTTPError) and exc.code != 503:
                    raise
                self.busy += 1
                self.stop.wait(0.5)
        return None

    def _run(self) -> None:
        while not self.stop.is_set():
            self._n += 1
            limit = 80_000 + self._n + int(time.time()) % 1000  # distinct options, never binding
            started = self._retrying("POST", f"/programmes/{NAME}/plans", {"time_limit": limit})
            while started is not None and not self.stop.is_set():
                found = self._retrying("GET", f"/programmes/{NAME}/plans/{started['number']}")
                if found is not None and found["status"] in ("done", "failed"):
                    self.finished.append(found["status"])
                    break
                self.stop.wait(0.25)

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> PlanKeeper:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        time.sleep(2.0)  # the worker has claimed it and is past loading the programme
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        assert self._thread is not None
        self._thread.join(timeout=30)


# ---- measuring --------------------------------------------------------------------
def _cpu(proc: psutil.Process | None) -> float:
    if proc is None:
        return 0.0
    try:
        t = proc.cpu_times()
        return float(t.user + t.system)
    except psutil.NoSuchProcess:
        return 0.0


def cpu_snapshot(server_proc: psutil.Process, dbname: str | None) -> dict[int, tuple[str, float]]:
    """CPU seconds so far per process: the server, its worker children, PostgreSQL backends
    of the benchmark's database."""
    procs: dict[int, tuple[str, float]] = {server_proc.pid: ("server", _cpu(server_proc))}
    for child in server_proc.children(recursive=True):
        procs[child.pid] = ("worker", _cpu(child))
    if dbname is not None:
        for p in psutil.process_iter(["name", "cmdline"]):
            cmd = " ".join(p.info["cmdline"] or [])
            if p.info["name"] == "postgres" and f" {dbname} " in f"{cmd} ":
                procs[p.pid] = ("database", _cpu(p))
    return procs


def cpu_delta(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds per role between two snapshots (a process that started between them
    counts from zero; one that ended is lost, and that is said in the docs)."""
    out = {"server": 0.0, "worker": 0.0, "database": 0.0}
    for pid, (role, cpu) in after.items():
        out[role] += cpu - before.get(pid, (role, 0.0))[1]
    return {k: round(v, 2) for k, v in out.items()}


def request_lines(mix: str, tokens: dict[str, str]) -> list[str]:
    lines = []
    for user, _, _, sections in USERS:
        auth = ("Authorization", f"Bearer {tokens[user]}")
        if mix in ("reads", "reads-max"):
            paths = [f"/programmes/{NAME}/{s}?limit=100" for s in sections]
            paths += [f"/programmes/{NAME}/plans/1/overview"] * 2  # half the reads are overviews
        elif mix == "results":
            paths = [f"/programmes/{NAME}/plans/1/results"]
        else:
            paths = [f"/p/{NAME}"]
            auth = ("Cookie", f"coprod_token={tokens[user]}")
        lines += [f"{auth[0]}\t{auth[1]}\t{p}" for p in paths]
    return lines


def run_wrk(
    base: str, lines: list[str], clients: int, duration_s: float, rate: float, folder: Path
) -> tuple[dict[str, Any], float]:
    plan_file = folder / "requests.tsv"
    plan_file.write_text("\n".join(lines) + "\n")
    env = {
        **os.environ,
        "COPROD_LOAD_REQUESTS": str(plan_file),
        "COPROD_LOAD_RATE": str(rate),
        "COPROD_LOAD_THREADS": str(WRK_THREADS),
    }
    command = [
        "wrk", f"-t{WRK_THREADS}", f"-c{clients}", f"-d{duration_s:.0f}s", "--timeout", "10s",
        "-s", str(HERE / "load.lua"), base,
    ]  # fmt: skip
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(proc.pid)
    cpu = 0.0
    while proc.poll() is None:
        cpu = max(cpu, _cpu(watched))
        time.sleep(0.2)
    out, errors = proc.communicate()
    found = [ln for ln in out.splitlines() if ln.startswith("COPROD_RESULT ")]
    if proc.returncode != 0 or not found:
        raise SystemExit(f"wrk failed ({proc.returncode}):\n{out}\n{errors}")
    return json.loads(found[-1].removeprefix("COPROD_RESULT ")), cpu


def measure(
    base: str, server_proc: psutil.Process, dbname: str | None, mix: str, lines: list[str], clients: int,
    args: argparse.Namespace, folder: Path,
) -> dict[str, Any]:  # fmt: skip
    rate = args.rate if mix == "reads" else 0.0  # the other mixes go as fast as they can
    load_before = os.getloadavg()
    before = cpu_snapshot(server_proc, dbname)
    started = time.perf_counter()
    raw, wrk_cpu = run_wrk(base, lines, clients, args.duration, rate, folder)
    wall = time.perf_counter() - started
    after = cpu_snapshot(server_proc, dbname)
    seconds = raw["duration_us"] / 1e6
    status, sock = raw["status"], raw["socket_errors"]
    lost = sock["connect"] + sock["read"] + sock["write"] + sock["timeout"]
    return {
        "mix": mix,
        "clients": clients,
        "rate_target": rate or None,
        "requests": raw["requests"],
        "requests_per_s": round(raw["requests"] / seconds, 1),
        "latency_ms": {k: round(v / 1000, 2) for k, v in raw["latency_us"].items()},
        "errors": raw["requests"] - status["2xx"] + lost,
        "status": status,
        "socket_errors": sock,
        "mb_per_s": round(raw["bytes"] / seconds / 1e6, 2),
        "wall_s": round(wall, 1),
        "cpu_s": {**cpu_delta(before, after), "wrk": round(wrk_cpu, 2)},
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def _show(backend: str, plan: bool, r: dict[str, Any]) -> None:
    lat = r["latency_ms"]
    print(
        f"{backend:10} plan={'yes' if plan else 'no ':3} {r['mix']:9} c={r['clients']:<3} "
        f"{r['requests_per_s']:7.1f} req/s  p50 {lat['p50']:6.1f}  p95 {lat['p95']:6.1f}  "
        f"p99 {lat['p99']:7.1f} ms  errors {r['errors']}  cpu {r['cpu_s']}  load {r['load_after'][0]}",
        flush=True,
    )


def login(base: str) -> dict[str, str]:
    return {
        user: call(base, "POST", "/auth/token", body={"username": user, "password": PASSWORD})["access_token"]
        for user, *_ in USERS
    }


def bench_backend(backend: str, args: argparse.Namespace, folder: Path) -> list[dict[str, Any]]:
    """Every case, client count and mix on one backend: without a plan first, then with
    one plan kept running through all the runs of that case."""
    runs: list[dict[str, Any]] = []
    env = dict(kv.split("=", 1) for kv in args.env)
    with database(backend, folder) as (url, dbname):
        prepare(url, folder)
        runs += _bench_server(backend, url, dbname, env, args, folder)
    return runs


def _bench_server(
    backend: str, url: str, dbname: str | None, env: dict[str, str], args: argparse.Namespace, folder: Path
) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    with server(url, env) as (base, proc):
        tokens = login(base)
        first = call(base, "POST", f"/programmes/{NAME}/plans", tokens["office"])["number"]
        if wait_plan(base, tokens["office"], first) != "done":
            raise SystemExit("the first plan of the M programme failed: see the server's log")
        for case in args.cases:
            keeper = PlanKeeper(base, tokens["office"]) if case == "plan" else None
            with keeper or contextlib.nullcontext():
                for clients in args.clients:
                    for mix in args.mixes:
                        lines = request_lines(mix, tokens)
                        r = measure(base, proc, dbname, mix, lines, clients, args, folder)
                        r.update(backend=backend, plan_running=keeper is not None)
                        if keeper is not None:
                            r["plans_finished_so_far"] = len(keeper.finished)
                            r["plans_failed_so_far"] = keeper.finished.count("failed")
                            r["keeper_alive"] = keeper.alive()
                            r["keeper_busy_answers"] = keeper.busy
                        _show(backend, keeper is not None, r)
                        runs.append(r)
            if keeper is not None and keeper.finished.count("failed"):
                raise SystemExit("a plan failed during the measurement: see the server's log")
    return runs


def markdown(report: dict[str, Any]) -> str:
    """The runs as a table for docs/performance.md."""
    head = (
        "| backend | plan running | mix | clients | offered req/s | req/s | p50 ms | p95 ms | p99 ms "
        "| errors | CPU s server / worker / database / wrk | load before → after |\n"
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n"
    )
    rows = []
    for r in report["runs"]:
        lat, cpu = r["latency_ms"], r["cpu_s"]
        rows.append(
            f"| {r['backend']} | {'yes' if r['plan_running'] else 'no'} | {r['mix']} | {r['clients']} "
            f"| {r['rate_target'] or 'max'} | {r['requests_per_s']:.0f} | {lat['p50']:.0f} "
            f"| {lat['p95']:.0f} "
            f"| {lat['p99']:.0f} | {r['errors']} | {cpu['server']} / {cpu['worker']} / {cpu['database']} / "
            f"{cpu['wrk']} | {r['load_before'][0]} → {r['load_after'][0]} |"
        )
    return head + "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    backends = ["sqlite", "postgresql"]
    parser.add_argument("--backend", nargs="+", default=backends, choices=backends)
    parser.add_argument("--clients", nargs="+", type=int, default=[16, 64])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per run (max 120)")
    parser.add_argument("--rate", type=float, default=320.0, help="requests/s offered in the paced reads mix")
    parser.add_argument(
        "--mixes", nargs="+", default=["reads", "reads-max", "results", "dashboard"],
        choices=["reads", "reads-max", "results", "dashboard"],
    )  # fmt: skip
    parser.add_argument("--cases", nargs="+", default=["idle", "plan"], choices=["idle", "plan"])
    parser.add_argument("--env", nargs="*", default=[], help="NAME=VALUE for the server (levers)")
    parser.add_argument("--out", type=Path, default=RESULTS / "load.json")
    parser.add_argument("--label", default="", help="what this run measures (kept in the results)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (Debian's package)")
    if not 1 <= args.duration <= 120 or any(not 1 <= c <= 256 for c in args.clients):
        raise SystemExit("--duration must be 1..120 s and --clients 1..256 (a bounded benchmark)")
    runs: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="coprod-load-") as tmp:
        for backend in args.backend:
            runs += bench_backend(backend, args, Path(tmp))
    report = {
        "label": args.label,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {
            "duration_s": args.duration,
            "rate": args.rate,
            "wrk_threads": WRK_THREADS,
            "server_env": args.env,
        },
        "total_s": round(time.perf_counter() - started, 1),
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(markdown(report))
    print(f"wrote {args.out} and {args.out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
