"""Supplier collaboration in a real browser: the office releases the latest plan's orders,
the supplier answers in the page (a wrong part commitment is refused beside the form, the
page keeps working), the office sees where commits fall short; a customer has no way in."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import login, shot
from tests.e2e.test_daily_work import _plan


def test_release_answer_and_shortfall(browser: Browser, server: str) -> None:
    office = login(browser, server, "office")
    office.goto(f"{server}/p/example/releases")
    office.locator("#rel-supplier").fill("AS-MOTORS")
    office.get_by_role("button", name="Release the latest plan").click()
    if office.get_by_role("alert").count():  # no plan yet (this test alone): plan, then release
        expect(office.get_by_role("alert")).to_contain_text("plan it first")
        _plan(office, server, "for the suppliers")
        office.get_by_role("link", name="Supplier releases").click()
        office.locator("#rel-supplier").fill("AS-MOTORS")
        office.get_by_role("button", name="Release the latest plan").click()
    expect(office.locator("#releases-table tbody tr").first).to_contain_text("AS-MOTORS")
    shot(office, "office-releases")

    motors = login(browser, server, "motors")
    expect(motors.get_by_role("heading", name="Forecasts released to you")).to_be_visible()
    motors.get_by_role("link", name="Supplier releases").click()
    motors.locator("#releases-table tbody tr a").first.click()
    rows = motors.locator("#release-table tbody tr")
    expect(rows.first).to_be_visible()
    requested = int(rows.nth(1).locator("td").nth(3).inner_text().replace(",", ""))
    motors.get_by_label("Answer to line 1", exact=True).select_option("commit")
    motors.get_by_label("Answer to line 2", exact=True).select_option("part")
    motors.get_by_label("Units committed, line 2", exact=True).fill(str(requested))  # not below: refused
    motors.get_by_role("button", name="Send the answer").click()
    expect(motors.get_by_role("alert")).to_contain_text("part commitment must be below")
    shot(motors, "supplier-answer-refused")
    expect(motors.get_by_label("Units committed, line 2", exact=True)).to_have_value(str(requested))  # kept
    motors.get_by_label("Answer to line 1", exact=True).select_option("commit")
    motors.get_by_label("Answer to line 2", exact=True).select_option("decline")
    motors.get_by_role("button", name="Send the answer").click()
    expect(motors.get_by_role("status")).to_contain_text("Answer recorded")
    shot(motors, "supplier-answered")
    motors.goto(f"{server}/p/example")
    expect(motors.locator("#my-commitments")).to_contain_text("1 line(s) committed in full")
    shot(motors, "supplier-overview-committed")

    office.goto(f"{server}/p/example/commitments?state=covered")
    expect(office.locator("#commitments-table tbody tr").first).to_contain_text("covered")
    office.goto(f"{server}/p/example/commitments?state=short")
    expect(office.locator("#commitments-table tbody tr").first).to_contain_text("short")
    shot(office, "office-commitments")
    office.goto(f"{server}/p/example")
    expect(office.locator("#supplier-commitments")).to_contain_text("committed short")

    forces = login(browser, server, "forces")
    expect(forces.get_by_role("link", name="Supplier releases")).to_have_count(0)
    forces.goto(f"{server}/p/example/releases/1")
    expect(forces.get_by_role("heading", name="Not found")).to_be_visible()
