"""The post-disaster hoax watch (issue #13 part 7): after an event, the posts from the regions it
affects that repeat a known false claim or match a hoax pattern, each with a suggested
correction; an analyst drafts the correction as a response for review, or dismisses the post.

An event's queue (:func:`watch_event`) is built on demand, by this rule:

1. **Window.** Posts created from the event's time until ``DAMAI_HOAXWATCH_DAYS`` (7) days
   after, the newest ``DAMAI_HOAXWATCH_MAX_POSTS`` (5,000) of them; a window with more is
   reported as cut. An event with no time has no window, and no queue.
2. **Match.** A post matches when it repeats a fact-checked claim whose verdict is ``false``
   or ``misleading`` (``post_claims``, written at ingest, #11), or when a family of
   :mod:`damai.understand.hoax_patterns` flags it (a debunk is never flagged).
3. **Place.** A matching post is kept when one of its places lies in the event's affected area
   (:mod:`damai.understand.affected`), or when it names no place at all but names the event's
   hazard ("gempa", "tsunami" for an earthquake; the words of a CAP alert's hazard): hoaxes such
   as "tsunami susulan jam 9 malam" seldom say where. A post that names only places outside the
   area is left out.
4. **State.** A post dismissed from this event's queue is left out; one whose correction was
   drafted stays, with its response's id, and offers no second draft.

Places come from :func:`damai.pipeline.places.places_of`: the places stored at ingest
(``post_places``) of the matched posts, and a geoparse of the text only for a post that has no
stored place (stored before migration ``0016_places`` and not backfilled, or naming none).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from damai import settings
from damai.errors import InputError, NotFound, ReviewRefused
from damai.pipeline.classify import Classifier
from damai.pipeline.places import places_of
from damai.pipeline.responses import Actor, propose
from damai.records import HazardEvent
from damai.respond.claims import FLAGGING, VERDICTS
from damai.storage import PostQuery, Store, StoredPost
from damai.storage.claims import PostClaim
from damai.storage.events import StoredEvent
from damai.storage.hoaxwatch import Dismissal
from damai.storage.responses import Response
from damai.understand.affected import AffectedArea, affected_area
from damai.understand.gazetteer import Place
from damai.understand.hoax_patterns import PatternHit, scan_many

__all__ = ["EventWatch", "Reason", "WatchItem", "area_of", "dismiss", "draft", "hazard_words",
           "watch", "watch_event"]

_QUAKE: Final = ("gempa", "lindu", "tsunami", "guncangan", "susulan")
#: a CAP alert's hazard (its words) → the words a post about it uses
_CAP_HAZARDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("gempa|tsunami|earthquake", _QUAKE),
    ("hujan|banjir|petir|angin|cuaca|badai|rob|gelombang|flood|rain|storm|wind",
     ("banjir", "hujan", "angin", "longsor", "petir", "badai", "cuaca", "rob", "puting beliung")),
    ("gunung|erupsi|letusan|vulkan|volcan", ("erupsi", "letusan", "gunung", "abu vulkanik",
                                             "lahar", "awan panas")),
    ("longsor|landslide", ("longsor", "tanah bergerak")),
    ("kebakaran|api|fire|asap|haze", ("kebakaran", "api", "asap", "karhutla")),
)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a post is in the queue: a claim it repeats, or a hoax family it matches; with the
    correction to suggest (Indonesian, English)."""

    kind: str  # "claim" or "pattern"
    ref: str  # the claim's id, or the family's
    name: tuple[str, str]
    evidence: tuple[str, ...]
    correction: tuple[str, str]
    source_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ref": self.ref,
                "name": {"id": self.name[0], "en": self.name[1]},
                "evidence": list(self.evidence), "source_url": self.source_url,
                "correction": {"id": self.correction[0], "en": self.correction[1]}}


