"""Issue #14 part 7 in a real browser: an admin resets the analyst's password on ``/users``; the
analyst logs in with the one-time password, is held on ``/account`` until they choose a new
one, and then works as before. Screenshots go to ``build/screenshots/``."""

from __future__ import annotations

import re

import pytest

from tests.browser import test_dashboard as dashboard

pytestmark = pytest.mark.browser

server = dashboard.server

NEW = "kata-sandi-baru-untuk-analis"


def test_reset_and_password_change_in_chromium(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with dashboard.signed_in_page(server, "admin", "/users") as (page, csp_errors):
        page.locator("#user-analyst form[action$='/reset-password'] button").click()
        notice = page.locator("#reset-password")
        expect(notice).to_be_visible()
        found = re.search(r"untuk analyst: (\S+)", notice.inner_text())
        assert found, notice.inner_text()
        one_time = found.group(1)
        page.screenshot(path=str(dashboard.SHOTS / "users-reset.png"), full_page=True)
    assert csp_errors == []

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(dashboard.CHROMIUM), headless=True,
                                     args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server + "/posts")
        page.fill("input[name=name]", "analyst")
        page.fill("input[name=password]", dashboard.PASSWORD)  # the old one no longer works
        page.click("button[type=submit]")
        expect(page.locator("#login-error")).to_be_visible()
        page.fill("input[name=name]", "analyst")
        page.fill("input[name=password]", one_time)
        page.click("button[type=submit]")
        expect(page).to_have_url(server + "/account")  # held here until the password changes
        expect(page.locator("#must-change")).to_be_visible()
        page.goto(server + "/triage")
        expect(page).to_have_url(server + "/account")
        form = page.locator("#password-form")
        form.locator("input[name=current]").fill(one_time)
        form.locator("input[name=new]").fill(NEW)
        form.locator("input[name=repeat]").fill(NEW)
        form.locator("button[type=submit]").click()
        expect(page.locator("#account-notice")).to_be_visible()
        expect(page.locator("#must-change")).to_have_count(0)
        expect(page.locator("#sessions tr.current")).to_have_count(1)
        page.screenshot(path=str(dashboard.SHOTS / "account.png"), full_page=True)
        page.goto(server + "/triage")
        expect(page).to_have_url(server + "/triage")
        browser.close()
