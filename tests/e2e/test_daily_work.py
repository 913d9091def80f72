"""Daily work in a real browser, for every role: the programme office edits a quantity in a
form, re-plans, reads the diff that names the change, drills from the on-time KPI to the
line that limits a late requirement, edits in grids, uploads a workbook and confirms its
preview, compares scenarios and runs a risk sweep; each other role lands on its own view.
Every page is saved to test-artifacts/ (docs/dashboard.md counts the clicks of each task)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from coprod.access import Principal, Role
from coprod.app.database import transaction
from coprod.app.programmes import stored_programme
from coprod.io.workbook import programme_workbook
from tests.e2e.conftest import ARTIFACTS, login, shot

OFFICE = Principal("e2e", "UA-DB", Role.PROGRAMME_OFFICE)


def _plan(page: Page, server: str, label: str) -> None:
    page.goto(f"{server}/p/example")
    page.get_by_label("Label of the next plan").fill(label)
    page.get_by_role("button", name="Run a plan").click()  # 1 click
    expect(page).to_have_url(f"{server}/p/example", timeout=90_000)  # via the progress page
    expect(page.locator(".plan-line")).to_contain_text(label)


def test_office_edits_replans_reads_the_diff_and_drills_down(browser: Browser, server: str) -> None:
    page = login(browser, server, "office")
    _plan(page, server, "baseline")
    expect(page.locator("#stale-banner")).to_have_count(0)
    expect(page.locator(".chart .main-svg").first).to_be_visible(timeout=20_000)
    shot(page, "office-overview")

    # drill: on-time tile -> late requirements -> the line limiting one -> the line page
    page.locator("[data-kpi=on_time_rate]").click()
    expect(page.get_by_role("heading", name="Late and unmet requirements")).to_be_visible()
    rows = page.locator("#late tbody tr")
    assert rows.count() == int(
        re.sub(r"\D", "", page.locator("[data-count=late]").inner_text().split(" of ")[1])
    )
    page.get_by_label("Filter").fill("UA-KYIV-1")
    expect(page.locator("[data-count=late]")).not_to_contain_text(f"{rows.count()} of")
    shot(page, "late")
    page.locator("#late tbody tr:not([hidden]) td a[href*='/lines/']").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"Line UA-KYIV-1"))).to_be_visible()
    expect(page.locator("#line-limits")).to_contain_text("line UA-KYIV-1 (UA-KYIV) hours")
    shot(page, "line")

    # edit a quantity in a form: a wrong value is named beside its field, then the review
    page.get_by_role("link", name="Programme data").click()
    page.get_by_role("link", name="R004", exact=True).click()
    shot(page, "record-form")
    page.get_by_label("quantity").fill("0")
    page.get_by_role("button", name="Review the change").click()
    expect(page.locator("#f-quantity-err")).to_contain_text("greater than or equal to 1")
    shot(page, "record-form-error")
    page.get_by_label("quantity").fill("2400")
    page.get_by_role("button", name="Review the change").click()
    expect(page.locator("#review")).to_contain_text("1440")
    expect(page.locator("#review")).to_contain_text("2400")
    shot(page, "record-review")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#saved")).to_contain_text("version 2")

    # the plan is now older than the data; re-plan, and the diff names the change
    page.get_by_role("link", name="Overview").click()
    expect(page.locator("#stale-banner")).to_contain_text("requirements R004: quantity 1,440 → 2,400")
    shot(page, "overview-stale")
    _plan(page, server, "R004 up to 2,400")
    page.get_by_role("link", name="Plan versions").click()
    expect(page.locator("#versions")).to_contain_text("requirements R004: quantity 1,440 → 2,400")
    shot(page, "plans")
    page.get_by_role("button", name="Show the difference").click()
    expect(page.locator("#input-changes")).to_contain_text("requirements R004: quantity 1,440 → 2,400")
    moved = page.locator("#moved tr", has_text="R004")
    expect(moved).to_contain_text("1,440 → 2,400")
    expect(page.locator("#kpi-diff")).to_contain_text("On-time rate")
    expect(page.locator("#kpi-diff")).to_contain_text("points")
    shot(page, "diff")

    # the audit trail tells the edit field by field
    page.get_by_role("link", name="Audit trail").click()
    expect(page.locator("#audit")).to_contain_text("requirements R004: quantity 1,440 → 2,400")
    shot(page, "audit")
    page.close()


def test_office_edits_in_grids(browser: Browser, server: str) -> None:
    page = login(browser, server, "office")
    page.goto(f"{server}/p/example/data?section=requirements")
    page.get_by_role("link", name="Edit quantities and due dates in a grid").click()
    page.get_by_label("quantity of R005").fill("600")
    page.get_by_label("due date of R006").fill("2026-03-01")
    page.get_by_role("button", name="Save changes").first.click()
    saved = page.locator("#grid-saved")
    expect(saved).to_contain_text("requirements R005: quantity 540 → 600")
    expect(saved).to_contain_text("requirements R006: due 2026-02-01 → 2026-03-01")
    shot(page, "grid-requirements")
    page.goto(f"{server}/p/example/grid/line-hours")
    page.get_by_label("hours of UK-MID-2 in 2026-12-01").fill("1300")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#grid-saved")).to_contain_text("lines UK-MID-2: exceptions")
    shot(page, "grid-line-hours")
    page.close()


def test_office_uploads_a_workbook_and_confirms_the_preview(browser: Browser, server: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = server_database(server)
    with transaction(url) as tx:
        p = stored_programme(tx, "example")
    changed = p.model_copy(
        update={
            "requirements": tuple(
                r.model_copy(update={"quantity": 999}) if r.id == "R010" else r for r in p.requirements
            )
        }
    )
    path = tmp_path / "example.xlsx"
    path.write_bytes(programme_workbook(changed))
    page = login(browser, server, "office")
    page.get_by_role("link", name="Upload").click()
    page.get_by_label("Programme name").fill("example")
    page.get_by_label("File (.yaml or .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#change-counts")).to_contain_text("requirements")
    expect(page.locator("#change-list")).to_contain_text("requirements R010: quantity 360 → 999")
    assert page.locator("#change-list li").count() == 1
    shot(page, "upload-preview")
    page.get_by_role("button", name="Replace example").click()
    expect(page.get_by_role("status").first).to_contain_text("The upload is stored")
    page.goto(f"{server}/p/example/data?section=requirements&q=R01")
    table = page.locator("#records")
    expect(table.locator("tr", has_text="R010")).to_contain_text("999")
    expect(table.locator("tr", has_text="R011")).to_contain_text("UA-MOD")
    versions = {
        key: table.locator("tr", has_text=key).locator("td").last.inner_text() for key in ("R010", "R011")
    }
    assert versions == {"R010": "2", "R011": "1"}  # changed: bumped; unchanged: kept
    shot(page, "data-search")
    page.close()


def server_database(server: str) -> str:
    from tests.e2e import conftest

    return conftest.DATABASE_URL[server]


def test_office_compares_scenarios_and_runs_a_risk_sweep(browser: Browser, server: str) -> None:
    page = login(browser, server, "office")
    page.get_by_role("link", name="Scenarios and risk").click()
    boxes = page.locator("input[name=pick]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Compare").click()
    table = page.locator("#compare")
    expect(table).to_contain_text("as stored", timeout=120_000)
    expect(table.locator("thead th")).to_have_count(4)  # KPI + stored + two scenarios
    expect(table).to_contain_text("on-time rate")
    shot(page, "scenarios")
    page.get_by_label("Samples", exact=True).fill("4")
    page.get_by_role("button", name="Run the sweep").click()
    expect(page.locator("#p-target")).to_be_visible(timeout=180_000)
    expect(page.locator(".chart .main-svg").first).to_be_visible(timeout=20_000)
    shot(page, "risk")
    page.close()


def test_each_role_lands_on_its_own_view(browser: Browser, server: str) -> None:
    office = login(browser, server, "office")
    if office.locator(".plan-line").count() == 0:  # run alone: the roles need a plan to show
        _plan(office, server, "for the roles")
    office.close()
    uk = login(browser, server, "uk")
    expect(uk.get_by_role("heading", name=re.compile(r": your lines$"))).to_be_visible()
    expect(uk.locator(".scope")).to_contain_text("UK-MIDLANDS")
    expect(uk.get_by_role("button", name="Run a plan")).to_have_count(0)
    shot(uk, "home-site-planner")
    uk.get_by_role("link", name="Programme data").click()
    expect(uk.locator("#records")).to_contain_text("UK-MID-1")  # opens on its lines, no refusal
    expect(uk.get_by_role("alert")).to_have_count(0)
    shot(uk, "data-site-planner")
    motors = login(browser, server, "motors")
    expect(motors.get_by_role("heading", name=re.compile("needed from AS-MOTORS"))).to_be_visible()
    expect(motors.locator("#orders-table")).to_contain_text("MOTOR-2807")
    expect(motors.locator(".chart .main-svg").first).to_be_visible(timeout=20_000)  # drawn
    shot(motors, "home-supplier")
    forces = login(browser, server, "forces")
    expect(forces.get_by_role("heading", name=re.compile("requirements of UA-MOD"))).to_be_visible()
    expect(forces.locator("#requirements")).to_contain_text("R001")
    expect(forces.get_by_role("link", name="Sites and lines")).to_have_count(0)
    expect(forces.locator(".chart .main-svg").first).to_be_visible(timeout=20_000)  # Plotly drew it
    shot(forces, "home-customer")
    bureau = login(browser, server, "bureau")
    expect(bureau.locator("#royalty-table")).to_contain_text("LIC-UK-INT1")
    expect(bureau.locator("#royalty-statements")).to_be_visible()
    shot(bureau, "home-design-authority")
    for page in (uk, motors, forces, bureau):
        page.close()
    assert ARTIFACTS.is_dir()
