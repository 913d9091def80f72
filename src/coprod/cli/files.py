"""`coprod validate`, `convert`, `schema`, `generate`: programme files."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from coprod.cli.common import ProgrammePath, out, status, user_errors, writable, writing

__all__ = ["register"]


class FileFormat(StrEnum):
    YAML = "yaml"
    CSV = "csv"


class SizeName(StrEnum):
    S = "S"
    M = "M"
    L = "L"


def validate(path: ProgrammePath) -> None:
    """Check a programme; list every problem with its file, record and field."""
    from coprod.app.programmes import validate_file

    with user_errors():
        p = validate_file(path)
    out.print(
        f"[green]valid[/]: {p.settings.name}: {len(p.partners)} partners, {len(p.sites)} sites, "
        f"{len(p.lines)} lines, {len(p.designs)} designs, {len(p.components)} components, "
        f"{len(p.requirements)} requirements over {p.calendar.periods} {p.calendar.granularity}s",
        highlight=False,
    )


def convert(
    path: ProgrammePath,
    to: Annotated[FileFormat, typer.Option("--to", help="yaml (one file) or csv (a folder)")],
    target: Annotated[Path, typer.Argument(help="The file (yaml) or folder (csv) to write")],
) -> None:
    """Convert a programme between YAML and a CSV folder, losslessly."""
    from coprod.app.programmes import convert_file

    writable("TARGET", target, folder=to is FileFormat.CSV)
    with user_errors(), writing("TARGET", target):
        convert_file(path, target, to.value)
    out.print(f"written {target} ({to.value})", highlight=False)


def schema(
    output: Annotated[Path | None, typer.Option("--out", help="Write to this file")] = None,
) -> None:
    """Print the JSON Schema of the programme format."""
    from coprod.app.programmes import file_schema

    text = file_schema()
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        writable("--out", output, folder=False)
        with writing("--out", output):
            output.write_text(text + "\n", encoding="utf-8")


def generate(
    size: Annotated[SizeName, typer.Option("--size", help="S, M or L (benchmarks/README)")],
    target: Annotated[Path, typer.Argument(help="A .yaml file, or a folder for CSV files")],
    seed: Annotated[int, typer.Option(help="Same seed, same programme")] = 0,
    site_lanes: Annotated[
        bool,
        typer.Option(
            "--site-lanes", help="Add lanes between every pair of sites for a fifth of the components"
        ),
    ] = False,
    built_assemblies: Annotated[
        bool,
        typer.Option(
            "--built-assemblies",
            help="Build half the assemblies on a line at the first site and send them to the others",
        ),
    ] = False,
) -> None:
    """Write a deterministic synthetic programme (benchmarks, experiments)."""
    from coprod.app.programmes import file_format, generate_file

    fmt = file_format(target)
    writable("TARGET", target, folder=fmt == "csv")
    with user_errors(), writing("TARGET", target), status(f"Generating a size {size.value} programme"):
        programme = generate_file(size.value, seed, target, site_lanes, built_assemblies)
    out.print(
        f"written {target} ({fmt}): {len(programme.sites)} sites, {len(programme.designs)} designs, "
        f"{len(programme.components)} components, {len(programme.requirements)} requirements, "
        f"{programme.calendar.periods} periods",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(convert)
    app.command()(schema)
    app.command()(generate)
