"""Names that go into paths, file names and HTTP headers: checked against one allow-list.

A programme name, a user name or a workbook sheet title is never joined into a path or put
in a header unchecked: `../../x`, CR/LF and 10,000-character names are refused with an
InputError naming what was wrong.
"""

from __future__ import annotations

import re

from coprod.errors import InputError

__all__ = ["NAME_MAX", "NAME_PATTERN", "USERNAME_PATTERN", "check_name", "check_username"]

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
USERNAME_PATTERN = r"^[A-Za-z0-9_.\-]+$"
NAME_MAX = 200
_NAME = re.compile(NAME_PATTERN)
_USERNAME = re.compile(USERNAME_PATTERN)


def check_name(value: str, what: str = "programme name") -> str:
    """`value` if it is a safe name: letters, digits, '_', '.', '-', not starting with a
    separator, no '..', at most NAME_MAX characters."""
    if not value:
        raise InputError(f"the {what} is empty")
    if len(value) > NAME_MAX:
        raise InputError(f"the {what} has {len(value):,} characters; at most {NAME_MAX} are allowed")
    if not _NAME.fullmatch(value) or ".." in value:
        shown = value if len(value) <= 60 else value[:57] + "..."
        raise InputError(
            f"the {what} {shown!r} may hold only letters, digits, '_', '.' and '-' "
            "(starting with a letter or digit, no '..')"
        )
    return value


def check_username(value: str) -> str:
    if not value or len(value) > 64 or not _USERNAME.fullmatch(value):
        raise InputError(
            f"the user name {value[:64]!r} may hold only letters, digits, '_', '.' and '-' (1-64 characters)"
        )
    return value
