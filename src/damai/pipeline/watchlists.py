"""Watchlists with spike alerts (issue #14 part 5).

A **watchlist** is a saved search written on one line (:func:`parse`)::

    banjir bandang label:hoax provinsi:"Jawa Barat"

Plain words must all appear in a post (full-text search); ``label:`` names one label or several
(``label:hoax,sara``; any of them flagged matches) and ``provinsi:`` (or ``province:``) one
province or several (any named matches). A query that cannot run is refused when it is saved,
with the reason: an unclosed quote, an unknown field, an empty value, an unknown label or
province, or nothing to search for.

**The rule** (:func:`judge`), with ``W`` = ``DAMAI_WATCH_WINDOW_MINUTES`` and ``N`` =
``DAMAI_WATCH_BASELINE_WINDOWS``: ``n`` is the number of matching posts posted in the last
window ``[now − W, now)``; the baseline mean ``λ`` is the mean count of the ``N`` windows just
before it (at least :data:`BASELINE_FLOOR`, so a quiet watchlist still has a finite tail). The
window is a **spike** when ``n ≥ DAMAI_WATCH_MIN_COUNT`` and ``P(X ≥ n)`` for ``X ~ Poisson(λ)``
is below ``DAMAI_WATCH_ALPHA``. A spike raises one in-app notification, with the posts behind it
(:data:`POSTS_BEHIND` at most); while its window is still open (the next ``W`` minutes) the same
watchlist raises no second one.

**Delivery.** Each notification also goes out every way :func:`damai.notify.configured_notifier`
turns on (e-mail over SMTP, a Telegram bot) as one ``pending`` delivery per way.
:func:`deliver_due` tries the deliveries whose time came; a failure that may pass (the server
down or busy, a refused login) keeps the delivery pending and moves its next try
``DAMAI_WATCH_RETRY_MINUTES`` later, doubled after each failure up to :data:`MAX_BACKOFF`. A
refusal for good (:class:`damai.notify.Refused`: an SMTP 5xx for the recipients or the message,
a Telegram 400 or 403 such as "chat not found") makes it ``failed`` with the reason, and it is
not tried again. A delivery is never dropped: pending or failed, it is shown on
``/notifications`` and in the API. The scheduler runs :func:`check` and :func:`deliver_due`
every minute.
"""

from __future__ import annotations

import difflib
import logging
import shlex
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from scipy.stats import poisson

from damai import settings
from damai.errors import ConfigError, InputError, NotFound
from damai.notify import Failure, Notice, NoticeWay, Notifier, configured_notifier, dashboard_link
from damai.pipeline.label_names import known_labels
from damai.storage import Store
from damai.storage.watchlists import Notification, Watchlist, WatchSpec
from damai.understand.places import PROVINCES

__all__ = ["Assessment", "Rule", "Verdict", "add", "assess", "check", "deliver_due", "judge",
           "notice_of", "parse", "remove"]

log = logging.getLogger("damai.watchlists")

#: the smallest baseline mean per window (a watchlist with no past matches)
BASELINE_FLOOR: Final = 0.05
#: the most posts kept behind one notification (the window's newest)
POSTS_BEHIND: Final = 500
#: the longest wait between two tries of one delivery
MAX_BACKOFF: Final = timedelta(minutes=60)
_MAX_QUERY, _MAX_PARTS = 500, 20
_FIELDS: Final = {"label": "labels", "labels": "labels", "provinsi": "provinces",
                  "province": "provinces"}


# -- the query ------------------------------------------------------------------------------
def _province(name: str) -> str:
    by_lower = {p.name.lower(): p.name for p in PROVINCES}
    if name.lower() in by_lower:
        return by_lower[name.lower()]
    close = difflib.get_close_matches(name, [p.name for p in PROVINCES], n=1)
    hint = f"; maksud Anda / did you mean {close[0]!r}?" if close else ""
    raise InputError(f"provinsi tidak dikenal / unknown province {name!r}{hint} (nama dua kata "
                     'dalam tanda kutip / a two-word name in quotes: provinsi:"Jawa Barat")')


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") for c in text)


def _values(key: str, value: str) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise InputError(f"'{key}:' tanpa nilai; tulis mis. label:hoax / '{key}:' has no "
                         "value; write e.g. label:hoax")
    return items


