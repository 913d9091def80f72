"""What every command module shares: the Typer app, consoles, and the user-error guard."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer
from rich.console import Console

from coprod.errors import CoprodError, ProgrammeInvalid

__all__ = ["Format", "ProgrammePath", "app", "collector_paused", "err", "out", "status", "user_errors"]

app = typer.Typer(
    help="Plan and track the co-production of small drones.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

ProgrammePath = Annotated[Path, typer.Argument(help="Programme: a .yaml file or a folder of CSV files")]


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


class Status(Protocol):
    def update(self, status: str) -> Any: ...


class _Quiet:
    def update(self, status: str) -> None:
        """Nothing to animate where stderr is not a terminal."""


def status(message: str) -> AbstractContextManager[Status]:
    """A spinner with `message` on stderr when it is a terminal (rich's status); elsewhere (a
    pipe, a file, a benchmark) rich shows nothing of it, so it is not loaded either (its live
    display, spinners and tables: ~0.01 s of a 0.7 s first plan)."""
    if err.is_terminal:
        return err.status(message)
    return nullcontext(_Quiet())


@contextmanager
def user_errors() -> Iterator[None]:
    """Every error a user can cause: a message naming file, record and field; exit status 2."""
    try:
        yield
    except ProgrammeInvalid as exc:
        err.print(f"[bold red]{len(exc.problems)} problem(s):[/]")
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    except CoprodError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a command plans: nearly every object it makes (the
    programme, the LP, hundreds of thousands of table rows) lives until the plan is shown, so
    the collector's passes found next to nothing while costing a tenth of a first plan's CPU
    at generated M (about 250 passes, 0.1 s; peak memory of the default plan within 1 %).
    Reference counting still frees everything else; the collector is restored afterwards, so
    a process that calls the command in-process (a test) keeps its own setting.

    On the way out what was made counts as old (freeze then unfreeze: moved in one step, no
    pass over it); re-enabled as it was, the first allocation would scan it all (0.07 s at M).
    Where the process froze objects of its own (a worker), they are left alone."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()
