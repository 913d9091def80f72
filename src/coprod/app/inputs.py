"""What changed in a programme's inputs between two states of it (two plans' inputs, a plan
and the data now, the stored programme and an upload): records added, changed (field by
field) and removed, limited to the records the principal may read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from coprod.access import SECTIONS, Principal, owner_and_party
from coprod.storage.records import record_key

__all__ = ["InputChange", "compare_inputs", "count_changes", "describe", "visible_changes"]

Kind = Literal["added", "changed", "removed"]


@dataclass(frozen=True, slots=True)
class InputChange:
    section: str  # a record type, or "settings" / "calendar"
    key: str
    kind: Kind
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (before, after)
    owner: str | None = None
    party: str | None = None

    @property
    def text(self) -> str:
        return describe(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "key": self.key,
            "kind": self.kind,
            "fields": {k: {"before": a, "after": b} for k, (a, b) in self.fields.items()},
            "text": self.text,
        }


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower() if value is not None else "none"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, dict)):
        return f"{len(value)} entr{'y' if len(value) == 1 else 'ies'}"
    return str(value)


def describe(change: InputChange) -> str:
    """One line a planner reads: "requirements R004: quantity 1,440 → 2,400"."""
    head = f"{change.section.replace('_', ' ')} {change.key}".strip()
    if change.kind != "changed":
        return f"{head} {change.kind}"
    parts = [f"{name} {_fmt(a)} → {_fmt(b)}" for name, (a, b) in change.fields.items()]
    return f"{head}: " + "; ".join(parts)


def _maps(raw: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    sites = {s["id"]: s["partner"] for s in raw.get("sites", [])}
    lines = {ln["id"]: ln["site"] for ln in raw.get("lines", [])}
    return sites, lines


def _fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    names = list(after) + [k for k in before if k not in after]
    return {k: (before.get(k), after.get(k)) for k in names if before.get(k) != after.get(k)}


def compare_inputs(before: dict[str, Any], after: dict[str, Any]) -> list[InputChange]:
    """Record by record (by key), in the order of the sections, then of the records."""
    out: list[InputChange] = []
    for part in ("settings", "calendar"):
        changed = _fields(before.get(part) or {}, after.get(part) or {})
        if changed:
            out.append(InputChange(part, "", "changed", changed))
    maps_before, maps_after = _maps(before), _maps(after)
    for section in SECTIONS:
        old = {record_key(section, d): d for d in before.get(section, [])}
        for data in after.get(section, []):
            key = record_key(section, data)
            owner, party = owner_and_party(section, data, *maps_after)
            prior = old.pop(key, None)
            if prior is None:
                out.append(InputChange(section, key, "added", owner=owner, party=party))
            elif prior != data:
                out.append(InputChange(section, key, "changed", _fields(prior, data), owner, party))
        for key, data in old.items():
            owner, party = owner_and_party(section, data, *maps_before)
            out.append(InputChange(section, key, "removed", owner=owner, party=party))
    return out


def visible_changes(who: Principal, changes: list[InputChange]) -> list[InputChange]:
    """The changes to records the principal may read (settings and calendar: everyone)."""
    return [c for c in changes if c.section not in SECTIONS or who.can_read(c.section, c.owner, c.party)]


def count_changes(changes: list[InputChange]) -> dict[str, dict[str, int]]:
    """Section -> {added, changed, removed} (only sections with a change)."""
    out: dict[str, dict[str, int]] = {}
    for c in changes:
        cell = out.setdefault(c.section, {"added": 0, "changed": 0, "removed": 0})
        cell[c.kind] += 1
    return out
