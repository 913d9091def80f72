"""Users, password hashes (argon2 via pwdlib), bearer tokens with expiry, login rate limit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from collections import defaultdict, deque

from pwdlib import PasswordHash
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from coprod.access import Principal, Role
from coprod.errors import Conflict, InputError, NotFound, TooManyRequests, Unauthorized
from coprod.storage.tables import Token, User

__all__ = ["LoginLimiter", "UserStore", "token_digest"]

_HASHER = PasswordHash.recommended()  # argon2id


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginLimiter:
    """At most `limit` failed logins per username in a sliding minute (per server process)."""

    def __init__(self, limit: int, window_s: float = 60.0) -> None:
        self.limit, self.window = limit, window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, username: str) -> None:
        with self._lock:
            q = self._failures[username]
            while q and time.monotonic() - q[0] > self.window:
                q.popleft()
            if len(q) >= self.limit:
                raise TooManyRequests(f"too many failed logins for '{username}'; try again in a minute")

    def failed(self, username: str) -> None:
        with self._lock:
            self._failures[username].append(time.monotonic())


class UserStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, username: str, partner: str, role: str, password: str) -> User:
        try:
            role_ = Role(role)
        except ValueError:
            raise InputError(f"unknown role '{role}': one of {', '.join(r.value for r in Role)}") from None
        if len(password) < 8:
            raise InputError("the password needs at least 8 characters")
        if self.session.scalar(select(User).where(User.username == username)) is not None:
            raise Conflict(f"user '{username}' exists already")
        user = User(
            username=username, partner=partner, role=role_.value, password_hash=_HASHER.hash(password)
        )
        self.session.add(user)
        self.session.flush()
        return user

    def all(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

    def login(self, username: str, password: str, hours: float) -> tuple[str, dt.datetime]:
        user = self.session.scalar(select(User).where(User.username == username))
        # Verify against a dummy hash for unknown users too, so timing does not reveal them.
        ok = _HASHER.verify(password, user.password_hash if user else _DUMMY)
        if user is None or not ok:
            raise Unauthorized("wrong username or password")
        token = secrets.token_urlsafe(32)
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
        self.session.execute(delete(Token).where(Token.expires_at < dt.datetime.now(dt.UTC)))
        self.session.add(Token(digest=token_digest(token), user_id=user.id, expires_at=expires))
        return token, expires

    def principal(self, token: str) -> Principal:
        return self.token_owner(token)[0]

    def token_owner(self, token: str) -> tuple[Principal, dt.datetime]:
        """Who a token belongs to and when it expires (Unauthorized if unknown or expired)."""
        row = self.session.execute(
            select(User, Token.expires_at)
            .join(Token, Token.user_id == User.id)
            .where(Token.digest == token_digest(token))
        ).first()
        if row is None:
            raise Unauthorized("unknown or revoked token: log in again")
        user, expires = row
        if expires.tzinfo is None:  # stored in UTC; SQLite keeps no zone
            expires = expires.replace(tzinfo=dt.UTC)
        if expires < dt.datetime.now(dt.UTC):
            raise Unauthorized("the token has expired: log in again")
        return Principal(user.username, user.partner, Role(user.role)), expires

    def get(self, username: str) -> User:
        user = self.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"no user '{username}'")
        return user


_DUMMY = _HASHER.hash("not a real password")
