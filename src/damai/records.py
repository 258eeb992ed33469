"""The records every layer shares: the ``Post`` that flows through the whole pipeline, and what
reading input can produce besides posts (``RecordFailure`` for quarantine, ``Notice`` for what a
platform reported inside the data). They live here, at the bottom of the layers, so that sources,
storage and the pipeline all import them from one place and never from each other.

A source maps raw platform JSON to a ``Post``; each later stage only adds to it.
``author_id`` and ``author_handle`` are transient: the privacy stage turns the id into
``author_key`` (an HMAC with the installation secret) and drops the handle unless the account is
registered or the installation opted in. Storage never writes ``author_id``.

The classify stage adds ``labels`` (a calibrated score in [0, 1] per label of the model),
``flags`` (the labels whose score reached their threshold), ``model_version`` (the model that
scored the post; ``None`` until one has) and ``truncated`` (the text was too long to score whole).
The claims stage (issue #11) adds ``claim``: the known claim the post repeats, kept in
``post_claims`` when the post is stored. The geoparse stage (issue #13) adds ``places``: the
gazetteer places its text names, in order, kept in ``post_places``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = ["ENGAGEMENT_KEYS", "ClaimHit", "Geo", "HazardEvent", "Level", "Notice", "Place",
           "Post", "PostKey", "RecordFailure", "utc"]

ENGAGEMENT_KEYS = ("likes", "reposts", "replies", "quotes", "views")

PostKey = tuple[str, str]


@dataclass(slots=True)
class Geo:
    """A place the platform attached to a post: a point, a named place, or both."""

    lat: float | None = None
    lon: float | None = None
    place: str | None = None
    country_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("lat", self.lat), ("lon", self.lon), ("place", self.place),
                                  ("country_code", self.country_code)) if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Geo | None:
        if not data:
            return None
        return cls(lat=data.get("lat"), lon=data.get("lon"), place=data.get("place"),
                   country_code=data.get("country_code"))


Level = Literal["province", "regency", "district"]


@dataclass(frozen=True, slots=True)
class Place:
    """One place of the gazetteer (:mod:`damai.understand.gazetteer`), with the official names of
    the places it lies in. ``kind`` is ``"kota"`` or ``"kabupaten"`` for a regency and empty
    otherwise."""

    name: str
    level: Level
    province: str
    regency: str | None
    district: str | None
    lat: float
    lon: float
    kind: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "level": self.level, "province": self.province,
                "regency": self.regency, "district": self.district,
                "lat": round(self.lat, 5), "lon": round(self.lon, 5)}


@dataclass(frozen=True, slots=True)
class ClaimHit:
    """The known claim a post repeats (issue #11): which, how close (``score``), its verdict,
    and the suggested response (the claim's explanation at the time of the match)."""

    claim_id: str
    score: float
    verdict: str
    suggestion: str


@dataclass(slots=True)
class Post:
    platform: str
    platform_id: str
    text: str
    created_at: datetime
    url: str | None = None
    author_id: str | None = None  # transient: never stored
    author_handle: str | None = None  # kept only for registered accounts or on opt-in
    author_key: str | None = None
    language: str | None = None
    reply_to_id: str | None = None
    quote_of_id: str | None = None
    repost_of_id: str | None = None
    conversation_id: str | None = None
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    media_count: int = 0
    geo: Geo | None = None
    engagement: dict[str, int] = field(default_factory=dict)
    fetched_at: datetime | None = None
    ingest_batch: str | None = None
    raw: dict[str, Any] | None = None
    labels: dict[str, float] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    model_version: str | None = None
    truncated: bool = False
    claim: ClaimHit | None = None
    places: tuple[Place, ...] = ()

    @property
    def key(self) -> PostKey:
        return (self.platform, self.platform_id)

    def to_dict(self, *, with_raw: bool = False) -> dict[str, Any]:
        """A JSON-ready dict of the stored fields (never ``author_id``)."""
        out: dict[str, Any] = {
            "platform": self.platform,
            "platform_id": self.platform_id,
            "url": self.url,
            "author_key": self.author_key,
            "author_handle": self.author_handle,
            "created_at": self.created_at.isoformat(),
            "text": self.text,
            "language": self.language,
            "reply_to_id": self.reply_to_id,
            "quote_of_id": self.quote_of_id,
            "repost_of_id": self.repost_of_id,
            "conversation_id": self.conversation_id,
            "hashtags": list(self.hashtags),
            "mentions": list(self.mentions),
            "links": list(self.links),
            "media_count": self.media_count,
            "geo": self.geo.to_dict() if self.geo else None,
            "engagement": dict(self.engagement),
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "ingest_batch": self.ingest_batch,
            "labels": dict(self.labels),
            "flags": list(self.flags),
            "model_version": self.model_version,
            "truncated": self.truncated,
        }
        if with_raw:
            out["raw"] = self.raw
        return out


def utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(slots=True)
class RecordFailure:
    """A record the reader could not parse. It goes to quarantine with its raw bytes."""

    path: str
    location: str
    reason: str
    message: str
    raw_bytes: bytes


@dataclass(slots=True)
class Notice:
    """Something a platform reported inside the data (e.g. Twitter ``errors`` objects).

    Recorded in the ingest report and the ``source_notices`` table; not a post, not fatal.
    """

    kind: str
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class HazardEvent:
    """An official hazard event (issue #13): a BMKG earthquake, or a CAP 1.2 alert.

    Every value is what the feed said, read and nothing more: a value the feed did not give, or
    gave in a form that could not be read, is ``None``, and ``problems`` says which and why.
    ``tsunami_potential`` and ``felt`` are BMKG's own words, unchanged. ``key`` is the rule that
    makes two sightings one event (the same in every feed that lists it); ``raw`` is the feed's
    record as it came.
    """

    source: str
    key: str
    hazard: str
    time: datetime | None = None
    magnitude: float | None = None
    depth_km: float | None = None
    lat: float | None = None
    lon: float | None = None
    region: str | None = None
    tsunami_potential: str | None = None
    felt: str | None = None
    headline: str | None = None
    shakemap: str | None = None
    problems: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)
