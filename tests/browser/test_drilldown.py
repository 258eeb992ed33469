"""Issue #14 parts 3 and 4 in Chromium: from the overview, a hashtag, a province polygon of the
choropleth and a point of the volume chart each open the post list with their filter, which lists
those posts only. Screenshots go to ``build/screenshots/``."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.test_dashboard import SHOTS, running_server, signed_in_page
from tests.integration.drilldown_helpers import DAY, fill_drilldown

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("drilldown"), fill_drilldown) as base:
        yield base


def _filters(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_hashtag_and_a_province_open_their_posts(server: str) -> None:
    from playwright.sync_api import expect

    with signed_in_page(server, "analyst", "/") as (page, csp_errors):
        shapes = page.locator("#province-map path[data-province]")
        expect(shapes).to_have_count(33)
        # coloured by count: Jawa Barat (2 posts) darker than Bali (1), Papua (0) grey
        fills = {name: page.locator(f'#province-map path[data-province="{name}"]')
                 .get_attribute("fill") for name in ("Jawa Barat", "Bali", "Papua")}
        assert fills["Papua"] == "#d9d9d9" and len(set(fills.values())) == 3, fills
        expect(page.locator("#province-legend")).to_contain_text("0")
        page.screenshot(path=str(SHOTS / "overview-choropleth.png"), full_page=True)

        page.locator("#top-hashtags a", has_text="#banjirbandung").click()
        page.wait_for_url(f"**/posts?hashtag=banjirbandung&since={DAY}")
        expect(page.locator("#post-results tbody tr")).to_have_count(2)
        expect(page.locator("input[name=hashtag]")).to_have_value("banjirbandung")
        page.screenshot(path=str(SHOTS / "drilldown-hashtag.png"), full_page=True)

        page.goto(server + "/")
        jabar = page.locator('#province-map path[data-province="Jawa Barat"]')
        jabar.hover()
        expect(page.locator(".leaflet-tooltip")).to_contain_text("Jawa Barat: 2")
        jabar.click()
        page.wait_for_url("**/posts?province=Jawa+Barat")
        expect(page.locator("#post-results tbody tr")).to_have_count(2)
        expect(page.locator("#post-results")).to_contain_text("Kota Bandung")
        expect(page.locator("select[name=province]")).to_have_value("Jawa Barat")
        page.screenshot(path=str(SHOTS / "drilldown-province.png"), full_page=True)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"


def test_a_chart_point_opens_that_labels_posts_of_that_day(server: str) -> None:
    with signed_in_page(server, "analyst", "/") as (page, csp_errors):
        page.wait_for_function("document.getElementById('volume-chart').width > 0")
        page.locator("#volume-chart").scroll_into_view_if_needed()
        # the first day's point of the disaster series, where Chart.js drew it
        spot = page.evaluate("""() => {
            const chart = Chart.getChart(document.getElementById('volume-chart'));
            const data = JSON.parse(document.getElementById('overview-data').textContent);
            const index = data.volume.series.findIndex(s => s.label === 'disaster');
            const point = chart.getDatasetMeta(index).data[0];
            const box = chart.canvas.getBoundingClientRect();
            return {x: box.left + point.x, y: box.top + point.y,
                    hits: chart.getElementsAtEventForMode(
                        {x: point.x, y: point.y, native: null, type: 'click'}, 'nearest',
                        {intersect: true}, false).length};
        }""")
        assert spot["hits"] == 1, spot
        page.mouse.click(spot["x"], spot["y"])
        page.wait_for_url("**/posts?**")
        assert _filters(page.url) == {"label": ["disaster"], "since": [DAY],
                                      "until": ["2026-11-03"]}
        from playwright.sync_api import expect
        expect(page.locator("#post-results tbody tr")).to_have_count(1)
        page.screenshot(path=str(SHOTS / "drilldown-chart.png"), full_page=True)
    assert csp_errors == [], "a page broke its own Content-Security-Policy"
