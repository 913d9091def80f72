"""What-if scenarios (a programme plus a change set) and Monte Carlo risk."""

from coprod.scenarios.compare import Comparison, compare

__all__ = ["Comparison", "compare"]
