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
from collections.abc import Callable
from dataclasses import dataclass, field
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
from damai.storage import Store
from damai.storage.publications import Publication, Subject

__all__ = ["CHANNELS", "DRY_RUN", "Reconciled", "channel_problem", "deliver", "publish",
           "publish_policy", "reconcile", "retract", "settle_uncertain"]

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


def publish(store: Store, actor: Actor, channel: str, *, response_id: int | None = None,
            entry_id: str | None = None, outbox_file: Path | None = None,
            publishers: OpenPublisher = open_publisher, policy: RetryPolicy | None = None,
            occasion: str | None = None) -> tuple[Publication, bool]:
    """Publish an approved response (or an approved library entry) to ``channel``; return the
    publication and whether it is new (the same text to the same channel is published once, or
    once per ``occasion``, e.g. a campaign slot, when one is given).
    Refused with :class:`ReviewRefused` (``not_approved``) for anything not approved. On a real
    channel a ``failed`` publication is tried again; a ``pending`` or ``uncertain`` one is
    returned as it is (:func:`reconcile` settles those)."""
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
                                                     state="pending", ip=actor.ip)
        if not new and published.state != "failed":
            return published, False
        claimed = store.publications.claim(published)
        if claimed is None:  # another worker has it
            return store.publications.get(published.id) or published, False
        return deliver(store, publisher, claimed, actor, policy or publish_policy()), new
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


def _outgoing(publication: Publication) -> Outgoing:
    return Outgoing(publication.id, publication.idempotency_key,
                    str(publication.payload.get("text", "")), publication.created_at)


def deliver(store: Store, publisher: Publisher, claimed: Publication, actor: Actor,
            policy: RetryPolicy, *, suspect: bool = False) -> Publication:
    """One delivery run of a claimed ``pending`` publication (module doc, step 2 and 3).

    ``suspect``: an earlier call may have been accepted (a lost answer, a crash). Then a refused
    text is looked up before it counts as refused: X's "duplicate content" and a Bluesky record
    key that already exists mean the earlier call went through."""
    item = _outgoing(claimed)
    attempt = 0
    while True:
        attempt += 1
        try:
            return _settle(store, claimed, actor, publisher.post(item))
        except PublishError as exc:
            problem = exc
        if problem.ambiguous or (suspect and problem.kind == "invalid"):
            suspect = True
            found = _look_up(publisher, item)
            if not (found is None and problem.ambiguous):
                return _settle(store, claimed, actor, found or problem,
                               "uncertain" if isinstance(found, PublishError) else "failed")
        elif problem.kind != "rate_limited":  # 401, 403, 400, 422: at once
            return _settle(store, claimed, actor, problem, "failed")
        if attempt >= max(policy.attempts, 1):
            return _settle(store, claimed, actor, problem, "failed")
        wait = policy.delay(Problem("rate_limited" if problem.kind == "rate_limited" else "server",
                                    problem.detail, problem.status, problem.headers), attempt)
        log.warning("publication %d on %s: %s; trying again in %.1f s (attempt %d of %d)",
                    claimed.id, claimed.channel, problem.detail, wait, attempt + 1,
                    policy.attempts)
        policy.sleep(wait)


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


@dataclass(slots=True)
class Reconciled:
    """What :func:`reconcile` did: publications found on the platform, posted now (surely not
    there), left ``uncertain`` for a human, and channels it could not open (no credential)."""

    found: list[Publication] = field(default_factory=list)
    posted: list[Publication] = field(default_factory=list)
    uncertain: list[Publication] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"found": [p.id for p in self.found], "posted": [p.id for p in self.posted],
                "uncertain": [p.id for p in self.uncertain], "skipped": self.skipped}


def reconcile(store: Store, actor: Actor, *, older_than: timedelta = timedelta(minutes=10),
              publishers: OpenPublisher = open_publisher,
              policy: RetryPolicy | None = None) -> Reconciled:
    """Settle every ``pending`` publication untouched for ``older_than`` (module doc)."""
    actor.require("approver", "merekonsiliasi publikasi / reconcile publications")
    done = Reconciled()
    opened: dict[str, Publisher] = {}
    try:
        for seen in store.publications.pending(datetime.now(UTC) - older_than):
            publisher = _open(seen.channel, opened, publishers, done)
            claimed = store.publications.claim(seen) if publisher else None
            if publisher is not None and claimed is not None:
                _reconcile_one(store, publisher, claimed, actor,
                               policy or publish_policy(), done)
    finally:
        for publisher in opened.values():
            publisher.close()
    return done


def _open(channel: str, opened: dict[str, Publisher], publishers: OpenPublisher,
          done: Reconciled) -> Publisher | None:
    if channel not in opened and channel not in done.skipped:
        try:
            opened[channel] = publishers(parse_channel(channel))
        except (ConfigError, InputError) as exc:
            done.skipped[channel] = exc.message
    return opened.get(channel)


def _reconcile_one(store: Store, publisher: Publisher, claimed: Publication, actor: Actor,
                   policy: RetryPolicy, done: Reconciled) -> None:
    found = _look_up(publisher, _outgoing(claimed))
    if isinstance(found, PublishError):
        done.uncertain.append(_settle(store, claimed, actor, found, "uncertain"))
        return
    if found is not None:
        done.found.append(_settle(store, claimed, actor, found))
        return
    settled = deliver(store, publisher, claimed, actor, policy, suspect=True)
    (done.uncertain if settled.state == "uncertain" else done.posted).append(settled)


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
