"""The campaign scheduler (issue #12 part 4): our own, on the campaign tables.

Why not APScheduler: its SQLAlchemy job store keeps *pickled jobs*, one per trigger, and on a
restart it either fires every missed run at once (``coalesce=False``) or folds them into one
(``coalesce=True``) after ``misfire_grace_time``; neither lists a missed slot for a human, and
neither knows that a send is exactly once only if it is claimed in the same database as the
publication. A slot here is a row (``campaign_slots``), so what was sent, missed or failed is
a query, the dashboard's calendar reads the same rows, and the rules fit in :func:`tick`:

1. Slots of active campaigns still ``scheduled`` for a time more than the grace window
   (``DAMAI_SCHEDULER_GRACE_MINUTES``) ago become ``missed``: downtime or a clock jump never
   sends a burst of catch-up posts. A human re-schedules them (:func:`~damai.pipeline.campaigns.
   confirm_missed`), one by one, spaced out.
2. Slots due within the grace window are claimed, one at a time, with a conditional ``UPDATE``
   (:meth:`~damai.storage.campaigns.CampaignRepository.claim`), then handed to the one
   publishing function, :func:`damai.pipeline.publishing.publish`. Its idempotency key (what,
   which text version, which channel) makes a second call return the first publication.
   On a real channel the publication is *queued* (``wait=False``), and the slot is ``sent``:
   handed to the outbox.
3. The queue is drained (:func:`damai.pipeline.publishing.drain`): each channel's due
   publications go out as far as its account's rate limit allows (``DAMAI_PUBLISH_RATE_LIMITS``),
   the rest in a later tick; a publication a dead worker held is looked up before anything is
   posted again; a channel whose credential is refused is paused, and its queue waits.
4. A slot claimed by a worker that died (``sending`` for longer than
   ``DAMAI_SCHEDULER_LEASE_SECONDS``) is claimed again; the boundary answers with the
   publication the dead worker wrote, if it got that far, and the slot is ``sent``.

Time comes from an injected ``now`` function, so tests move the clock without waiting.

Besides the slots, the loop collects engagement (:func:`damai.pipeline.engagement.collect`)
every ``DAMAI_ENGAGEMENT_INTERVAL_MINUTES``, and links citizen disaster reports to events
(:func:`damai.pipeline.linking.link_reports`, issue #13) every :data:`LINK_EVERY`, and groups new
posts into narratives (:func:`damai.pipeline.narratives.build`, issue #14) every
:data:`GROUP_EVERY`: separate calls that never stop a send.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from damai import settings
from damai.errors import ConfigError, InputError, NotFound, ReviewRefused
from damai.pipeline.engagement import collect
from damai.pipeline.linking import link_reports
from damai.pipeline.publishing import Drained, drain, publish
from damai.pipeline.responses import Actor
from damai.pipeline.triage_rank import sync_queue
from damai.storage import Store
from damai.storage.campaigns import Slot

__all__ = ["Scheduler", "TickReport", "tick", "worker_name"]

log = logging.getLogger("damai.scheduler")
#: how often the loop links citizen reports to events
LINK_EVERY = timedelta(minutes=5)
#: how often the loop groups the posts not in a narrative yet (issue #14), and how many it
#: groups at most in one run (the rest waits for the next, so a campaign slot never waits long)
GROUP_EVERY = timedelta(minutes=1)
#: how often watchlists are checked for spikes and pending notifications retried
WATCH_EVERY = timedelta(minutes=1)
GROUP_MOST = 20_000
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class TickReport:
    """What one look at the slots did."""

    missed: int = 0
    sent: list[int] = field(default_factory=list)
    duplicate: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    lost_race: int = 0
    #: what the queue's drain did after the slots were handed over
    queue: Drained = field(default_factory=Drained)

    def to_dict(self) -> dict[str, object]:
        return {"missed": self.missed, "sent": len(self.sent),
                "duplicate": len(self.duplicate), "failed": len(self.failed),
                "lost_race": self.lost_race, "queue": self.queue.to_dict()}


def _send(store: Store, slot: Slot, activated_by: str, now: datetime, report: TickReport
          ) -> None:
    assert slot.message is not None
    actor = Actor(f"scheduler:{activated_by}", "approver")
    try:
        published, new = publish(store, actor, slot.channel,
                                 response_id=slot.message.response_id,
                                 entry_id=slot.message.entry_id, occasion=f"slot:{slot.id}",
                                 wait=False)
    except (ReviewRefused, NotFound, InputError, ConfigError) as exc:
        store.campaigns.finish(slot.id, "failed", now=now, error=exc.message)
        report.failed.append(slot.id)
        return
    # not new: this slot's own earlier try (its worker died before finishing); the slot is
    # the publication's occasion, so another slot never shares its key (``duplicate`` stays
    # for a publication some other slot already holds)
    duplicate = not new and store.campaigns.publication_taken(published.id, slot.id)
    state = "duplicate" if duplicate else "sent"
    store.campaigns.finish(slot.id, state, now=now, publication_id=published.id)
    (report.duplicate if duplicate else report.sent).append(slot.id)


def tick(store: Store, *, now: Clock = _utc_now, worker: str | None = None,
         grace: timedelta | None = None, lease: timedelta | None = None,
         limit: int | None = None) -> TickReport:
    """One look at the slots (the module doc): mark the missed, send the due, each claimed."""
    grace = grace if grace is not None else timedelta(
        minutes=settings.get_float("scheduler_grace_minutes"))
    lease = lease if lease is not None else timedelta(
        seconds=settings.get_float("scheduler_lease_seconds"))
    limit = limit if limit is not None else settings.get_int("scheduler_max_per_tick")
    worker = worker or worker_name()
    at = now()
    report = TickReport(missed=store.campaigns.mark_missed(at - grace))
    activators: dict[int, str] = {}
    for slot in store.campaigns.due(at - grace, at, at - lease, limit):
        claimed_at = now()
        if not store.campaigns.claim(slot, worker, claimed_at):
            report.lost_race += 1
            continue
        if slot.campaign_id not in activators:
            campaign = store.campaigns.get(slot.campaign_id)
            activators[slot.campaign_id] = (campaign.activated_by if campaign else None) or "-"
        _send(store, slot, activators[slot.campaign_id], claimed_at, report)
    report.queue = drain(store, Actor("scheduler", "approver"), now=now, batch=limit)
    return report


class Scheduler:
    """:func:`tick` every ``interval`` seconds on a thread, until :meth:`stop` (what ``damai
    serve`` starts in its lifespan, and ``damai worker`` runs in the foreground)."""

    def __init__(self, store: Store, *, interval: float | None = None,
                 now: Clock = _utc_now) -> None:
        self.store, self.now = store, now
        self.interval = (interval if interval is not None
                         else settings.get_float("scheduler_interval"))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._collected_at: datetime | None = None
        self._linked_at: datetime | None = None
        self._grouped_at: datetime | None = None
        self._watched_at: datetime | None = None

    def run(self, *, once: bool = False,
            on_tick: Callable[[TickReport], None] | None = None) -> None:
        while not self._stop.is_set():
            try:
                report = tick(self.store, now=self.now)
            except Exception:  # the database went away: keep the loop, log, try again
                log.exception("scheduler tick failed")
            else:
                if on_tick is not None:
                    on_tick(report)
            self.collect_when_due()
            self.link_when_due()
            self.group_when_due()
            self.watch_when_due()
            self.prioritise()
            if once:
                return
            self._stop.wait(self.interval)

    def collect_when_due(self) -> None:
        """Collect engagement if ``DAMAI_ENGAGEMENT_INTERVAL_MINUTES`` passed since the last
        collection (0: never); a failure is logged, and the loop goes on."""
        every = timedelta(minutes=settings.get_float("engagement_interval_minutes"))
        at = self.now()
        if every <= timedelta(0) or (self._collected_at is not None
                                     and at - self._collected_at < every):
            return
        self._collected_at = at
        try:
            log.info("engagement collected: %s", collect(self.store, now=at).to_dict())
        except Exception:  # as for a tick: the database or a setting went wrong; try later
            log.exception("engagement collection failed")

    def link_when_due(self) -> None:
        """Link citizen reports if :data:`LINK_EVERY` passed since the last run; a failure is
        logged, and the loop goes on."""
        at = self.now()
        if self._linked_at is not None and at - self._linked_at < LINK_EVERY:
            return
        self._linked_at = at
        try:
            log.info("reports linked: %s", link_reports(self.store, now=at).to_dict())
        except Exception:  # as for a tick: the database went wrong; try at the next
            log.exception("report linking failed")

    def group_when_due(self) -> None:
        """Group posts into narratives if :data:`GROUP_EVERY` passed since the last run, at
        most :data:`GROUP_MOST` of them; never when ``DAMAI_NARRATIVES_ON_INGEST=true`` (ingest
        groups then). A failure is logged, and the loop goes on."""
        at = self.now()
        if settings.get_bool("narratives_on_ingest") or (
                self._grouped_at is not None and at - self._grouped_at < GROUP_EVERY):
            return  # ingest groups (and two groupers could split a narrative), or not due
        self._grouped_at = at
        from damai.pipeline.narratives import build, ingest_embedder  # numpy, datasketch

        done = 0
        try:
            for grouped in build(self.store, embedder=ingest_embedder()):
                done += grouped
                if done >= GROUP_MOST:
                    break
        except Exception:  # as for a tick: the database went wrong; try at the next
            log.exception("narrative grouping failed")
        else:
            if done:
                log.info("posts grouped into narratives: %d", done)

    def prioritise(self) -> None:
        """Work out every marked triage priority (issue #14 part 1): after a restart with new
        DAMAI_TRIAGE_WEIGHTS that is every flagged post, so no page read waits for it. A failure
        is logged, and the loop goes on."""
        try:
            done = sync_queue(self.store)[1]
        except Exception:  # as for a tick: the database or a setting went wrong; try later
            log.exception("triage priorities failed")
        else:
            if done:
                log.info("triage priorities worked out: %d", done)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="damai-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def watch_when_due(self) -> None:
        """Check the watchlists for spikes and send the pending notifications if
        :data:`WATCH_EVERY` passed since the last run; a failure is logged, and the loop goes
        on (a delivery that failed stays pending for the next run)."""
        at = self.now()
        if self._watched_at is not None and at - self._watched_at < WATCH_EVERY:
            return
        self._watched_at = at
        from damai.pipeline.watchlists import check, deliver_due  # scipy

        try:
            made = check(self.store, now=at)
            log.info("watchlists checked: %d new notifications, deliveries %s", len(made),
                     deliver_due(self.store, now=at))
        except Exception:  # as for a tick: the database or a setting went wrong; try later
            log.exception("watchlist check failed")
