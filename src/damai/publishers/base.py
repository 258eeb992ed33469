"""What every publisher is (issue #12): post one approved text, find it again by its key, and
delete it when a person retracts it.

A publisher speaks to one account on one platform. It knows no store: the pipeline
(:mod:`damai.pipeline.publishing`) records a publication as ``pending`` with its idempotency key
*before* it calls :meth:`Publisher.post`, and records the answer after. A crash between the
platform's acceptance and that record leaves a ``pending`` row, which
:meth:`Publisher.find` settles on restart: the post is there (``sent``), surely not there (post
it), or the platform cannot say (``uncertain``, for a human). So a publisher must never guess in
``find``: it returns ``None`` only when the platform's answer covers the whole time since the
publication was recorded.

Every failure is a :class:`damai.errors.PublishError` whose ``kind`` says what the pipeline may do:
``rate_limited`` (429: wait as the platform's headers say, then try again), ``server`` and
``network`` (5xx, no answer, a timeout: the platform *may* have accepted the post, so look it up
before any retry), ``auth`` (401, 403) and ``invalid`` (400, 422: the platform refused this text)
fail at once. Messages are Indonesian first, then English, and never hold a credential.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from damai.errors import InputError, PublishError

__all__ = ["METRICS_PLATFORMS", "PLATFORMS", "Channel", "FakePublisher", "Media", "Metrics",
           "Outgoing", "Posted", "Publisher", "parse_channel"]

#: the platforms a channel may name (``PLATFORM:ACCOUNT``); ``dry-run`` is not one of them
PLATFORMS: tuple[str, ...] = ("mastodon", "bluesky", "x", "telegram")
#: the platforms whose API gives a post's public counts (issue #12 part 6); the Telegram Bot API
#: gives a bot no counts of a channel's posts (views, reactions), so Telegram is not one
METRICS_PLATFORMS: tuple[str, ...] = ("mastodon", "bluesky", "x")

@dataclass(frozen=True, slots=True)
class Channel:
    """``PLATFORM:ACCOUNT``: ``mastodon:damai@social.example.id``, ``bluesky:damai.bsky.social``,
    ``x:damai_id``, ``telegram:@damai_channel`` (a leading ``@`` is dropped, except Telegram's)."""

    platform: str
    account: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.account}"


def parse_channel(spec: str) -> Channel:
    platform, sep, account = spec.strip().partition(":")
    platform = platform.lower()
    if not sep or platform not in PLATFORMS or not account.strip().lstrip("@"):
        raise InputError(
            f"kanal {spec!r} tidak dikenal: pakai dry-run atau PLATFORM:AKUN dengan PLATFORM "
            f"salah satu dari {', '.join(PLATFORMS)} (mis. mastodon:damai@social.example.id) / "
            f"unknown channel {spec!r}: use dry-run or PLATFORM:ACCOUNT with PLATFORM one of "
            f"{', '.join(PLATFORMS)} (e.g. mastodon:damai@social.example.id)")
    account = account.strip()
    if platform == "telegram":
        account = account if account.startswith("@") or account.lstrip("-").isdigit() \
            else f"@{account}"
    else:
        account = account.lstrip("@")
    return Channel(platform, account.lower() if platform != "telegram" else account)