@dataclass(frozen=True, slots=True)
class WatchItem:
    stored: StoredPost
    place: Place | None  # None: the post names no place, and names the hazard
    reasons: tuple[Reason, ...]
    response_id: int | None = None

    @property
    def status(self) -> str:
        return "drafted" if self.response_id is not None else "open"

    def to_dict(self) -> dict[str, Any]:
        post = self.stored.post
        return {"post_id": self.stored.id, "post": f"{post.platform}:{post.platform_id}",
                "text": post.text, "created_at": post.created_at.isoformat(), "url": post.url,
                "place": self.place.as_dict() if self.place else None,
                "status": self.status, "response_id": self.response_id,
                "reasons": [r.to_dict() for r in self.reasons]}


@dataclass(frozen=True, slots=True)
class EventWatch:
    """One event's queue, and what it was built from."""

    event: StoredEvent
    area: AffectedArea
    until: datetime | None
    read: int = 0
    cut: bool = False
    dismissed: int = 0
    items: list[WatchItem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.event.to_dict(), "area": self.area.to_dict(),
                "hazard_words": list(hazard_words(self.event.event)),
                "until": self.until.isoformat() if self.until else None,
                "posts_read": self.read, "cut": self.cut, "dismissed": self.dismissed,
                "items": [i.to_dict() for i in self.items]}


def area_of(event: HazardEvent) -> AffectedArea:
    return affected_area(event.lat, event.lon, event.magnitude, (event.region, event.felt))


def hazard_words(event: HazardEvent) -> tuple[str, ...]:
    """The words that name the event's hazard in a post (see the module doc, step 3)."""
    if event.hazard == "earthquake":
        return _QUAKE
    said = f"{event.hazard} {event.headline or ''}".lower()
    for topic, words in _CAP_HAZARDS:
        if re.search(topic, said):
            return words
    return tuple(w for w in re.findall(r"[^\W\d_]{4,}", event.hazard.lower()))


def _names(words: Sequence[str]) -> re.Pattern[str] | None:
    return re.compile(r"\b(" + "|".join(map(re.escape, words)) + ")", re.I) if words else None


def _claim_reason(found: PostClaim) -> Reason:
    verdict_id, verdict_en = VERDICTS.get(found.verdict, (found.verdict, found.verdict))
    link = found.source_url or ""
    return Reason("claim", found.claim_id,
                  (f"{verdict_id}: {found.claim or found.claim_id}",
                   f"{verdict_en}: {found.claim or found.claim_id}"),
                  (), (f"{found.suggestion} Cek faktanya: {link}".strip(),
                       f"Fact-checked as {verdict_en.lower()}; see {link}".strip()),
                  found.source_url)


def _pattern_reason(hit: PatternHit) -> Reason:
    return Reason("pattern", hit.family.id, hit.family.name, hit.evidence,
                  hit.family.correction)


def _reasons(posts: Sequence[StoredPost], claims: dict[int, PostClaim]
             ) -> list[tuple[StoredPost, tuple[Reason, ...]]]:
    """The posts that match a false claim or a hoax pattern, each with why."""
    matched = []
    for stored, found in zip(posts, scan_many([s.post.text for s in posts]), strict=True):
        reasons: list[Reason] = []
        claim = claims.get(stored.id)
        if claim is not None and claim.verdict in FLAGGING:
            reasons.append(_claim_reason(claim))
        if found.flagged:
            reasons += [_pattern_reason(h) for h in found.hits]
        if reasons:
            matched.append((stored, tuple(reasons)))
    return matched


def _window(event: StoredEvent) -> tuple[datetime, datetime]:
    if event.event.time is None:
        raise InputError(f"kejadian {event.id} tidak punya waktu, jadi tidak punya jendela "
                         f"pantauan hoaks / event {event.id} has no time, so it has no hoax-watch "
                         "window")
    start = event.event.time
    return start, start + timedelta(days=settings.get_float("hoaxwatch_days"))


def _event(store: Store, event_id: int) -> StoredEvent:
    found = store.events.get(event_id) if 0 < event_id < 2**63 else None
    if found is None:
        raise NotFound(f"kejadian {event_id} tidak ada; lihat `damai alerts list` / no event "
                       f"{event_id}; see `damai alerts list`")
    return found


