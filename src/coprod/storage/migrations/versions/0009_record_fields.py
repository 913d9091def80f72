"""records: indexes that serve a page sorted or filtered on a field of a big section, and a
site planner's scoped page

For each field a list can sort or filter on, in the sections that grow with the programme
(supply offers, requirements), two partial indexes (that section's rows only): the field's
value then the file order, ascending and descending, so a sorted page in either direction
comes off an index in its order instead of sorting every row's JSON. The expression is the
text storage/records.py `json_field_sql` writes into a query (a literal JSON path). The
file-order index gets the id as its last column (the lists' last tie-break: a total order),
and the party gets an index beside the partner's, for a scoped page's `partner = p OR party = p`.

Measured on generated L (70,325 supply offers), the store's page of 100 sorted on lead_time at
offset 60,000 (count included), before -> after: SQLite 311 -> 10 ms, PostgreSQL 354 -> 65 ms
(PostgreSQL still parses the JSON of every row it steps over); docs/performance.md.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# (section, field, SQL cast), frozen here: the fields of these sections when 0009 was written
FIELDS = (
    ("supply_offers", "id", "VARCHAR"),
    ("supply_offers", "component", "VARCHAR"),
    ("supply_offers", "supplier", "VARCHAR"),
    ("supply_offers", "ship_to", "VARCHAR"),
    ("supply_offers", "lead_time", "INTEGER"),
    ("supply_offers", "capacity_per_period", "INTEGER"),
    ("supply_offers", "unit_price", "FLOAT"),
    ("supply_offers", "currency", "VARCHAR"),
    ("supply_offers", "min_order", "INTEGER"),
    ("supply_offers", "available_from", "VARCHAR"),
    ("requirements", "id", "VARCHAR"),
    ("requirements", "customer", "VARCHAR"),
    ("requirements", "destination", "VARCHAR"),
    ("requirements", "item", "VARCHAR"),
    ("requirements", "quantity", "INTEGER"),
    ("requirements", "due", "VARCHAR"),
    ("requirements", "priority", "INTEGER"),
)
SHORT = {"supply_offers": "offer", "requirements": "req"}


def _expression(dialect: str, field: str, cast: str) -> str:
    if dialect == "postgresql":
        return f"CAST((data ->> '{field}') AS {cast})"
    return f"CAST(JSON_EXTRACT(data, '$.\"{field}\"') AS {cast})"


def index_names() -> list[str]:
    return [f"ix_{SHORT[s]}_{f}{end}" for s, f, _ in FIELDS for end in ("", "_desc")]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_record_order", table_name="records")
    op.create_index("ix_record_order", "records", ["programme_id", "section", "position", "id"])
    op.create_index("ix_record_party", "records", ["programme_id", "section", "party"])
    for section, field, cast in FIELDS:
        value = _expression(dialect, field, cast)
        for end, direction in (("", ""), ("_desc", " DESC")):
            op.execute(
                f"CREATE INDEX ix_{SHORT[section]}_{field}{end} ON records "
                f"(programme_id, {value}{direction}, position, id) WHERE section = '{section}'"
            )
    if dialect == "postgresql":
        op.execute("ANALYZE records")


def downgrade() -> None:
    for name in index_names():
        op.drop_index(name, table_name="records")
    op.drop_index("ix_record_party", table_name="records")
    op.drop_index("ix_record_order", table_name="records")
    op.create_index("ix_record_order", "records", ["programme_id", "section", "position"])