def parse(query: str, labels: list[str]) -> WatchSpec:
    """The watchlist ``query`` as a :class:`WatchSpec`; raise :class:`InputError` with the
    reason when it cannot run. ``labels`` are the known label names."""
    if _has_control(query):
        raise InputError("kueri berisi karakter kendali; tulis ulang dengan teks biasa / the "
                         "query holds control characters; write it again in plain text")
    if len(query) > _MAX_QUERY:
        raise InputError(f"kueri terlalu panjang (maks. {_MAX_QUERY} karakter) / query too "
                         f"long (at most {_MAX_QUERY} characters)")
    try:
        tokens = shlex.split(query)
    except ValueError:
        raise InputError("tanda kutip tidak ditutup / a quote is not closed") from None
    words: list[str] = []
    found: dict[str, list[str]] = {"labels": [], "provinces": []}
    for token in tokens:
        key, colon, value = token.partition(":")
        if not colon or not key or " " in key:
            words.append(token)
            continue
        if key.lower() not in _FIELDS:
            raise InputError(f"kolom tidak dikenal / unknown field {key!r}: pakai / use "
                             "label: atau / or provinsi:")
        found[_FIELDS[key.lower()]] += _values(key, value)
    for label in found["labels"]:
        if label not in labels:
            raise InputError(f"label tidak dikenal / unknown label {label!r}. Label yang "
                             f"dikenal / known labels: {', '.join(labels)}")
    provinces = [_province(p) for p in found["provinces"]]
    if not (words or found["labels"] or provinces):
        raise InputError("kueri kosong: tulis kata, label: atau provinsi: / empty query: write "
                         "words, label: or provinsi:")
    if len(words) + len(found["labels"]) + len(provinces) > _MAX_PARTS:
        raise InputError(f"terlalu banyak bagian (maks. {_MAX_PARTS}) / too many parts (at "
                         f"most {_MAX_PARTS})")
    return WatchSpec(" ".join(words) or None, tuple(dict.fromkeys(found["labels"])),
                     tuple(dict.fromkeys(provinces)))


def add(store: Store, name: str, query: str, *, actor: str, ip: str | None = None,
        now: datetime | None = None) -> Watchlist:
    """Check ``query`` and save the watchlist (audited); refuse what cannot run."""
    name = name.strip()
    if not name or len(name) > 200 or _has_control(name):
        raise InputError("beri nama 1–200 karakter tanpa karakter kendali / give a name of "
                         "1–200 characters without control characters")
    spec = parse(query, known_labels(store))
    return store.watchlists.add(name, query.strip(), spec, actor=actor, ip=ip,
                                now=now or datetime.now(UTC))


def remove(store: Store, watchlist_id: int, *, actor: str, ip: str | None = None) -> None:
    if not store.watchlists.remove(watchlist_id, actor=actor, ip=ip):
        raise NotFound(f"daftar pantau {watchlist_id} tidak ada / no watchlist {watchlist_id}")


# -- the rule -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Rule:
    window: timedelta
    baseline_windows: int
    min_count: int
    alpha: float

    @classmethod
    def from_settings(cls) -> Rule:
        rule = cls(timedelta(minutes=settings.get_float("watch_window_minutes")),
                   settings.get_int("watch_baseline_windows"),
                   settings.get_int("watch_min_count"), settings.get_float("watch_alpha"))
        if rule.window <= timedelta(0) or rule.baseline_windows < 1 or not 0 < rule.alpha < 1:
            raise ConfigError("DAMAI_WATCH_*: perlu jendela > 0, baseline ≥ 1, 0 < alpha < 1 / "
                              "need window > 0, baseline ≥ 1, 0 < alpha < 1")
        return rule


@dataclass(frozen=True, slots=True)
class Verdict:
    count: int
    baseline: float
    p_value: float
    spike: bool


def judge(count: int, baseline: list[int], rule: Rule) -> Verdict:
    """The rule of the module docstring: ``count`` in the last window against the mean of the
    ``baseline`` windows' counts."""
    mean = max(BASELINE_FLOOR, sum(baseline) / len(baseline)) if baseline else BASELINE_FLOOR
    p = float(poisson.sf(count - 1, mean)) if count > 0 else 1.0
    return Verdict(count, mean, p, count >= rule.min_count and p < rule.alpha)


@dataclass(frozen=True, slots=True)
class Assessment:
    watchlist: Watchlist
    start: datetime
    end: datetime
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        v = self.verdict
        return {**self.watchlist.to_dict(), "window_start": self.start.isoformat(),
                "window_end": self.end.isoformat(), "count": v.count,
                "baseline": round(v.baseline, 4), "p_value": v.p_value, "spike": v.spike}


