"""A real server on a loopback port, a real database, and Debian's chromium under Playwright.

Chromium comes from the distribution (`apt-get install chromium`; the Makefile and .ci/run do
it), started through `executable_path`, since `playwright install` cannot download browsers
here. Screenshots of every page go to test-artifacts/."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from coprod.api import create_app
from coprod.io import load_programme
from coprod.storage.db import engine_for, session_scope, upgrade
from coprod.storage.records import RecordStore
from coprod.storage.users import UserStore

CHROMIUM = os.environ.get("COPROD_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
EXAMPLE = Path(__file__).parents[2] / "examples" / "uk-ua-interceptors.yaml"
PASSWORD = "e2e password 1"
USERS = [
    ("office", "UA-DB", "programme-office"),
    ("uk", "UK-MFG", "site-planner"),
    ("norway", "NO-MFG", "site-planner"),
    ("forces", "UA-MOD", "customer"),
    ("motors", "AS-MOTORS", "supplier"),
    ("bureau", "UA-DB", "design-authority"),
]
DATABASE_URL: dict[str, str] = {}  # server address -> its database, for tests that read it
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def running_server(folder: Path, name: str = "example") -> Iterator[str]:
    """A server on a loopback port over a new SQLite database holding the example as `name`
    and the USERS; stopped afterwards."""
    url = f"sqlite:///{folder / 'e2e.db'}"
    upgrade(url)
    with session_scope(url) as session:
        RecordStore(session).import_programme(load_programme(EXAMPLE), name, "e2e")
        for username, partner, role in USERS:
            UserStore(session).add(username, partner, role, PASSWORD)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if uv.started:
            break
        time.sleep(0.05)
    DATABASE_URL[f"http://127.0.0.1:{port}"] = url
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)
    engine_for(url).dispose()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("e2e")) as address:
        yield address


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: install Debian's chromium (make test does, as root)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def login(browser: Browser, server: str, username: str, programme: str = "example") -> Page:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server}/p/{programme}")
    return page


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
