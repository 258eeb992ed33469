"""``damai watch`` machinery: specs, the poll loop with fake twins, retries and header waits."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest

from damai.errors import InputError, SourceError
from damai.live import FakeLiveSource, PollResult, Problem, RetryPolicy, parse_spec, split_spec
from damai.live.base import call_with_retries, wait_from_headers
from damai.live.watch import WatchEvent, open_sources, run_watch, watch_specs
from damai.records import Post
from damai.sources.base import Mapped, Notice
from damai.storage import PostQuery, Store
from damai.storage.base import WriteResult

pytestmark = pytest.mark.timeout(60)

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


# --- specs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "canonical"), [
    ("mastodon:tag:gempa@https://mastodon.social", "mastodon:tag:gempa@https://mastodon.social"),
    ("mastodon:tag:#Gempa@mastodon.social/", "mastodon:tag:gempa@https://mastodon.social"),
    ("mastodon:public@https://kolektiva.social", "mastodon:public@https://kolektiva.social"),
    ("mastodon:local@http://127.0.0.1:8080", "mastodon:local@http://127.0.0.1:8080"),
    ("bluesky:search:banjir", "bluesky:search:banjir"),
    ("bluesky:search:banjir bandang@http://127.0.0.1:9000",
     "bluesky:search:banjir bandang@http://127.0.0.1:9000"),
    ("x:search:gempa lang:in", "x:search:gempa lang:in"),
    ('x:search:"gempa bumi" to:@bmkg', 'x:search:"gempa bumi" to:@bmkg'),
    ("x:search:gempa@https://api.x.com", "x:search:gempa@https://api.x.com"),
    ("twitter:search:gempa", "x:search:gempa"),
])
def test_specs_parse_to_a_canonical_name(text: str, canonical: str) -> None:
    spec = split_spec(text)
    assert spec.canonical == canonical
    assert split_spec(spec.canonical) == spec


@pytest.mark.parametrize("text", [
    "mastodon:tag:gempa", "mastodon:tag:@https://m.social", "mastodon:tag:gem pa@m.social",
    "mastodon:home@m.social", "bluesky:banjir", "x:search:", "x:search:gempa@ftp://x.example",
    "telegram:channel:foo", "",
])
def test_bad_specs_say_what_forms_exist(text: str) -> None:
    with pytest.raises(InputError) as caught:
        split_spec(text)
    assert "mastodon:tag:TAG@URL" in caught.value.message


def test_parse_spec_builds_the_live_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_X_BEARER_TOKEN", "token-x")
    monkeypatch.setenv("DAMAI_MASTODON_ACCESS_TOKEN", "token-m@https://mastodon.social")
    sources = open_sources(["mastodon:tag:gempa@https://mastodon.social",
                            "mastodon:public@https://other.example", "bluesky:search:banjir",
                            "x:search:gempa lang:in"])
    try:
        names = [s.name for s in sources]
        assert names == ["mastodon:tag:gempa@https://mastodon.social",
                         "mastodon:public@https://other.example", "bluesky:search:banjir",
                         "x:search:gempa lang:in"]
        assert [s.platform for s in sources] == ["mastodon", "mastodon", "bluesky", "x"]
        # a token scoped to one instance is not handed to another
        assert sources[0]._client.access_token == "token-m"  # type: ignore[attr-defined]
        assert sources[1]._client.access_token is None  # type: ignore[attr-defined]
    finally:
        for source in sources:
            source.close()


def test_x_without_a_token_fails_before_any_request() -> None:
    with pytest.raises(Exception, match="DAMAI_X_BEARER_TOKEN"):
        parse_spec("x:search:gempa")


def test_the_same_source_twice_or_none_is_refused() -> None:
    with pytest.raises(InputError, match="twice"):
        open_sources(["bluesky:search:banjir", "bluesky:search:banjir"], dry_run=True)
    with pytest.raises(InputError, match="at least one"):
        open_sources([])


# --- the loop with fake twins --------------------------------------------------------------------


def _post(i: int) -> Post:
    return Post(platform="fake", platform_id=str(i), text=f"Kabar damai nomor {i}",
                created_at=T0, author_id=f"user{i % 2}", author_handle=f"warga{i % 2}")


def _pages(*sizes: int) -> list[list[int]]:
    pages, start = [], 0
    for size in sizes:
        pages.append(list(range(start, start + size)))
        start += size
    return pages


def _map(page: Any) -> Mapped:
    return Mapped(posts=[_post(i) for i in page])


class _Wrapped:
    """A repository with some methods replaced."""

    def __init__(self, inner: Any, **replaced: Any) -> None:
        self._inner = inner
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class RecordingStore:
    """Wraps a store; records the order of writes and cursor saves; can crash on set_cursor."""

    def __init__(self, store: Store, crash_on_cursor: bool = False) -> None:
        self.store, self.crash_on_cursor = store, crash_on_cursor
        self.calls: list[str] = []
        self.posts = _Wrapped(store.posts, write_batch=self.write_batch)
        self.cursors = _Wrapped(store.cursors, set=self.set_cursor)

    def write_batch(self, *args: Any) -> WriteResult:
        self.calls.append("write")
        return self.store.posts.write_batch(*args)

    def set_cursor(self, name: str, value: str) -> None:
        self.calls.append(f"cursor={value}")
        if self.crash_on_cursor:
            raise KeyboardInterrupt  # the process dies between the write and the cursor
        self.store.cursors.set(name, value)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_posts_are_written_before_the_cursor(store: Store) -> None:
    source = FakeLiveSource("fake:a", _pages(2, 3), _map)
    recording = RecordingStore(store)
    events: list[WatchEvent] = []

    report = run_watch([source], recording, max_polls=3, interval=0, on_event=events.append)

    assert recording.calls == ["write", "cursor=1", "write", "cursor=2"]
    assert (report.received, report.stored, report.duplicates, report.rounds) == (5, 5, 0, 3)
    assert source.polls == [None, "1", "2"]
    assert [e.kind for e in events] == ["poll", "wait", "poll", "wait", "poll", "stop"]
    stored = store.posts.get("fake", "1")
    assert stored is not None and stored.author_key and stored.author_handle is None
    assert stored.ingest_batch == report.batch


def test_a_crash_before_the_cursor_refetches_instead_of_losing(store: Store) -> None:
    pages = _pages(3, 2)
    report = run_watch([FakeLiveSource("fake:a", pages, _map)],
                       RecordingStore(store, crash_on_cursor=True), once=True)
    assert report.interrupted and store.cursors.get("fake:a") is None
    assert store.posts.count(PostQuery()) == 3

    report = run_watch([FakeLiveSource("fake:a", pages, _map)], store, max_polls=2, interval=0)
    assert (report.received, report.stored, report.duplicates) == (5, 2, 3)
    assert report.balanced and store.posts.count(PostQuery()) == 5
    assert store.cursors.get("fake:a") == "2"


def test_a_failing_source_does_not_stop_the_others(store: Store) -> None:
    broken = FakeLiveSource("fake:broken", _pages(1), _map,
                            fail={1: SourceError("fake:broken: the platform kept failing")})
    good = FakeLiveSource("fake:good", _pages(2), lambda page: Mapped(
        posts=[_post(100 + i) for i in page]))
    events: list[WatchEvent] = []
    report = run_watch([broken, good], store, once=True, on_event=events.append)
    assert report.stored == 2
    assert report.errors == [("fake:broken", "E300: fake:broken: the platform kept failing")]
    assert report.sources["fake:broken"].errors == 1
    assert [e.kind for e in events] == ["error", "poll", "stop"]
    assert store.cursors.get("fake:broken") is None and store.cursors.get("fake:good") == "1"


def test_ctrl_c_during_a_poll_stops_cleanly(store: Store) -> None:
    class Interrupting(FakeLiveSource):
        def poll(self, cursor: str | None) -> PollResult:
            if cursor == "1":
                raise KeyboardInterrupt
            return super().poll(cursor)

    report = run_watch([Interrupting("fake:a", _pages(2, 2), _map)], store, interval=0)
    assert report.interrupted and report.stored == 2 and store.cursors.get("fake:a") == "1"


def test_stop_event_ends_the_wait_between_rounds(store: Store) -> None:
    stop = threading.Event()
    events: list[WatchEvent] = []

    def on_event(event: WatchEvent) -> None:
        events.append(event)
        if event.kind == "wait":
            stop.set()

    report = run_watch([FakeLiveSource("fake:a", _pages(1), _map)], store, interval=3600,
                       stop=stop, on_event=on_event)
    assert report.rounds == 1 and not report.interrupted
    assert [e.kind for e in events] == ["poll", "wait", "stop"]


def test_notices_failures_and_skipped_events_are_accounted(store: Store) -> None:
    def mapper(page: Any) -> Mapped:
        return Mapped(posts=[_post(1)], notices=[
            Notice("platform_error", {"title": "Not Found Error"}),
            Notice("skipped_event", {"event": "delete"}),
            Notice("quarantine", {"reason": "missing_text", "message": "tanpa teks",
                                  "raw": {"id": "9"}, "where": "data[1]"})])

    report = run_watch([FakeLiveSource("fake:a", [["x"]], mapper, fmt="twarc2")], store,
                       once=True)
    assert (report.received, report.stored, report.quarantined) == (2, 1, 1)
    assert (report.ignored, report.notices) == (1, 1) and report.balanced
    entry = store.quarantine.entries()[0]
    assert (entry.path, entry.location, entry.format) == ("fake:a", "page 0 (data[1])", "twarc2")


@pytest.mark.parametrize("spec", ["mastodon:tag:gempa@https://mastodon.social",
                                  "bluesky:search:banjir", "x:search:gempa"])
def test_dry_run_replays_canned_pages_through_the_real_mappers(spec: str, store: Store) -> None:
    report = watch_specs([spec], store, dry_run=True, max_polls=3, interval=0)
    assert (report.received, report.stored, report.duplicates) == (3, 3, 0)
    assert store.cursors.get(f"dry-run:{split_spec(spec).canonical}") == "2"
    assert {p.platform for p in store.posts.query(PostQuery())} == {spec.split(":")[0]}


# --- retries and headers -------------------------------------------------------------------------


def test_wait_from_headers_reads_each_platform_style() -> None:
    now = 1_800_000_000.0
    date = format_datetime(datetime.fromtimestamp(now, UTC), usegmt=True)
    assert wait_from_headers({"Retry-After": "7"}, now) == 7
    assert wait_from_headers({"retry-after": format_datetime(
        datetime.fromtimestamp(now + 30, UTC), usegmt=True)}, now) == 30
    assert wait_from_headers({"x-rate-limit-reset": str(int(now) + 90)}, now) == 90
    assert wait_from_headers({"ratelimit-reset": str(int(now) + 45)}, now) == 45
    assert wait_from_headers({"RateLimit-Reset": "12"}, now) == 12  # IETF draft: delta seconds
    reset = datetime.fromtimestamp(now + 120, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert wait_from_headers({"X-RateLimit-Reset": reset}, now) == pytest.approx(120)
    # relative to the server's clock when it sends Date, not ours
    assert wait_from_headers({"x-rate-limit-reset": str(int(now) + 60), "Date": date},
                             now + 500) == 60
    assert wait_from_headers({"x-rate-limit-reset": str(int(now) + 60)}, now, reset=False) is None
    assert wait_from_headers({"Retry-After": "soon"}, now) is None
    assert wait_from_headers({}, now) is None


def test_retry_policy_bounds_every_wait() -> None:
    policy = RetryPolicy(backoff=1, max_backoff=8, max_wait=600, min_wait=1)
    server = Problem("server", "HTTP 503")
    assert [policy.delay(server, n) for n in range(1, 6)] == [1, 2, 4, 8, 8]
    now = policy.clock()
    far = Problem("rate_limited", "HTTP 429", 429, {"x-rate-limit-reset": str(int(now) + 86400)})
    assert policy.delay(far, 1) == 600
    past = Problem("rate_limited", "HTTP 429", 429, {"x-rate-limit-reset": str(int(now) - 10)})
    assert policy.delay(past, 1) == 1


def test_call_with_retries_gives_up_with_what_to_do() -> None:
    waits: list[float] = []
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        raise ConnectionError("reset by peer")

    with pytest.raises(SourceError) as caught:
        call_with_retries(flaky, source="fake:a",
                          policy=RetryPolicy(attempts=4, sleep=waits.append),
                          errors=(ConnectionError,),
                          classify=lambda exc: Problem("network", f"no answer: {exc}"))
    assert len(calls) == 4 and waits == [1, 2, 4]
    assert caught.value.code == "E302" and "after 4 attempts" in caught.value.message

    with pytest.raises(ZeroDivisionError):  # not a network error: a bug, not retried
        call_with_retries(lambda: 1 // 0, source="fake:a", policy=RetryPolicy(),
                          errors=(ConnectionError,),
                          classify=lambda exc: Problem("network", "x"))
