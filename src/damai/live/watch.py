"""``damai watch``: poll live sources, store what is new, remember where each one stopped.

Source specs
------------
``PLATFORM:STREAM[@URL]``; quote the whole spec for the shell when it holds spaces::

    mastodon:tag:gempa@https://mastodon.social   hashtag timeline (TAG without '#')
    mastodon:public@https://mastodon.social      federated public timeline
    mastodon:local@mastodon.social               the instance's local timeline (https:// implied)
    bluesky:search:banjir                        Bluesky searchPosts (public AppView, or the
                                                 account's PDS when DAMAI_BLUESKY_* are set)
    bluesky:search:banjir@http://127.0.0.1:8080  ... against another server
    x:search:gempa lang:in                       X API v2 recent search (DAMAI_X_BEARER_TOKEN)
    x:search:gempa lang:in@https://api.x.com     ... against another base URL

The Mastodon instance is required (status ids are local to it). For Bluesky and X, ``@URL`` is
split off only when it holds ``://`` (and must be http or https), so an X query may hold
``@user``.
A source's canonical spec is also its cursor key in the store.

The loop
--------
Each round polls every source once, in order. One poll goes through the same stage chain as
``damai ingest`` (:class:`~damai.pipeline.chain.StageChain`: pseudonymise → classify → write, one
transaction), and the cursor is saved only after that write: a crash in between re-fetches the
poll, and the repeated posts count as duplicates. ``received = stored + duplicates +
quarantined`` for every poll, counted with the same :class:`IngestCounts`. A
source that fails after its retries is reported (``error`` event) and tried again next round;
the other sources go on. Ctrl-C stops cleanly between two database writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from damai import settings
from damai.errors import InputError, SourceError
from damai.live.base import FakeLiveSource, LiveSource, RetryPolicy
from damai.pipeline.chain import IngestCounts, StageChain
from damai.pipeline.ingest import new_batch_id
from damai.privacy import Pseudonymiser
from damai.sources.base import Mapped
from damai.storage import Store

if TYPE_CHECKING:
    from damai.pipeline.classify import ClassifyStage

__all__ = [
    "SPEC_HELP",
    "SourceCounts",
    "Spec",
    "WatchEvent",
    "WatchReport",
    "open_sources",
    "parse_spec",
    "run_watch",
    "split_spec",
    "watch_specs",
]

SPEC_HELP = (
    "mastodon:tag:TAG@URL, mastodon:public@URL, mastodon:local@URL, bluesky:search:QUERY[@URL], "
    "x:search:QUERY[@URL]; e.g. mastodon:tag:gempa@https://mastodon.social, "
    "bluesky:search:banjir, 'x:search:gempa lang:in'")

EventHook = Callable[["WatchEvent"], None]


# --- specs ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spec:
    """A parsed source spec. ``url`` is ``None`` for the platform's default."""

    platform: Literal["mastodon", "bluesky", "x"]
    stream: Literal["tag", "public", "local", "search"]
    arg: str = ""
    url: str | None = None

    @property
    def canonical(self) -> str:
        head = f"{self.platform}:{self.stream}" + (f":{self.arg}" if self.arg else "")
        return head + (f"@{self.url}" if self.url else "")


def split_spec(text: str) -> Spec:
    """Parse a spec (see the module doc); ``InputError`` with an example when it is wrong."""
    platform, _, rest = text.strip().partition(":")
    platform = platform.lower()
    if platform == "mastodon":
        return _mastodon_spec(rest, text)
    if platform in ("bluesky", "x", "twitter"):
        body, url = _split_url(rest)
        kind, _, query = body.partition(":")
        if kind != "search" or not query.strip():
            raise _bad(text, f"{platform} sources search: {platform}:search:QUERY")
        return Spec("x" if platform == "twitter" else platform,  # type: ignore[arg-type]
                    "search", query.strip(), url)
    raise _bad(text, "start with mastodon:, bluesky: or x:")


def _mastodon_spec(rest: str, text: str) -> Spec:
    body, at, host = rest.rpartition("@")
    if not at or not host:
        raise _bad(text, "name the instance: mastodon:tag:gempa@https://mastodon.social")
    url = _url(host if "://" in host else f"https://{host}", text)
    kind, _, tag = body.partition(":")
    if kind == "tag":
        tag = tag.strip().lstrip("#").lower()
        if not tag or not all(c.isalnum() or c == "_" for c in tag):
            raise _bad(text, "a hashtag is letters, digits and '_': mastodon:tag:gempa@URL")
        return Spec("mastodon", "tag", tag, url)
    if kind in ("public", "local") and not tag:
        return Spec("mastodon", kind, "", url)  # type: ignore[arg-type]
    raise _bad(text, "use mastodon:tag:TAG@URL, mastodon:public@URL or mastodon:local@URL")


