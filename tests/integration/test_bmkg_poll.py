"""Issue #13: ``damai bmkg poll`` against BMKG-shaped feeds on a local HTTP server (127.0.0.1):
every shape, conditional requests (ETag, Last-Modified, 304), 5xx, a truncated body, a changed
field order, de-duplication across feeds, and a feed that stays down."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from damai.httpclient import RetryPolicy
from damai.live.bmkg import poll_feeds
from damai.storage import Store, open_store
from tests.conftest import run_cli
from tests.integration.test_store_contract import store_url  # noqa: F401  (fixture)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bmkg"
T0 = datetime(2026, 12, 2, 1, 20, tzinfo=UTC)
NO_WAIT = RetryPolicy(attempts=2, sleep=lambda _: None)


class Feeds(ThreadingHTTPServer):
    """Serves ``/NAME`` from the fixtures with an ETag and a Last-Modified; ``script[path]``
    holds (status, body) answers given first; ``seen`` records every request's headers."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bodies: dict[str, bytes] = {f"/{p.name}": p.read_bytes()
                                         for p in FIXTURES.iterdir()}
        self.script: dict[str, list[tuple[int, bytes]]] = {}
        self.seen: list[tuple[str, dict[str, str]]] = []

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{name}"


class _Handler(BaseHTTPRequestHandler):
    server: Feeds

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.server.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        scripted = self.server.script.get(self.path)
        if scripted:
            status, body = scripted.pop(0)
            if status == 0:  # the connection drops part-way: fewer bytes than Content-Length
                self.send_response(200)
                self.send_header("Content-Length", str(len(body) * 2))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True
                return
            self._send(status, body)
            return
        body = self.server.bodies.get(self.path)
        if body is None:
            self._send(404, b"not found")
            return
        etag = f'"{abs(hash(body))}"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", etag)
            return
        self._send(200, body, etag)

    def _send(self, status: int, body: bytes, etag: str | None = None) -> None:
        self.send_response(status)
        if etag:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", "Wed, 02 Dec 2026 01:15:00 GMT")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def feeds() -> Iterator[Feeds]:
    server = Feeds()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def poll(store: Store, feeds: Feeds, *names: str, at: datetime = T0) -> list[Any]:
    return poll_feeds(store, [feeds.url(n) for n in names], policy=NO_WAIT, clock=lambda: at)


ALL = ("autogempa.json", "gempaterkini.json", "gempadirasakan.json")


def test_every_shape_is_one_event_per_earthquake(store: Store, feeds: Feeds) -> None:
    reports = poll(store, feeds, *ALL, "autogempa.xml", "gempaterkini.xml", "gempadirasakan.xml")
    assert [r.status for r in reports] == ["fetched"] * 6
    assert [r.events for r in reports] == [1, 3, 2, 1, 2, 1]
    assert [r.new for r in reports] == [1, 2, 1, 0, 0, 0]
    events = store.events.recent()
    assert len(events) == 4  # Sukabumi, Simeulue, Lombok, Nabire, each once
    sukabumi = next(e for e in events if e.event.lat == -7.12)
    assert len(sukabumi.feeds) == 5  # every feed but gempadirasakan.xml lists it
    # gempadirasakan adds no Potensi and gempaterkini no Dirasakan: nothing is lost in the merge
    assert sukabumi.event.tsunami_potential == "Tidak berpotensi tsunami"
    assert sukabumi.event.felt == "III Sukabumi, III Cianjur, II Bogor"
    assert [e.event.time for e in events] == sorted((e.event.time for e in events),
                                                     reverse=True)


def test_a_second_poll_is_conditional_and_costs_nothing(store: Store, feeds: Feeds) -> None:
    poll(store, feeds, *ALL)
    feeds.seen.clear()
    reports = poll(store, feeds, *ALL, at=T0 + timedelta(minutes=1))
    assert [r.status for r in reports] == ["not_modified"] * 3
    for _, headers in feeds.seen:
        assert headers["if-none-match"].startswith('"')
        assert headers["if-modified-since"] == "Wed, 02 Dec 2026 01:15:00 GMT"
    assert len(store.events.recent()) == 4


def test_a_changed_feed_updates_the_event(store: Store, feeds: Feeds) -> None:
    poll(store, feeds, "autogempa.json")
    revised = orjson.loads(feeds.bodies["/autogempa.json"])
    gempa = revised["Infogempa"]["gempa"]
    gempa["Magnitude"] = "5.0"
    revised["Infogempa"]["gempa"] = dict(reversed(gempa.items()))  # and a changed field order
    feeds.bodies["/autogempa.json"] = orjson.dumps(revised)
    (report,) = poll(store, feeds, "autogempa.json")
    assert (report.status, report.new, report.updated) == ("fetched", 0, 1)
    (event,) = store.events.recent()
    assert event.event.magnitude == 5.0


def test_a_5xx_is_retried_then_the_feed_is_read(store: Store, feeds: Feeds) -> None:
    feeds.script["/autogempa.json"] = [(503, b"sibuk")]
    (report,) = poll(store, feeds, "autogempa.json")
    assert (report.status, report.new) == ("fetched", 1)
    assert [path for path, _ in feeds.seen] == ["/autogempa.json"] * 2


