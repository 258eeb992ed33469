"""Engagement collection (issue #12 part 6): read the public counts of published and credited
posts from each platform, and add them to the store's time series.

One collection, :func:`collect`:

1. lists the targets (:meth:`~damai.storage.engagement.EngagementRepository.targets`): posts sent
   to a real channel, and posts credited to active ambassadors, posted within
   ``DAMAI_ENGAGEMENT_MAX_AGE_DAYS``, so a collection stays bounded however long Damai runs;
2. groups them by the channel whose credentials read them: a publication by its own channel, a
   credited post by a channel of its platform (``DAMAI_ENGAGEMENT_CHANNELS``, else one Damai
   published to);
3. asks each channel's publisher for the counts (:meth:`~damai.publishers.base.Publisher.
   metrics`) and writes one row per post.

A channel that fails (401, 429, 5xx, no answer, no credential) is logged and reported with the
platform's reason, and the other channels are still collected: nothing is retried here, the next
collection asks again. Posts that cannot be counted are reported as ``unavailable``: Telegram's
(the Bot API gives bots no counts), Mastodon's credited posts (a stored Mastodon post is keyed by
a hash of its URI, not the status id an instance answers to), and credited posts of a platform
with no channel to read through.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from damai import settings
from damai.errors import ConfigError, InputError, PublishError
from damai.publishers import METRICS_PLATFORMS, Channel, Publisher, open_publisher, parse_channel
from damai.storage import Store
from damai.storage.engagement import Sample, Target

__all__ = ["CollectReport", "collect", "reading_channels"]

log = logging.getLogger("damai.engagement")
Opener = Callable[[Channel], Publisher]


@dataclass
class CollectReport:
    """What one collection did: samples written, posts the platform no longer holds, posts
    that cannot be counted, and the channels that failed with their reason."""

    targets: int = 0
    collected: int = 0
    gone: int = 0
    unavailable: int = 0
    failed: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"targets": self.targets, "collected": self.collected, "gone": self.gone,
                "unavailable": self.unavailable, "failed": dict(self.failed)}


def reading_channels(targets: Sequence[Target]) -> dict[str, str]:
    """Per platform, the channel that reads credited posts: ``DAMAI_ENGAGEMENT_CHANNELS`` first,
    then the first channel Damai published to on that platform."""
    chosen: dict[str, str] = {}
    for spec in settings.get("engagement_channels").split(","):
        if spec.strip():
            channel = parse_channel(spec)
            chosen.setdefault(channel.platform, str(channel))
    for target in targets:
        if target.channel is not None:
            chosen.setdefault(target.platform, target.channel)
    return chosen


def _by_channel(targets: Sequence[Target], report: CollectReport
                ) -> dict[str, list[Target]]:
    readers = reading_channels(targets)
    groups: dict[str, list[Target]] = {}
    for target in targets:
        channel = target.channel or readers.get(target.platform)
        countable = target.platform in METRICS_PLATFORMS and not (
            target.channel is None and target.platform == "mastodon")
        if channel is None or not countable:
            report.unavailable += 1
            continue
        groups.setdefault(channel, []).append(target)
    return groups


def _read(channel: str, group: Sequence[Target], opener: Opener, at: datetime,
          report: CollectReport) -> list[Sample]:
    try:
        publisher = opener(parse_channel(channel))
    except (ConfigError, InputError) as exc:
        report.failed[channel] = exc.message
        log.warning("engagement of %s not collected: %s", channel, exc.message)
        return []
    try:
        counts = publisher.metrics([t.platform_post_id for t in group])
    except PublishError as exc:
        report.failed[channel] = exc.message
        log.warning("engagement of %s not collected: %s", channel, exc.message)
        return []
    finally:
        publisher.close()
    report.gone += sum(1 for t in group if t.platform_post_id not in counts)
    return [Sample(t, at, counts[t.platform_post_id].to_dict())
            for t in group if t.platform_post_id in counts]


def collect(store: Store, *, now: datetime | None = None, max_age: timedelta | None = None,
            opener: Opener = open_publisher) -> CollectReport:
    """One collection (the module doc); ``opener`` builds each channel's publisher (a fake in
    tests)."""
    at = now or datetime.now(UTC)
    age = max_age if max_age is not None else timedelta(
        days=settings.get_float("engagement_max_age_days"))
    targets = store.engagement.targets(at - age)
    report = CollectReport(targets=len(targets))
    for channel, group in _by_channel(targets, report).items():
        report.collected += store.engagement.record(_read(channel, group, opener, at, report))
    return report
