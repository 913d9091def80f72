"""A programme as read from a file, before validation: plain data plus where each record came from.

`sources` maps a location prefix such as ("requirements", 3) or ("designs", 0, "revisions", 1)
to a human description of its origin: the file and, for CSV, the row. Validation errors are
reported against the longest matching prefix, so a user sees file, record and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coprod.errors import Problem

__all__ = ["Origin", "RawProgramme"]

Loc = tuple[str | int, ...]
COMPOSITE_KEYS = {
    "stock": ("item", "site"),
    "routings": ("design", "line"),
    "exchange_rates": ("currency", "valid_from"),
}


@dataclass(frozen=True, slots=True)
class Origin:
    file: str
    record: str


@dataclass(slots=True)
class RawProgramme:
    data: dict[str, Any]
    default_file: str
    sources: dict[Loc, Origin] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # found while reading

    def locate(self, loc: Loc) -> tuple[Origin, str]:
        """The origin of the record at `loc` and the rest of `loc` as a field path."""
        for cut in range(len(loc), 0, -1):
            origin = self.sources.get(loc[:cut])
            if origin is not None:
                return origin, _path(loc[cut:])
        return self._default_origin(loc)

    def _default_origin(self, loc: Loc) -> tuple[Origin, str]:
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            section, index = loc[0], loc[1]
            rows = self.data.get(section)
            key = ""
            if isinstance(rows, list) and 0 <= index < len(rows) and isinstance(rows[index], dict):
                row = rows[index]
                key = str(row.get("id", ""))
                if not key and section in COMPOSITE_KEYS:
                    key = "@".join(str(row.get(k, "?")) for k in COMPOSITE_KEYS[section])
            label = f"{section}[{index}]" + (f" ({key})" if key else "")
            return Origin(self.default_file, label), _path(loc[2:])
        if loc:
            return Origin(self.default_file, str(loc[0])), _path(loc[1:])
        return Origin(self.default_file, ""), ""


def _path(rest: Loc) -> str:
    out = ""
    for part in rest:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
