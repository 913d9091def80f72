"""The records a programme is made of. Field checks live here; cross-references in programme.py.

Every record is immutable (`frozen`) and rejects unknown fields, so a typo in a file is an
error, not a silently ignored key. Quantities of discrete things (units, periods) are
integers; rates, hours, prices and yields are floats.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "BomLine",
    "Component",
    "Design",
    "Destination",
    "ExchangeRate",
    "ExportControl",
    "Lane",
    "Licence",
    "Line",
    "LineException",
    "OfferCommitment",
    "Partner",
    "PartnerRole",
    "RampUp",
    "Requirement",
    "Revision",
    "Routing",
    "Site",
    "Stock",
    "SupplyOffer",
    "Variant",
    "VariantReplace",
]

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$")]
# Upper limits keep every number the solver sees finite and well inside HiGHS's range.
LIMIT = 1e9
NonNeg = Annotated[float, Field(ge=0, le=LIMIT, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, le=LIMIT, allow_inf_nan=False)]
Units = Annotated[int, Field(ge=0, le=int(LIMIT))]
# ISO 4217 code; None on a priced record means the programme's currency (settings.currency)
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code, e.g. NOK")]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class PartnerRole(StrEnum):
    DESIGN_AUTHORITY = "design_authority"
    MANUFACTURER = "manufacturer"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"


class Partner(Record):
    id: Id
    name: str = ""
    country: str = Field(min_length=2, max_length=3, description="ISO 3166 country code")
    role: PartnerRole
    currency: Currency | None = Field(
        default=None, description="The partner's own currency for its reports (default: the programme's)"
    )


class Site(Record):
    id: Id
    partner: Id
    country: str = Field(min_length=2, max_length=3)
    name: str = ""


class LineException(Record):
    """A calendar exception: the hours a line has in one period instead of its usual hours."""

    period: dt.date
    hours: NonNeg
    reason: str = ""


class RampUp(Record):
    """Growth of a line from its pilot rate to its full rate (units per period).

    rate(k) = pilot + (full - pilot) * min(1, k / ramp_periods) for k = periods since start;
    the learning curve raises the hours per unit while cumulative output is small (see
    domain/capacity.py and docs/formulation.md).
    """

    start: dt.date
    pilot_rate: NonNeg
    full_rate: Positive
    ramp_periods: int = Field(default=0, ge=0, description="Periods from pilot to full rate")
    learning_rate: float = Field(
        default=1.0, gt=0.5, le=1.0, description="Wright's law: unit hours x LR per doubling"
    )

    @model_validator(mode="after")
    def _pilot_below_full(self) -> RampUp:
        if self.pilot_rate > self.full_rate:
            raise ValueError("pilot_rate must not exceed full_rate")
        return self


class Line(Record):
    id: Id
    site: Id
    hours_per_period: NonNeg
    exceptions: tuple[LineException, ...] = ()
    ramp_up: RampUp | None = None


class Destination(Record):
    """A place where the customer receives units (a depot of the forces)."""

    id: Id
    partner: Id
    country: str = Field(min_length=2, max_length=3)
    name: str = ""


class BomLine(Record):
    item: Id
    qty: float = Field(gt=0, le=10_000, allow_inf_nan=False, description="Quantity per unit of the parent")
    yield_: float = Field(
        default=1.0, ge=0.01, le=1.0, alias="yield", description="Share of good parts (1 - scrap)"
    )

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class ExportControl(Record):
    """An export-control classification and who may receive the item (docs/export-control.md).

    A partner may receive it when its id is in `partners` or its country is in `countries`;
    a design's owner always may. Nobody else may be shipped it, build with it, or read its
    technical records (BOM lines, revisions)."""

    classification: str = Field(min_length=1, max_length=64)
    partners: tuple[Id, ...] = ()
    countries: tuple[Annotated[str, Field(min_length=2, max_length=3)], ...] = ()

    def allows(self, partner: str, country: str) -> bool:
        return partner in self.partners or country in self.countries


class Component(Record):
    """A part with a balance. With a `bom` it is an assembly: a phantom, exploded into its
    parts wherever it is used, unless a routing builds it on a line (a built assembly, with a
    balance, lead time and site of its own: docs/programme-format.md)."""

    id: Id
    name: str = ""
    holding_cost: NonNeg = 0.0
    bom: tuple[BomLine, ...] = ()
    export_control: ExportControl | None = None


class Revision(Record):
    revision: int = Field(ge=1)
    effective_from: dt.date
    # may be empty: a plain make-and-hold product needs no dummy component
    bom: tuple[BomLine, ...] = ()
    note: str = ""
    export_control: ExportControl | None = None


class VariantReplace(Record):
    from_: Id = Field(alias="from")
    to: Id

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Variant(Record):
    """A design with configuration options: components replaced or added (e.g. radio band)."""

    id: Id
    name: str = ""
    replace: tuple[VariantReplace, ...] = ()
    add: tuple[BomLine, ...] = ()


class Design(Record):
    id: Id
    name: str = ""
    owner: Id = Field(description="The design authority (partner) that owns the design")
    holding_cost: NonNeg = 0.0
    revisions: tuple[Revision, ...] = Field(min_length=1)
    variants: tuple[Variant, ...] = ()
    export_control: ExportControl | None = None


class Routing(Record):
    """How a line builds one item: a design (its variants too), or an assembly (a component
    with a BOM), which is then built there rather than exploded as a phantom."""

    design: Id = Field(description="The design built, or an assembly (a component with a BOM)")
    line: Id
    hours_per_unit: float = Field(gt=0, le=10_000, allow_inf_nan=False)
    cost_per_unit: NonNeg = 0.0
    currency: Currency | None = Field(default=None, description="Currency of cost_per_unit")
    lead_time: int = Field(
        default=0,
        ge=0,
        description="Periods from the start of a built assembly to its use (designs: always 0)",
    )


class Licence(Record):
    id: Id
    licensor: Id
    licensee: Id
    design: Id
    valid_from: dt.date
    valid_to: dt.date | None = None
    cap_per_period: Units | None = None
    royalty_per_unit: NonNeg = 0.0
    currency: Currency | None = Field(default=None, description="Currency of royalty_per_unit")

    @model_validator(mode="after")
    def _window(self) -> Licence:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class OfferCommitment(Record):
    """What a supplier committed to deliver under an offer in one period (the period the
    goods arrive). It replaces the offer's catalogue capacity in that period; periods with
    no commitment keep the catalogue capacity (docs/collaboration.md)."""

    period: dt.date
    quantity: Units
    release: int | None = Field(default=None, ge=1, description="The forecast release answered")
    note: str = ""


class SupplyOffer(Record):
    id: Id
    component: Id
    supplier: Id
    ship_to: Id
    lead_time: int = Field(ge=0, description="Periods from order to arrival")
    capacity_per_period: Units
    unit_price: NonNeg
    currency: Currency | None = Field(default=None, description="Currency of unit_price")
    min_order: Units = 0
    available_from: dt.date | None = Field(
        default=None, description="No delivery from this offer arrives before this date"
    )
    commitments: tuple[OfferCommitment, ...] = ()

    @model_validator(mode="after")
    def _min_order(self) -> SupplyOffer:
        if self.min_order > self.capacity_per_period:
            raise ValueError("min_order exceeds capacity_per_period")
        periods = [c.period for c in self.commitments]
        if len(set(periods)) != len(periods):
            raise ValueError("two commitments name the same period")
        return self


class Lane(Record):
    """Transport from a site to a customer's destination or to another site (a transfer).

    A lane between sites carries components (into the receiving site's component stock) and
    finished units of designs or variants (into its product stock); `items` limits what it
    carries (empty: anything the receiving site could use). `capacity_per_period` bounds the
    units leaving on the lane in one period, whatever they are (None: no limit)."""

    id: Id
    from_site: Id
    to: Id = Field(description="A destination or a site")
    lead_time: int = Field(ge=0)
    cost_per_unit: NonNeg = 0.0
    capacity_per_period: Units | None = None
    items: tuple[Id, ...] = ()
    currency: Currency | None = Field(default=None, description="Currency of cost_per_unit")


class Stock(Record):
    site: Id
    item: Id
    quantity: Units


class Requirement(Record):
    id: Id
    customer: Id
    destination: Id
    item: Id = Field(description="A design or a variant")
    quantity: int = Field(ge=1, le=int(LIMIT))
    due: dt.date
    priority: int = Field(default=2, ge=1, le=9)


class ExchangeRate(Record):
    """One currency's rate from a date: `rate` programme-currency units buy one unit of
    `currency`, in force until the currency's next rate (docs/programme-format.md)."""

    currency: Currency
    valid_from: dt.date
    rate: Positive
