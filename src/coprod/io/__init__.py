"""Programme files in and out: one YAML file or a folder of CSV files, same data, lossless.

`write_programme` is imported on first use (PEP 562): writing needs PyYAML, reading does
not, so planning a file never loads it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coprod.io.loader import load_programme, read_raw, validate_raw

if TYPE_CHECKING:
    from coprod.io.writer import write_programme

__all__ = ["load_programme", "read_raw", "validate_raw", "write_programme"]


def __getattr__(name: str) -> Any:
    if name == "write_programme":
        from coprod.io.writer import write_programme

        return write_programme
    raise AttributeError(f"module 'coprod.io' has no attribute {name!r}")
