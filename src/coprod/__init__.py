"""coprod: plan and track the co-production of small drones across partner nations."""

__all__ = ["__version__"]

__version__ = "0.1.0"