def _kept(store: Store, event: StoredEvent, area: AffectedArea,
          matched: list[tuple[StoredPost, tuple[Reason, ...]]]) -> list[WatchItem]:
    hazard = _names(hazard_words(event.event))
    items = []
    for (stored, reasons), places in zip(matched, places_of(store, [s for s, _ in matched]),
                                         strict=True):
        if places.places:
            place = area.covers(places.places)
            if place is not None:
                items.append(WatchItem(stored, place, reasons))
        elif hazard is not None and hazard.search(stored.post.text):
            items.append(WatchItem(stored, None, reasons))
    return items


def watch_event(store: Store, event_id: int) -> EventWatch:
    """The hoax-watch queue of one event (see the module doc); :class:`NotFound` for an unknown
    event, :class:`InputError` for one with no time."""
    event = _event(store, event_id)
    start, until = _window(event)
    limit = settings.get_int("hoaxwatch_max_posts")
    window = store.posts.page(PostQuery(since=start, until=until, limit=limit)).items
    dismissed = store.hoaxwatch.dismissed(event.id)
    posts = [s for s in window if s.id not in dismissed]
    area = area_of(event.event)
    matched = _reasons(posts, store.claims.for_posts([s.id for s in posts]))
    items = _kept(store, event, area, matched)
    drafted = store.hoaxwatch.drafted(event.id, [i.stored.id for i in items])
    items = [WatchItem(i.stored, i.place, i.reasons, drafted.get(i.stored.id)) for i in items]
    return EventWatch(event, area, until, len(window), len(window) >= limit, len(dismissed),
                      items)


def watch(store: Store, *, event_id: int | None = None, now: datetime | None = None
          ) -> list[EventWatch]:
    """One event's queue, or the queues of every event of the last ``DAMAI_HOAXWATCH_DAYS``
    days (events with a time, newest first)."""
    if event_id is not None:
        return [watch_event(store, event_id)]
    since = (now or datetime.now(UTC)) - timedelta(days=settings.get_float("hoaxwatch_days"))
    return [watch_event(store, e.id) for e in store.events.recent(500)
            if e.event.time is not None and e.event.time >= since]


def _item(store: Store, event_id: int, post_id: int) -> WatchItem:
    found = next((i for i in watch_event(store, event_id).items if i.stored.id == post_id), None)
    if found is None:
        raise NotFound(f"post {post_id} tidak ada di antrean pantauan hoaks kejadian {event_id} "
                       f"/ post {post_id} is not in the hoax-watch queue of event {event_id}")
    return found


def draft(store: Store, model: Classifier, actor: Actor, event_id: int, post_id: int
          ) -> Response:
    """Propose the item's first suggested correction (a claim's before a pattern's) as a
    response to the post, for review (#11), carrying the event's id."""
    actor.require("analyst", "mengusulkan tanggapan / propose responses")
    item = _item(store, event_id, post_id)
    if item.response_id is not None:
        raise ReviewRefused("already_drafted", (
            f"koreksi untuk post {post_id} sudah diusulkan: tanggapan {item.response_id} / a "
            f"correction for post {post_id} was already proposed: response {item.response_id}"))
    post = item.stored.post
    return propose(store, model, actor, text=item.reasons[0].correction[0],
                   post_ref=f"{post.platform}:{post.platform_id}", event_id=str(event_id))


def dismiss(store: Store, actor: Actor, event_id: int, post_id: int,
            reason: str | None = None) -> tuple[Dismissal, bool]:
    """Take a post out of an event's queue (audited); :class:`NotFound` for an unknown event
    or post."""
    actor.require("analyst", "menyingkirkan post dari antrean / dismiss posts from the queue")
    _event(store, event_id)
    if not 0 < post_id < 2**63 or store.posts.get_by_id(post_id) is None:
        raise NotFound(f"post {post_id} tidak ada / no post {post_id}")
    return store.hoaxwatch.dismiss(event_id, post_id, actor=actor.name,
                                   reason=(reason or "").strip()[:500] or None, ip=actor.ip)
