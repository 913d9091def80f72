"""Log in, who am I, and users (created by the programme office)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from coprod.access import Role
from coprod.api.deps import CurrentUser, DbSession
from coprod.api.problems import problem_responses
from coprod.app import users
from coprod.app.names import USERNAME_PATTERN

router = APIRouter(tags=["auth"])


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: dt.datetime


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=USERNAME_PATTERN)
    partner: str = Field(min_length=1, max_length=64)
    role: Role
    password: str = Field(min_length=8, max_length=200)


class UserPublic(BaseModel):
    username: str
    partner: str
    role: Role


@router.post("/auth/token", response_model=TokenPublic, responses=problem_responses(401, 429))
def login(body: Login, session: DbSession, request: Request) -> TokenPublic:
    """Exchange a username and password for a bearer token (rate-limited per user)."""
    token, expires = users.login(
        session, request.app.state.login_limiter, body.username, body.password, request.app.state.token_hours
    )
    session.commit()  # before the answer leaves: the client may use the token at once
    return TokenPublic(access_token=token, expires_at=expires)


@router.get("/me", response_model=UserPublic, responses=problem_responses(401))
def me(who: CurrentUser) -> UserPublic:
    return UserPublic(username=who.username, partner=who.partner, role=who.role)


def _public(u: users.UserView) -> UserPublic:
    return UserPublic(username=u.username, partner=u.partner, role=u.role)


@router.get("/users", response_model=list[UserPublic], responses=problem_responses(401, 403))
def list_users(who: CurrentUser, session: DbSession) -> list[UserPublic]:
    return [_public(u) for u in users.list_users(session, who)]


@router.post("/users", response_model=UserPublic, status_code=201, responses=problem_responses(401, 403, 409))
def add_user(body: UserCreate, who: CurrentUser, session: DbSession) -> UserPublic:
    """Add a user of a partner that exists in a stored programme (the programme office)."""
    user = users.add_user(session, who, body.username, body.partner, body.role.value, body.password)
    session.commit()
    return _public(user)
