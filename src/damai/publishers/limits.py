"""Rate limits per platform and per account (issue #12 part 3), read from the settings.

``DAMAI_PUBLISH_RATE_LIMITS`` lists ``KEY=COUNT/SECONDS`` pairs, comma separated, where ``KEY`` is
a platform (``mastodon``) or a whole channel (``x:damai_id``); a channel's own limit wins over
its platform's. A limit is a sliding window: at most ``COUNT`` calls to post in any ``SECONDS``.
The pipeline counts the calls it made (``publish_calls``) under the channel's row lock, so two
workers never pass one limit together (:meth:`damai.storage.publications.PublicationRepository.
claim_queued`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from damai import settings
from damai.errors import ConfigError, InputError
from damai.publishers.base import PLATFORMS, Channel, parse_channel

__all__ = ["RateLimit", "rate_limit", "rate_limits"]


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``count`` posts in any ``window``."""

    count: int
    window: timedelta

    def __str__(self) -> str:
        return f"{self.count}/{int(self.window.total_seconds())} s"


def _parse(raw: str) -> dict[str, RateLimit]:
    limits: dict[str, RateLimit] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        key, _, value = part.rpartition("=")
        count, slash, seconds = value.partition("/")
        try:
            limit = RateLimit(int(count), timedelta(seconds=float(seconds)))
        except ValueError:
            limit = None
        key = key.strip().lower()
        if (limit is None or not slash or limit.count < 1 or limit.window <= timedelta(0)
                or not key):
            raise ConfigError(
                f"DAMAI_PUBLISH_RATE_LIMITS: {part!r} tidak terbaca; tulis KUNCI=JUMLAH/DETIK, "
                f"mis. mastodon=300/10800 / {part!r} is unreadable; write KEY=COUNT/SECONDS, "
                "e.g. mastodon=300/10800")
        if key not in PLATFORMS:
            try:
                key = str(parse_channel(key))
            except InputError as exc:
                raise ConfigError(f"DAMAI_PUBLISH_RATE_LIMITS: {exc.message}") from None
        limits[key.lower()] = limit
    return limits


def rate_limits() -> dict[str, RateLimit]:
    """Every configured limit, by platform or channel; a platform the setting leaves out keeps
    its default (the platform's own limit)."""
    return _parse(settings.default("publish_rate_limits")) | _parse(
        settings.get("publish_rate_limits"))


def rate_limit(channel: Channel) -> RateLimit:
    """The limit of ``channel``: its own, else its platform's, else one post a second."""
    limits = rate_limits()
    return limits.get(str(channel).lower()) or limits.get(channel.platform) or RateLimit(
        1, timedelta(seconds=1))