@dataclass(frozen=True, slots=True)
class Media:
    """An image to upload before the post: its bytes, MIME type and alt text (read aloud by
    screen readers; every platform here takes one)."""

    data: bytes
    mime: str
    alt: str
    name: str = "damai.png"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One publication as a platform call sees it.

    ``key`` is the publication's idempotency key; ``recorded_at`` is when Damai recorded it as
    ``pending``, so :meth:`Publisher.find` knows how far back to look. ``attempt`` counts the
    calls made for it so far (Bluesky derives its record key from ``publication_id`` alone, so
    every attempt writes the same record).
    """

    publication_id: int
    key: str
    text: str
    recorded_at: datetime
    in_reply_to: str | None = None
    #: uploaded first, then attached to the post
    media: tuple[Media, ...] = ()
    #: when the first call to post it was made (a queued publication may wait long after it
    #: was recorded): a lookup reads the account's posts from here, not from ``recorded_at``
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class Posted:
    """What the platform holds: its id for the post, and a link people can open."""

    post_id: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Metrics:
    """A post's public counts as the platform gives them at one moment (issue #12 part 6);
    ``None``: the platform does not give this count (views on Mastodon and Bluesky)."""

    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    views: int | None = None

    def to_dict(self) -> dict[str, int | None]:
        return {"likes": self.likes, "reposts": self.reposts, "replies": self.replies,
                "quotes": self.quotes, "views": self.views}


class Publisher(Protocol):
    channel: Channel

    def post(self, item: Outgoing) -> Posted:
        """Publish ``item`` once; raise :class:`PublishError` when the platform refuses."""
        ...

    def find(self, item: Outgoing) -> Posted | None:
        """The post of ``item`` if the platform holds it, ``None`` if it surely does not;
        raise :class:`PublishError` (``unknown`` when the answer does not cover the time)."""
        ...

    def metrics(self, post_ids: Sequence[str]) -> dict[str, Metrics]:
        """The public counts of these posts (ids as :meth:`post` returned them), by id; a post
        the platform no longer holds (deleted) is left out. Raise :class:`PublishError` as
        :meth:`post` does; nothing is retried here (the next collection asks again)."""
        ...

    def delete(self, post_id: str) -> bool:
        """Delete the post ``post_id`` (a retraction): ``True`` when the platform deleted it now,
        ``False`` when it no longer holds it (deleted already, by hand or by a moderator);
        raise :class:`PublishError` when the platform refuses or fails (401, 403, 429, 5xx, a
        Telegram message past the 48 hours a bot may delete it in)."""
        ...

    def close(self) -> None:
        ...


@dataclass
class FakePublisher:
    """The fake twin: posts go to ``posted``; ``script`` lists problems the next posts raise
    (``None``: succeed), and ``accept_then`` raises after accepting (a lost answer)."""

    channel: Channel = field(default_factory=lambda: Channel("mastodon", "damai@fake.example"))
    script: list[PublishError | None] = field(default_factory=list)
    accept_then: list[PublishError | None] = field(default_factory=list)
    posted: dict[str, Posted] = field(default_factory=dict)
    lookup: Callable[[Outgoing], Posted | None] | None = None
    calls: list[str] = field(default_factory=list)
    #: what :meth:`metrics` answers, by post id; ``metrics_script`` as ``script``, for it
    counts: dict[str, Metrics] = field(default_factory=dict)
    metrics_script: list[PublishError | None] = field(default_factory=list)
    #: problems the next deletes raise (``None``: delete as asked)
    delete_script: list[PublishError | None] = field(default_factory=list)

    def post(self, item: Outgoing) -> Posted:
        self.calls.append(f"post {item.key}")
        if self.script and (problem := self.script.pop(0)) is not None:
            raise problem
        done = Posted(str(len(self.posted) + 1), f"https://fake.example/{len(self.posted) + 1}")
        self.posted[item.key] = done
        if self.accept_then and (problem := self.accept_then.pop(0)) is not None:
            raise problem
        return done

    def find(self, item: Outgoing) -> Posted | None:
        self.calls.append(f"find {item.key}")
        return self.lookup(item) if self.lookup else self.posted.get(item.key)

    def metrics(self, post_ids: Sequence[str]) -> dict[str, Metrics]:
        self.calls.append(f"metrics {','.join(post_ids)}")
        if self.metrics_script and (problem := self.metrics_script.pop(0)) is not None:
            raise problem
        return {i: self.counts[i] for i in post_ids if i in self.counts}

    def delete(self, post_id: str) -> bool:
        self.calls.append(f"delete {post_id}")
        if self.delete_script and (problem := self.delete_script.pop(0)) is not None:
            raise problem
        key = next((k for k, p in self.posted.items() if p.post_id == post_id), None)
        if key is None:
            return False
        del self.posted[key]
        return True

    def close(self) -> None:
        pass