def test_a_truncated_body_fails_the_feed_and_keeps_its_validators(
        store: Store, feeds: Feeds) -> None:
    poll(store, feeds, "gempaterkini.json")
    etag = store.events.feed(feeds.url("gempaterkini.json")).etag  # type: ignore[union-attr]
    whole = feeds.bodies["/gempaterkini.json"]
    feeds.script["/gempaterkini.json"] = [(200, whole[: len(whole) // 2])]
    (report,) = poll(store, feeds, "gempaterkini.json", at=T0 + timedelta(minutes=1))
    assert report.status == "failed" and "JSON" in (report.error or "")
    state = store.events.feed(feeds.url("gempaterkini.json"))
    assert state is not None and state.etag == etag and state.failing_since is not None
    assert len(store.events.recent()) == 3  # nothing was lost or half-written


def test_a_connection_that_drops_mid_body_is_retried(store: Store, feeds: Feeds) -> None:
    whole = feeds.bodies["/autogempa.json"]
    feeds.script["/autogempa.json"] = [(0, whole[:40])]
    (report,) = poll(store, feeds, "autogempa.json")
    assert (report.status, report.new) == ("fetched", 1)
    feeds.script["/autogempa.json"] = [(0, whole[:40])] * 2
    (report,) = poll(store, feeds, "autogempa.json", at=T0 + timedelta(minutes=1))
    assert report.status == "failed" and "RemoteProtocolError" in (report.error or "")


def test_a_feed_that_stays_down_is_reported_after_the_stated_time(
        store: Store, feeds: Feeds) -> None:
    feeds.script["/autogempa.json"] = [(500, b"")] * 4  # two polls of two tries
    first, other = poll(store, feeds, "autogempa.json", "gempadirasakan.json")
    assert first.status == "failed" and "HTTP 500" in (first.error or "")
    assert other.status == "fetched"  # one feed down does not stop the others
    poll(store, feeds, "autogempa.json", at=T0 + timedelta(minutes=20))
    assert store.events.down(T0 + timedelta(minutes=14), timedelta(minutes=15)) == []
    (down,) = store.events.down(T0 + timedelta(minutes=20), timedelta(minutes=15))
    assert down.url == feeds.url("autogempa.json") and down.failing_since == T0
    # back up: no longer down
    poll(store, feeds, "autogempa.json", at=T0 + timedelta(minutes=21))
    assert store.events.down(T0 + timedelta(minutes=30), timedelta(minutes=15)) == []


def test_bad_input_is_stored_with_its_problems(store: Store, feeds: Feeds) -> None:
    (report,) = poll(store, feeds, "bad.json")
    assert (report.status, report.new) == ("fetched", 3)
    broken = next(e for e in store.events.recent() if e.event.lat is None)
    assert broken.event.magnitude is None
    assert any(p.startswith("Magnitude") for p in broken.to_dict()["problems"])


def test_cli_polls_once_and_lists(db_url: str, feeds: Feeds,
                                  capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_cli(capsys, "bmkg", "poll", "--once", "--json", "--db", db_url,
                           *(a for n in ALL for a in ("--url", feeds.url(n))))
    assert code == 0
    assert [f["new"] for f in orjson.loads(out)["feeds"]] == [1, 2, 1]
    code, out, _ = run_cli(capsys, "alerts", "list", "--json", "--db", db_url)
    items = orjson.loads(out)["items"]
    assert {tuple(sorted(i)) for i in items} == {tuple(sorted(items[0]))}
    first = items[0]
    assert first["time"] == "2026-12-02T01:14:27+00:00" and first["reports"] == []
    assert {k: first[k] for k in ("source", "magnitude", "depth_km", "lat", "lon")} == {
        "source": "bmkg", "magnitude": 5.2, "depth_km": 10.0, "lat": -7.12, "lon": 106.5}
    # the setting names the feeds when no --url is given; a feed down long enough is warned of
    monkeypatch.setenv("DAMAI_BMKG_FEEDS", feeds.url("nowhere.json"))
    monkeypatch.setenv("DAMAI_BMKG_DOWN_MINUTES", "0")
    code, out, err = run_cli(capsys, "bmkg", "poll", "--once", "--db", db_url)
    assert code == 0 and "404" in out and "PERINGATAN / WARNING" in err
    code, out, err = run_cli(capsys, "alerts", "list", "--db", db_url)
    assert code == 0 and "nowhere.json" in err and out.count("\n") > 4  # the table


def test_events_contract(store_url: str) -> None:  # noqa: F811  (the fixture above)
    """The repository on each backend: insert, merge, feed state."""
    from damai.records import HazardEvent

    with open_store(store_url) as store:
        first = HazardEvent("bmkg", "k1", "earthquake", time=T0, magnitude=5.0,
                            problems=("Kedalaman: tidak ada / missing",))
        again = HazardEvent("bmkg", "k1", "earthquake", time=T0, depth_km=12.5, region="Laut")
        assert store.events.save([first], "a", T0).new == 1
        assert store.events.save([again], "b", T0).updated == 1
        assert store.events.save([again], "b", T0).unchanged == 1
        (event,) = store.events.recent()
        assert (event.event.magnitude, event.event.depth_km, event.feeds) == (5.0, 12.5,
                                                                               ("a", "b"))
        assert event.event.time == T0 and store.events.get(event.id) == event
        store.events.record_feed("u", T0, error="HTTP 500")
        store.events.record_feed("u", T0 + timedelta(minutes=5), error="HTTP 502")
        assert store.events.feed("u").failing_since == T0  # type: ignore[union-attr]
        store.events.record_feed("u", T0, etag='"x"')
        assert store.events.feed("u").failing_since is None  # type: ignore[union-attr]