def _split_url(rest: str) -> tuple[str, str | None]:
    head, at, tail = rest.rpartition("@")
    if at and "://" in tail:
        return head, _url(tail, rest)
    return rest, None


def _url(value: str, text: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _bad(text, f"{value!r} is not an http(s) URL")
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def _bad(text: str, why: str) -> InputError:
    return InputError(f"cannot read the source spec {text!r}: {why}. Forms: {SPEC_HELP}")


def parse_spec(text: str, *, policy: RetryPolicy | None = None,
               dry_run: bool = False) -> LiveSource:
    """The live source for a spec, with its secrets from the settings.

    ``dry_run`` gives the fake twin instead: canned pages of the same platform, mapped by the same
    mapper, under the name ``dry-run:<spec>`` so its cursor never mixes with the real one.
    """
    spec = split_spec(text)
    if dry_run:
        return _fake(spec)
    if spec.platform == "mastodon":
        from damai.live.mastodon import MastodonTimelineSource

        return MastodonTimelineSource(
            spec.url or "", tag=spec.arg or None, local=spec.stream == "local",
            access_token=_mastodon_token(spec.url or ""), policy=policy)
    if spec.platform == "bluesky":
        from damai.live.bluesky import BlueskySearchSource

        return BlueskySearchSource(spec.arg, base_url=spec.url,
                                   handle=settings.get("bluesky_handle"),
                                   password=settings.get_secret("bluesky_password"),
                                   policy=policy)
    from damai.live.x import XSearchSource

    return XSearchSource(spec.arg, bearer_token=settings.get_secret("x_bearer_token"),
                         base_url=spec.url, policy=policy)


def _mastodon_token(base_url: str) -> str | None:
    """The access token for this instance.

    ``DAMAI_MASTODON_ACCESS_TOKEN`` is either ``TOKEN`` (sent to every watched instance) or
    ``TOKEN@https://instance`` (sent only to that instance, so watching another instance does not
    hand it your token).
    """
    value = settings.get_secret("mastodon_access_token").strip()
    token, at, instance = value.rpartition("@")
    if not at:
        return value or None
    return token if urlsplit(instance).netloc == urlsplit(base_url).netloc else None


def _fake(spec: Spec) -> FakeLiveSource:
    name = f"dry-run:{spec.canonical}"
    if spec.platform == "mastodon":
        from damai.live.mastodon import sample_pages as mastodon_pages
        from damai.sources.mastodon import MastodonSource

        def map_statuses(page: Any) -> Mapped:
            mapped = [MastodonSource().map_item(status) for status in page]
            return Mapped([p for m in mapped for p in m.posts],
                          [n for m in mapped for n in m.notices])

        host = urlsplit(spec.url or "").netloc or "mastodon.example"
        return FakeLiveSource(name, mastodon_pages(spec.arg or "gempa", host), map_statuses,
                              platform="mastodon", fmt="mastodon")
    if spec.platform == "bluesky":
        from damai.live.bluesky import sample_pages as bluesky_pages
        from damai.sources.bluesky import BlueskySource

        return FakeLiveSource(name, bluesky_pages(), BlueskySource().map_item,
                              platform="bluesky", fmt="bluesky")
    from damai.live.x import sample_pages as x_pages
    from damai.sources.twarc2 import Twarc2Source

    return FakeLiveSource(name, x_pages(), Twarc2Source().map_item, platform="x", fmt="twarc2")


def open_sources(specs: Iterable[str], *, policy: RetryPolicy | None = None,
                 dry_run: bool = False) -> list[LiveSource]:
    """Parse every spec first (so a typo fails before any request); close what was opened."""
    sources: list[LiveSource] = []
    try:
        for text in specs:
            sources.append(parse_spec(text, policy=policy, dry_run=dry_run))
    except BaseException:
        for source in sources:
            source.close()
        raise
    names = [s.name for s in sources]
    if not names:
        raise InputError(f"name at least one source to watch: {SPEC_HELP}")
    if len(set(names)) != len(names):
        for source in sources:
            source.close()
        raise InputError("the same source is given twice; give each spec once")
    return sources


# --- the loop ------------------------------------------------------------------------------------


@dataclass(slots=True)
class SourceCounts(IngestCounts):
    polls: int = 0
    errors: int = 0
    cursor: str | None = None


@dataclass(slots=True)
class WatchReport(IngestCounts):
    batch: str = ""
    polls: int = 0
    rounds: int = 0
    interrupted: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)
    sources: dict[str, SourceCounts] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"batch": self.batch, **self.counts(), "polls": self.polls,
                "rounds": self.rounds, "interrupted": self.interrupted,
                "errors": [{"source": s, "message": m} for s, m in self.errors],
                "balanced": self.balanced,
                "sources": {name: {"received": c.received, "stored": c.stored,
                                   "duplicates": c.duplicates, "quarantined": c.quarantined,
                                   "polls": c.polls, "errors": c.errors, "cursor": c.cursor}
                            for name, c in self.sources.items()}}


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """What ``on_event`` hears: a finished ``poll``, an ``error``, a ``wait`` or the ``stop``."""

    kind: Literal["poll", "error", "wait", "stop"]
    source: str | None = None
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    cursor: str | None = None
    message: str = ""
    seconds: float = 0.0


