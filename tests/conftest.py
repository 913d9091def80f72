"""Test-wide settings: on CI (CI=true), property-based tests run derandomized, so a landing
never depends on the examples one run happened to draw; locally they explore anew each run."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
