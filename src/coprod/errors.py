"""One exception tree for coprod.

    CoprodError                     anything coprod raises on purpose
    ├── InputError                  a file or argument a user gave cannot be used   (CLI 2, HTTP 422)
    │   └── ProgrammeInvalid        a programme breaks rules; carries every Problem  (CLI 2, HTTP 422)
    ├── NotFound                    no such thing, or not one the user may see      (HTTP 404)
    ├── Forbidden                   the user's role may not do this                 (HTTP 403)
    ├── Conflict                    a stale version, or a record still referenced   (HTTP 409)
    ├── Unauthorized                no valid credentials                            (HTTP 401)
    ├── TooManyRequests             too many failed logins; try again later         (HTTP 429)
    ├── Busy                        no capacity now (pool, queue, database); retry  (HTTP 503)
    └── SolverError                 the solver failed in a way no plan can describe (HTTP 500)

An infeasible or partly unmet plan is *not* an error: it is a Plan whose requirements show
as late or unmet. Messages say what is wrong and where, so a user can fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Busy",
    "Conflict",
    "CoprodError",
    "Forbidden",
    "InputError",
    "NotFound",
    "Problem",
    "ProgrammeInvalid",
    "SolverError",
    "TooManyRequests",
    "Unauthorized",
]


class CoprodError(Exception):
    """Base of every error coprod raises on purpose."""


class InputError(CoprodError):
    """A file, folder or argument given by the user cannot be used."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a programme: where (file, record, field) and what."""

    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, self.record) if part)
        field = f" field '{self.field}'" if self.field else ""
        return f"{where}:{field} {self.message}".strip()


class ProgrammeInvalid(InputError):
    """The programme breaks one or more rules; `problems` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the programme:\n{lines}")


class SolverError(CoprodError):
    """The solver stopped without a usable answer (not infeasibility: that is a plan)."""


class NotFound(CoprodError):
    """No such record, programme, plan or user, or none the user may see."""


class Forbidden(CoprodError):
    """The user's role may not do this at all."""


class Conflict(CoprodError):
    """The record changed since it was read (stale version), or the change breaks a reference."""


class Unauthorized(CoprodError):
    """Missing, wrong or expired credentials."""


class TooManyRequests(CoprodError):
    """Too many failed logins for this user; wait and try again."""


class Busy(CoprodError):
    """No capacity to answer now (every connection or worker busy, the database away):
    the request may be retried after a short wait."""
