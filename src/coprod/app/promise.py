"""Order promising on a stored programme: quote a new requirement against the latest plan,
and on `commit` add it as requirements with the promised schedule (docs/promise.md).

Who may: Action.PROMISE; a principal who cannot read a destination (a customer asking for
another's) is refused. Commit writes requirements, so it needs write rights on them (the
record store checks, validates and audits each, and raises the programme's version); the
quote carries the programme version it was made on, and a commit against another version
is refused (409).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from coprod.access import Action, Principal
from coprod.app.database import Tx
from coprod.app.plan_jobs import fingerprint, options_from_json
from coprod.app.plans import _head, _result, validated
from coprod.errors import Conflict, Forbidden, InputError, NotFound
from coprod.planning.promise import PromiseRequest
from coprod.planning.result import Plan
from coprod.storage.records import RecordStore

__all__ = ["PromiseRequest", "parse_due", "promise"]


def parse_due(text: str | None, field: str = "due") -> dt.date | None:
    if text is None or text == "":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{field}: '{text}' is not a date (YYYY-MM-DD)") from None


def promise(
    tx: Tx,
    who: Principal,
    programme: str,
    req: PromiseRequest,
    commit: bool = False,
    version: int | None = None,
    alternatives: bool = True,
) -> dict[str, Any]:
    """The quote for `req` (JSON-ready), committed as requirements when `commit`."""
    from coprod.planning.promise import check_request, quote

    started = time.perf_counter()
    who.require(Action.PROMISE, "promise orders")
    records = RecordStore(tx)
    row = records.programme(programme)
    raw = records.raw_data(row)  # read once: the programme, and the fingerprint below
    p = validated(records, row, raw)
    check_request(p, req)
    dest = next(d for d in p.destinations if d.id == req.destination)
    if not who.can_read("destinations", dest.partner, None):
        raise Forbidden(
            f"destination: '{req.destination}' is not one of partner '{who.partner}''s destinations"
        )
    if req.customer and req.customer != dest.partner:
        raise InputError(f"customer: '{req.customer}' does not receive at destination '{req.destination}'")
    if version is not None and version != row.version:
        raise Conflict(
            f"version: the programme is at version {row.version}, the quote was on {version}; quote again"
        )
    latest = _head(tx, row, None)
    if latest is None:
        raise NotFound(
            f"programme '{programme}' has no finished plan yet (run coprod plan --programme {programme})"
        )
    # a plan of an older version of the programme still quotes, but the floors it holds
    # are of that version: say so (re-plan for a quote of the programme as it is)
    current = latest.fingerprint == fingerprint(raw, latest.options or {})
    loaded = time.perf_counter() - started
    base = Plan.from_dict(_result(latest))
    options = options_from_json(latest.options)
    result = quote(p, base, req, options, alternatives=alternatives)
    result.pop("_plan")
    result["timings"]["load_s"] = loaded
    result["plan"] = latest.number
    result["plan_current"] = current
    result["programme_version"] = row.version
    result["committed"] = []
    _scope(who, p, result)
    if commit:
        result["committed"] = _commit(records, row, who, result)
        result["programme_version_after"] = row.version
    result["timings"]["total_s"] = time.perf_counter() - started
    return result


def _scope(who: Principal, p: Any, result: dict[str, Any]) -> None:
    """A principal who cannot read every requirement sees only its own among those a
    top-priority order would cost, with the total units the others would lose."""
    top = result["alternatives"].get("top_priority")
    if top is None or who.sees_everything:
        return
    by_id = {r.id: r for r in p.requirements}
    own = [
        x for x in top["costs_others"] if who.can_read("requirements", by_id[x["requirement"]].customer, None)
    ]
    top["others_lost_units"] = sum(x["lost"] for x in top["costs_others"] if x not in own)
    top["costs_others"] = own
    result["kept"]["dropped"] = [
        x
        for x in result["kept"]["dropped"]
        if who.can_read("requirements", by_id[x["requirement"]].customer, None)
    ]


def _commit(records: RecordStore, row: Any, who: Principal, result: dict[str, Any]) -> list[dict[str, Any]]:
    """One requirement per promised delivery: `ID` when the schedule is one delivery, else
    `ID-1`, `ID-2`, ... (due in its period, the quantity of that delivery)."""
    rq = result["requirement"]
    sched = result["quote"]["schedule"]
    if not sched:
        raise InputError(
            "quantity: nothing can be delivered within the horizon, there is no schedule to commit"
        )
    made = []
    for k, d in enumerate(sched, 1):
        data = {
            **rq,
            "id": rq["id"] if len(sched) == 1 else f"{rq['id']}-{k}",
            "quantity": d["quantity"],
            "due": d["period"],
        }
        records.create(row, "requirements", data, who)
        made.append(data)
    return made
