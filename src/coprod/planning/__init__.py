"""Programme -> LP arrays -> HiGHS -> Plan; explanation of bindings and lateness.

The names below are imported on first use (PEP 562), so that `coprod.planning.options`
(the enums every entry point parses) does not pull numpy, scipy and highspy into a
command that only needs the options.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coprod.planning.options import PlanOptions, SolverOptions
    from coprod.planning.outcome import SolveStatus
    from coprod.planning.result import TABLES, Plan
    from coprod.planning.solve import plan

__all__ = ["TABLES", "Plan", "PlanOptions", "SolveStatus", "SolverOptions", "plan"]

_WHERE = {
    "SolveStatus": "coprod.planning.outcome",
    "PlanOptions": "coprod.planning.options",
    "SolverOptions": "coprod.planning.options",
    "TABLES": "coprod.planning.result",
    "Plan": "coprod.planning.result",
    "plan": "coprod.planning.solve",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'coprod.planning' has no attribute {name!r}")
