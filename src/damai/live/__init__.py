"""Live sources: follow hashtags, searches and timelines through the platforms' APIs.

Each live source uses the platform's own client library (Mastodon.py, atproto, tweepy), keeps a
resumable cursor in the store, retries 5xx and honours 429s (:mod:`damai.live.base`), and maps the
raw JSON with the same pure mapper as the file source of its format. ``damai watch`` runs them
(:mod:`damai.live.watch`); every one has a fake twin (:class:`FakeLiveSource`, ``--dry-run``).

The platform modules (:mod:`damai.live.mastodon`, :mod:`damai.live.bluesky`,
:mod:`damai.live.x`) are imported on demand, so importing this package stays light.
"""

from __future__ import annotations

from damai.live.base import FakeLiveSource, LiveSource, PollResult, Problem, RetryPolicy
from damai.live.watch import (
    SPEC_HELP,
    Spec,
    WatchEvent,
    WatchReport,
    open_sources,
    parse_spec,
    run_watch,
    split_spec,
    watch_specs,
)

__all__ = [
    "SPEC_HELP",
    "FakeLiveSource",
    "LiveSource",
    "PollResult",
    "Problem",
    "RetryPolicy",
    "Spec",
    "WatchEvent",
    "WatchReport",
    "open_sources",
    "parse_spec",
    "run_watch",
    "split_spec",
    "watch_specs",
]
