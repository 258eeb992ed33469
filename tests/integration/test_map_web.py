"""Issue #13 parts 3, 4 and 6 on the web: ``GET /api/v1/map`` and the ``/map`` page carry the
events with a point and the citizen reports with their cluster; the events page shows an event's
linked reports and highlights its calls for help; ``GET /api/v1/stats`` counts per province."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from damai.pipeline.linking import link_reports
from damai.records import HazardEvent
from damai.storage import open_store
from tests.integration.test_api import Api, assert_error, lite  # noqa: F401  (fixture)
from tests.integration.test_events_web import viewer  # noqa: F401  (fixture)
from tests.integration.test_linking import post


def stock(db_url: str) -> datetime:
    """A quake near Palu an hour ago, three reports of it (one a call for help), two flood
    reports in Kota Bekasi, a post with no place and a CAP alert with no point we can find."""
    now = datetime.now(UTC).replace(microsecond=0)
    quake = now - timedelta(hours=1)
    with open_store(db_url) as store:
        store.events.save([
            HazardEvent(source="bmkg", key="bmkg:map:palu", hazard="earthquake", time=quake,
                        magnitude=6.0, lat=-0.9, lon=119.85, region="Palu, Sulawesi Tengah"),
            HazardEvent(source="cap", key="cap:map:nowhere", hazard="Hujan Lebat", time=quake,
                        region="Perairan utara")], "test", now)
        store.posts.write_batch([
            post("Gempa kuat sekali di Palu, dinding rumah retak", quake + timedelta(minutes=3),
                 "earthquake", "eyewitness", "casualties_damage"),
            post("Warga Palu mengungsi ke lapangan, takut gempa susulan",
                 quake + timedelta(minutes=9), "earthquake", "eyewitness"),
            post("Tolong, keluarga kami terjebak di rumah yang roboh di Kota Palu",
                 quake + timedelta(minutes=15), "earthquake", "call_for_help"),
            post("Banjir di Kota Bekasi, air masuk ke rumah", now - timedelta(hours=30), "flood",
                 "eyewitness"),
            post("Kota Bekasi banjir lagi, tolong kirim perahu karet",
                 now - timedelta(hours=29), "flood", "call_for_help"),
            post("Gempa barusan, semoga semua selamat", quake + timedelta(minutes=1),
                 "earthquake")], [], [])
        link_reports(store, now=now)
    return now


def test_the_api_gives_events_with_a_point_and_clustered_reports(lite: Api) -> None:  # noqa: F811
    stock(lite.url)
    body = lite.get("/map").json()
    assert [e["source"] for e in body["events"]] == ["bmkg"]  # the CAP alert has no point
    (quake,) = body["events"]
    assert quake["hazard"] == "earthquake" and quake["reports"] == 3
    assert quake["calls_for_help"] == 1
    reports = body["reports"]
    assert len(reports) == 5  # the post with no place is not on the map
    assert {r["cluster"] for r in reports} == {"Kota Palu", "Kota Bekasi"}
    palu = [r for r in reports if r["cluster"] == "Kota Palu"]
    assert all(r["event_id"] == quake["id"] for r in palu)
    assert [r["call_for_help"] for r in palu] == [False, False, True]
    assert all(r["post"].startswith("x:") for r in reports)
    narrow = lite.get("/map", params={"since": (datetime.now(UTC) - timedelta(hours=12))
                                      .isoformat()}).json()
    assert {r["cluster"] for r in narrow["reports"]} == {"Kota Palu"}


def test_the_api_refuses_a_bad_range(lite: Api) -> None:  # noqa: F811
    now = datetime.now(UTC)
    assert_error(lite.get("/map", params={"since": now.isoformat(),
                                          "until": (now - timedelta(days=1)).isoformat()}),
                 400, "invalid_range")
    assert_error(lite.get("/map", params={"since": (now - timedelta(days=40)).isoformat()}),
                 400, "invalid_range")
    assert_error(lite.get("/map", params={"until": "0001-01-02T00:00:00Z"}), 400,
                 "invalid_range")
    assert lite.get("/map", params={"since": "kemarin"}).status_code == 422


def test_stats_count_posts_per_province(lite: Api) -> None:  # noqa: F811
    stock(lite.url)
    body = lite.get("/stats").json()
    assert body["by_province"] == {"Sulawesi Tengah": 3, "Jawa Barat": 2}


def test_the_map_page_lists_places_with_calls_for_help_first(
        db_url: str, viewer: object) -> None:  # noqa: F811
    stock(db_url)
    page = viewer.get("/map")  # type: ignore[attr-defined]
    assert page.status_code == 200
    html = page.text
    assert 'id="map-data"' in html and 'href="/map"' in html
    rows = html.split('id="map-places"')[1]
    assert rows.index('data-place="Kota Palu"') < rows.index('data-place="Kota Bekasi"')
    assert "Cuaca ekstrem" in html  # the hazard filter, in Indonesian first


def test_the_empty_map_page_says_so(db_url: str, viewer: object) -> None:  # noqa: F811
    assert 'id="map-empty"' in viewer.get("/map").text  # type: ignore[attr-defined]


def test_the_events_page_shows_linked_reports_and_calls_for_help(
        db_url: str, viewer: object) -> None:  # noqa: F811
    stock(db_url)
    html = viewer.get("/events").text  # type: ignore[attr-defined]
    assert 'data-reports="3"' in html and 'data-calls-for-help="1"' in html
    assert "1 minta tolong" in html and "Kota Palu" in html
    first = html.split('<details class="small">')[1].split('href="')[1].split('"')[0]
    assert viewer.get(first).status_code == 200  # type: ignore[attr-defined]  (the post page)


def test_the_overview_map_counts_geoparsed_posts_without_a_platform_location(
        db_url: str, viewer: object) -> None:  # noqa: F811
    stock(db_url)
    html = viewer.get("/").text  # type: ignore[attr-defined]
    table = html.split('id="province-table"')[1].split("</table>")[0]
    # each count opens the province's posts (issue #14 part 3)
    assert ('<td>Sulawesi Tengah</td><td class="num"><a href="/posts?province=Sulawesi+Tengah">'
            '3</a></td>') in table
    assert '<td>Jawa Barat</td><td class="num"><a href="/posts?province=Jawa+Barat">2</a>' in table
