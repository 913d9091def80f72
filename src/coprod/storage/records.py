"""Programmes and their records in the database: import, export, and scoped CRUD.

Every write validates the whole programme as it would be after the write (the same rules
as a file: unknown references, duplicates, cycles, ...), checks the record's version, and
writes an audit entry, all in the caller's transaction: either everything lands or nothing.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Sequence
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ValidationError
from sqlalchemy import Boolean, Float, Integer, String, Text, cast, delete, func, literal_column, select, text
from sqlalchemy.orm import Session

from coprod.access import SECTIONS, Principal, owner_and_party
from coprod.domain import Programme
from coprod.domain.programme import Settings
from coprod.errors import Conflict, Forbidden, NotFound, Problem, ProgrammeInvalid
from coprod.io import validate_raw
from coprod.io.raw import RawProgramme
from coprod.storage.tables import AuditEntry, ProgrammeRow, Record

__all__ = ["INDEXED_SECTIONS", "SECTION_MODELS", "FieldKind", "RecordStore", "json_field_sql", "record_key"]

FieldKind = Literal["string", "integer", "float", "boolean"]
DERIVED = ("lines", "routings", "supply_offers", "lanes", "stock")  # owner found through a site


_CASTS: dict[str, str] = {"integer": "INTEGER", "float": "FLOAT", "boolean": "BOOLEAN", "string": "VARCHAR"}
_TYPES: dict[str, Any] = {"integer": Integer, "float": Float, "boolean": Boolean, "string": String}
# Sections big enough that a page sorted or filtered on a field is read from an index of that
# field (migration 0009 makes them; INDEXED_FIELDS names which): supply offers grow with
# components x suppliers, requirements with designs x customers x periods.
INDEXED_SECTIONS = ("supply_offers", "requirements")


def json_field_sql(dialect: str, name: str, kind: FieldKind) -> str:
    """A field of a record's JSON as SQL text of its kind, the path written as a literal:
    json_extract on SQLite, ->> on PostgreSQL. It is the text migration 0009 indexes, so a
    sort or filter on the field can be read from its index (a path bound as a parameter, as
    SQLAlchemy's JSON operators bind it, matches no index expression)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"not a field name: {name!r}")
    if dialect == "postgresql":
        return f"CAST((records.data ->> '{name}') AS {_CASTS[kind]})"
    return f"CAST(JSON_EXTRACT(records.data, '$.\"{name}\"') AS {_CASTS[kind]})"


def _json_field(dialect: str, name: str, kind: FieldKind) -> Any:
    """The field as an SQL expression of its kind, so filters and sorts run in the database."""
    return literal_column(json_field_sql(dialect, name, kind), type_=_TYPES[kind])


_PROGRAMME_FIELDS = Programme.model_fields
SECTION_MODELS: dict[str, type[BaseModel]] = {
    s: _PROGRAMME_FIELDS[s].annotation.__args__[0]  # type: ignore[union-attr]
    for s in SECTIONS
}
COMPOSITE = {
    "stock": ("item", "site"),
    "routings": ("design", "line"),
    "exchange_rates": ("currency", "valid_from"),
}


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
        """Store a whole programme. Replacing one keeps what did not change: an unchanged
        record keeps its version, a changed one is bumped, and every record added, changed
        or removed gets its own audit entry (besides the import's summary), so versions and
        the trail stay true across an upload."""
        existing = self.session.scalar(select(ProgrammeRow).where(ProgrammeRow.name == name))
        if existing is not None:
            if not replace:
                raise Conflict(f"a programme named '{name}' exists; use replace to overwrite it")
            # Replace the records, keep the programme (and its plan versions and audit trail).
            existing.settings, existing.calendar = _json(programme.settings), _json(programme.calendar)
            existing.version += 1
            row = existing
        else:
            row = ProgrammeRow(
                name=name, settings=_json(programme.settings), calendar=_json(programme.calendar)
            )
            self.session.add(row)
        self.session.flush()
        counts = self._merge_records(row, programme, username, replacing=existing is not None)
        self._analyze()
        self.session.add(
            AuditEntry(
                username=username,
                partner=None,
                programme_id=row.id,
                section="programme",
                key=name,
                action="import",
                before=None,
                after={**counts, "replaced": existing is not None},
            )
        )
        self.session.flush()
        return row

    def _analyze(self) -> None:
        """Fresh planner statistics after a bulk write, on PostgreSQL. Its autovacuum analyses
        a table only some time after (never, when it is off); until then the planner takes
        the records to be a handful, and reads a page of generated L's 70k supply offers
        through the scope index and a sort (70 ms) instead of the file-order index (1 ms)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("ANALYZE records"))

    def _merge_records(
        self, row: ProgrammeRow, programme: Programme, username: str, replacing: bool
    ) -> dict[str, int]:
        """Make the stored records those of `programme`: insert, update (version + 1) or
        delete by key, leaving unchanged records as they are. Counts by kind of change."""
        sites, lines = self._site_maps(programme)
        plain = programme.model_dump(mode="json", by_alias=True)
        stored = {
            (rec.section, rec.key): rec
            for rec in self.session.scalars(select(Record).where(Record.programme_id == row.id))
        }
        counts = {"records": 0, "added": 0, "changed": 0, "removed": 0, "unchanged": 0}

        def audit(section: str, key: str, action: str, before: Any, after: Any) -> None:
            self.session.add(
                AuditEntry(
                    username=username,
                    partner=None,
                    programme_id=row.id,
                    section=section,
                    key=key,
                    action=action,
                    before=before,
                    after=after,
                )
            )

        for section in SECTIONS:
            for position, data in enumerate(plain[section]):
                key = record_key(section, data)
                owner, party = owner_and_party(section, data, sites, lines)
                counts["records"] += 1
                rec = stored.pop((section, key), None)
                if rec is None:
                    counts["added"] += 1
                    self.session.add(
                        Record(
                            programme_id=row.id,
                            section=section,
                            key=key,
                            position=position,
                            partner=owner,
                            party=party,
                            data=data,
                            version=1,
                        )
                    )
                    if replacing:  # a new programme's records are told by its import entry
                        audit(section, key, "create", None, data)
                    continue
                changed = rec.data != data
                counts["changed" if changed else "unchanged"] += 1
                if changed:
                    audit(section, key, "update", rec.data, data)
                    rec.data, rec.version = data, rec.version + 1
                rec.position, rec.partner, rec.party = position, owner, party
        for (section, key), rec in stored.items():
            counts["removed"] += 1
            audit(section, key, "delete", rec.data, None)
            self.session.delete(rec)
        self.session.flush()
        return counts

    def _site_maps(self, programme: Programme) -> tuple[dict[str, str], dict[str, str]]:
        return ({s.id: s.partner for s in programme.sites}, {ln.id: ln.site for ln in programme.lines})

    def keys(self, row: ProgrammeRow, section: str) -> list[str]:
        """The keys of a section's records, in file order (no access check: callers decide)."""
        stmt = (
            select(Record.key)
            .where(Record.programme_id == row.id, Record.section == section)
            .order_by(Record.position)
        )
        return list(self.session.scalars(stmt))

    def raw_data(self, row: ProgrammeRow) -> dict[str, Any]:
        # two columns, not Record objects: a plan job reads every record of the programme;
        # each record's JSON as the text stored, a section parsed at once (one orjson call
        # instead of one per record: 0.042 -> 0.030 CPU s for the 12k records of generated M)
        texts: dict[str, list[str]] = {section: [] for section in SECTIONS}
        stmt = (
            select(Record.section, cast(Record.data, Text))
            .where(Record.programme_id == row.id)
            .order_by(Record.section, Record.position)
        )
        for section, stored in self.session.execute(stmt):
            texts[section].append(stored)
        data: dict[str, Any] = {"settings": row.settings, "calendar": row.calendar}
        for section, rows in texts.items():
            data[section] = orjson.loads("[" + ",".join(rows) + "]")
        return data

    def load(self, row: ProgrammeRow, data: dict[str, Any] | None = None) -> Programme:
        """The validated programme, from `data` when the caller has just read `raw_data`."""
        raw = self.raw_data(row) if data is None else data
        return validate_raw(RawProgramme(raw, f"database programme '{row.name}'"))

    def settings(self, row: ProgrammeRow) -> Settings:
        return Settings.model_validate(row.settings)

    # ---- records -----------------------------------------------------------------------
    def _check_section(self, section: str) -> None:
        if section not in SECTIONS:
            raise NotFound(f"no record type '{section}' (one of: {', '.join(SECTIONS)})")

    def list(
        self,
        row: ProgrammeRow,
        section: str,
        who: Principal,
        where: dict[str, tuple[FieldKind, Any]],
        sort: list[tuple[str, FieldKind, bool]],
        limit: int,
        offset: int,
        search: str = "",
        total: int | None = None,
    ) -> tuple[list[Record], int]:
        """One page of a section's records the user may read, filtered and sorted in SQL:
        `where` maps a field to (its kind, the value it must equal); `search`, a part of the
        key (any case); `sort` lists (field, kind, descending); the file's order breaks ties.
        `total`, when the caller knows it (the same filter and scope counted at the same
        programme version), spares the count.

        A page past the middle is read from the other end: the order reversed (every term,
        the file order's too), the rows before it skipped, the page turned round. The result
        is the same page, but no more than half the rows are ever stepped over, which is
        what a deep offset costs (an index read in order still visits every skipped row)."""
        conditions = self._conditions(row, section, who, where, search)
        if total is None:
            total = self.count(row, section, who, where, search)
        if offset >= total:
            return [], total
        dialect = self.session.get_bind().dialect.name
        fields = [(_json_field(dialect, name, kind), descending) for name, kind, descending in sort]
        skip_back = max(0, total - offset - limit)
        reverse = skip_back < offset
        ties = [Record.position, Record.id]  # id: a total order, so both ends agree
        if reverse:
            order = [f if d else f.desc() for f, d in fields] + [t.desc() for t in ties]
            stmt = select(Record).where(*conditions).order_by(*order)
            rows = list(self.session.scalars(stmt.offset(skip_back).limit(min(limit, total - offset))))
            rows.reverse()
            return rows, total
        order = [f.desc() if d else f for f, d in fields] + ties
        stmt = select(Record).where(*conditions).order_by(*order)
        return list(self.session.scalars(stmt.offset(offset).limit(limit))), total

    def count(
        self,
        row: ProgrammeRow,
        section: str,
        who: Principal,
        where: dict[str, tuple[FieldKind, Any]],
        search: str = "",
    ) -> int:
        """How many records of the section the user may read pass the filter."""
        conditions = self._conditions(row, section, who, where, search)
        return self.session.scalar(select(func.count()).select_from(Record).where(*conditions)) or 0

    def _conditions(
        self,
        row: ProgrammeRow,
        section: str,
        who: Principal,
        where: dict[str, tuple[FieldKind, Any]],
        search: str,
    ) -> builtins.list[Any]:
        self._check_section(section)
        if who.mode(section) is None:
            raise Forbidden(f"the {who.role.value} role cannot read {section}")
        # the section written as a literal: the field indexes are partial, one section each,
        # and a database uses a partial index only for a query whose text implies its predicate
        conditions = [Record.programme_id == row.id, Record.section == literal_column(f"'{section}'")]
        if not who.can_read(section, None, None):
            # `partner = p OR party = p` as the ids of two index searches: written as an OR,
            # SQLite read all 70k offers' rows to test it (30 ms for a planner's 2,376)
            mine = [Record.programme_id == row.id, Record.section == section]
            conditions.append(
                Record.id.in_(
                    select(Record.id)
                    .where(*mine, Record.partner == who.partner)
                    .union_all(select(Record.id).where(*mine, Record.party == who.partner))
                )
            )
        dialect = self.session.get_bind().dialect.name
        for name, (kind, value) in where.items():
            conditions.append(_json_field(dialect, name, kind) == value)
        if search:
            pattern = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append(func.lower(Record.key).like(pattern, escape="\\"))
        return conditions

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
        stmt = (
            select(Record)
            .where(Record.programme_id == row.id, Record.section.in_(("sites", "lines")))
            .execution_options(populate_existing=True)
        )
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
        row.version = ProgrammeRow.version + 1  # in SQL: concurrent writers each count (caches key on it)
        self.session.flush()
        self._rescope(row, section)
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
        row.version = ProgrammeRow.version + 1  # in SQL: concurrent writers each count (caches key on it)
        self.session.flush()
        self._rescope(row, section)
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
        row.version = ProgrammeRow.version + 1  # in SQL: concurrent writers each count (caches key on it)
        self.session.flush()
        self._rescope(row, section)

    def _rescope(self, row: ProgrammeRow, changed: str) -> None:
        """After a site or line changed, the records whose owner is found through it (lines,
        routings, offers, lanes, stock) get their owner and party again, in the same
        transaction: a site handed to another partner takes its lines and stock with it."""
        if changed not in ("sites", "lines"):
            return
        sites, lines = self._maps(row)
        stmt = (
            select(Record)
            .where(Record.programme_id == row.id, Record.section.in_(DERIVED))
            .execution_options(populate_existing=True)  # rows just changed by SQL updates
        )
        for rec in self.session.scalars(stmt):
            owner, party = owner_and_party(rec.section, rec.data, sites, lines)
            if (owner, party) != (rec.partner, rec.party):
                rec.partner, rec.party = owner, party
        self.session.flush()

    def partner_country(self, row: ProgrammeRow, partner: str) -> str:
        """The country of a partner of the programme ("" when it is not one)."""
        rec = self.session.scalar(
            select(Record).where(
                Record.programme_id == row.id, Record.section == "partners", Record.key == partner
            )
        )
        return str(rec.data.get("country", "")) if rec is not None else ""

    def record_read(
        self, row: ProgrammeRow, who: Principal, section: str, key: str, items: Sequence[str]
    ) -> None:
        """Audit a read of export-controlled technical records (action 'read-controlled')."""
        self._audit(row, who, section, key, "read-controlled", None, {"items": [*items]})

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
