"""Scenarios and risk of a stored programme, for the browser.

A comparison plans the stored programme and each chosen change set (at most MAX_SCENARIOS,
so it is a bounded synchronous run: a few plans of the programme). A risk sweep is a job
in this process: started, polled for its progress (samples done of samples asked), read
when done; at most MAX_SAMPLES samples, one sweep per user at a time. Both plan the whole
programme, so both need the right to start plans."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from coprod.access import Action, Principal
from coprod.app.database import Tx
from coprod.app.programmes import stored_programme
from coprod.domain import Programme
from coprod.errors import InputError, NotFound, Problem, ProgrammeInvalid

__all__ = [
    "MAX_SAMPLES",
    "MAX_SCENARIOS",
    "RiskJob",
    "compare_stored",
    "risk_job",
    "start_risk",
    "suggested_change_sets",
    "suggested_uncertainty",
]

MAX_SCENARIOS = 3
MAX_SAMPLES = 200


def _yaml(text: str, origin: str) -> Any:
    from coprod.io.yaml_loader import YamlSyntaxError, parse_yaml

    try:
        return parse_yaml(text)
    except YamlSyntaxError as exc:
        raise ProgrammeInvalid([Problem(origin, exc.where, "", f"YAML syntax error: {exc.problem}")]) from exc


def _validated(model: Any, data: Any, origin: str) -> Any:
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ProgrammeInvalid(
            [Problem(origin, ".".join(str(x) for x in e["loc"][:2]), "", e["msg"]) for e in exc.errors()]
        ) from exc


def suggested_change_sets(p: Programme) -> list[tuple[str, str]]:
    """Change sets to start from, written for this programme (names, YAML)."""
    out = []
    ramped = [ln for ln in p.lines if ln.ramp_up is not None]
    if ramped:
        ln = ramped[0]
        out.append(
            (
                f"{ln.id} ramp-up 2 periods late",
                f"changes:\n  - {{type: ramp_delay, line: {ln.id}, periods: 2}}\n",
            )
        )
    if p.lines:
        ln = max(p.lines, key=lambda x: x.hours_per_period)
        start = p.calendar.label(min(3, p.calendar.periods - 1))
        extra = round(ln.hours_per_period / 2)
        out.append(
            (
                f"second shift on {ln.id}",
                f"changes:\n  - {{type: add_shift, line: {ln.id}, hours: {extra}, from_date: {start}}}\n",
            )
        )
    if p.supply_offers:
        off = max(p.supply_offers, key=lambda o: o.capacity_per_period)
        until = p.calendar.label(min(4, p.calendar.periods - 1))
        out.append(
            (
                f"{off.supplier} slips to {until}",
                f"changes:\n  - {{type: supplier_delay, offer: {off.id}, until: {until}}}\n",
            )
        )
    if len(p.sites) > 1:
        site = p.sites[-1]
        out.append((f"without {site.id}", f"changes:\n  - {{type: drop_site, site: {site.id}}}\n"))
    return out


def _change_set(base: Programme, name: str, text: str) -> tuple[str, Programme]:
    from coprod.domain.changes import ChangeSet, apply_changes, check_changes

    origin = f"change set '{name}'"
    data = _yaml(text, origin)
    if not isinstance(data, dict) or "changes" not in data:
        raise ProgrammeInvalid([Problem(origin, "", "changes", "expected a mapping with a list of changes")])
    changes = _validated(ChangeSet, {"name": name, **data}, origin)
    findings = check_changes(base, changes)
    if findings:
        raise ProgrammeInvalid(
            [Problem(origin, f"changes[{f.index}] ({f.key})", f.field, f.message) for f in findings]
        )
    return changes.name or name, apply_changes(base, changes)


def compare_stored(tx: Tx, who: Principal, programme: str, chosen: list[tuple[str, str]]) -> Any:
    """Plan the stored programme and each change set (name, YAML): the Comparison."""
    from coprod.scenarios import compare

    who.require(Action.START_PLAN, "run scenarios")
    if not chosen:
        raise InputError("pick at least one change set")
    if len(chosen) > MAX_SCENARIOS:
        raise InputError(f"compare at most {MAX_SCENARIOS} change sets at once")
    base = stored_programme(tx, programme)
    loaded = [_change_set(base, name, text) for name, text in chosen]
    return compare(base, loaded, base_name="as stored")


def suggested_uncertainty(p: Programme) -> str:
    """An uncertainty spec to start from: each ramped line late by up to two periods, and
    yield between 90 and 100 %."""
    lines = [
        f"  - {{type: ramp_delay, line: {ln.id}, periods: {{uniform_int: [0, 2]}}}}"
        for ln in p.lines
        if ln.ramp_up
    ]
    factors = "\n".join([*lines, "  - {type: yield, factor: {uniform: [0.9, 1.0]}}"])
    design = p.designs[0].id if p.designs else "ITEM"
    by = p.calendar.label(p.calendar.periods // 2)
    return f"target: {{item: {design}, rate: 1000, by: {by}, measure: production}}\nfactors:\n{factors}\n"


@dataclass
class RiskJob:
    id: str
    username: str
    programme: str
    total: int
    done: int = 0
    status: str = "running"  # running | done | failed
    error: str | None = None
    result: dict[str, Any] | None = field(default=None, repr=False)


_JOBS: dict[str, RiskJob] = {}
_LOCK = threading.Lock()


def start_risk(tx: Tx, who: Principal, programme: str, spec_text: str, n: int, seed: int | None) -> RiskJob:
    """Check the spec, then sweep in a thread of this process; poll with `risk_job`."""
    from coprod.scenarios.uncertainty import Uncertainty, check_uncertainty

    who.require(Action.START_PLAN, "run risk sweeps")
    if not 1 <= n <= MAX_SAMPLES:
        raise InputError(f"samples: 1 to {MAX_SAMPLES}")
    base = stored_programme(tx, programme)
    data = _yaml(spec_text, "uncertainty")
    if not isinstance(data, dict):
        raise ProgrammeInvalid([Problem("uncertainty", "", "", "expected a mapping with factors")])
    spec = _validated(Uncertainty, data, "uncertainty")
    findings = check_uncertainty(base, spec)
    if findings:
        raise ProgrammeInvalid(
            [
                Problem(
                    "uncertainty", f.section + (f"[{f.index}]" if f.index >= 0 else ""), f.field, f.message
                )
                for f in findings
            ]
        )
    with _LOCK:
        if any(j.username == who.username and j.status == "running" for j in _JOBS.values()):
            raise InputError("a sweep of yours is running: wait for it to finish")
        job = RiskJob(uuid.uuid4().hex, who.username, programme, n)
        _JOBS[job.id] = job
    threading.Thread(target=_sweep, args=(job, base, spec, seed), name="coprod-risk", daemon=True).start()
    return job


def _sweep(job: RiskJob, base: Programme, spec: Any, seed: int | None) -> None:
    from coprod.scenarios.risk import run_risk

    def tick() -> None:
        job.done += 1

    try:
        job.result = run_risk(base, spec, job.total, seed, progress=tick).to_dict()
        job.status = "done"
    except Exception as exc:  # shown on the page; a sweep never hangs as running
        job.status, job.error = "failed", str(exc)


def risk_job(who: Principal, job_id: str) -> RiskJob:
    job = _JOBS.get(job_id)
    if job is None or job.username != who.username:
        raise NotFound("no such risk sweep (sweeps are kept until the server restarts)")
    return job
