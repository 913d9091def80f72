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
from rich.text import Text

from coprod.errors import CoprodError, ProgrammeInvalid

__all__ = [
    "Format",
    "ProgrammePath",
    "app",
    "collector_paused",
    "err",
    "out",
    "status",
    "user_errors",
    "writable",
    "writing",
]

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


def _cannot(option: str, path: Path, why: OSError | str) -> typer.Exit:
    reason = why if isinstance(why, str) else why.strerror or str(why)
    where = Path(why.filename) if isinstance(why, OSError) and why.filename else path
    named = str(path) if where == path else f"{path} ({where})"
    err.print(Text.assemble(("error:", "bold red"), f" {option}: cannot write {named}: {reason}"))
    return typer.Exit(2)


def writable(option: str, path: Path | None, folder: bool) -> None:
    """Before any work: exit 2 with "OPTION: cannot write PATH: REASON" when `path` (a folder
    to write files in, or one file) cannot be written, so a plan or a sweep is not made to be
    lost. Asks the file system itself (the folders made, a file created, then removed: nothing
    is left behind), so the reason is the OS's and holds for root too (/proc refuses root)."""
    if path is None:
        return
    try:
        above = next((p for p in path.parents if p.exists()), None)
        if above is not None and not above.is_dir():
            raise _cannot(option, path, f"{above} is not a folder")
        if folder:
            import tempfile

            if path.exists() and not path.is_dir():
                raise _cannot(option, path, "it exists and is not a folder")
            made = [p for p in (path, *path.parents) if not p.exists()]
            path.mkdir(parents=True, exist_ok=True)
            try:
                with tempfile.TemporaryFile(dir=path):
                    pass
            finally:
                _remove(made)
            return
        if path.is_dir():
            raise _cannot(option, path, "it is a folder")
        made = [p for p in path.parents if not p.exists()]
        existed = path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("ab"):  # appends nothing: an existing file is left as it was
                pass
        finally:
            if not existed and path.exists():
                path.unlink()
            _remove(made)
    except OSError as exc:
        raise _cannot(option, path, exc) from None


def _remove(made: list[Path]) -> None:
    for p in made:  # deepest first
        if p.is_dir():
            p.rmdir()


@contextmanager
def writing(option: str, path: Path) -> Iterator[None]:
    """Writing `path` (the folder or file of `option`): an OS error there is the user's to fix
    (a full disk, a path taken meanwhile): exit 2 naming the option, the path and the reason."""
    try:
        yield
    except OSError as exc:
        where = Path(exc.filename) if exc.filename else None
        if where is not None and where != path and path not in where.parents:
            raise  # not about this output: a fault of its own
        raise _cannot(option, path, exc) from None


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
