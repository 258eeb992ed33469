"""Issue #13 part 6 in a real browser: the map page draws the quake, the reports clustered per
regency and the calls for help, and the hazard and information filters, the window of hours and
the time slider change what is drawn, on Debian's Chromium. Screenshots go to
``build/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import test_dashboard as dashboard
from tests.integration.test_map_web import stock

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with dashboard.running_server(tmp_path_factory.mktemp("browser-map"), stock) as base:
        yield base


def _drawn(page: Any) -> tuple[int, int, int]:
    return tuple(page.locator(f"#event-map path.{kind}").count()  # type: ignore[return-value]
                 for kind in ("map-event", "map-report", "map-help"))


def _slide(page: Any, hour: int) -> None:
    page.eval_on_selector("#map-until", "(el, h) => { el.value = String(h); "
                          "el.dispatchEvent(new Event('input')); }", hour)


def test_markers_appear_and_the_filters_and_slider_change_them(server: str) -> None:
    from playwright.sync_api import expect

    with dashboard.signed_in_page(server, "analyst", "/map") as (page, csp_errors):
        shown = page.locator("#map-shown")
        expect(shown).to_have_attribute("data-reports", "5")
        # the quake; clusters Kota Palu and Kota Bekasi; a call for help in each
        assert _drawn(page) == (1, 2, 2)
        expect(shown).to_contain_text("1 kejadian, 5 laporan, 2 permintaan tolong")
        page.screenshot(path=str(dashboard.SHOTS / "map.png"), full_page=True)

        page.select_option("#map-hazard", "flood")
        expect(shown).to_have_attribute("data-reports", "2")
        assert _drawn(page) == (0, 1, 1)
        page.select_option("#map-hazard", "")
        page.select_option("#map-info", "call_for_help")
        expect(shown).to_have_attribute("data-reports", "2")
        assert _drawn(page) == (1, 2, 2)
        page.select_option("#map-info", "")

        page.select_option("#map-hours", "6")  # the Bekasi floods were 29-30 hours ago
        expect(shown).to_have_attribute("data-reports", "3")
        assert _drawn(page) == (1, 1, 1)
        page.select_option("#map-hours", "24")
        _slide(page, 168 - 18)  # 18 hours back: the floods in the window, the quake not yet
        expect(shown).to_have_attribute("data-reports", "2")
        assert _drawn(page) == (0, 1, 1)
        _slide(page, 0)
        expect(shown).to_have_attribute("data-reports", "0")
        assert _drawn(page) == (0, 0, 0)
        page.screenshot(path=str(dashboard.SHOTS / "map-filtered.png"), full_page=True)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
