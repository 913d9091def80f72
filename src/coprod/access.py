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
| lanes         | the partner of the from-site |                               |
| stock         | the partner of the site      |                               |
| requirements  | the customer                 |                               |

A rule per role and section says: ALL (read and write everything), OWN (read and write
records whose owner is the user's partner; read where it is the second party), READ (read
everything), READ_OWN (read own records only), or nothing. Reading a record one may not
see answers 404 (its existence is not revealed); writing in a section one may not write at
all answers 403. docs/access.md has the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["RULES", "SECTIONS", "Mode", "Principal", "Role", "owner_and_party"]

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
)


class Role(StrEnum):
    PROGRAMME_OFFICE = "programme-office"
    DESIGN_AUTHORITY = "design-authority"
    SITE_PLANNER = "site-planner"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    AUDITOR = "auditor"


class Mode(StrEnum):
    ALL = "all"
    OWN = "own"
    READ = "read"
    READ_OWN = "read_own"


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

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.PROGRAMME_OFFICE, Role.AUDITOR)


_EVERYONE_READS = {"partners": Mode.READ, "components": Mode.READ, "designs": Mode.READ}
RULES: dict[Role, dict[str, Mode]] = {
    Role.PROGRAMME_OFFICE: dict.fromkeys(SECTIONS, Mode.ALL),
    Role.AUDITOR: dict.fromkeys(SECTIONS, Mode.READ),
    Role.DESIGN_AUTHORITY: {
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
    },
    Role.SUPPLIER: {"partners": Mode.READ, "components": Mode.READ, "supply_offers": Mode.OWN},
    Role.CUSTOMER: {
        "partners": Mode.READ,
        "designs": Mode.READ,
        "destinations": Mode.OWN,
        "requirements": Mode.OWN,
    },
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
    if section == "lanes":
        return site_partner.get(data.get("from_site", "")), None
    if section == "stock":
        return site_partner.get(data.get("site", "")), None
    if section == "requirements":
        return data.get("customer"), None
    return None, None  # components: the shared catalogue
