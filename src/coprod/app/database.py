"""The database as use cases see it: a transaction per unit of work, migrations, the URL."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from coprod.access import Principal, Role
from coprod.config import settings
from coprod.storage.db import safe_url, session_scope, upgrade

__all__ = ["Tx", "configured_url", "local_operator", "migrate", "shown_url", "transaction"]

Tx = Session  # what a use case receives: one open transaction


def configured_url() -> str:
    return settings().database_url


@contextmanager
def transaction(url: str) -> Iterator[Tx]:
    """Committed when the block ends, rolled back (all of it) on any error."""
    with session_scope(url) as session:
        yield session


def migrate(url: str) -> None:
    """Create or migrate the database to the latest schema (InputError if unreachable)."""
    upgrade(url)


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    return safe_url(url)


def local_operator() -> Principal:
    """Who runs a command on this machine: whoever may open the database file or URL acts
    as the programme office (the API's users and roles are for remote partners)."""
    return Principal(getpass.getuser(), "", Role.PROGRAMME_OFFICE)
