"""Field errors in a planner's words, not the validation library's.

pydantic says "Tuple should have at least 1 item after validation, not 0" or "String should
match pattern '^[A-Za-z0-9]...'"; a planner needs "needs at least one revision" and "must be
an id: letters, digits and _ . - /". Each pydantic error type maps to a sentence built from
its context (limits, accepted values); a type not listed keeps pydantic's text, so a new
rule is never silent. tests/unit/test_fuzz_programmes.py checks no library phrasing leaks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["describe"]

# What one entry of a list field is called, for "needs at least one ..."
ENTRY = {"revisions": "revision", "bom": "BOM line", "factors": "factor"}


def _n(ctx: dict[str, Any], key: str) -> str:
    value = ctx.get(key, "?")
    return f"{value:g}" if isinstance(value, float) else str(value)


def _choices(ctx: dict[str, Any]) -> str:
    # pydantic gives "'week' or 'month'" / "'a', 'b' or 'c'"
    return ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", "")))) or str(ctx.get("expected"))


def _too_short(error: Mapping[str, Any]) -> str:
    ctx = error.get("ctx", {})
    field = next((str(x) for x in reversed(error["loc"]) if isinstance(x, str)), "")
    entry = ENTRY.get(field, "entry")
    count = int(ctx.get("min_length", 1))
    return f"needs at least one {entry}" if count == 1 else f"needs at least {count} {entry}s"


def _value_error(error: Mapping[str, Any]) -> str:
    return re.sub(r"^(Value|Assertion) error, ", "", str(error["msg"]))


WORDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda e: "is required",
    "extra_forbidden": lambda e: "is not a known field (check its spelling)",
    "string_pattern_mismatch": lambda e: (
        "must be a currency code of three capital letters, such as NOK"
        if e.get("ctx", {}).get("pattern") == "^[A-Z]{3}$"
        else "must be an id: letters, digits and _ . - /, starting with a letter or digit"
    ),
    "string_too_short": lambda e: (
        "must not be empty"
        if e.get("ctx", {}).get("min_length") == 1
        else f"must have at least {_n(e.get('ctx', {}), 'min_length')} characters"
    ),
    "string_too_long": lambda e: f"must have at most {_n(e.get('ctx', {}), 'max_length')} characters",
    "string_type": lambda e: "must be text",
    "int_type": lambda e: "must be a whole number",
    "int_parsing": lambda e: "must be a whole number",
    "int_from_float": lambda e: "must be a whole number",
    "float_type": lambda e: "must be a number",
    "float_parsing": lambda e: "must be a number",
    "finite_number": lambda e: "must be a finite number",
    "bool_type": lambda e: "must be true or false",
    "bool_parsing": lambda e: "must be true or false",
    "greater_than": lambda e: f"must be more than {_n(e.get('ctx', {}), 'gt')}",
    "greater_than_equal": lambda e: f"must be at least {_n(e.get('ctx', {}), 'ge')}",
    "less_than": lambda e: f"must be less than {_n(e.get('ctx', {}), 'lt')}",
    "less_than_equal": lambda e: f"must be at most {_n(e.get('ctx', {}), 'le')}",
    "enum": lambda e: f"must be one of: {_choices(e.get('ctx', {}))}",
    "literal_error": lambda e: f"must be one of: {_choices(e.get('ctx', {}))}",
    "date_type": lambda e: "must be a date such as 2026-01-01",
    "date_parsing": lambda e: "must be a date such as 2026-01-01",
    "date_from_datetime_parsing": lambda e: "must be a date such as 2026-01-01",
    "date_from_datetime_inexact": lambda e: "must be a date without a time of day, such as 2026-01-01",
    "too_short": _too_short,
    "too_long": lambda e: f"may list at most {_n(e.get('ctx', {}), 'max_length')} entries",
    "tuple_type": lambda e: "must be a list",
    "list_type": lambda e: "must be a list",
    "model_type": lambda e: "must be a record (a mapping of fields)",
    "model_attributes_type": lambda e: "must be a record (a mapping of fields)",
    "dict_type": lambda e: "must be a mapping (key: value)",
    "value_error": _value_error,
    "assertion_error": _value_error,
}


def describe(error: Mapping[str, Any]) -> str:
    """One pydantic error as a sentence for a planner, with the offending value."""
    words = WORDS.get(str(error["type"]))
    message = words(error) if words else str(error["msg"])
    if error["type"] in ("missing", "extra_forbidden"):
        return message
    value = error.get("input")
    if isinstance(value, dict | list | tuple):
        return message
    return f"{message} (got {value!r})"
