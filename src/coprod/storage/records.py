"""Programmes and their records in the database: import, export, and scoped CRUD.

Every write validates the whole programme as it would be after the write (the same rules
as a file: unknown references, duplicates, cycles, ...), checks the record's version, and
writes an audit entry, all in the caller's transaction: either everything lands or nothing.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from coprod.access import SECTIONS, Principal, owner_and_party
from coprod.domain import Programme
from coprod.domain.programme import Settings
from coprod.errors import Conflict, Forbidden, NotFound, Problem, ProgrammeInvalid
from coprod.io import validate_raw
from coprod.io.raw import RawProgramme
from coprod.storage.tables import AuditEntry, ProgrammeRow, Record

__all__ = ["SECTION_MODELS", "RecordStore", "record_key"]

_PROGRAMME_FIELDS = Programme.model_fields
SECTION_MODELS: dict[str, type[BaseModel]] = {
    s: _PROGRAMME_FIELDS[s].annotation.__args__[0]  # type: ignore[union-attr]
    for s in SECTIONS
}
COMPOSITE = {"stock": ("item", "site"), "routings": ("design", "line")}


def record_key(section: str, data: dict[str, Any]) -> str:
    if section in COMPOSITE:
        return "@".join(str(data.get(k, "")) for k in COMPOSITE[section])
    return str(data.get("id", ""))


def _json(model: BaseModel) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return data


class RecordStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ---- programmes --------------------------------------------------------------------
    def programme(self, name: str) -> ProgrammeRow:
        row = self.session.scalar(select(ProgrammeRow).where(ProgrammeRow.name == name))
        if row is None:
            raise NotFound(f"no programme named '{name}'")
        return row

    def programmes(self) -> list[ProgrammeRow]:
        return list(self.session.scalars(select(ProgrammeRow).order_by(ProgrammeRow.name)))

    def import_programme(
        self, programme: Programme, name: str, username: str, replace: bool = False
    ) -> ProgrammeRow:
        existing = self.session.scalar(select(ProgrammeRow).where(ProgrammeRow.name == name))
        if existing is not None:
            if not replace:
                raise Conflict(f"a programme named '{name}' exists; use replace to overwrite it")
            # Replace the records, keep the programme (and its plan versions and audit trail).
            self.session.execute(delete(Record).where(Record.programme_id == existing.id))
            existing.settings, existing.calendar = _json(programme.settings), _json(programme.calendar)
            existing.version += 1
            row = existing
        else:
            row = ProgrammeRow(
                name=name, settings=_json(programme.settings), calendar=_json(programme.calendar)
            )
            self.session.add(row)
        self.session.flush()
        sites, lines = self._site_maps(programme)
        plain = programme.model_dump(mode="json", by_alias=True)
        records = []
        for section in SECTIONS:
            for position, data in enumerate(plain[section]):
                owner, party = owner_and_party(section, data, sites, lines)
                records.append(
                    Record(
                        programme_id=row.id,
                        section=section,
                        key=record_key(section, data),
                        position=position,
                        partner=owner,
                        party=party,
                        data=data,
                        version=1,
                    )
                )
        self.session.add_all(records)
        self.session.add(
            AuditEntry(
                username=username,
                partner=None,
                programme_id=row.id,
                section="programme",
                key=name,
                action="import",
                before=None,
                after={"records": len(records), "replaced": existing is not None},
            )
        )
        self.session.flush()
        return row

    def _site_maps(self, programme: Programme) -> tuple[dict[str, str], dict[str, str]]:
        return ({s.id: s.partner for s in programme.sites}, {ln.id: ln.site for ln in programme.lines})

    def raw_data(self, row: ProgrammeRow) -> dict[str, Any]:
        data: dict[str, Any] = {"settings": row.settings, "calendar": row.calendar}
        for section in SECTIONS:
            data[section] = []
        stmt = select(Record).where(Record.programme_id == row.id).order_by(Record.section, Record.position)
        for rec in self.session.scalars(stmt):
            data[rec.section].append(rec.data)
        return data

    def load(self, row: ProgrammeRow) -> Programme:
        return validate_raw(RawProgramme(self.raw_data(row), f"database programme '{row.name}'"))

    def settings(self, row: ProgrammeRow) -> Settings:
        return Settings.model_validate(row.settings)

    # ---- records -----------------------------------------------------------------------
    def _check_section(self, section: str) -> None:
        if section not in SECTIONS:
            raise NotFound(f"no record type '{section}' (one of: {', '.join(SECTIONS)})")

    def list(
        self, row: ProgrammeRow, section: str, who: Principal, where: dict[str, str], limit: int, offset: int
    ) -> tuple[list[Record], int]:
        self._check_section(section)
        if who.mode(section) is None:
            raise Forbidden(f"the {who.role.value} role cannot read {section}")
        stmt = select(Record).where(Record.programme_id == row.id, Record.section == section)
        if not who.can_read(section, None, None):
            stmt = stmt.where((Record.partner == who.partner) | (Record.party == who.partner))
        rows = list(self.session.scalars(stmt.order_by(Record.position)))
        if where:
            rows = [r for r in rows if all(str(r.data.get(k)) == v for k, v in where.items())]
        return rows[offset : offset + limit], len(rows)

    def get(self, row: ProgrammeRow, section: str, key: str, who: Principal) -> Record:
        self._check_section(section)
        rec = self.session.scalar(
            select(Record).where(Record.programme_id == row.id, Record.section == section, Record.key == key)
        )
        if rec is None or not who.can_read(section, rec.partner, rec.party):
            raise NotFound(f"no {section} record '{key}' in programme '{row.name}'")
        return rec

    def _validate_after(
        self,
        row: ProgrammeRow,
        section: str,
        key: str | None,
        data: dict[str, Any] | None,
        position: int | None,
    ) -> None:
        """Validate the programme as it would be with `data` at `key` (None: removed)."""
        raw = self.raw_data(row)
        rows = [d for d in raw[section] if key is None or record_key(section, d) != key]
        if data is not None:
            rows.insert(min(position if position is not None else len(rows), len(rows)), data)
        raw[section] = rows
        try:
            validate_raw(RawProgramme(raw, "request"))
        except ProgrammeInvalid as exc:
            if data is None:
                raise Conflict(
                    "the record is still referenced: " + "; ".join(str(p) for p in exc.problems)
                ) from exc
            raise

    def _maps(
        self, row: ProgrammeRow, extra: tuple[str, dict[str, Any]] | None = None
    ) -> tuple[dict[str, str], dict[str, str]]:
        stmt = select(Record).where(Record.programme_id == row.id, Record.section.in_(("sites", "lines")))
        sites, lines = {}, {}
        items = [(r.section, r.data) for r in self.session.scalars(stmt)]
        if extra is not None and extra[0] in ("sites", "lines"):
            items.append(extra)  # the record being written wins over its stored version
        for section, data in items:
            if section == "sites":
                sites[data["id"]] = data["partner"]
            else:
                lines[data["id"]] = data["site"]
        return sites, lines

    def _parse(self, section: str, data: dict[str, Any]) -> dict[str, Any]:
        try:
            return _json(SECTION_MODELS[section].model_validate(data))
        except ValidationError as exc:
            raise ProgrammeInvalid(
                [
                    Problem("request", section, ".".join(str(x) for x in e["loc"]), e["msg"])
                    for e in exc.errors()
                ]
            ) from exc

    def create(self, row: ProgrammeRow, section: str, data: dict[str, Any], who: Principal) -> Record:
        self._check_section(section)
        if not who.can_write_section(section):
            raise Forbidden(f"the {who.role.value} role cannot change {section}")
        data = self._parse(section, data)
        key = record_key(section, data)
        owner, party = owner_and_party(section, data, *self._maps(row, (section, data)))
        if not who.can_write(section, owner):
            raise Forbidden(f"a {section} record of partner '{owner}' is not yours to create")
        exists = self.session.scalar(
            select(Record.id).where(
                Record.programme_id == row.id, Record.section == section, Record.key == key
            )
        )
        if exists is not None:
            raise Conflict(f"{section} record '{key}' exists already")
        self._validate_after(row, section, None, data, None)
        position = self.session.scalar(
            select(func.coalesce(func.max(Record.position), -1) + 1).where(
                Record.programme_id == row.id, Record.section == section
            )
        )
        rec = Record(
            programme_id=row.id,
            section=section,
            key=key,
            position=position or 0,
            partner=owner,
            party=party,
            data=data,
            version=1,
        )
        self.session.add(rec)
        self._audit(row, who, section, key, "create", None, data)
        row.version += 1
        self.session.flush()
        return rec

    def update(
        self, row: ProgrammeRow, section: str, key: str, version: int, data: dict[str, Any], who: Principal
    ) -> Record:
        rec = self.get(row, section, key, who)
        if not who.can_write(section, rec.partner):
            raise Forbidden(f"the {who.role.value} role cannot change this {section} record")
        data = self._parse(section, data)
        if record_key(section, data) != key:
            raise ProgrammeInvalid(
                [Problem("request", section, "id", f"the key cannot change (it is '{key}')")]
            )
        owner, party = owner_and_party(section, data, *self._maps(row, (section, data)))
        if not who.can_write(section, owner):
            raise Forbidden(f"a {section} record cannot be handed to partner '{owner}'")
        if rec.version != version:
            raise Conflict(
                f"{section} record '{key}' is at version {rec.version}, not {version}: read it again"
            )
        self._validate_after(row, section, key, data, rec.position)
        before = rec.data
        # Compare-and-set: a concurrent writer that committed first makes this update match no row.
        from sqlalchemy import update as sql_update

        done = self.session.execute(
            sql_update(Record)
            .where(Record.id == rec.id, Record.version == version)
            .values(data=data, version=version + 1, partner=owner, party=party)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"{section} record '{key}' was changed by someone else: read it again")
        self._audit(row, who, section, key, "update", before, data)
        row.version += 1
        self.session.flush()
        self.session.refresh(rec)
        return rec

    def delete(self, row: ProgrammeRow, section: str, key: str, version: int, who: Principal) -> None:
        rec = self.get(row, section, key, who)
        if not who.can_write(section, rec.partner):
            raise Forbidden(f"the {who.role.value} role cannot delete this {section} record")
        if rec.version != version:
            raise Conflict(
                f"{section} record '{key}' is at version {rec.version}, not {version}: read it again"
            )
        self._validate_after(row, section, key, None, None)
        done = self.session.execute(delete(Record).where(Record.id == rec.id, Record.version == version))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"{section} record '{key}' was changed by someone else: read it again")
        self._audit(row, who, section, key, "delete", rec.data, None)
        row.version += 1
        self.session.flush()

    def _audit(
        self,
        row: ProgrammeRow,
        who: Principal,
        section: str,
        key: str,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self.session.add(
            AuditEntry(
                username=who.username,
                partner=who.partner,
                programme_id=row.id,
                section=section,
                key=key,
                action=action,
                before=before,
                after=after,
            )
        )
