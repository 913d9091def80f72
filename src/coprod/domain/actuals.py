"""What actually happened: lots built, inspected, shipped and received; purchase orders.

Generic records in the spirit of defence co-production evidence (no form is copied):
first-article inspection of a site x design revision before its lots are accepted,
lot acceptance, serial numbers on every unit, shipments and the receiving report that
closes them (with the requirements a delivery serves), purchase orders and their receipts.

Field checks live on the records; the rules between records and the programme (serials
unique, nothing shipped before it is accepted, ...) are in coprod.tracking.rules, and
return every problem at once. Every event has a date; `event_date` says which.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from coprod.domain.entities import Id, Units

__all__ = [
    "EVENT_KINDS",
    "Acceptance",
    "ActualsBatch",
    "Delivery",
    "FirstArticle",
    "Lot",
    "OrderReceipt",
    "PurchaseOrder",
    "Receipt",
    "ReceiptLine",
    "Result",
    "ScheduledReceipt",
    "Shipment",
    "ShipmentLine",
    "event_date",
    "split_serial",
]

Qty = Annotated[int, Field(ge=1, le=10_000_000)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Serial = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$")]
Text = Annotated[str, Field(max_length=500)]
_SERIAL = re.compile(r"^(.*?)(\d+)$")


def split_serial(serial: str) -> tuple[str, int, int] | None:
    """A serial as (prefix, number, digits), or None when it does not end in digits:
    'UK-INT1-000123' is ('UK-INT1-', 123, 6). Ranges count along the number."""
    found = _SERIAL.match(serial)
    if not found:
        return None
    return found.group(1), int(found.group(2)), len(found.group(2))


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Result(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class Lot(Event):
    """Units of one product built together on one line, each with its own serial: a range
    (first..last, same prefix and width, last - first + 1 = quantity) or a list."""

    id: Id
    site: Id
    line: Id
    design: Id
    variant: Id | None = Field(default=None, description="A variant of the design, or none (base)")
    revision: int = Field(ge=1)
    quantity: Qty
    first_serial: Serial | None = None
    last_serial: Serial | None = None
    serials: tuple[Serial, ...] = ()
    built: dt.date

    @model_validator(mode="after")
    def _serials(self) -> Lot:
        ranged = self.first_serial is not None or self.last_serial is not None
        if ranged and self.serials:
            raise ValueError("give first_serial and last_serial, or serials, not both")
        if self.serials:
            if len(self.serials) != self.quantity:
                raise ValueError(f"{len(self.serials)} serials for a quantity of {self.quantity}")
            if len(set(self.serials)) != len(self.serials):
                raise ValueError("a serial repeats within the lot")
            return self
        if self.first_serial is None or self.last_serial is None:
            raise ValueError("every unit needs a serial: give first_serial and last_serial, or serials")
        first, last = split_serial(self.first_serial), split_serial(self.last_serial)
        if first is None or last is None or first[0] != last[0] or first[2] != last[2]:
            raise ValueError(
                "first_serial and last_serial must share a prefix and end in numbers of one width"
            )
        if last[1] - first[1] + 1 != self.quantity:
            raise ValueError(
                f"serials {self.first_serial}..{self.last_serial} number {last[1] - first[1] + 1}, "
                f"not the quantity {self.quantity}"
            )
        return self

    @property
    def product(self) -> str:
        return self.variant or self.design

    def holds(self, serial: str) -> bool:
        if self.serials:
            return serial in self.serials
        parts, first, last = split_serial(serial), self.first_serial, self.last_serial
        assert first is not None and last is not None
        a, b = split_serial(first), split_serial(last)
        if parts is None or a is None or b is None:
            return False
        return parts[0] == a[0] and parts[2] == a[2] and a[1] <= parts[1] <= b[1]


class FirstArticle(Event):
    """First-article inspection of a site's first build of a design revision."""

    id: Id
    site: Id
    design: Id
    revision: int = Field(ge=1)
    result: Result
    date: dt.date
    inspector: str = Field(min_length=1, max_length=200, description="Who inspected (name or office)")
    lot: Id | None = Field(default=None, description="The lot the article came from, if any")
    note: Text = ""


class Acceptance(Event):
    """Lot acceptance: how many units of a lot were accepted and rejected, and why."""

    id: Id
    lot: Id
    accepted: Count
    rejected: Count = 0
    reason: Text = ""
    date: dt.date

    @model_validator(mode="after")
    def _reason(self) -> Acceptance:
        if self.accepted + self.rejected == 0:
            raise ValueError("accepted and rejected are both 0")
        if self.rejected and not self.reason:
            raise ValueError("rejected units need a reason")
        return self


class ShipmentLine(Event):
    """Units of a lot, or a quantity of a component, on a shipment."""

    lot: Id | None = None
    item: Id | None = Field(default=None, description="A component (or product from stock) by id")
    quantity: Qty

    @model_validator(mode="after")
    def _one(self) -> ShipmentLine:
        if (self.lot is None) == (self.item is None):
            raise ValueError("a shipment line names a lot or an item, not both or neither")
        return self

    @property
    def what(self) -> str:
        return self.lot or self.item or ""


