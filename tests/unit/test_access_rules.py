"""The declarations in access.py say exactly what docs/access.md says."""

from __future__ import annotations

from coprod.access import ACTIONS, PLAN_TABLES, PLAN_VIEW, RULES, SECTIONS, Action, Mode, Role, RowScope
from coprod.planning import TABLES
from tests.access_doc import table

MODE_WORDS = {"all": Mode.ALL, "read": Mode.READ, "own": Mode.OWN, "read own": Mode.READ_OWN, "": None}


def test_record_rules_match_the_documented_table() -> None:
    doc = table("Records")
    assert list(doc) == list(SECTIONS)
    for section, by_role in doc.items():
        for role, word in by_role.items():
            assert RULES[Role(role)].get(section) is MODE_WORDS[word], (section, role, word)


def test_actions_match_the_documented_table() -> None:
    doc = table("Operations")
    assert set(doc) == {a.value for a in Action}
    for action, by_role in doc.items():
        for role, word in by_role.items():
            assert (Action(action) in ACTIONS[Role(role)]) == (word == "yes"), (action, role)


def test_plan_views_match_the_documented_table() -> None:
    doc = table("Plans")
    assert tuple(doc) == PLAN_TABLES == TABLES
    for name, by_role in doc.items():
        for role, word in by_role.items():
            expected = RowScope(word) if word else None
            assert PLAN_VIEW[Role(role)].get(name) is expected, (name, role, word)


def test_event_rules_match_the_documented_table() -> None:
    from coprod.access import EVENT_KINDS
    from coprod.domain.actuals import EVENT_KINDS as DOMAIN_KINDS

    doc = table("Actuals")
    assert list(doc) == list(EVENT_KINDS) == list(DOMAIN_KINDS)
    for kind, by_role in doc.items():
        for role, word in by_role.items():
            assert RULES[Role(role)].get(kind) is MODE_WORDS[word], (kind, role, word)
