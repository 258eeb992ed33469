"""Issue #14 parts 3 and 4: drill-down. The post list filters by hashtag, link, domain, province
and day on the page, the API and the CLI alike (one table of cases, three surfaces); an unknown
province is refused with the valid names; every number on the overview links to the posts that
make it, and the map's polygons are the bundled Natural Earth provinces."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from damai.understand.places import PROVINCES
from tests.conftest import run_cli
from tests.integration.drilldown_helpers import DAY, NEXT_DAY, POSTS, fill_drilldown, numbers
from tests.integration.test_api import Api, assert_error, open_api
from tests.integration.test_store_contract import pg_schema
from tests.integration.web_helpers import add_users, client_for, login

GEOJSON = (Path(__file__).resolve().parents[2]
           / "src/damai/web/static/vendor/indonesia-provinces.geojson")

#: filters → the posts (numbers of drilldown_helpers.POSTS) they find, on every surface
CASES: list[tuple[dict[str, str], list[int]]] = [
    ({"hashtag": "banjirbandung"}, [1, 2]),
    ({"hashtag": "#BanjirBandung"}, [1, 2]),
    ({"hashtag": "gempa"}, [3]),
    ({"hashtag": "banjir"}, []),  # a hashtag is matched whole
    ({"link": "https://kabar.example/jalan"}, [2]),
    ({"link": "https://kabar.example/jalan/"}, []),  # a link is matched exactly
    # the host or www.host: not a lookalike host, a subdomain, nor the name in a path
    ({"domain": "kabar.example"}, [1, 2]),
    ({"domain": "www.KABAR.example"}, [1, 2]),
    ({"domain": "sub.kabar.example"}, [5]),
    ({"province": "Jawa Barat"}, [1, 2]),
    ({"province": "jawa  barat"}, [1, 2]),
    ({"province": "Bali"}, [4]),
    ({"province": "Papua Tengah"}, []),
    ({"province": "Jawa Barat", "hashtag": "gempa"}, []),
    ({"province": "Sulawesi Tengah", "platform": "mastodon"}, [3]),
    ({"domain": "kabar.example", "label": "disaster"}, [1, 2]),
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def api(request: pytest.FixtureRequest, db_url: str) -> Iterator[Api]:
    """The API over the drill-down posts (besides test_api's own posts, which none matches), on
    each backend."""
    if request.param == "sqlite":
        fill_drilldown(db_url)
        yield from open_api(db_url)
        return
    with pg_schema() as url:
        fill_drilldown(url)
        yield from open_api(url)


@pytest.fixture
def viewer(db_url: str) -> Iterator[TestClient]:
    fill_drilldown(db_url)
    add_users(db_url, ("viewer",))
    with client_for(db_url) as client:
        login(client, "viewer")
        yield client


def page_numbers(html: str) -> list[int]:
    """The posts a /posts page lists (by their detail links' ids' platform ids in the text)."""
    table = html.split('id="post-results"')[1].split("</table>")[0]
    return sorted(n for n, (text, *_rest) in POSTS.items() if text[:40] in unescape(table))


@pytest.mark.parametrize(("filters", "expected"), CASES)
def test_each_filter_finds_the_same_posts_in_the_api_the_page_and_the_cli(
        api: Api, capsys: pytest.CaptureFixture[str], filters: dict[str, str],
        expected: list[int]) -> None:
    response = api.get("/posts", params=filters)
    assert response.status_code == 200, response.text
    assert numbers(i["platform_id"] for i in response.json()["items"]
                   if i["platform_id"].startswith("70")) == expected

    add_users(api.url, ("viewer",))
    with client_for(api.url) as client:
        login(client, "viewer")
        html = client.get("/posts", params=filters).text
    assert 'role="alert"' not in html
    assert page_numbers(html) == expected
    for key, value in filters.items():  # the field shows the filter, so it can be cleared
        assert f'name="{key}"' in html and (f'value="{value}"' in html
                                            or f'value="{value}" selected' in html
                                            or key == "province")

    options = [f"--{k}" if k != "label" else "--label" for k in filters]
    args = [a for pair in zip(options, filters.values(), strict=True) for a in pair]
    code, out, err = run_cli(capsys, "posts", "--db", api.url, "-o", "jsonl", *args)
    assert code == 0, err
    found = [orjson.loads(line)["platform_id"] for line in out.splitlines() if line]
    assert numbers(i for i in found if i.startswith("70")) == expected


def test_a_day_and_a_label_find_that_days_flagged_posts(viewer: TestClient) -> None:
    assert page_numbers(viewer.get("/posts", params={"label": "disaster", "day": DAY}).text) \
        == [1]
    assert page_numbers(viewer.get("/posts", params={"label": "disaster",
                                                     "day": NEXT_DAY}).text) == [2, 3]
    # a day narrows since/until, never widens them
    assert page_numbers(viewer.get("/posts", params={"day": NEXT_DAY, "until": DAY}).text) == []
    assert page_numbers(viewer.get("/posts", params={"language": "unknown"}).text) == [4]
    bad = viewer.get("/posts", params={"day": "kemarin"})
    assert bad.status_code == 200 and "2026-11-02" in bad.text and 'role="alert"' in bad.text


def test_an_unknown_province_is_refused_with_the_valid_names(
        api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    error = assert_error(api.get("/posts", params={"province": "Atlantis"}), 400,
                         "unknown_province")
    assert error["detail"]["valid"] == [p.name for p in PROVINCES]
    assert "Papua Pegunungan" in error["message"]
    assert_error(api.get("/posts", params={"domain": "kabar.example/jalan"}), 400,
                 "invalid_domain")
    assert_error(api.get("/posts", params={"domain": "%"}), 400, "invalid_domain")

    add_users(api.url, ("viewer",))
    with client_for(api.url) as client:
        login(client, "viewer")
        html = client.get("/posts", params={"province": "Atlantis"}).text
    alert = html.split('role="alert"')[1].split("</p>")[0]
    assert "Atlantis" in alert and "Jawa Barat" in alert and "Kalimantan Utara" in alert

    code, _, err = run_cli(capsys, "posts", "--db", api.url, "--province", "Atlantis")
    assert code != 0 and "Jawa Barat" in err and "Traceback" not in err


def test_cursors_keep_the_drill_down_filters(api: Api) -> None:
    first = api.get("/posts", params={"province": "Jawa Barat", "limit": 1}).json()
    assert numbers([i["platform_id"] for i in first["items"]]) == [2]
    second = api.get("/posts", params={"province": "Jawa Barat", "limit": 1,
                                       "cursor": first["next_cursor"]}).json()
    assert numbers([i["platform_id"] for i in second["items"]]) == [1]
    assert second["next_cursor"] is None
    assert_error(api.get("/posts", params={"province": "Bali", "cursor": first["next_cursor"]}),
                 400, "invalid_cursor")


def test_the_next_page_link_keeps_the_drill_down_filters(
        viewer: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("damai.web.posts.PAGE_SIZE", 1)
    html = viewer.get("/posts", params={"hashtag": "banjirbandung"}).text
    assert page_numbers(html) == [2]
    link = unescape(re.search(r'id="next-page" href="([^"]+)"', html).group(1))  # type: ignore[union-attr]
    assert "hashtag=banjirbandung" in link
    assert page_numbers(viewer.get(link).text) == [1]


def overview_links(html: str, section: str) -> list[tuple[str, str]]:
    """(link text, href) of the links in the overview element with id ``section``."""
    part = html.split(f'id="{section}"')[1].split("</section>")[0].split("</table>")[0]
    return [(unescape(text).strip(), unescape(href))
            for href, text in re.findall(r'<a[^>]*href="(/posts\?[^"]+)"[^>]*>([^<]+)</a>', part)]


def test_every_overview_number_opens_the_posts_behind_it(viewer: TestClient) -> None:
    html = viewer.get("/").text
    tags = dict(overview_links(html, "top-hashtags"))
    # the tops count the newest flagged posts, and ask for their days (from the oldest's)
    assert tags == {"#banjirbandung": f"/posts?hashtag=banjirbandung&since={DAY}",
                    "#gempa": f"/posts?hashtag=gempa&since={DAY}",
                    "#usir": f"/posts?hashtag=usir&since={DAY}"}
    domains = dict(overview_links(html, "top-domains"))
    assert domains["kabar.example"] == f"/posts?domain=kabar.example&since={DAY}"
    assert dict(overview_links(html, "top-links"))["https://kabar.example/jalan"] \
        == f"/posts?link=https%3A%2F%2Fkabar.example%2Fjalan&since={DAY}"
    assert overview_links(html, "counts-platform") == [("3", "/posts?platform=x"),
                                                       ("2", "/posts?platform=mastodon")]
    assert overview_links(html, "counts-language") == [("4", "/posts?language=id"),
                                                       ("1", "/posts?language=unknown")]
    assert overview_links(html, "province-table") == [  # most first, then west to east
        ("2", "/posts?province=Jawa+Barat"), ("1", "/posts?province=Bali"),
        ("1", "/posts?province=Sulawesi+Tengah")]
    chart = json.loads(unescape(html.split('id="overview-data">')[1].split("</script>")[0]))
    assert {s["label"]: s["href"] for s in chart["volume"]["series"]} == {
        "disaster": f"/posts?label=disaster&since={DAY}&until=2026-11-04",
        "hate_speech": f"/posts?label=hate_speech&since={DAY}&until=2026-11-04"}
    # and each link lists exactly as many posts as its number says (the tops count flagged
    # posts: here every post with a hashtag or a link is flagged, but for number 4)
    for section in ("counts-platform", "counts-language", "province-table", "top-hashtags",
                    "top-domains", "top-links"):
        for text, href in overview_links(html, section):
            listed = page_numbers(viewer.get(href).text)
            if text.isdigit():
                assert len(listed) == int(text), (section, href)
            else:
                count = html.split(f'href="{href.replace("&", "&amp;")}"')[1]
                assert len([n for n in listed if POSTS[n][3]]) == int(
                    re.search(r'class="count">(\d+)<', count).group(1)), href  # type: ignore[union-attr]
    volume = html.split("</canvas>")[1].split("</table>")[0]
    for total, label in (("3", "disaster"), ("1", "hate_speech")):
        href = f"/posts?label={label}&amp;since={DAY}&amp;until=2026-11-04"
        assert f'<a href="{href}">{total}</a>' in volume
        assert len(page_numbers(viewer.get(unescape(href)).text)) == int(total)


def test_the_bundled_provinces_cover_all_38() -> None:
    shapes = json.loads(GEOJSON.read_text())
    drawn = [f["properties"]["name"] for f in shapes["features"]]
    merged = [n for f in shapes["features"] for n in f["properties"]["includes"]]
    assert len(drawn) == 33 and sorted(drawn + merged) == sorted(p.name for p in PROVINCES)
    assert GEOJSON.stat().st_size < 1_000_000
    assert all(f["geometry"]["type"] in {"Polygon", "MultiPolygon"} for f in shapes["features"])
