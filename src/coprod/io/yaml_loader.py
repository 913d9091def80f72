"""Reading YAML: yaml-rs (Rust, on PyPI), about twenty times faster than PyYAML's C loader
on a large programme with the same plain data, YAML 1.2 (so `country: NO` is Norway, not
False, and `yes` is text), duplicate keys refused instead of silently dropped, aliases
bounded. Writing stays with PyYAML (io/writer.py keeps its comments and layout)."""

from __future__ import annotations

import re
from typing import Any

import yaml_rs

__all__ = ["YamlSyntaxError", "parse_yaml"]

_WHERE = re.compile(r"line (\d+), column (\d+)")


class YamlSyntaxError(ValueError):
    """The text is not YAML: where (1-based line and column, 0 when unknown) and what."""

    def __init__(self, line: int, column: int, problem: str) -> None:
        self.line, self.column, self.problem = line, column, problem
        super().__init__(f"line {line}, column {column}: {problem}" if line else problem)

    @property
    def where(self) -> str:
        return f"line {self.line}, column {self.column}" if self.line else ""


def parse_yaml(text: str) -> Any:
    """The plain data of one YAML document (dates as dates), or YamlSyntaxError."""
    try:
        return yaml_rs.loads(text)
    except yaml_rs.YAMLDecodeError as exc:
        message = str(exc).strip()
        found = _WHERE.search(message)
        problem = message.splitlines()[-1].strip() if message else "not YAML"
        if found is None:
            line = _duplicate_line(text, problem)
            return _raise(line, 1 if line else 0, problem)
        return _raise(int(found.group(1)), int(found.group(2)), problem)


_DUPLICATE = re.compile(r"duplicate mapping key: '(.+)'")


def _duplicate_line(text: str, problem: str) -> int:
    """yaml-rs names a duplicate key but not where it is: the line of its second
    occurrence as a key (0 when it cannot be told)."""
    found = _DUPLICATE.search(problem)
    if found is None:
        return 0
    key = re.compile(rf"^\s*(?:- )?['\"]?{re.escape(found.group(1))}['\"]?\s*:")
    lines = [i for i, line in enumerate(text.splitlines(), 1) if key.match(line)]
    return lines[1] if len(lines) > 1 else 0


def _raise(line: int, column: int, problem: str) -> Any:
    raise YamlSyntaxError(line, column, problem)
