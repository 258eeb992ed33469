"""Publishing (issue #11): the one function every way of publishing goes through.

``damai publish``, ``POST /api/v1/publications`` and the outbox page's button all call
:func:`publish`. The rule that only approved content goes out is enforced below it, in
:meth:`damai.storage.publications.PublicationRepository.publish`, in the transaction that writes
the publication, so a caller that skips this module (or a forged row) still cannot pass.

Channels: today only ``dry-run``, which writes what would be sent to the outbox (its
publications) and, when ``DAMAI_DRY_RUN_FILE`` or an explicit file is given, appends it to that
file as one JSON line. Real platforms come in a later issue, behind this same function.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import orjson

from damai import settings
from damai.errors import InputError, ReviewRefused
from damai.pipeline.responses import Actor
from damai.storage import Store
from damai.storage.publications import Publication, Subject

__all__ = ["CHANNELS", "publish"]

#: the channels a publication may go to
CHANNELS: Final[tuple[str, ...]] = ("dry-run",)


def _outbox_file(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    configured = settings.get("dry_run_file")
    return Path(configured) if configured else None


def publish(store: Store, actor: Actor, channel: str, *, response_id: int | None = None,
            entry_id: str | None = None, outbox_file: Path | None = None
            ) -> tuple[Publication, bool]:
    """Publish an approved response (or an approved library entry) to ``channel``; return the
    publication and whether it is new (the same text to the same channel is published once).
    Refused with :class:`ReviewRefused` (``not_approved``) for anything not approved."""
    actor.require("approver", "menerbitkan / publish")
    if channel not in CHANNELS:
        raise ReviewRefused("unknown_channel", (
            f"kanal {channel!r} tidak dikenal: pakai {', '.join(CHANNELS)} / unknown channel "
            f"{channel!r}: use {', '.join(CHANNELS)}"))
    if (response_id is None) == (entry_id is None):
        raise InputError("beri `response_id` atau `entry_id`, salah satu / give `response_id` "
                         "or `entry_id`, one of them")
    published, new = store.publications.publish(
        Subject(response_id=response_id, entry_id=entry_id), channel, actor=actor.name,
        ip=actor.ip)
    target = _outbox_file(outbox_file)
    if new and target is not None:
        with target.open("ab") as out:
            out.write(orjson.dumps(published.to_dict()) + b"\n")
    return published, new
