"""Signing in, who a token belongs to, and users (added by the programme office)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from coprod.access import Action, Principal, Role
from coprod.app.caches import Lru
from coprod.app.database import Tx, migrate, transaction
from coprod.app.names import USERNAME_PATTERN, check_username
from coprod.errors import InputError, Unauthorized
from coprod.storage.records import RecordStore
from coprod.storage.users import LoginLimiter, UserStore, token_digest

__all__ = [
    "LoginLimiter",
    "UserView",
    "add_user",
    "add_user_locally",
    "cached_principal",
    "list_users",
    "login",
    "principal",
]


@dataclass(frozen=True, slots=True)
class UserView:
    username: str
    partner: str
    role: Role


def login(
    tx: Tx, limiter: LoginLimiter, username: str, password: str, hours: float
) -> tuple[str, dt.datetime]:
    """A bearer token and its expiry; failed attempts count against the per-user limit. A
    username no user can have (outside USERNAME_PATTERN, e.g. holding a NUL, which
    PostgreSQL cannot even compare) is a wrong login, answered before the database."""
    limiter.check(username)
    try:
        if not re.fullmatch(USERNAME_PATTERN, username):
            raise Unauthorized("wrong username or password")
        return UserStore(tx).login(username, password, hours)
    except Unauthorized:
        limiter.failed(username)
        raise


# Who a bearer token belongs to, kept for a few seconds so that a request does not cost a
# database round trip before its real work. Keyed by the token's digest (no token is kept
# in memory); unknown tokens are never cached. Expiry is checked on every use, so a token
# stops working exactly when it expires; a token revoked in the database (its row deleted,
# or its user removed or given another role) is refused within AUTH_CACHE_S.
AUTH_CACHE_S = 10.0
_TOKENS: Lru[tuple[Principal, dt.datetime]] = Lru(4096, ttl_s=AUTH_CACHE_S)


def cached_principal(token: str) -> Principal | None:
    """The token's owner if it was looked up in the last AUTH_CACHE_S seconds (None: ask
    `principal`); an expired token raises Unauthorized."""
    key = token_digest(token)
    found = _TOKENS.get(key)
    if found is None:
        return None
    who, expires = found
    if expires < dt.datetime.now(dt.UTC):
        _TOKENS.discard(key)
        raise Unauthorized("the token has expired: log in again")
    return who


def principal(tx: Tx, token: str) -> Principal:
    """Who the token belongs to (Unauthorized if unknown, revoked or expired)."""
    who = cached_principal(token)
    if who is None:
        who = _TOKENS.put(token_digest(token), UserStore(tx).token_owner(token))[0]
    return who


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
