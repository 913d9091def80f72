"""Programme -> LP arrays -> HiGHS -> Plan; explanation of bindings and lateness."""

from coprod.planning.highs import SolverOptions, SolveStatus
from coprod.planning.plan import TABLES, Plan
from coprod.planning.solve import PlanOptions, plan

__all__ = ["TABLES", "Plan", "PlanOptions", "SolveStatus", "SolverOptions", "plan"]
