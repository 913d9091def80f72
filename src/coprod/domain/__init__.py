"""The programme and its parts: pure Python, no database, web or solver imports."""

from coprod.domain.calendar import Calendar, Granularity
from coprod.domain.checks import Finding, check_references
from coprod.domain.entities import (
    BomLine,
    Component,
    Design,
    Destination,
    Lane,
    Licence,
    Line,
    LineException,
    Partner,
    PartnerRole,
    RampUp,
    Requirement,
    Revision,
    Routing,
    Site,
    Stock,
    SupplyOffer,
    Variant,
    VariantReplace,
)
from coprod.domain.programme import Programme, Settings

__all__ = [
    "BomLine",
    "Calendar",
    "Component",
    "Design",
    "Destination",
    "Finding",
    "Granularity",
    "Lane",
    "Licence",
    "Line",
    "LineException",
    "Partner",
    "PartnerRole",
    "Programme",
    "RampUp",
    "Requirement",
    "Revision",
    "Routing",
    "Settings",
    "Site",
    "Stock",
    "SupplyOffer",
    "Variant",
    "VariantReplace",
    "check_references",
]
