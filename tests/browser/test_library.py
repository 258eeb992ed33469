"""Issue #11 in a real browser: an analyst writes a library entry, edits it into a second
version, and compares the two versions, on Debian's Chromium over a real ``damai serve``.
Screenshots go to ``build/screenshots/``."""

from __future__ import annotations

import pytest

from tests.browser import test_dashboard as dashboard

pytestmark = pytest.mark.browser

# the dashboard test's server (module-scoped: this module gets one of its own, fresh store)
server = dashboard.server


def test_create_edit_and_diff_a_library_entry_in_chromium(server: str) -> None:
    from playwright.sync_api import expect

    with dashboard.signed_in_page(server, "analyst", "/library") as (page, csp_errors):
        expect(page.locator("nav a[aria-current=page]")).to_have_text("Pustaka narasi")

        # write a new entry: it is a draft
        page.click("#library-new")
        page.fill("input[name=id]", "cn-gotong-royong")
        page.fill("input[name=title]", "Gotong royong membersihkan kampung")
        page.fill("textarea[name=text_id]", "Setelah banjir surut, warga dari berbagai suku dan "
                  "agama turun bersama membersihkan lumpur. Begitulah kita saling menjaga.")
        page.fill("textarea[name=short_280]", "Banjir surut, warga bergotong royong bersama.")
        page.fill("textarea[name=short_500]", "Setelah banjir surut, warga dari berbagai latar "
                  "belakang membersihkan lumpur bersama.")
        page.check("input[name=themes][value=disaster_solidarity]")
        page.check("input[name=themes][value=tolerance]")
        page.fill("input[name=labels]", "disaster, sara")
        page.select_option("select[name=tone]", "hopeful")
        page.click("#entry-save")
        expect(page).to_have_url(server + "/library/cn-gotong-royong")
        expect(page.locator("#entry-status")).to_contain_text("draf")
        page.screenshot(path=str(dashboard.SHOTS / "library-entry.png"), full_page=True)

        # edit it: a second version
        page.click("#entry-edit")
        page.fill("input[name=title]", "Gotong royong membersihkan kampung kita")
        page.click("#entry-save")
        expect(page.locator("#entry-versions tbody tr")).to_have_count(2)

        # compare the two versions
        page.click("#version-2 a")
        expect(page.locator("#diff-title ins")).to_have_text(" kita")
        expect(page.locator("#diff-text_id")).to_have_class("same")
        page.screenshot(path=str(dashboard.SHOTS / "library-diff.png"), full_page=True)

        # and the list shows it
        page.goto(server + "/library?status=draft")
        expect(page.locator("#entry-cn-gotong-royong")).to_be_visible()
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
