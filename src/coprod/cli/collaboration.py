"""`coprod release`, `coprod releases`, `coprod answer`, `coprod commitments`: forecasts
released to suppliers, their answers, and where commitments fall short of the plan. On the
command line the programme office acts (it may record an answer that came by e-mail)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from coprod.cli.common import Format, out, user_errors, writable, writing
from coprod.errors import InputError

__all__ = ["register"]

ProgrammeName = Annotated[
    str | None, typer.Option("--programme", help="The database programme (default: the only one)")
]


def _programme(name: str | None) -> tuple[str, str]:
    from coprod.app.database import configured_url
    from coprod.app.programmes import only_programme

    url = configured_url()
    return url, only_programme(url, name)


def release(
    programme: ProgrammeName = None,
    supplier: Annotated[
        str | None, typer.Option(help="Only this supplier (default: every one ordered from)")
    ] = None,
    note: Annotated[str, typer.Option(help="A note the suppliers read with the release")] = "",
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.TEXT,
) -> None:
    """Release what the latest plan orders from each supplier, by offer and arrival period."""
    from coprod.app.collaboration import release_forecast
    from coprod.app.database import local_operator, transaction

    with user_errors():
        url, name = _programme(programme)
        with transaction(url) as tx:
            made = release_forecast(tx, local_operator(), name, supplier, note)
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps([r.as_dict() for r in made], indent=2) + "\n")
        return
    for r in made:
        units = sum(ln["quantity"] for ln in r.lines)
        out.print(
            f"release {r.id}: {r.supplier} #{r.number} from plan {r.plan}, "
            f"{len(r.lines)} lines, {units:,} units",
            highlight=False,
            markup=False,
        )


def releases(
    programme: ProgrammeName = None,
    supplier: Annotated[str | None, typer.Option(help="Only this supplier's releases")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.TEXT,
) -> None:
    """The releases made, newest first, and whether each was answered."""
    from coprod.app.collaboration import list_releases
    from coprod.app.database import local_operator, transaction

    with user_errors():
        url, name = _programme(programme)
        with transaction(url) as tx:
            found = list_releases(tx, local_operator(), name, supplier)
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps([r.as_dict() for r in found], indent=2) + "\n")
        return
    from rich.table import Table  # here: every other command starts without it

    table = Table("id", "supplier", "no.", "plan", "lines", "units", "answered", box=None)
    for r in found:
        units = sum(ln["quantity"] for ln in r.lines)
        answered = f"{len(r.answers)}×" if r.answers else "no"
        table.add_row(
            str(r.id), r.supplier, str(r.number), str(r.plan), str(len(r.lines)), f"{units:,}", answered
        )
    out.print(table)


def answer(
    release_id: Annotated[int, typer.Option("--release", help="The release id (coprod releases)")],
    programme: ProgrammeName = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="The filled-in release workbook (.xlsx) to record")
    ] = None,
    sheet: Annotated[
        Path | None, typer.Option("--sheet", help="Write the release workbook to fill in here instead")
    ] = None,
) -> None:
    """Write a release's workbook (--sheet) or record the supplier's answer from it (--file)."""
    from coprod.app.collaboration import answer_from_workbook, release_workbook
    from coprod.app.database import local_operator, transaction

    writable("--sheet", sheet, folder=False)
    with user_errors():
        if (file is None) == (sheet is None):
            raise InputError(
                "give either --file ANSWER.xlsx (record an answer) or --sheet OUT.xlsx (write one)"
            )
        url, name = _programme(programme)
        with transaction(url) as tx:
            if sheet is not None:
                _, data = release_workbook(tx, local_operator(), name, release_id)
                with writing("--sheet", sheet):
                    sheet.write_bytes(data)
                out.print(f"wrote {sheet}", highlight=False, markup=False)
                return
            assert file is not None
            if not file.is_file():
                raise InputError(f"--file: {file} is not a file")
            view = answer_from_workbook(tx, local_operator(), name, release_id, file.read_bytes(), str(file))
    lines = view.answers[-1]["lines"]
    out.print(
        f"answer {view.answers[-1]['number']} to release {view.id} ({view.supplier}): "
        f"{len(lines)} lines recorded",
        highlight=False,
        markup=False,
    )


def commitments(
    programme: ProgrammeName = None,
    fmt: Annotated[Format, typer.Option("--format", help="text or json")] = Format.TEXT,
    short_only: Annotated[bool, typer.Option("--short", help="Only lines where commits fall short")] = False,
) -> None:
    """Each line of the latest release per supplier: requested, committed, planned, shortfall."""
    from coprod.app.collaboration import commitment_status
    from coprod.app.database import local_operator, transaction

    with user_errors():
        url, name = _programme(programme)
        with transaction(url) as tx:
            rows = commitment_status(tx, local_operator(), name)
    if short_only:
        rows = [r for r in rows if r.state != "covered"]
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps([r.as_dict() for r in rows], indent=2) + "\n")
        return
    # one table per supplier, so the rows fit 80 columns without cutting ids
    for supplier in sorted({r.supplier for r in rows}):
        from rich.table import Table

        table = Table("component", "to", "arrives", "asked", "committed", "short", "state", box=None)
        for r in (r for r in rows if r.supplier == supplier):
            committed = f"{r.committed:,}" if r.committed is not None else "–"
            table.add_row(
                r.component, r.ship_to, r.period, f"{r.requested:,}", committed, f"{r.shortfall:,}", r.state
            )
        release_no = next(r.release for r in rows if r.supplier == supplier)
        out.print(f"{supplier} (release {release_no})", highlight=False, markup=False)
        out.print(table)
    short = sum(r.shortfall for r in rows)
    out.print(f"{len(rows)} lines, {short:,} units not committed", highlight=False, markup=False)
    if not rows:
        out.print(
            "no release yet: `coprod release` sends the latest plan's orders", highlight=False, markup=False
        )


def register(app: typer.Typer) -> None:
    app.command()(release)
    app.command()(releases)
    app.command()(answer)
    app.command()(commitments)
