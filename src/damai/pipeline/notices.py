"""What approvers are told, and when (issue #12): a response proposed for review (or sent back
to it by an edit), and a publication that went ``uncertain`` or ``failed``.

Each notice is built here from what the pipeline just committed and handed to
:mod:`damai.notify`, which sends it in the background the ways the settings turn on (none by
default): the caller's request neither waits for it nor fails with it.
"""

from __future__ import annotations

import logging

from damai.errors import ConfigError
from damai.notify import Notice, configured_notifier, dashboard_link
from damai.storage.publications import Publication
from damai.storage.responses import Response

__all__ = ["publication_needs_a_person", "response_waiting", "tell"]

log = logging.getLogger("damai.notify")

#: how much of a text a notice quotes
QUOTE = 280


def tell(notice: Notice) -> None:
    """Send ``notice`` in the background, the ways the settings turn on; settings Damai cannot
    use (a bad number, an unreadable secrets file) are logged, and the caller goes on."""
    try:
        notifier = configured_notifier()
    except ConfigError as exc:
        log.warning("pemberitahuan tidak dikirim / notice not sent: %s (%s)", exc.message,
                    notice.subject)
        return
    notifier.send_later(notice)


def response_waiting(response: Response) -> Notice:
    return Notice(
        f"Tanggapan {response.id} menunggu persetujuan / Response {response.id} awaits approval",
        f"Diusulkan oleh {response.proposed_by} / Proposed by {response.proposed_by}:\n\n"
        f"{_quote(response.text)}",
        dashboard_link(f"/responses#response-{response.id}"))


def publication_needs_a_person(publication: Publication) -> Notice:
    what = {"uncertain": ("tidak pasti terbit: cek platformnya lalu putuskan",
                          "is uncertain: check the platform, then settle it"),
            "failed": ("gagal terbit", "failed")}[publication.state]
    return Notice(
        f"Publikasi {publication.id} {what[0]} / Publication {publication.id} {what[1]}",
        f"{publication.channel}: {publication.reason or ''}\n\n"
        f"{_quote(str(publication.payload.get('text', '')))}",
        dashboard_link(f"/outbox#publication-{publication.id}"))


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE else text[:QUOTE - 1] + "…"
