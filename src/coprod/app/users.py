"""Signing in, who a token belongs to, and users (added by the programme office)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from coprod.access import Action, Principal, Role
from coprod.app.database import Tx, migrate, transaction
from coprod.app.names import check_username
from coprod.errors import InputError, Unauthorized
from coprod.storage.records import RecordStore
from coprod.storage.users import LoginLimiter, UserStore

__all__ = ["LoginLimiter", "UserView", "add_user", "add_user_locally", "list_users", "login", "principal"]


@dataclass(frozen=True, slots=True)
class UserView:
    username: str
    partner: str
    role: Role


def login(
    tx: Tx, limiter: LoginLimiter, username: str, password: str, hours: float
) -> tuple[str, dt.datetime]:
    """A bearer token and its expiry; failed attempts count against the per-user limit."""
    limiter.check(username)
    try:
        return UserStore(tx).login(username, password, hours)
    except Unauthorized:
        limiter.failed(username)
        raise


def principal(tx: Tx, token: str) -> Principal:
    return UserStore(tx).principal(token)


def _known_partners(tx: Tx) -> set[str]:
    records = RecordStore(tx)
    return {p for row in records.programmes() for p in records.keys(row, "partners")}


def add_user(tx: Tx, who: Principal, username: str, partner: str, role: str, password: str) -> UserView:
    """Add a user of a partner that exists in a stored programme."""
    who.require(Action.MANAGE_USERS, "add users")
    check_username(username)
    try:
        role_ = Role(role)
    except ValueError:
        raise InputError(f"unknown role '{role}': one of {', '.join(r.value for r in Role)}") from None
    partners = _known_partners(tx)
    if partner not in partners:
        known = ", ".join(sorted(partners)) or "none: import a programme first"
        raise InputError(f"unknown partner '{partner}' (partners in the stored programmes: {known})")
    user = UserStore(tx).add(username, partner, role_.value, password)
    return UserView(user.username, user.partner, Role(user.role))


def add_user_locally(
    url: str, who: Principal, username: str, partner: str, role: str, password: str
) -> UserView:
    """`coprod user add`: migrate, then add."""
    migrate(url)
    with transaction(url) as tx:
        return add_user(tx, who, username, partner, role, password)


def list_users(tx: Tx, who: Principal) -> list[UserView]:
    who.require(Action.LIST_USERS, "list users")
    return [UserView(u.username, u.partner, Role(u.role)) for u in UserStore(tx).all()]
