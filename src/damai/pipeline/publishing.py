"""Publishing (issues #11 and #12): the one function every way of publishing goes through.

``damai publish``, ``POST /api/v1/publications`` and the outbox page's button all call
:func:`publish`. The rule that only approved content goes out is enforced below it, in
:meth:`damai.storage.publications.PublicationRepository.publish`, in the transaction that writes
the publication, so a caller that skips this module (or a forged row) still cannot pass.

Channels: ``dry-run`` (the default), which writes what would be sent to the outbox (its
publications) and, when ``DAMAI_DRY_RUN_FILE`` or an explicit file is given, appends it to that
file as one JSON line; and ``PLATFORM:ACCOUNT`` (:mod:`damai.publishers`): ``mastodon:``,
``bluesky:``, ``x:``, ``telegram:``.

Exactly once on a real channel:

1. the publication is recorded ``pending`` with its idempotency key (the approval check runs in
   that transaction), then claimed for one delivery run (:meth:`~damai.storage.publications.
   PublicationRepository.claim`: two workers never call the platform for one row at once);
2. the platform is called. A 429 waits as long as the platform's own header says (Mastodon
   ``X-RateLimit-Reset``, X ``x-rate-limit-reset``, Bluesky ``ratelimit-reset``, Telegram
   ``parameters.retry_after``), then tries again; a 5xx or a lost answer (timeout, broken
   connection) may hide an accepted post, so the publisher first *looks the post up*, and only
   a lookup that says "not there" allows another try; 401/403 and 400/422 fail at once with the
   platform's reason;
3. the answer is recorded: ``sent`` (post id and link), ``failed`` (reason) or ``uncertain``;
   the last two are notices for the approvers (:mod:`damai.pipeline.notices`).

Retraction (:func:`retract`: ``damai publish --retract``, ``POST /api/v1/publications/{id}/
retract``, the outbox page's button): an approver takes back a ``sent`` publication. The
publisher deletes the post on the platform, then the publication is recorded ``retracted``
with who and why (audited as ``publication_retracted``). A post already gone (deleted by hand,
by a moderator) counts as retracted, and the reason says so; a refusal or failure (401, 403,
429, 5xx, Telegram's 48 hours) leaves it ``sent`` with the platform's reason on it (audited as
``publication_retract_failed``). On the dry-run channel nothing was posted, so only the record
changes.

A crash between 2 and 3 leaves a ``pending`` row. :func:`reconcile` (``damai publish
--reconcile``) asks the platform for each one: found is ``sent``, surely absent is posted now,
and when the platform cannot tell, ``uncertain`` waits for a human. Nothing is ever posted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import orjson

from damai import settings
from damai.errors import ConfigError, InputError, NotFound, PublishError, ReviewRefused
from damai.httpclient import Problem, RetryPolicy
from damai.pipeline import notices
from damai.pipeline.responses import Actor
from damai.publishers import Channel, Outgoing, Posted, Publisher, open_publisher, parse_channel
from damai.publishers.limits import rate_limit
from damai.storage import Store
from damai.storage.publications import Publication, Subject

__all__ = ["CHANNELS", "DRY_RUN", "Drained", "Reconciled", "channel_problem", "deliver", "drain",
           "pause_channel", "publish", "publish_policy", "reconcile", "resume_channel", "retract",
           "settle_uncertain"]

log = logging.getLogger("damai.publish")

DRY_RUN: Final = "dry-run"
#: the channels a publication may go to: dry-run, or ``PLATFORM:ACCOUNT`` of these platforms
CHANNELS: Final[tuple[str, ...]] = (DRY_RUN, "mastodon:AKUN@INSTANCE", "bluesky:AKUN", "x:AKUN",
                                    "telegram:@KANAL")

OpenPublisher = Callable[[Channel], Publisher]


def publish_policy(sleep: Callable[[float], None] | None = None) -> RetryPolicy:
    """How hard one delivery run tries (``DAMAI_PUBLISH_ATTEMPTS``); waits at most two minutes
    for one 429 (a longer one fails and is retried by the next ``damai publish``)."""
    attempts = max(settings.get_int("publish_attempts"), 1)
    if sleep is None:
        return RetryPolicy(attempts=attempts, max_wait=120.0)
    return RetryPolicy(attempts=attempts, max_wait=120.0, sleep=sleep)


def _outbox_file(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    configured = settings.get("dry_run_file")
    return Path(configured) if configured else None


def channel_problem(spec: str) -> str | None:
    """Why ``spec`` is no channel a publication may go to (``None``: it is one)."""
    if spec == DRY_RUN:
        return None
    try:
        parse_channel(spec)
    except InputError as exc:
        return exc.message
    return None


def _channel(spec: str) -> Channel | None:
    if spec == DRY_RUN:
        return None
    try:
        return parse_channel(spec)
    except InputError as exc:
        raise ReviewRefused("unknown_channel", exc.message) from None


def _now() -> datetime:
    return datetime.now(UTC)


def publish(store: Store, actor: Actor, channel: str, *, response_id: int | None = None,
            entry_id: str | None = None, outbox_file: Path | None = None,
            publishers: OpenPublisher = open_publisher, policy: RetryPolicy | None = None,
            occasion: str | None = None, wait: bool = True) -> tuple[Publication, bool]:
    """Publish an approved response (or an approved library entry) to ``channel``; return the
    publication and whether it is new (the same text to the same channel is published once, or
    once per ``occasion``, e.g. a campaign slot, when one is given).

    Refused with :class:`ReviewRefused` (``not_approved``) for anything not approved. On a real
    channel the publication is queued (a ``failed`` one is queued again) and, with ``wait``,
    sent now if the account's rate limit allows, waiting in the foreground at most
    ``policy.max_wait`` seconds for its turn; otherwise it stays ``queued`` for the worker
    (:func:`drain`). A ``pending`` or ``uncertain`` one is returned as it is."""
    actor.require("approver", "menerbitkan / publish")
    target = _channel(channel)
    if (response_id is None) == (entry_id is None):
        raise InputError("beri `response_id` atau `entry_id`, salah satu / give `response_id` "
                         "or `entry_id`, one of them")
    subject = Subject(response_id=response_id, entry_id=entry_id, occasion=occasion)
    if target is None:
        return _dry_run(store, actor, subject, outbox_file)
    publisher = publishers(target)  # a missing credential fails before anything is recorded
    try:
        published, new = store.publications.publish(subject, str(target), actor=actor.name,
                                                     state="queued", ip=actor.ip)
        if published.state == "failed":
            published = store.queue.requeue_failed(published.id, now=_now()) or published
        if published.state != "queued" or not wait:
            return published, new
        return _drive(store, publisher, published, actor, policy or publish_policy()), new
    finally:
        publisher.close()


def _dry_run(store: Store, actor: Actor, subject: Subject, outbox_file: Path | None
             ) -> tuple[Publication, bool]:
    published, new = store.publications.publish(subject, DRY_RUN, actor=actor.name, ip=actor.ip)
    target = _outbox_file(outbox_file)
    if new and target is not None:
        with target.open("ab") as out:
            out.write(orjson.dumps(published.to_dict()) + b"\n")
    return published, new


def _drive(store: Store, publisher: Publisher, published: Publication, actor: Actor,
           policy: RetryPolicy) -> Publication:
    """Send one queued publication now, in its turn: claim it under the account's rate limit,
    deliver it, and wait (``policy.sleep``) for its next turn after a 429, a back-off or a full
    window, as long as the waits add up to at most ``policy.max_wait``."""
    limit = rate_limit(publisher.channel)
    channel = published.channel
    at, waited, current = _now(), 0.0, published
    for _ in range(max(policy.attempts, 1) * 4 + 4):  # each turn claims, or waits for a time
        claimed = store.queue.claim_queued(channel, count=limit.count, window=limit.window,
                                           now=at, only=current.id, batch=1)
        if claimed:
            current = deliver(store, publisher, claimed[0], actor, policy, now=at)
            if current.state != "queued":
                return current
        turn = store.queue.next_turn(channel, count=limit.count, window=limit.window, now=at,
                                     only=current.id)
        if turn is None:  # paused, or another worker has it
            break
        pause = max((turn - at).total_seconds(), 0.0)
        if waited + pause > policy.max_wait:
            break
        if pause > 0:
            log.info("publication %d on %s waits %.1f s for its turn", current.id, channel,
                     pause)
            policy.sleep(pause)
            waited += pause
        at = max(_now(), at + timedelta(seconds=pause))
    return store.publications.get(current.id) or current


def _outgoing(publication: Publication) -> Outgoing:
    return Outgoing(publication.id, publication.idempotency_key,
                    str(publication.payload.get("text", "")), publication.created_at)


def _item(store: Store, claimed: Publication) -> Outgoing:
    """The claimed publication as the platform call sees it, with when it was first called."""
    return replace(_outgoing(claimed), since=store.queue.first_call(claimed.id))


def deliver(store: Store, publisher: Publisher, claimed: Publication, actor: Actor,
            policy: RetryPolicy, *, now: datetime | None = None,
            suspect: bool | None = None,
            clock: Callable[[], datetime] | None = None) -> Publication:
    """One call to post a claimed (``pending``) publication, and what it comes to (module doc,
    steps 2 and 3): ``sent``, ``failed``, ``uncertain``, or back in the queue (a 429 until the
    platform's time, a 5xx after a back-off, a refused credential with its channel paused).

    ``suspect`` (by default the row's ``lookup_first``): an earlier call may have been accepted
    (a lost answer, a crash). The post is looked up first, and a refused text is looked up
    before it counts as refused: X's "duplicate content" and a Bluesky record key that already
    exists mean the earlier call went through. ``False``: the caller has just looked it up."""
    at = now or _now()
    item = _item(store, claimed)
    suspect = claimed.lookup_first if suspect is None else suspect
    if suspect:
        found = _look_up(publisher, item)
        if isinstance(found, Posted):
            return _settle(store, claimed, actor, found)
        if isinstance(found, PublishError):
            return _unknown(store, claimed, actor, found, policy, at)
    # the moment the call leaves (after any lookup), on the drain's clock
    store.queue.mark_call(claimed, clock() if clock is not None else at)
    try:
        return _settle(store, claimed, actor, publisher.post(item))
    except PublishError as exc:
        problem = exc
    if problem.ambiguous or (suspect and problem.kind == "invalid"):
        found = _look_up(publisher, item)
        if isinstance(found, Posted):
            return _settle(store, claimed, actor, found)
        if isinstance(found, PublishError):
            return _unknown(store, claimed, actor, found, policy, at)
        if problem.ambiguous:  # not there (yet): look up again, then try, after a back-off
            return _again(store, claimed, actor, problem, policy, at, maybe_there=False)
        return _settle(store, claimed, actor, problem, "failed")
    if problem.kind == "rate_limited":  # refused at once: not a failure, wait as told
        wait = _patient(policy).delay(Problem("rate_limited", problem.detail, problem.status,
                                              problem.headers), claimed.failures + 1)
        log.warning("publication %d on %s: %s; queued for %.0f s", claimed.id, claimed.channel,
                    problem.detail, wait)
        return store.queue.requeue(claimed.id, reason=problem.message, now=at,
                                   not_before=at + timedelta(seconds=wait))
    if problem.kind == "auth":  # revoked credentials: pause the channel, lose nothing
        store.queue.pause(claimed.channel, problem.message, actor=actor.name, now=at)
        log.warning("channel %s paused: %s", claimed.channel, problem.detail)
        return store.queue.requeue(claimed.id, reason=problem.message, now=at)
    return _settle(store, claimed, actor, problem, "failed")  # 400, 422: the text is refused


def _patient(policy: RetryPolicy) -> RetryPolicy:
    """``policy`` honouring a 429's reset up to a day: the queue waits; nothing sleeps."""
    return replace(policy, max_wait=max(policy.max_wait, 86_400.0))


def _unknown(store: Store, claimed: Publication, actor: Actor, problem: PublishError,
             policy: RetryPolicy, at: datetime) -> Publication:
    """A lookup that did not answer: ``unknown`` (the platform cannot tell, e.g. Telegram's
    Bot API) is ``uncertain`` at once; a lookup that failed (5xx, 429, no answer) is tried again
    later, still looking up first."""
    if problem.kind == "unknown":
        return _settle(store, claimed, actor, problem, "uncertain")
    return _again(store, claimed, actor, problem, policy, at, maybe_there=True)


def _again(store: Store, claimed: Publication, actor: Actor, problem: PublishError,
           policy: RetryPolicy, at: datetime, *, maybe_there: bool) -> Publication:
    """Back in the queue after a call that may have been accepted, to be looked up first, after
    a back-off; once the attempts (``DAMAI_PUBLISH_ATTEMPTS``) are spent, ``failed`` (the last
    lookup said "not there") or ``uncertain`` (``maybe_there``: it could not say)."""
    failures = claimed.failures + 1
    if failures >= max(policy.attempts, 1):
        return _settle(store, claimed, actor, problem,
                       "uncertain" if maybe_there else "failed")
    wait = policy.delay(Problem("server", problem.detail, problem.status, problem.headers),
                        failures)
    log.warning("publication %d on %s: %s; trying again in %.1f s (attempt %d of %d)",
                claimed.id, claimed.channel, problem.detail, wait, failures + 1, policy.attempts)
    return store.queue.requeue(claimed.id, reason=problem.message, now=at,
                               not_before=at + timedelta(seconds=wait), lookup_first=True,
                               failed_call=True)


def _look_up(publisher: Publisher, item: Outgoing) -> Posted | PublishError | None:
    """The post if the platform holds it, ``None`` if surely not, the error if it cannot say."""
    try:
        return publisher.find(item)
    except PublishError as exc:
        return exc


def _settle(store: Store, claimed: Publication, actor: Actor,
            outcome: Posted | PublishError, state: str = "sent") -> Publication:
    if isinstance(outcome, Posted):
        return store.publications.settle(claimed.id, "sent", actor=actor.name,
                                         post_id=outcome.post_id, post_url=outcome.url,
                                         ip=actor.ip)
    settled = store.publications.settle(claimed.id, state, actor=actor.name,
                                        reason=outcome.message, ip=actor.ip)
    notices.tell(notices.publication_needs_a_person(settled))  # failed or uncertain
    return settled


# -- the worker's side: drain the queue -----------------------------------------------------------
@dataclass(slots=True)
class Drained:
    """What one :func:`drain` did: publications by what they came to, the stale ``pending`` rows
    it put back (their worker died), and channels it could not open (no credential: paused)."""

    sent: list[Publication] = field(default_factory=list)
    failed: list[Publication] = field(default_factory=list)
    uncertain: list[Publication] = field(default_factory=list)
    requeued: list[Publication] = field(default_factory=list)
    recovered: list[Publication] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def add(self, done: Publication) -> None:
        {"sent": self.sent, "failed": self.failed, "uncertain": self.uncertain}.get(
            done.state, self.requeued).append(done)

    def to_dict(self) -> dict[str, object]:
        return {"sent": len(self.sent), "failed": len(self.failed),
                "uncertain": len(self.uncertain), "requeued": len(self.requeued),
                "recovered": len(self.recovered), "skipped": self.skipped}


def drain(store: Store, actor: Actor, *, publishers: OpenPublisher = open_publisher,
          policy: RetryPolicy | None = None, now: Callable[[], datetime] = _now,
          stale_after: timedelta | None = None, batch: int | None = None,
          channels: Sequence[str] | None = None) -> Drained:
    """One pass over the queue (what ``damai worker`` and ``damai serve``'s scheduler run each
    tick, and ``damai publish --drain``): put back ``pending`` rows untouched for
    ``stale_after`` (their worker died; they are looked up before anything is posted), then
    send each channel's due rows as far as its rate limit allows, at most ``batch`` each.
    A channel without credentials is paused with why, and its rows wait."""
    actor.require("approver", "mengirim antrean / send the queue")
    policy = policy or publish_policy()
    stale_after = stale_after if stale_after is not None else timedelta(
        seconds=settings.get_float("scheduler_lease_seconds"))
    batch = batch if batch is not None else settings.get_int("scheduler_max_per_tick")
    done = Drained(recovered=store.queue.requeue_stale(now() - stale_after, now=now()))
    for channel in channels if channels is not None else store.queue.due_channels(now()):
        _drain_channel(store, actor, channel, publishers, policy, now, batch, done)
    return done


def _drain_channel(store: Store, actor: Actor, channel: str, publishers: OpenPublisher,
                   policy: RetryPolicy, now: Callable[[], datetime], batch: int,
                   done: Drained) -> None:
    try:
        target = parse_channel(channel)
        limit = rate_limit(target)
        publisher = publishers(target)
    except (ConfigError, InputError) as exc:
        if store.queue.pause(channel, exc.message, actor=actor.name, now=now()):
            log.warning("channel %s paused: %s", channel, exc.message)
        done.skipped[channel] = exc.message
        return
    try:
        at = now()
        batch_rows = store.queue.claim_queued(channel, count=limit.count, window=limit.window,
                                              now=at, batch=batch)
        for i, claimed in enumerate(batch_rows):
            delivered = deliver(store, publisher, claimed, actor, policy, now=now(), clock=now)
            done.add(delivered)
            if delivered.state == "queued":  # a 429, a refused credential, a 5xx: stop here
                rest = [p.id for p in batch_rows[i + 1:]]
                store.queue.put_back(rest, reason=str(delivered.reason), now=at,
                                     not_before=delivered.not_before)
                break
    finally:
        publisher.close()


@dataclass(slots=True)
class Reconciled:
    """What :func:`reconcile` did: publications found on the platform, posted now (surely not
    there), left ``uncertain`` for a human, still queued (their turn has not come: the rate
    limit, a back-off, a paused channel), and channels it could not open (no credential)."""

    found: list[Publication] = field(default_factory=list)
    posted: list[Publication] = field(default_factory=list)
    uncertain: list[Publication] = field(default_factory=list)
    queued: list[Publication] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"found": [p.id for p in self.found], "posted": [p.id for p in self.posted],
                "uncertain": [p.id for p in self.uncertain],
                "queued": [p.id for p in self.queued], "skipped": self.skipped}


def reconcile(store: Store, actor: Actor, *, older_than: timedelta = timedelta(minutes=10),
              publishers: OpenPublisher = open_publisher,
              policy: RetryPolicy | None = None) -> Reconciled:
    """Settle every ``pending`` publication untouched for ``older_than`` (module doc): put it
    back in the queue to be looked up first, and send it now, in its turn."""
    actor.require("approver", "merekonsiliasi publikasi / reconcile publications")
    done = Reconciled()
    policy = policy or publish_policy()
    opened: dict[str, Publisher] = {}
    try:
        for row in store.queue.requeue_stale(_now() - older_than, now=_now()):
            publisher = _open(row.channel, opened, publishers, done)
            limit = rate_limit(parse_channel(row.channel))
            claimed = store.queue.claim_queued(row.channel, count=limit.count,
                                               window=limit.window, now=_now(), only=row.id,
                                               batch=1) if publisher is not None else []
            if publisher is None or not claimed:
                done.queued.append(row)
                continue
            _reconcile_one(store, publisher, claimed[0], actor, policy, done)
    finally:
        for publisher in opened.values():
            publisher.close()
    return done


def _reconcile_one(store: Store, publisher: Publisher, claimed: Publication, actor: Actor,
                   policy: RetryPolicy, done: Reconciled) -> None:
    found = _look_up(publisher, _item(store, claimed))
    if isinstance(found, Posted):
        done.found.append(_settle(store, claimed, actor, found))
        return
    settled = (_unknown(store, claimed, actor, found, policy, _now())
               if isinstance(found, PublishError)
               else deliver(store, publisher, claimed, actor, policy, suspect=False))
    {"sent": done.posted, "uncertain": done.uncertain}.get(settled.state,
                                                           done.queued).append(settled)


def _open(channel: str, opened: dict[str, Publisher], publishers: OpenPublisher,
          done: Reconciled) -> Publisher | None:
    if channel not in opened and channel not in done.skipped:
        try:
            opened[channel] = publishers(parse_channel(channel))
        except (ConfigError, InputError) as exc:
            done.skipped[channel] = exc.message
    return opened.get(channel)


def resume_channel(store: Store, actor: Actor, channel: str) -> bool:
    """Let a paused channel send again (after its credential was fixed); whether it was paused.
    Audited as ``channel_resume``; its queued publications go out in their turn."""
    actor.require("approver", "melanjutkan kanal / resume a channel")
    return store.queue.resume(str(_known_channel(channel)), actor=actor.name, now=_now(),
                              ip=actor.ip)


def pause_channel(store: Store, actor: Actor, channel: str, reason: str) -> bool:
    """Stop a channel sending (its publications wait in the queue); whether it was running."""
    actor.require("approver", "menjeda kanal / pause a channel")
    why = reason.strip() or "dijeda oleh orang / paused by a person"
    return store.queue.pause(str(_known_channel(channel)), f"{why} ({actor.name})",
                             actor=actor.name, now=_now(), ip=actor.ip)


def _known_channel(channel: str) -> Channel:
    target = _channel(channel)
    if target is None:
        raise InputError("kanal dry-run tidak pernah dijeda / the dry-run channel is never "
                         "paused")
    return target


def settle_uncertain(store: Store, actor: Actor, publication_id: int, outcome: str, *,
                     post_url: str | None = None, note: str | None = None) -> Publication:
    """A person's verdict on an ``uncertain`` publication, after looking at the platform:
    ``sent`` (optionally with the post's link) or ``failed`` (then ``damai publish`` of the same
    text and channel tries it again). Audited as ``publication_<outcome>``."""
    actor.require("approver", "menyelesaikan publikasi / settle a publication")
    if outcome not in ("sent", "failed"):
        raise InputError(f"hasil {outcome!r} tidak dikenal: pakai sent atau failed / unknown "
                         f"outcome {outcome!r}: use sent or failed")
    reason = f"diputuskan oleh {actor.name} / settled by {actor.name}" + (
        f": {note}" if note else "")
    return store.publications.settle(publication_id, outcome, actor=actor.name,
                                     post_url=post_url, reason=reason, ip=actor.ip,
                                     was="uncertain")



def retract(store: Store, actor: Actor, publication_id: int, reason: str | None = None, *,
            publishers: OpenPublisher = open_publisher) -> Publication:
    """Take back a ``sent`` publication (module doc): ``retracted`` when the platform deleted
    the post or no longer holds it, still ``sent`` with the platform's reason when it refused or
    failed. :class:`NotFound` for no such publication, :class:`ReviewRefused` (``wrong_state``)
    for one that is not ``sent``, ``no_post_id`` for one whose post id Damai never learnt."""
    actor.require("approver", "menarik publikasi / retract a publication")
    found = store.publications.get(publication_id)
    if found is None:
        raise NotFound(f"publikasi {publication_id} tidak ada / no publication {publication_id}")
    if found.state != "sent":
        raise ReviewRefused("wrong_state", (
            f"hanya publikasi terkirim yang bisa ditarik; publikasi {publication_id} berstatus "
            f"{found.state} / only a sent publication can be retracted; publication "
            f"{publication_id} is {found.state}"))
    why = f"ditarik oleh {actor.name} / retracted by {actor.name}" + (
        f": {reason.strip()}" if reason and reason.strip() else "")
    if found.channel == DRY_RUN:
        return _retracted(store, found, actor, f"{why} (kanal uji coba: hanya dicatat / dry-run: "
                                               "recorded only)")
    if not found.post_id:
        raise ReviewRefused("no_post_id", (
            f"id post publikasi {publication_id} tidak tercatat: hapus post di platform sendiri "
            f"/ publication {publication_id} has no post id on record: delete the post on the "
            "platform yourself"))
    publisher = publishers(parse_channel(found.channel))
    try:
        deleted = publisher.delete(found.post_id)
    except PublishError as exc:
        log.warning("publication %d on %s: retraction failed: %s", found.id, found.channel,
                    exc.detail)
        return store.publications.remark(found.id, _not_retracted(exc), actor=actor.name,
                                         action="publication_retract_failed", ip=actor.ip)
    finally:
        publisher.close()
    if not deleted:
        why += " (sudah tidak ada di platform / already gone from the platform)"
    return _retracted(store, found, actor, why)


def _retracted(store: Store, found: Publication, actor: Actor, why: str) -> Publication:
    return store.publications.settle(found.id, "retracted", actor=actor.name,
                                     post_id=found.post_id, post_url=found.post_url, reason=why,
                                     ip=actor.ip, was="sent")


def _not_retracted(exc: PublishError) -> str:
    """Why a post is still up, and what to do: Indonesian, then English."""
    http = f"HTTP {exc.status}: " if exc.status else ""
    first = ("periksa kredensial akun / check the account's credentials" if exc.kind == "auth"
             else "coba lagi nanti / try again later")
    return (f"penarikan gagal, post masih terbit / retraction failed, the post is still up "
            f"({http}{exc.detail}). {first}; atau hapus post sendiri di platform lalu tarik lagi "
            "/ or delete the post yourself on the platform, then retract it again")
