"""Helpers for the fault tests: `coprod serve` as a real process, killed with SIGKILL."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

COPROD = str(Path(sys.executable).parent / "coprod")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running `coprod serve` and what it started."""

    proc: subprocess.Popen[bytes]
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker(self, timeout_s: float = 30) -> psutil.Process:
        """The plan worker child (started in the server's lifespan)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            children = psutil.Process(self.proc.pid).children()
            if children:
                return children[0]
            time.sleep(0.1)
        raise AssertionError("the server started no plan worker")

    def proc_children(self) -> list[psutil.Process]:
        return list(psutil.Process(self.proc.pid).children())

    def kill9(self) -> None:
        """SIGKILL: no shutdown, no rollback, as when the machine or the OOM killer ends it."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def call(self, method: str, path: str, token: str | None = None, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def login(self, username: str, password: str) -> str:
        status, body = self.call("POST", "/auth/token", body={"username": username, "password": password})
        assert status == 200, body
        return str(body["access_token"])


@contextmanager
def serve(url: str, folder: Path, **env: str) -> Iterator[Served]:
    """`coprod serve` on `url` until the block ends (SIGKILLed there if still running)."""
    port = free_port()
    log = (folder / f"serve-{port}.log").open("wb")
    proc = subprocess.Popen(
        [COPROD, "serve", "--port", str(port)],
        env={**os.environ, "COPROD_DATABASE_URL": url, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    served = Served(proc, port)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(served.base + "/login", timeout=10):
                    break
            except OSError:
                assert proc.poll() is None, (folder / f"serve-{port}.log").read_text()
                assert time.monotonic() < deadline, "coprod serve did not start in 90 s"
                time.sleep(0.2)
        yield served
    finally:
        if proc.poll() is None:
            children = psutil.Process(proc.pid).children(recursive=True)
            proc.kill()
            proc.wait(timeout=30)
            for child in children:  # the worker watches its parent; do not leave it to chance
                if child.is_running():
                    child.kill()
        log.close()


def gone_within(proc: psutil.Process, timeout_s: float) -> bool:
    try:
        proc.wait(timeout=timeout_s)
    except psutil.TimeoutExpired:
        return False
    return True


def post_in_background(
    served: Served, path: str, body: bytes, headers: dict[str, str]
) -> http.client.HTTPConnection:
    """Send a whole request body and return without reading the answer."""
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=120)
    conn.putrequest("POST", path)
    for name, value in {**headers, "Content-Length": str(len(body))}.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(body)
    return conn


def answered(conn: http.client.HTTPConnection) -> int | None:
    """The status the server answered before it died, or None (the connection just broke)."""
    try:
        return conn.getresponse().status
    except (http.client.HTTPException, OSError):
        return None
    finally:
        conn.close()
