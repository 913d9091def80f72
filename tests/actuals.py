"""A tiny programme with a design authority's site and a licensee's ramping line, and the
events of its first month, as plain data: the cases of the tracking tests are edits of it."""

from __future__ import annotations

import copy
from typing import Any

from coprod.domain import Programme
from coprod.domain.actuals import ActualsBatch
from tests.programmes import load

PROGRAMME: dict[str, Any] = {
    "settings": {"name": "tracked", "currency": "EUR"},
    "calendar": {"start": "2026-01-01", "periods": 6, "granularity": "month"},
    "partners": [
        {"id": "DA", "country": "UA", "role": "design_authority"},
        {"id": "MFG", "country": "GB", "role": "manufacturer"},
        {"id": "SUP", "country": "PL", "role": "supplier"},
        {"id": "MOD", "country": "UA", "role": "customer"},
    ],
    "sites": [
        {"id": "S1", "partner": "DA", "country": "UA"},
        {"id": "S2", "partner": "MFG", "country": "GB"},
    ],
    "lines": [
        {"id": "L1", "site": "S1", "hours_per_period": 100},
        {
            "id": "L2",
            "site": "S2",
            "hours_per_period": 1000,
            "ramp_up": {"start": "2026-01-01", "pilot_rate": 10, "full_rate": 100, "ramp_periods": 4},
        },
    ],
    "destinations": [{"id": "D1", "partner": "MOD", "country": "UA"}],
    "components": [{"id": "MOTOR"}],
    "designs": [
        {
            "id": "X",
            "owner": "DA",
            "revisions": [
                {"revision": 1, "effective_from": "2026-01-01", "bom": [{"item": "MOTOR", "qty": 4}]}
            ],
        }
    ],
    "routings": [
        {"design": "X", "line": "L1", "hours_per_unit": 1, "cost_per_unit": 10},
        {"design": "X", "line": "L2", "hours_per_unit": 1, "cost_per_unit": 20},
    ],
    "licences": [
        {
            "id": "LIC-MFG-X",
            "licensor": "DA",
            "licensee": "MFG",
            "design": "X",
            "valid_from": "2026-01-01",
            "cap_per_period": 1000,
            "royalty_per_unit": 5,
        }
    ],
    "supply_offers": [
        {
            "id": "O1",
            "component": "MOTOR",
            "supplier": "SUP",
            "ship_to": "S1",
            "lead_time": 1,
            "capacity_per_period": 100000,
            "unit_price": 1,
        },
        {
            "id": "O2",
            "component": "MOTOR",
            "supplier": "SUP",
            "ship_to": "S2",
            "lead_time": 1,
            "capacity_per_period": 100000,
            "unit_price": 1,
        },
    ],
    "lanes": [
        {"id": "K1", "from_site": "S1", "to": "D1", "lead_time": 0, "cost_per_unit": 1},
        {"id": "K2", "from_site": "S2", "to": "D1", "lead_time": 1, "cost_per_unit": 2},
    ],
    "stock": [
        {"site": "S1", "item": "MOTOR", "quantity": 1000},
        {"site": "S2", "item": "MOTOR", "quantity": 1000},
    ],
    "requirements": [
        {
            "id": "R1",
            "customer": "MOD",
            "destination": "D1",
            "item": "X",
            "quantity": 50,
            "due": "2026-01-01",
            "priority": 1,
        },
        {
            "id": "R2",
            "customer": "MOD",
            "destination": "D1",
            "item": "X",
            "quantity": 200,
            "due": "2026-04-01",
            "priority": 2,
        },
    ],
}

EVENTS: dict[str, Any] = {
    "first_articles": [
        {
            "id": "FA1",
            "site": "S1",
            "design": "X",
            "revision": 1,
            "result": "passed",
            "date": "2026-01-02",
            "inspector": "DA quality",
        },
    ],
    "lots": [
        {
            "id": "A",
            "site": "S1",
            "line": "L1",
            "design": "X",
            "revision": 1,
            "quantity": 50,
            "first_serial": "X-0001",
            "last_serial": "X-0050",
            "built": "2026-01-10",
        },
    ],
    "acceptances": [{"id": "ACC-A", "lot": "A", "accepted": 50, "date": "2026-01-11"}],
    "shipments": [
        {
            "id": "SH1",
            "from_site": "S1",
            "to": "D1",
            "lines": [{"lot": "A", "quantity": 50}],
            "shipped": "2026-01-12",
            "expected": "2026-01-13",
        },
    ],
    "receipts": [
        {
            "id": "RC1",
            "shipment": "SH1",
            "received": "2026-01-13",
            "lines": [{"lot": "A", "received": 50}],
            "deliveries": [{"requirement": "R1", "quantity": 50}],
        },
    ],
}


def programme(**changes: Any) -> Programme:
    data = copy.deepcopy(PROGRAMME)
    data.update(changes)
    return load(data)


def events(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(EVENTS)
    data.update(changes)
    return data


def batch(data: dict[str, Any] | None = None) -> ActualsBatch:
    return ActualsBatch.model_validate(EVENTS if data is None else data)
