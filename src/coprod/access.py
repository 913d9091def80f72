"""Who may see and change what: roles, the partner that owns each record, and the rules.

Every record has an owning partner (or none, for the shared catalogue) and sometimes a
second party that may read it:

| section       | owner                        | also readable by              |
| ------------- | ---------------------------- | ----------------------------- |
| partners      | the partner itself           |                               |
| sites         | the site's partner           |                               |
| lines         | the partner of the line's site |                             |
| destinations  | the customer                 |                               |
| designs       | the design authority (owner) |                               |
| routings      | the partner of the line's site |                             |
| licences      | the licensor                 | the licensee                  |
| supply_offers | the supplier                 | the partner of the ship-to site |
| lanes         | the partner of the from-site | the partner of a to-site (a transfer) |
| stock         | the partner of the site      |                               |
| requirements  | the customer                 |                               |
| exchange_rates | none (one table for all)    |                               |

A rule per role and section says: ALL (read and write everything), OWN (read and write
records whose owner is the user's partner; read where it is the second party), READ (read
everything), READ_OWN (read own records only), or nothing. Reading a record one may not
see answers 404 (its existence is not revealed); writing in a section one may not write at
all answers 403.

Operations that are not a record read or write (importing a programme, exporting it,
starting a plan, reading costs or the audit trail, managing users) are `Action`s, granted
per role in ACTIONS. A plan's rows are shown per role as PLAN_VIEW says: every row, or the
rows of the user's own sites, orders, requirements or designs. Use cases ask the principal
(`may`, `require`, `can_read`, `can_write`, `plan_view`); nothing else compares roles.
docs/access.md has the tables, and a test holds it to these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from coprod.errors import Forbidden

__all__ = [
    "ACTIONS",
    "EVENT_KINDS",
    "PLAN_VIEW",
    "RULES",
    "SECTIONS",
    "Action",
    "Mode",
    "Principal",
    "Role",
    "RowScope",
    "UserRole",
    "controlled_items",
    "owner_and_party",
    "withhold_technical",
]

SECTIONS = (
    "partners",
    "sites",
    "lines",
    "destinations",
    "components",
    "designs",
    "routings",
    "licences",
    "supply_offers",
    "lanes",
    "stock",
    "requirements",
    "exchange_rates",
)

# Actuals (coprod.tracking): events recorded by the partner they belong to; owners and
# second parties are derived in tracking/owners.py, and the same Modes apply.
EVENT_KINDS = (
    "lots",
    "first_articles",
    "acceptances",
    "shipments",
    "receipts",
    "purchase_orders",
    "order_receipts",
)


class UserRole(StrEnum):
    """A user's role (what the user does), not a partner's role in the programme."""

    PROGRAMME_OFFICE = "programme-office"
    DESIGN_AUTHORITY = "design-authority"
    SITE_PLANNER = "site-planner"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    AUDITOR = "auditor"


Role = UserRole  # the name the code uses; schemas say UserRole (domain has PartnerRole)


class Mode(StrEnum):
    ALL = "all"
    OWN = "own"
    READ = "read"
    READ_OWN = "read_own"


class Action(StrEnum):
    """Operations beyond reading and writing single records."""

    UPLOAD = "upload"  # import or replace a whole programme (API import, dashboard upload)
    EXPORT = "export"  # the whole programme as a file or workbook
    START_PLAN = "start-plan"
    READ_COSTS = "read-costs"  # costs, objective values and marginal values of plans
    READ_PEGGING = "read-pegging"  # which line and site built the units a requirement receives
    READ_AUDIT = "read-audit"
    LIST_USERS = "list-users"
    MANAGE_USERS = "manage-users"
    RELEASE_FORECAST = "release-forecast"  # release plan orders to suppliers; read every release
    ANSWER_RELEASE = "answer-release"  # read and answer the releases made to one's own partner
    PROMISE = "promise"  # quote a new requirement (a customer: at its own destinations only)


class RowScope(StrEnum):
    """Which rows of a plan table a role sees."""

    ALL = "all"
    OWN_SITES = "own sites"  # rows at (or leaving) a site of the user's partner
    OWN_LINES = "own lines"  # rows about a line at such a site
    OWN_ORDERS = "own orders"  # orders placed on the user's partner as supplier
    OWN_REQUIREMENTS = "own requirements"  # the customer's requirements and their deliveries
    OWN_DESIGNS = "own designs"  # production of designs the partner owns


PLAN_TABLES = (
    "production",
    "assembly_builds",
    "purchases",
    "shipments",
    "transfers",
    "deliveries",
    "requirements",
    "stock",
    "deliveries_by_period",
    "bottlenecks",
)


@dataclass(frozen=True, slots=True)
class Principal:
    username: str
    partner: str
    role: Role

    def mode(self, section: str) -> Mode | None:
        return RULES[self.role].get(section)

    def can_read(self, section: str, owner: str | None, party: str | None) -> bool:
        mode = self.mode(section)
        if mode in (Mode.ALL, Mode.READ):
            return True
        if mode in (Mode.OWN, Mode.READ_OWN):
            return self.partner in (owner, party)
        return False

    def can_write_section(self, section: str) -> bool:
        return self.mode(section) in (Mode.ALL, Mode.OWN)

    def can_write(self, section: str, owner: str | None) -> bool:
        mode = self.mode(section)
        return mode is Mode.ALL or (mode is Mode.OWN and owner == self.partner)

    def may(self, action: Action) -> bool:
        return action in ACTIONS[self.role]

    def require(self, action: Action, what: str) -> None:
        """Raise Forbidden (naming `what` and who may) unless the role may do `action`."""
        if not self.may(action):
            allowed = [r.value for r in Role if action in ACTIONS[r]]
            raise Forbidden(f"the {self.role.value} role cannot {what} (only: {', '.join(allowed)})")

    def plan_view(self) -> dict[str, RowScope]:
        """Plan table -> the rows of it this user sees (a table not named: none)."""
        return PLAN_VIEW[self.role]

    def may_read_technical(self, control: dict[str, Any], owner: str | None, country: str) -> bool:
        """May this user read the technical records (BOM lines, revisions) of an item under
        `control` (an export control as stored)? Its partner or the partner's `country` must
        be allowed, or own the design; the programme office and auditors oversee all."""
        if self.sees_everything or self.partner == owner:
            return True
        return self.partner in control.get("partners", ()) or country in control.get("countries", ())

    @property
    def sees_everything(self) -> bool:
        """Every record of every section is readable (the programme office, auditors)."""
        return all(self.can_read(section, None, None) for section in SECTIONS)


# every partner reads the exchange rates (its figures in its own currency follow from them);
# only the programme office sets them
_EVERYONE_READS = {
    "partners": Mode.READ,
    "components": Mode.READ,
    "designs": Mode.READ,
    "exchange_rates": Mode.READ,
}
_BUILDS = ("lots", "first_articles", "acceptances")
RULES: dict[Role, dict[str, Mode]] = {
    Role.PROGRAMME_OFFICE: dict.fromkeys(SECTIONS + EVENT_KINDS, Mode.ALL),
    Role.AUDITOR: dict.fromkeys(SECTIONS + EVENT_KINDS, Mode.READ),
    Role.DESIGN_AUTHORITY: {
        **dict.fromkeys(_BUILDS, Mode.READ_OWN),  # builds of its designs, wherever they are
        **_EVERYONE_READS,
        "components": Mode.ALL,
        "designs": Mode.OWN,
        "licences": Mode.OWN,
        "routings": Mode.READ,
        "sites": Mode.READ,
    },
    Role.SITE_PLANNER: {
        **_EVERYONE_READS,
        "sites": Mode.OWN,
        "lines": Mode.OWN,
        "routings": Mode.OWN,
        "stock": Mode.OWN,
        "lanes": Mode.OWN,
        "licences": Mode.READ_OWN,
        "supply_offers": Mode.READ_OWN,
        **dict.fromkeys(EVENT_KINDS, Mode.OWN),  # its site's builds, shipments, receipts, orders
    },
    Role.SUPPLIER: {
        "partners": Mode.READ,
        "components": Mode.READ,
        "exchange_rates": Mode.READ,
        "supply_offers": Mode.OWN,
        "purchase_orders": Mode.READ_OWN,  # orders placed on it and their receipts
        "order_receipts": Mode.READ_OWN,
    },
    Role.CUSTOMER: {
        "partners": Mode.READ,
        "designs": Mode.READ,
        "exchange_rates": Mode.READ,
        "destinations": Mode.OWN,
        "requirements": Mode.OWN,
        "shipments": Mode.READ_OWN,  # shipments to its destinations
        "receipts": Mode.OWN,  # it records what arrived
    },
}


_EVERY_ROW = dict.fromkeys(PLAN_TABLES, RowScope.ALL)
ACTIONS: dict[Role, frozenset[Action]] = {
    Role.PROGRAMME_OFFICE: frozenset(Action),
    Role.AUDITOR: frozenset(
        {Action.EXPORT, Action.READ_COSTS, Action.READ_PEGGING, Action.READ_AUDIT, Action.LIST_USERS}
    ),
    Role.DESIGN_AUTHORITY: frozenset(),
    Role.SITE_PLANNER: frozenset(),
    Role.SUPPLIER: frozenset({Action.ANSWER_RELEASE}),
    Role.CUSTOMER: frozenset({Action.PROMISE}),
}
PLAN_VIEW: dict[Role, dict[str, RowScope]] = {
    Role.PROGRAMME_OFFICE: _EVERY_ROW,
    Role.AUDITOR: _EVERY_ROW,
    Role.DESIGN_AUTHORITY: {"production": RowScope.OWN_DESIGNS, "assembly_builds": RowScope.OWN_SITES},
    Role.SITE_PLANNER: {
        "production": RowScope.OWN_SITES,
        "assembly_builds": RowScope.OWN_SITES,
        "purchases": RowScope.OWN_SITES,
        "stock": RowScope.OWN_SITES,
        "shipments": RowScope.OWN_SITES,
        "transfers": RowScope.OWN_SITES,  # from or to a site of its partner
        "bottlenecks": RowScope.OWN_LINES,
    },
    Role.SUPPLIER: {"purchases": RowScope.OWN_ORDERS},
    Role.CUSTOMER: {"requirements": RowScope.OWN_REQUIREMENTS, "deliveries": RowScope.OWN_REQUIREMENTS},
}


def owner_and_party(
    section: str, data: dict[str, Any], site_partner: dict[str, str], line_site: dict[str, str]
) -> tuple[str | None, str | None]:
    """The owning partner of a record and the second party that may read it."""
    if section == "partners":
        return data.get("id"), None
    if section in ("sites", "destinations"):
        return data.get("partner"), None
    if section == "lines":
        return site_partner.get(data.get("site", "")), None
    if section == "designs":
        return data.get("owner"), None
    if section == "routings":
        return site_partner.get(line_site.get(data.get("line", ""), "")), None
    if section == "licences":
        return data.get("licensor"), data.get("licensee")
    if section == "supply_offers":
        return data.get("supplier"), site_partner.get(data.get("ship_to", ""))
    if section == "lanes":  # a transfer's receiving site reads the lane too
        return site_partner.get(data.get("from_site", "")), site_partner.get(data.get("to", ""))
    if section == "stock":
        return site_partner.get(data.get("site", "")), None
    if section == "requirements":
        return data.get("customer"), None
    return None, None  # components, exchange_rates: shared by everyone


def controlled_items(section: str, data: dict[str, Any]) -> list[str]:
    """The export-controlled parts of a component or design record as stored: the item and
    its controlled revisions ("X revision 2"); empty for any other record."""
    if section not in ("components", "designs"):
        return []
    out = [str(data.get("id"))] if data.get("export_control") else []
    for rev in data.get("revisions", ()) if section == "designs" else ():
        if rev.get("export_control"):
            out.append(f"{data.get('id')} revision {rev.get('revision')}")
    return out


def withhold_technical(
    who: Principal, section: str, data: dict[str, Any], country: str
) -> tuple[dict[str, Any], list[str]]:
    """The record as `who` may read it, and what was withheld: the technical records of
    export-controlled items the user's partner may not receive (a component's `bom`; a
    design's revisions' BOM lines and notes and its variants' changes; a controlled
    revision's BOM lines and note). `country` is the country of the user's partner."""
    if section not in ("components", "designs"):
        return data, []
    owner = data.get("owner") if section == "designs" else None
    control = data.get("export_control")
    whole = bool(control) and not who.may_read_technical(control or {}, owner, country)
    if section == "components":
        return ({**data, "bom": []}, [str(data.get("id"))]) if whole else (data, [])
    withheld = [str(data.get("id"))] if whole else []
    revisions = []
    for rev in data.get("revisions", ()):
        rev_control = rev.get("export_control")
        hidden = whole or (rev_control and not who.may_read_technical(rev_control, owner, country))
        if hidden and not whole:
            withheld.append(f"{data.get('id')} revision {rev.get('revision')}")
        revisions.append({**rev, "bom": [], "note": ""} if hidden else rev)
    if not withheld:
        return data, []
    out = {**data, "revisions": revisions}
    if whole:
        out["variants"] = [{**v, "replace": [], "add": []} for v in data.get("variants", ())]
    return out, withheld
