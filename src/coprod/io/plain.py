"""A programme as plain data (dicts, lists, dates, numbers): what YAML and CSV writers need."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel

__all__ = ["to_plain"]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def to_plain(model: BaseModel, *, exclude_defaults: bool = False) -> dict[str, Any]:
    data = model.model_dump(mode="python", by_alias=True, exclude_defaults=exclude_defaults)
    result: dict[str, Any] = _plain(data)
    return result
