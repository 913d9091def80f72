"""The dashboard in a real browser: scope per partner, a plan run with progress, the diff of
two plans, a workbook upload whose error is named by sheet, row and column."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
from playwright.sync_api import Browser, expect

from coprod.io import load_programme
from coprod.io.workbook import programme_workbook
from tests.e2e.conftest import EXAMPLE, login, shot


def _run_plan(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/p/example")
    page.get_by_role("button", name="Run a plan").click()
    expect(page).to_have_url(f"{server}/p/example", timeout=90_000)  # via the progress page


def test_programme_office_runs_plans_and_compares_them(browser: Browser, server: str) -> None:
    page = login(browser, server, "office")
    _run_plan(page, server)
    expect(page.locator("[data-kpi=on_time_rate]")).to_contain_text("%")
    expect(page.locator(".chart .main-svg").first).to_be_visible(timeout=20_000)  # Plotly drew it
    shot(page, "overview")
    page.get_by_role("link", name="Sites and lines").click()
    expect(page.get_by_role("link", name="UK-MID-1", exact=True)).to_be_visible()  # heatmap's lines
    # the design authority's plant supplies both licensees' flight controllers by transfer
    expect(page.locator("#moves")).to_contain_text("KYIV-UK-FC")
    expect(page.locator("#moves")).to_contain_text("KYIV-NO-FC")
    shot(page, "lines")
    page.goto(f"{server}/p/example/requirements/R030")
    expect(page.get_by_text("Why:")).to_be_visible()
    page.goto(f"{server}/p/example/requirements/R003")
    expect(page.locator("#pegging")).to_contain_text("UA-")  # built on a Ukrainian line
    shot(page, "requirement")

    # change the programme through the data pages, plan again, compare
    page.goto(f"{server}/p/example/data/requirements/R013")
    quantity = page.get_by_label("quantity")
    assert quantity.input_value() == "840"
    quantity.fill("2500")
    page.get_by_role("button", name="Review the change").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#saved")).to_be_visible()
    _run_plan(page, server)
    page.get_by_role("link", name="Plan versions").click()
    page.get_by_role("button", name="Show the difference").click()
    expect(page.get_by_role("heading", name=re.compile(r"Plan \d+ → plan \d+"))).to_be_visible()
    expect(page.locator("#moved")).to_contain_text("R013")
    expect(page.locator("#input-changes")).to_contain_text("requirements R013: quantity 840 → 2,500")
    shot(page, "diff")
    page.close()


def test_each_partner_sees_only_its_scope(browser: Browser, server: str) -> None:
    uk = login(browser, server, "uk")
    uk.goto(f"{server}/p/example/data?section=lines")
    expect(uk.locator("#records")).to_contain_text("UK-MID-1")
    expect(uk.locator("#records")).not_to_contain_text("NO-RAU-1")
    expect(uk.locator("#records")).not_to_contain_text("UA-KYIV-1")
    shot(uk, "data-uk-planner")
    uk.goto(f"{server}/p/example/lines")
    expect(uk.locator("#build")).not_to_contain_text("NO-RAU-1")
    expect(uk.locator("#moves")).to_contain_text("KYIV-UK-FC")  # transfers to its own site only
    expect(uk.locator("#moves")).not_to_contain_text("KYIV-NO-FC")
    shot(uk, "lines-uk-planner")
    norway = login(browser, server, "norway")
    norway.goto(f"{server}/p/example/data?section=lines")
    expect(norway.locator("#records")).to_contain_text("NO-RAU-1")
    expect(norway.locator("#records")).not_to_contain_text("UK-MID-1")
    response = norway.goto(f"{server}/p/example/data/lines/UK-MID-1")
    assert response is not None and response.status == 404  # another partner's line is not found
    forces = login(browser, server, "forces")
    forces.goto(f"{server}/p/example/data?section=lines")
    expect(forces.get_by_role("alert")).to_contain_text("cannot read lines")
    shot(forces, "customer-denied")
    for page in (uk, norway, forces):
        page.close()


def test_uploading_a_workbook_with_an_error_names_sheet_row_and_column(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(programme_workbook(load_programme(EXAMPLE))))
    sheet = book["requirements"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=4, column=header.index("quantity") + 1, value="lots")
    path = tmp_path / "bad.xlsx"
    book.save(path)
    page = login(browser, server, "office")
    page.goto(f"{server}/upload")
    page.get_by_label("Programme name").fill("example")
    page.get_by_label("File (.yaml or .xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload").click()
    errors = page.locator("#upload-errors")
    expect(errors).to_contain_text("sheet 'requirements'")
    expect(errors).to_contain_text("row 4 (R003)")
    expect(errors).to_contain_text("field 'quantity'")
    shot(page, "upload-error")
    page.goto(f"{server}/p/example/data?section=requirements")
    expect(page.locator("#records")).to_contain_text("R003")  # nothing was replaced
    page.close()
