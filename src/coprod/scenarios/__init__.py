"""What-if scenarios (a programme plus a change set) and Monte Carlo risk."""

from coprod.scenarios.compare import Comparison, compare, load_scenario

__all__ = ["Comparison", "compare", "load_scenario"]
