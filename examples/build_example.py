"""Regenerate the bundled example programme and its edited copies (examples/changes/).

Figures follow ../shared/FACTS.md: a Ukrainian design authority with domestic workshops,
a Norwegian pilot line from April 2026 ramping up over a year, a British plant licensed
for about 2,000 interceptors a month after a first batch of up to 1,000, imported motors
and cells with 12-26 week lead times, flight controllers and ESCs only from the design
authority, learning rates of 80-90 %. Run: python examples/build_example.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from coprod.domain import Programme
from coprod.io.writer import dump_yaml

HERE = Path(__file__).parent
START = dt.date(2026, 1, 1)
MONTHS = 18


def month(i: int) -> str:
    y, m = divmod(i, 12)
    return dt.date(START.year + y, m + 1, 1).isoformat()


def bom(*lines: tuple[str, float] | tuple[str, float, float]) -> list[dict[str, Any]]:
    out = []
    for line in lines:
        row: dict[str, Any] = {"item": line[0], "qty": line[1]}
        if len(line) == 3:
            row["yield"] = line[2]
        out.append(row)
    return out


# Euros per unit of each partner's currency, from the first of a month until the next rate.
# Illustrative, of the order of 2025 market rates (../shared/FACTS.md gives none): the pound
# about EUR 1.15, the krone about 8.5 cents, the hryvnia about 2 cents. The krone firms in
# July 2026, so the Norwegian battery packs (NOK 800: EUR 68.00, then 70.40) cost more than
# the Polish ones (EUR 70) from then on: the planner switches supplier as the rate moves.
EXCHANGE_RATES = [
    {"currency": "GBP", "valid_from": month(0), "rate": 1.15},
    {"currency": "GBP", "valid_from": month(6), "rate": 1.14},
    {"currency": "GBP", "valid_from": month(12), "rate": 1.13},
    {"currency": "NOK", "valid_from": month(0), "rate": 0.085},
    {"currency": "NOK", "valid_from": month(6), "rate": 0.088},
    {"currency": "NOK", "valid_from": month(12), "rate": 0.090},
    {"currency": "UAH", "valid_from": month(0), "rate": 0.0205},
    {"currency": "UAH", "valid_from": month(6), "rate": 0.0200},
    {"currency": "UAH", "valid_from": month(12), "rate": 0.0196},
]


def programme() -> dict[str, Any]:
    partners = [
        {
            "id": "UA-DB",
            "name": "Design bureau (licensor)",
            "country": "UA",
            "role": "design_authority",
            "currency": "UAH",
        },
        {
            "id": "UK-MFG",
            "name": "British licensed manufacturer",
            "country": "GB",
            "role": "manufacturer",
            "currency": "GBP",
        },
        {
            "id": "NO-MFG",
            "name": "Norwegian co-production partner",
            "country": "NO",
            "role": "manufacturer",
            "currency": "NOK",
        },
        {
            "id": "NO-CELLS",
            "name": "Norwegian battery pack maker",
            "country": "NO",
            "role": "supplier",
            "currency": "NOK",
        },
        {"id": "AS-MOTORS", "name": "Asian motor maker", "country": "TW", "role": "supplier"},
        {"id": "EU-MOTORS", "name": "European motor maker", "country": "CZ", "role": "supplier"},
        {"id": "EU-CELLS", "name": "Battery pack maker", "country": "PL", "role": "supplier"},
        {"id": "EU-OPTICS", "name": "Camera and video maker", "country": "DE", "role": "supplier"},
        {
            "id": "EU-PARTS",
            "name": "Frames, props and fasteners",
            "country": "PL",
            "role": "supplier",
        },
        {
            "id": "UA-MOD",
            "name": "Customer: armed forces logistics",
            "country": "UA",
            "role": "customer",
        },
    ]
    sites = [
        {"id": "UA-KYIV", "partner": "UA-DB", "country": "UA", "name": "Kyiv workshop"},
        {"id": "UA-LVIV", "partner": "UA-DB", "country": "UA", "name": "Lviv workshop"},
        {"id": "UK-MIDLANDS", "partner": "UK-MFG", "country": "GB", "name": "Midlands plant"},
        {"id": "NO-RAUFOSS", "partner": "NO-MFG", "country": "NO", "name": "Pilot line"},
    ]
    lines = [
        {
            "id": "UA-KYIV-1",
            "site": "UA-KYIV",
            "hours_per_period": 3600,
            "exceptions": [{"period": month(0), "hours": 2800, "reason": "winter power cuts"}],
        },
        {"id": "UA-LVIV-1", "site": "UA-LVIV", "hours_per_period": 3000},
        # the design authority's flight-controller line: it builds FC-F7 for every plant
        {"id": "UA-KYIV-FC", "site": "UA-KYIV", "hours_per_period": 1800},
        {
            "id": "UK-MID-1",
            "site": "UK-MIDLANDS",
            "hours_per_period": 2600,
            "exceptions": [{"period": month(7), "hours": 1800, "reason": "summer shutdown"}],
            "ramp_up": {
                "start": month(2),
                "pilot_rate": 150,
                "full_rate": 1100,
                "ramp_periods": 6,
                "learning_rate": 0.8,
            },
        },
        {
            "id": "UK-MID-2",
            "site": "UK-MIDLANDS",
            "hours_per_period": 2600,
            "ramp_up": {
                "start": month(5),
                "pilot_rate": 200,
                "full_rate": 1100,
                "ramp_periods": 5,
                "learning_rate": 0.8,
            },
        },
        {
            "id": "NO-RAU-1",
            "site": "NO-RAUFOSS",
            "hours_per_period": 1400,
            "ramp_up": {
                "start": month(3),
                "pilot_rate": 60,
                "full_rate": 900,
                "ramp_periods": 12,
                "learning_rate": 0.85,
            },
        },
    ]
    destinations = [
        {"id": "UA-DEPOT-W", "partner": "UA-MOD", "country": "UA", "name": "Western depot"},
        {"id": "UA-DEPOT-E", "partner": "UA-MOD", "country": "UA", "name": "Eastern depot"},
    ]
    components = [
        {"id": "MOTOR-2807", "name": "Brushless motor 2807", "holding_cost": 0.3},
        {"id": "ESC-4IN1", "name": "4-in-1 ESC 60 A", "holding_cost": 0.4},
        {
            "id": "FC-H7",
            "name": "Flight controller H7 (design authority only)",
            "holding_cost": 0.8,
            # the design authority keeps it: no licensee plant may receive or build with it
            "export_control": {"classification": "ML11.a", "partners": ["UA-DB"]},
        },
        {"id": "FC-H7R2", "name": "Flight controller H7 rev 2", "holding_cost": 0.8},
        {
            "id": "FC-F7",
            "name": "Flight controller F7 (assembly, built in Kyiv)",
            "holding_cost": 0.2,
            "bom": bom(("FC-PCB-F7", 1, 0.97), ("MCU-F7", 1), ("IMU-6AX", 1)),
        },
        {"id": "FC-PCB-F7", "name": "Flight controller board F7, bare", "holding_cost": 0.05},
        {"id": "MCU-F7", "name": "Microcontroller F7", "holding_cost": 0.05},
        {"id": "IMU-6AX", "name": "6-axis inertial sensor", "holding_cost": 0.02},
        {"id": "RX-B1", "name": "Radio receiver, band 1", "holding_cost": 0.1},
        {"id": "RX-B2", "name": "Radio receiver, band 2", "holding_cost": 0.1},
        {"id": "ANT-B2", "name": "Antenna pair, band 2", "holding_cost": 0.05},
        {"id": "CAM-DAY", "name": "Day camera", "holding_cost": 0.1},
        {"id": "CAM-THERMAL", "name": "Thermal camera", "holding_cost": 3.0},
        {"id": "VTX-58", "name": "Video transmitter", "holding_cost": 0.1},
        {"id": "BATT-6S", "name": "6S battery pack and strap", "holding_cost": 0.6},
        {"id": "PROP-7", "name": "7-inch propeller", "holding_cost": 0.01},
        {"id": "PROP-10", "name": "10-inch propeller", "holding_cost": 0.01},
        {"id": "PLATE-CF", "name": "Carbon plate", "holding_cost": 0.05},
        {"id": "ARM-CF", "name": "Carbon arm", "holding_cost": 0.03},
        {"id": "STANDOFFS", "name": "Standoffs and fasteners", "holding_cost": 0.01},
        {"id": "PAYLOAD-IF", "name": "Generic payload interface", "holding_cost": 0.1},
        {
            "id": "FRAME-7",
            "name": "Interceptor frame (assembly)",
            "bom": bom(("PLATE-CF", 2, 0.98), ("ARM-CF", 4, 0.97), ("STANDOFFS", 1)),
        },
        {
            "id": "FRAME-10",
            "name": "10-inch frame (assembly)",
            "bom": bom(("PLATE-CF", 2, 0.98), ("ARM-CF", 4, 0.97), ("STANDOFFS", 1)),
        },
        {
            "id": "PROPSET-7",
            "name": "Propeller set, 4 + 4 spares (assembly)",
            "bom": bom(("PROP-7", 8, 0.95)),
        },
    ]
    interceptor_r1 = bom(
        ("FRAME-7", 1),
        ("MOTOR-2807", 4, 0.98),
        ("ESC-4IN1", 1),
        ("FC-H7", 1),
        ("RX-B1", 1),
        ("CAM-THERMAL", 1),
        ("VTX-58", 1),
        ("BATT-6S", 1),
        ("PROPSET-7", 1),
        ("PAYLOAD-IF", 1),
    )
    interceptor_r2 = [dict(b, item="FC-H7R2") if b["item"] == "FC-H7" else b for b in interceptor_r1]
    designs = [
        {
            "id": "INT-1",
            "name": "Interceptor",
            "owner": "UA-DB",
            "holding_cost": 25,
            "revisions": [
                {"revision": 1, "effective_from": month(0), "bom": interceptor_r1},
                {
                    "revision": 2,
                    "effective_from": month(8),
                    "bom": interceptor_r2,
                    "note": "flight controller rev 2 after field data",
                },
            ],
            "variants": [
                {
                    "id": "INT-1-B2",
                    "name": "Interceptor, band 2",
                    "replace": [{"from": "RX-B1", "to": "RX-B2"}],
                    "add": [{"item": "ANT-B2", "qty": 1}],
                }
            ],
        },
        {
            "id": "FPV-10",
            "name": "10-inch FPV quadcopter",
            "owner": "UA-DB",
            "holding_cost": 3,
            "revisions": [
                {
                    "revision": 1,
                    "effective_from": month(0),
                    "bom": bom(
                        ("FRAME-10", 1),
                        ("MOTOR-2807", 4, 0.98),
                        ("ESC-4IN1", 1),
                        ("FC-F7", 1),
                        ("RX-B1", 1),
                        ("CAM-DAY", 1),
                        ("VTX-58", 1),
                        ("BATT-6S", 1),
                        ("PROP-10", 8, 0.95),
                        ("PAYLOAD-IF", 1),
                    ),
                }
            ],
            "variants": [
                {
                    "id": "FPV-10-B2",
                    "name": "10-inch FPV, band 2",
                    "replace": [{"from": "RX-B1", "to": "RX-B2"}],
                    "add": [{"item": "ANT-B2", "qty": 1}],
                }
            ],
        },
    ]
    routings = [
        # a sub-assembly built on a line: FC-F7 is usable a month after it is started
        {"design": "FC-F7", "line": "UA-KYIV-FC", "hours_per_unit": 0.15, "cost_per_unit": 6, "lead_time": 1},
        {"design": "INT-1", "line": "UA-KYIV-1", "hours_per_unit": 2.0, "cost_per_unit": 60},
        {"design": "FPV-10", "line": "UA-KYIV-1", "hours_per_unit": 1.0, "cost_per_unit": 25},
        {"design": "FPV-10", "line": "UA-LVIV-1", "hours_per_unit": 1.1, "cost_per_unit": 25},
        {"design": "INT-1", "line": "UK-MID-1", "hours_per_unit": 2.2, "cost_per_unit": 140},
        {"design": "INT-1", "line": "UK-MID-2", "hours_per_unit": 2.2, "cost_per_unit": 140},
        # the Norwegian plant's costs are in kroner (about EUR 70 and 160 at the 2026 rate)
        {
            "design": "FPV-10",
            "line": "NO-RAU-1",
            "hours_per_unit": 1.4,
            "cost_per_unit": 820,
            "currency": "NOK",
        },
        {
            "design": "INT-1",
            "line": "NO-RAU-1",
            "hours_per_unit": 2.6,
            "cost_per_unit": 1900,
            "currency": "NOK",
        },
    ]
    licences = [
        {
            "id": "LIC-UK-INT1-B1",
            "licensor": "UA-DB",
            "licensee": "UK-MFG",
            "design": "INT-1",
            "valid_from": month(2),
            "valid_to": "2026-05-31",
            "cap_per_period": 330,
            "royalty_per_unit": 260,
            "currency": "GBP",
        },
        {
            "id": "LIC-UK-INT1",
            "licensor": "UA-DB",
            "licensee": "UK-MFG",
            "design": "INT-1",
            "valid_from": month(6),
            "cap_per_period": 2000,
            "royalty_per_unit": 220,
            "currency": "GBP",
        },
        {
            "id": "LIC-NO-FPV10",
            "licensor": "UA-DB",
            "licensee": "NO-MFG",
            "design": "FPV-10",
            "valid_from": month(3),
            "cap_per_period": 800,
            "royalty_per_unit": 20,
        },
        {
            "id": "LIC-NO-INT1",
            "licensor": "UA-DB",
            "licensee": "NO-MFG",
            "design": "INT-1",
            "valid_from": month(9),
            "cap_per_period": 300,
            "royalty_per_unit": 300,
        },
    ]
    site_ids = [s["id"] for s in sites]
    offers: list[dict[str, Any]] = []

    def offer(
        comp: str,
        supplier: str,
        site: str,
        lead: int,
        cap: int,
        price: float,
        minimum: int = 0,
        currency: str | None = None,
    ) -> None:
        offers.append(
            {
                "id": f"{comp}/{supplier}/{site}",
                "component": comp,
                "supplier": supplier,
                "ship_to": site,
                "lead_time": lead,
                "capacity_per_period": cap,
                "unit_price": price,
                "min_order": minimum,
                **({"currency": currency} if currency else {}),
            }
        )

    for site in site_ids:
        big = site in ("UA-KYIV", "UK-MIDLANDS")
        offer("MOTOR-2807", "AS-MOTORS", site, 4, 14000 if big else 5000, 28, 2000)
        offer("MOTOR-2807", "EU-MOTORS", site, 1, 1500, 55)
        offer("BATT-6S", "EU-CELLS", site, 6, 4000 if big else 1500, 70, 500)
        offer("ESC-4IN1", "UA-DB", site, 1, 4000 if big else 3000, 45)
        offer("CAM-DAY", "EU-OPTICS", site, 2, 5000, 35)
        offer("CAM-THERMAL", "EU-OPTICS", site, 3, 1400 if big else 300, 900, 100)
        offer("VTX-58", "EU-OPTICS", site, 2, 8000, 30)
        for comp, price in (("RX-B1", 15), ("RX-B2", 17), ("ANT-B2", 4)):
            offer(comp, "EU-OPTICS", site, 1, 8000, price)
        for comp, price in (
            ("PLATE-CF", 8),
            ("ARM-CF", 5),
            ("STANDOFFS", 3),
            ("PROP-7", 2),
            ("PROP-10", 3),
            ("PAYLOAD-IF", 20),
        ):
            offer(comp, "EU-PARTS", site, 1, 40000, price)
        if site.startswith("UA-"):  # the design authority's own workshops buy them
            if site == "UA-KYIV":  # Kyiv builds its FC-F7 (and sends it to the licensees)
                offer("FC-PCB-F7", "EU-PARTS", site, 1, 20000, 14)
                offer("MCU-F7", "EU-PARTS", site, 1, 20000, 20)
                offer("IMU-6AX", "EU-OPTICS", site, 1, 20000, 6)
            else:
                offer("FC-F7", "UA-DB", site, 1, 6000, 60)
            offer("FC-H7", "UA-DB", site, 1, 1600 if big else 400, 260)
            offer("FC-H7R2", "UA-DB", site, 1, 4800 if big else 400, 280)
    # The licensees get their flight controllers from the design authority's Kyiv plant by
    # transfer (FC-H7 is on the lane too, but export control keeps it in Ukraine).
    flight_controllers = ["FC-F7", "FC-H7", "FC-H7R2"]
    transfers = [
        {
            "id": "KYIV-UK-FC",
            "from_site": "UA-KYIV",
            "to": "UK-MIDLANDS",
            "lead_time": 1,
            "cost_per_unit": 6,
            "capacity_per_period": 3000,
            "items": flight_controllers,
        },
        {
            "id": "KYIV-NO-FC",
            "from_site": "UA-KYIV",
            "to": "NO-RAUFOSS",
            "lead_time": 1,
            "cost_per_unit": 5,
            "capacity_per_period": 800,
            "items": flight_controllers,
        },
    ]
    # A Norwegian pack maker for the Norwegian plant, priced in kroner: NOK 800 is EUR 68 at
    # the January 2026 rate, cheaper than the Polish packs (EUR 70) until the krone firms.
    offer("BATT-6S", "NO-CELLS", "NO-RAUFOSS", 2, 600, 800, 100, currency="NOK")
    lanes = [
        {
            "id": "KYIV-E",
            "from_site": "UA-KYIV",
            "to": "UA-DEPOT-E",
            "lead_time": 0,
            "cost_per_unit": 4,
        },
        {
            "id": "KYIV-W",
            "from_site": "UA-KYIV",
            "to": "UA-DEPOT-W",
            "lead_time": 0,
            "cost_per_unit": 4,
        },
        {
            "id": "LVIV-W",
            "from_site": "UA-LVIV",
            "to": "UA-DEPOT-W",
            "lead_time": 0,
            "cost_per_unit": 3,
        },
        {
            "id": "LVIV-E",
            "from_site": "UA-LVIV",
            "to": "UA-DEPOT-E",
            "lead_time": 1,
            "cost_per_unit": 6,
        },
        {
            "id": "UK-W",
            "from_site": "UK-MIDLANDS",
            "to": "UA-DEPOT-W",
            "lead_time": 1,
            "cost_per_unit": 35,
        },
        {
            "id": "UK-E",
            "from_site": "UK-MIDLANDS",
            "to": "UA-DEPOT-E",
            "lead_time": 1,
            "cost_per_unit": 40,
        },
        {
            "id": "NO-W",
            "from_site": "NO-RAUFOSS",
            "to": "UA-DEPOT-W",
            "lead_time": 1,
            "cost_per_unit": 30,
        },
        {
            "id": "NO-E",
            "from_site": "NO-RAUFOSS",
            "to": "UA-DEPOT-E",
            "lead_time": 1,
            "cost_per_unit": 36,
        },
        *transfers,
    ]
    stock = [
        {"site": "UA-KYIV", "item": "MOTOR-2807", "quantity": 30000},
        {"site": "UA-KYIV", "item": "BATT-6S", "quantity": 14000},
        {"site": "UA-KYIV", "item": "CAM-THERMAL", "quantity": 1500},
        {"site": "UA-LVIV", "item": "MOTOR-2807", "quantity": 20000},
        {"site": "UA-LVIV", "item": "BATT-6S", "quantity": 12000},
        {"site": "UK-MIDLANDS", "item": "MOTOR-2807", "quantity": 6000},
        {"site": "UK-MIDLANDS", "item": "BATT-6S", "quantity": 3000},
        {"site": "NO-RAUFOSS", "item": "BATT-6S", "quantity": 800},
        *[
            {"site": site, "item": item, "quantity": qty * scale}
            for site, scale in (("UA-KYIV", 2), ("UA-LVIV", 1))
            for item, qty in (
                ("ESC-4IN1", 1000),
                ("FC-H7", 400),
                ("FC-F7", 800),
                ("RX-B1", 1200),
                ("RX-B2", 800),
                ("ANT-B2", 800),
                ("CAM-DAY", 800),
                ("VTX-58", 1600),
                ("PLATE-CF", 3000),
                ("ARM-CF", 6000),
                ("STANDOFFS", 1500),
                ("PROP-7", 5000),
                ("PROP-10", 8000),
                ("PAYLOAD-IF", 1600),
            )
        ],
        {"site": "UA-KYIV", "item": "INT-1", "quantity": 120},
        {"site": "UA-LVIV", "item": "FPV-10", "quantity": 400},
    ]
    requirements = []
    n = 0
    for t in range(MONTHS):
        # Interceptors: ~900 a month at first, 2,600 a month from month 7 (UK ramping to 2,000).
        interceptors = 900 if t < 3 else (1400 if t < 6 else 2600)
        fpv = 3600 if t < 9 else 4200
        for item, qty, dest, prio in (
            ("INT-1", interceptors * 6 // 10, "UA-DEPOT-E", 1),
            ("INT-1-B2", interceptors * 4 // 10, "UA-DEPOT-W", 1 if t < 6 else 2),
            ("FPV-10", fpv * 6 // 10, "UA-DEPOT-E", 2),
            ("FPV-10-B2", fpv * 4 // 10, "UA-DEPOT-W", 3),
        ):
            n += 1
            requirements.append(
                {
                    "id": f"R{n:03d}",
                    "customer": "UA-MOD",
                    "destination": dest,
                    "item": item,
                    "quantity": qty,
                    "due": month(t),
                    "priority": prio,
                }
            )
    return {
        "settings": {
            "name": "UA-UK-NO interceptor and FPV co-production",
            "currency": "EUR",
            "priority_weights": {1: 4.0, 2: 2.0, 3: 1.0},
        },
        "calendar": {"start": START.isoformat(), "periods": MONTHS, "granularity": "month"},
        "partners": partners,
        "sites": sites,
        "lines": lines,
        "destinations": destinations,
        "components": components,
        "designs": designs,
        "routings": routings,
        "licences": licences,
        "supply_offers": offers,
        "lanes": lanes,
        "stock": stock,
        "requirements": requirements,
        "exchange_rates": EXCHANGE_RATES,
    }


def demand_shift(data: dict[str, Any]) -> dict[str, Any]:
    """The customer moves 30 % of band-1 FPV demand from month 7 on to band 2."""
    out = dict(data, requirements=[dict(r) for r in data["requirements"]])
    by_key = {(r["item"], r["due"]): r for r in out["requirements"]}
    for r in out["requirements"]:
        if r["item"] == "FPV-10" and r["due"] >= month(6):
            moved = r["quantity"] * 3 // 10
            r["quantity"] -= moved
            by_key[("FPV-10-B2", r["due"])]["quantity"] += moved
    out["settings"] = dict(out["settings"], name=out["settings"]["name"] + " / demand shift to band 2")
    return out


def supplier_delay(data: dict[str, Any]) -> dict[str, Any]:
    """The Asian motor maker slips: lead time 4 -> 6 months and capacity cut by a third."""
    offers = []
    for o in data["supply_offers"]:
        slipped = o["supplier"] == "AS-MOTORS"
        cap = o["capacity_per_period"] * 2 // 3 if slipped else o["capacity_per_period"]
        offers.append(dict(o, lead_time=6, capacity_per_period=cap) if slipped else o)
    return dict(
        data,
        supply_offers=offers,
        settings=dict(data["settings"], name=data["settings"]["name"] + " / motor supplier delay"),
    )


HEADER = """# Example programme for coprod: a Ukrainian design authority (UA-DB) with two domestic
# workshops, a British plant licensed for ~2,000 interceptors a month after a first batch of
# up to 1,000 (330 a month for three months), and a Norwegian pilot line from April 2026.
# Figures from public reporting (see ../shared/FACTS.md in the project notes); components
# are generic. Prices are in euros unless a record names its currency (the Norwegian plant's
# costs and a Norwegian pack maker in NOK, the British licences' royalties in GBP); the rates
# in exchange_rates are illustrative. Regenerate with: python examples/build_example.py
"""


def write(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = dump_yaml(Programme.model_validate(data))
    path.write_text(HEADER + "\n" + text, encoding="utf-8")


if __name__ == "__main__":
    base = programme()
    write(base, HERE / "uk-ua-interceptors.yaml")
    write(demand_shift(base), HERE / "changes" / "demand-shift-band2.yaml")
    write(supplier_delay(base), HERE / "changes" / "motor-supplier-delay.yaml")