class Shipment(Event):
    """Goods leaving a site for another site or a customer's destination."""

    id: Id
    from_site: Id
    to: Id = Field(description="A site or a destination")
    lines: tuple[ShipmentLine, ...] = Field(min_length=1)
    shipped: dt.date
    expected: dt.date = Field(description="Expected arrival")

    @model_validator(mode="after")
    def _dates(self) -> Shipment:
        if self.expected < self.shipped:
            raise ValueError("expected arrival is before the shipped date")
        if self.to == self.from_site:
            raise ValueError("a shipment goes to another site or a destination")
        return self


class ReceiptLine(Event):
    lot: Id | None = None
    item: Id | None = None
    received: Count
    refused: Count = 0

    @model_validator(mode="after")
    def _one(self) -> ReceiptLine:
        if (self.lot is None) == (self.item is None):
            raise ValueError("a receipt line names a lot or an item, not both or neither")
        return self

    @property
    def what(self) -> str:
        return self.lot or self.item or ""


class Delivery(Event):
    """Units received at a destination that serve one requirement."""

    requirement: Id
    quantity: Qty


class Receipt(Event):
    """The receiving report of a shipment: what arrived, what was refused, and (at a
    customer's destination) which requirements the units received serve."""

    id: Id
    shipment: Id
    received: dt.date
    lines: tuple[ReceiptLine, ...] = Field(min_length=1)
    deliveries: tuple[Delivery, ...] = ()
    note: Text = Field(default="", description="Discrepancies: short, damaged, wrong item")

    @model_validator(mode="after")
    def _short_needs_note(self) -> Receipt:
        if any(x.refused for x in self.lines) and not self.note:
            raise ValueError("refused units need a discrepancy note")
        return self


class PurchaseOrder(Event):
    id: Id
    supplier: Id
    component: Id
    site: Id = Field(description="The site the order ships to")
    quantity: Qty
    ordered: dt.date
    due: dt.date

    @model_validator(mode="after")
    def _dates(self) -> PurchaseOrder:
        if self.due < self.ordered:
            raise ValueError("due is before the order date")
        return self


class OrderReceipt(Event):
    """Components of a purchase order received at its site."""

    id: Id
    order: Id
    received: dt.date
    quantity: Count
    refused: Count = 0
    note: Text = ""

    @model_validator(mode="after")
    def _any(self) -> OrderReceipt:
        if self.quantity + self.refused == 0:
            raise ValueError("quantity and refused are both 0")
        if self.refused and not self.note:
            raise ValueError("refused units need a discrepancy note")
        return self


EVENT_KINDS: dict[str, type[Event]] = {
    "lots": Lot,
    "first_articles": FirstArticle,
    "acceptances": Acceptance,
    "shipments": Shipment,
    "receipts": Receipt,
    "purchase_orders": PurchaseOrder,
    "order_receipts": OrderReceipt,
}
_DATE_FIELD = {
    "lots": "built",
    "first_articles": "date",
    "acceptances": "date",
    "shipments": "shipped",
    "receipts": "received",
    "purchase_orders": "ordered",
    "order_receipts": "received",
}


def event_date(kind: str, event: Any) -> dt.date:
    """The day an event happened (built, inspected, shipped, received, ordered)."""
    value = getattr(event, _DATE_FIELD[kind]) if not isinstance(event, dict) else event[_DATE_FIELD[kind]]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def date_field(kind: str) -> str:
    return _DATE_FIELD[kind]


class ActualsBatch(BaseModel):
    """A set of events, as in a file or the database: one tuple per kind."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lots: tuple[Lot, ...] = ()
    first_articles: tuple[FirstArticle, ...] = ()
    acceptances: tuple[Acceptance, ...] = ()
    shipments: tuple[Shipment, ...] = ()
    receipts: tuple[Receipt, ...] = ()
    purchase_orders: tuple[PurchaseOrder, ...] = ()
    order_receipts: tuple[OrderReceipt, ...] = ()

    def kinds(self) -> dict[str, tuple[Any, ...]]:
        return {kind: getattr(self, kind) for kind in EVENT_KINDS}

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.kinds().values())

    def merged(self, other: ActualsBatch) -> ActualsBatch:
        """This batch followed by `other` (the stored events, then a new batch)."""
        return ActualsBatch(**{k: (*getattr(self, k), *getattr(other, k)) for k in EVENT_KINDS})

    def before(self, day: dt.date) -> ActualsBatch:
        """The events that happened before `day` (what was true at its start)."""
        return ActualsBatch(
            **{k: tuple(e for e in getattr(self, k) if event_date(k, e) < day) for k in EVENT_KINDS}
        )


class ScheduledReceipt(BaseModel):
    """Goods already on their way to a site: a lot in transit, an open purchase order, a
    lot awaiting acceptance. Planning counts them as arriving in the period of `arrives`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    site: Id
    item: Id
    quantity: Units
    arrives: dt.date
    source: str = Field(default="", max_length=200, description="What it is: an order, a shipment, a lot")