def run_watch(sources: Sequence[LiveSource], store: Store, *, once: bool = False,
              interval: float = 60.0, max_polls: int | None = None,
              on_event: EventHook | None = None, pseudonymiser: Pseudonymiser | None = None,
              stop: threading.Event | None = None, batch: str | None = None,
              classifier: ClassifyStage | None = None) -> WatchReport:
    """Poll ``sources`` round after round until ``once``, ``max_polls`` rounds, ``stop`` or Ctrl-C.

    Sources are not closed here (see :func:`watch_specs`). ``stop`` lets another thread end the
    loop; the wait between rounds ends as soon as it is set.
    """
    report = WatchReport(batch=batch or new_batch_id())
    report.sources = {s.name: SourceCounts() for s in sources}
    chain = StageChain(store, report.batch, pseudonymiser=pseudonymiser, classifier=classifier)
    stop = stop or threading.Event()
    emit = on_event or (lambda event: None)
    limit = 1 if once else max_polls
    try:
        while not stop.is_set():
            for source in sources:
                if stop.is_set():
                    break
                _poll_one(source, chain, report, emit)
            report.rounds += 1
            if limit is not None and report.rounds >= limit:
                break
            emit(WatchEvent("wait", seconds=interval))
            if stop.wait(interval):
                break
    except KeyboardInterrupt:
        report.interrupted = True
    emit(WatchEvent("stop", message="interrupted" if report.interrupted else "done"))
    return report


def _poll_one(source: LiveSource, chain: StageChain, report: WatchReport,
              emit: EventHook) -> None:
    counts = report.sources.setdefault(source.name, SourceCounts())
    cursor = chain.store.cursors.get(source.name)
    try:
        result = source.poll(cursor)
    except SourceError as exc:
        counts.errors += 1
        report.errors.append((source.name, str(exc)))
        emit(WatchEvent("error", source.name, cursor=cursor, message=str(exc)))
        return
    polled = chain.write(result.posts, [(f, source.format) for f in result.failures],
                         result.notices, result.deletions)
    if result.next_cursor is not None and result.next_cursor != cursor:
        chain.store.cursors.set(source.name, result.next_cursor)
    polled.received = len(result.posts) + len(result.failures)
    polled.quarantined, polled.ignored = len(result.failures), result.ignored
    for target in (counts, report):
        target.add(polled)
        target.polls += 1
    counts.cursor = result.next_cursor
    emit(WatchEvent("poll", source.name, polled.received, polled.stored, polled.duplicates,
                    polled.quarantined, result.next_cursor))


def watch_specs(specs: Iterable[str], store: Store, *, once: bool = False,
                interval: float = 60.0, max_polls: int | None = None, dry_run: bool = False,
                on_event: EventHook | None = None, policy: RetryPolicy | None = None,
                stop: threading.Event | None = None,
                classifier: ClassifyStage | None = None) -> WatchReport:
    """What ``damai watch SPEC...`` does: open the sources, run the loop, close them."""
    sources = open_sources(specs, policy=policy, dry_run=dry_run)
    try:
        return run_watch(sources, store, once=once, interval=interval, max_polls=max_polls,
                         on_event=on_event, stop=stop, classifier=classifier)
    finally:
        for source in sources:
            source.close()
