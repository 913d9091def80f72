"""One exception tree for coprod.

    CoprodError                     anything coprod raises on purpose
    ├── InputError                  a file or argument a user gave cannot be used
    │   └── ProgrammeInvalid        a programme breaks rules; carries every Problem found
    └── SolverError                 the solver failed in a way no plan can describe

An infeasible or partly unmet plan is *not* an error: it is a Plan whose requirements show
as late or unmet. Messages say what is wrong and where, so a user can fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CoprodError", "InputError", "Problem", "ProgrammeInvalid", "SolverError"]


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
