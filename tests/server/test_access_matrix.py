"""Every record type x every role x another partner's record: what may be read and written.

Documented rule (docs/access.md): reading a record one may not see answers 404 (its
existence is not revealed), listing a type one may not read at all answers 403, writing a
type one may not write answers 403, writing another partner's record one can see answers
403, and one cannot see answers 404. Allowed reads and writes succeed.
"""

from __future__ import annotations

from typing import Any

import pytest

from coprod.access import SECTIONS, Mode, Role
from tests.access_doc import table
from tests.server.conftest import USERS, Api

BASE = "/programmes/example"
ROLE_OF = {u: (p, Role(r)) for u, p, r in USERS}
# What the server must answer, read from docs/access.md (not from access.RULES), so a wrong
# rule in the code fails here.
DOCUMENTED = table("Records")
MODES = {"all": Mode.ALL, "read": Mode.READ, "own": Mode.OWN, "read own": Mode.READ_OWN, "": None}


def _others(po: Api, section: str, partner: str) -> dict[str, Any]:
    """A record of `section` neither owned by nor shared with `partner`."""
    items = po.get(f"{BASE}/{section}", params={"limit": 1000}).json()["items"]
    for item in items:
        full = po.get(f"{BASE}/{section}/{item['key']}").json()
        shared_with = {full["partner"]}
        data = full["data"]
        shared_with |= {data.get("licensee"), data.get("ship_to_partner")}
        if partner not in shared_with and not _party_is(po, section, data, partner):
            return full
    raise AssertionError(f"no {section} record foreign to {partner}")


def _party_is(po: Api, section: str, data: dict[str, Any], partner: str) -> bool:
    if section == "supply_offers":
        site = po.get(f"{BASE}/sites/{data['ship_to']}").json()
        return bool(site["data"]["partner"] == partner)
    return False


@pytest.mark.parametrize("username", [u for u, _, _ in USERS])
@pytest.mark.parametrize("section", SECTIONS)
def test_matrix(api: dict[str, Api], username: str, section: str) -> None:
    partner, role = ROLE_OF[username]
    mode = MODES[DOCUMENTED[section][role.value]]
    po, me = api["po"], api[username]
    other = _others(po, section, partner)
    key, path = other["key"], f"{BASE}/{section}/{other['key']}"

    listing = me.get(f"{BASE}/{section}", params={"limit": 1000})
    if mode is None:
        assert listing.status_code == 403
    else:
        assert listing.status_code == 200
        keys = {i["key"] for i in listing.json()["items"]}
        assert (key in keys) == (mode in (Mode.ALL, Mode.READ))

    read = me.get(path)
    assert read.status_code == (200 if mode in (Mode.ALL, Mode.READ) else 404)

    write = me.put(path, json={"version": other["version"], "data": other["data"]})
    if mode is Mode.ALL:
        assert write.status_code == 200  # same data: an allowed no-op write
    elif mode is Mode.READ:
        assert write.status_code == 403
    else:
        assert write.status_code == 404
    if mode is not Mode.ALL:  # (an allowed delete would remove data other tests use)
        current = po.get(path).json()
        deleted = me.delete(path, params={"version": current["version"]})
        assert deleted.status_code == (403 if mode is Mode.READ else 404)
        assert po.get(path).status_code == 200  # still there


OWN_WRITES = [  # (user, section, key): a record of the user's own partner they may change
    ("planner_uk", "lines", "UK-MID-1"),
    ("planner_no", "stock", "BATT-6S@NO-RAUFOSS"),
    ("supplier", "supply_offers", "MOTOR-2807/AS-MOTORS/UK-MIDLANDS"),
    ("customer", "requirements", "R001"),
    ("da", "designs", "INT-1"),
    ("da", "licences", "LIC-NO-FPV10"),
]


@pytest.mark.parametrize(("username", "section", "key"), OWN_WRITES)
def test_own_records_can_be_changed(api: dict[str, Api], username: str, section: str, key: str) -> None:
    me = api[username]
    rec = me.get(f"{BASE}/{section}/{key}")
    assert rec.status_code == 200
    body = rec.json()
    r = me.put(f"{BASE}/{section}/{key}", json={"version": body["version"], "data": body["data"]})
    assert r.status_code == 200 and r.json()["version"] == body["version"] + 1


def test_a_record_cannot_be_created_for_or_handed_to_another_partner(api: dict[str, Api]) -> None:
    uk = api["planner_uk"]
    line = {"id": "NO-RAU-9", "site": "NO-RAUFOSS", "hours_per_period": 100}
    assert uk.post(f"{BASE}/lines", json={"data": line}).status_code == 403
    mine = uk.get(f"{BASE}/lines/UK-MID-2").json()
    moved = {**mine["data"], "site": "NO-RAUFOSS"}
    assert (
        uk.put(f"{BASE}/lines/UK-MID-2", json={"version": mine["version"], "data": moved}).status_code == 403
    )
    own = {"id": "UK-MID-9", "site": "UK-MIDLANDS", "hours_per_period": 100}
    assert uk.post(f"{BASE}/lines", json={"data": own}).status_code == 201


def test_licensee_reads_its_licence_and_site_planner_reads_offers_to_its_sites(api: dict[str, Api]) -> None:
    uk = api["planner_uk"]
    licences = {i["key"] for i in uk.get(f"{BASE}/licences").json()["items"]}
    assert licences == {"LIC-UK-INT1-B1", "LIC-UK-INT1", "LIC-UK-SCOUT"}  # the licences UK-MFG holds
    offers = uk.get(f"{BASE}/supply_offers", params={"limit": 1000}).json()["items"]
    assert offers and all(o["data"]["ship_to"] == "UK-MIDLANDS" for o in offers)
    lic = uk.get(f"{BASE}/licences/LIC-UK-INT1").json()
    assert (
        uk.put(
            f"{BASE}/licences/LIC-UK-INT1", json={"version": lic["version"], "data": lic["data"]}
        ).status_code
        == 403
    )