def assess(store: Store, watchlist: Watchlist, *, now: datetime | None = None,
           rule: Rule | None = None) -> Assessment:
    """The last window's count and the baseline of ``watchlist`` at ``now``."""
    rule = rule or Rule.from_settings()
    end = now or datetime.now(UTC)
    edges = [end - rule.window * (rule.baseline_windows + 1 - i)
             for i in range(rule.baseline_windows + 2)]
    counts = store.watchlists.counts(watchlist.spec, edges)
    return Assessment(watchlist, edges[-2], end, judge(counts[-1], counts[:-1], rule))


def check(store: Store, *, now: datetime | None = None, rule: Rule | None = None,
          ways: list[str] | None = None) -> list[Notification]:
    """Assess every watchlist and raise a notification for each new spike, with one pending
    delivery per configured way (``ways`` overrides them); return the new notifications."""
    rule = rule or Rule.from_settings()
    now = now or datetime.now(UTC)
    names = ways if ways is not None else [w.name for w in configured_notifier().ways]
    made: list[Notification] = []
    for watchlist in store.watchlists.listing():
        found = assess(store, watchlist, now=now, rule=rule)
        if not found.verdict.spike:
            continue
        ids = store.watchlists.matching(watchlist.spec, found.start, found.end, POSTS_BEHIND)
        v = found.verdict
        note = store.watchlists.notify(watchlist.id, start=found.start, end=found.end,
                                       count=v.count, baseline=v.baseline, p_value=v.p_value,
                                       post_ids=ids, ways=names, now=now)
        if note is not None:
            log.info("lonjakan / spike: watchlist %s, %s posts (baseline %.2f, p=%.2g)",
                     watchlist.id, v.count, v.baseline, v.p_value)
            made.append(note)
    return made


# -- delivery -------------------------------------------------------------------------------
def notice_of(note: Notification) -> Notice:
    minutes = round((note.window_end - note.window_start).total_seconds() / 60)
    return Notice(
        f"Lonjakan di daftar pantau {note.watchlist_name!r}: {note.count} post dalam {minutes} "
        f"menit / Spike on watchlist {note.watchlist_name!r}: {note.count} posts in {minutes} "
        "minutes",
        f"Biasanya {note.baseline:.2f} post per jendela (p = {note.p_value:.2g}). Buka post di "
        f"baliknya. / Usually {note.baseline:.2f} posts a window (p = {note.p_value:.2g}). Open "
        "the posts behind it.",
        dashboard_link(f"/notifications/{note.id}"))


def _backoff(attempts: int) -> timedelta:
    first = timedelta(minutes=settings.get_float("watch_retry_minutes"))
    wait: timedelta = first * 2 ** min(attempts, 16)
    return min(MAX_BACKOFF, wait)


def deliver_due(store: Store, *, now: datetime | None = None,
                ways: list[NoticeWay] | None = None) -> dict[str, int]:
    """Try every pending delivery whose time came, the configured ways (or ``ways``); return
    how many were ``sent``, how many ``retry`` later and how many ``failed`` for good. A way
    that fails in a way that may pass is not tried again in the same run, so a mail server that
    hangs costs one timeout a run, not one per delivery; its other deliveries wait, untouched,
    for the next run."""
    now = now or datetime.now(UTC)
    by_name = {w.name: w for w in (ways if ways is not None else configured_notifier().ways)}
    done = {"sent": 0, "retry": 0, "failed": 0}
    down: set[str] = set()  # a way that failed once is not tried again in this run
    for delivery in store.watchlists.due(now):
        note = store.watchlists.notification(delivery.notification_id)
        way = by_name.get(delivery.way)
        if note is None or delivery.way in down:
            continue
        error = (Notifier([way]).attempt(notice_of(note)).get(way.name) if way is not None
                 else Failure(f"{delivery.way}: tidak diatur / not configured", False))
        if error is None:
            store.watchlists.sent(delivery.id, now)
            done["sent"] += 1
        elif error.permanent:
            store.watchlists.failed(delivery.id, error.reason)
            done["failed"] += 1
        else:
            store.watchlists.retry_later(delivery.id, error.reason,
                                         now + _backoff(delivery.attempts))
            down.add(delivery.way)
            done["retry"] += 1
    return done
