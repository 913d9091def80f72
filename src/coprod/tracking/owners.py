"""Whose event is it: the owning partner (who records it) and a second party that may read it.

| kind            | owner (records it)                 | also readable by               |
| --------------- | ---------------------------------- | ------------------------------ |
| lots            | the partner of the site            | the design's owner             |
| first_articles  | the partner of the site            | the design's owner             |
| acceptances     | the partner of the lot's site      | the design's owner             |
| shipments       | the partner of the from-site       | the receiving partner          |
| receipts        | the receiving partner (site or customer) | the shipping partner     |
| purchase_orders | the partner of the ship-to site    | the supplier                   |
| order_receipts  | the partner of the order's site    | the supplier                   |
"""

from __future__ import annotations

from typing import Any

from coprod.tracking.ledger import Ledger

__all__ = ["owner_and_party"]


def owner_and_party(led: Ledger, kind: str, event: Any) -> tuple[str | None, str | None]:
    """(owner, party) of `event`, found through the programme and the other events."""
    p = led.p
    partner = led.partner_of
    if kind in ("lots", "first_articles"):
        design = p.design_by_id.get(event.design)
        return partner.get(event.site), design.owner if design else None
    if kind == "acceptances":
        lot = led.lots.get(event.lot)
        if lot is None:
            return None, None
        design = p.design_by_id.get(lot.design)
        return partner.get(lot.site), design.owner if design else None
    if kind == "shipments":
        return partner.get(event.from_site), partner.get(event.to)
    if kind == "receipts":
        sh = led.shipments.get(event.shipment)
        if sh is None:
            return None, None
        return partner.get(sh.to), partner.get(sh.from_site)
    if kind == "purchase_orders":
        return partner.get(event.site), event.supplier
    if kind == "order_receipts":
        po = led.orders.get(event.order)
        return (partner.get(po.site), po.supplier) if po else (None, None)
    raise KeyError(kind)
