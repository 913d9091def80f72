"""The fastest safe YAML loader available: libyaml's C loader when PyYAML has it (about ten
times faster on large programmes), else the pure-Python one. Both build only plain data."""

from __future__ import annotations

import yaml

__all__ = ["SAFE_LOADER"]

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
