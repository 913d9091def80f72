"""What can happen where and when: the arrays `analyse.analyse` derives from a programme.

Which product may be built on which line in which periods (routing, licence window, line
calendar, ramp-up, a BOM in force), which component balances exist at which site, which
lanes can carry which product. The LP families read these arrays; nothing here is LP. This
module holds only the types, so that reduce.py (which folds supply) and analyse.py (which
calls it) both import them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coprod.domain import Programme
from coprod.domain.bom import BomSegment
from coprod.planning.grid import TimeGrid

__all__ = ["AssemblyBuild", "Build", "Structure"]


@dataclass(slots=True)
class Build:
    """Production of one product on one line: the periods it may run, hours and cost each."""

    product: int
    line: int
    site: int
    periods: np.ndarray  # int, sorted
    hours_per_unit: np.ndarray  # learning factor included, per period in `periods`
    cost_per_unit: np.ndarray  # routing cost + royalty, per period
    licence: np.ndarray  # index into programme.licences, -1 where the owner builds
    material_cost: np.ndarray  # per unit, of components folded in by reduce.fold_ample_supply


@dataclass(slots=True)
class AssemblyBuild:
    """An assembly built on one line (a routing names it): started in `periods`, its units
    join the site's balance of the assembly in `arrival` (the routing's lead time later)."""

    component: int  # the assembly, an index into Structure.components
    line: int
    site: int
    periods: np.ndarray  # int, sorted: start buckets whose arrival is within the horizon
    arrival: np.ndarray  # bucket each start's units become usable
    hours_per_unit: np.ndarray  # per period (flat: the learning curve is the product's)
    cost_per_unit: np.ndarray  # routing cost in the programme currency, per period
    usage: dict[str, float]  # what one unit consumes at the site (built assemblies inside stay whole)


@dataclass(slots=True)
class Structure:
    programme: Programme
    periods: int
    products: list[str]
    product_design: list[str]
    sites: list[str]
    lines: list[str]
    components: list[str]  # purchased components (leaves) only
    hours: np.ndarray  # lines x periods
    rates: np.ndarray  # lines x periods, inf where no ramp-up limits
    builds: list[Build]
    bom: list[list[BomSegment]]  # per product
    grid: TimeGrid | None = None  # buckets of the LP (set by analyse; exact unless aggregated)
    component_pairs: list[tuple[int, int]] = field(default_factory=list)  # (component, site)
    offers: list[int] = field(default_factory=list)  # offers to a site that uses the component
    # (component, site) pairs whose supply can never bind, bought just in time from this offer
    ample: dict[tuple[int, int], int] = field(default_factory=dict)
    product_pairs: list[tuple[int, int]] = field(default_factory=list)  # (product, site)
    # what lanes between sites may carry (transfers.py): (component, lane) and (product, lane)
    transfers_c: list[tuple[int, int]] = field(default_factory=list)
    transfers_p: list[tuple[int, int]] = field(default_factory=list)
    # assemblies built on lines (the `make_a` columns), after the products' builds
    assemblies: list[AssemblyBuild] = field(default_factory=list)
