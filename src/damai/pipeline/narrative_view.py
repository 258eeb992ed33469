"""What a narrative's page, ``damai narratives show`` and ``GET /api/v1/narratives/{id}`` show
(issue #14 part 2), built once as plain data.

Accounts appear only as the pseudonymised keys posts carry, never as handles. The page counts
at most :data:`MEMBERS` posts of a narrative (oldest first, their times, platforms, accounts and
how they joined: no text), reads the text of the first 50 only, and takes provinces from the
places stored at ingest (``post_places``) and labels from ``post_flags``, over all its posts; its
size is the stored count.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

from damai.pipeline.coordination import bursts, repost_rings
from damai.storage import Store

__all__ = ["MEMBERS", "describe"]

#: posts of one narrative a page counts (oldest first; its size is the stored count)
MEMBERS: Final = 20_000
#: posts listed with their text
_SHOWN: Final = 50
_TOP: Final = 10


def describe(store: Store, narrative_id: int) -> dict[str, Any] | None:
    """The narrative's page as plain data, or ``None`` when there is no such narrative."""
    found = store.narratives.get(narrative_id)
    if found is None:
        return None
    members = store.narratives.member_facts(narrative_id, MEMBERS)
    days = Counter(m.created_at.date().isoformat() for m in members)
    accounts = Counter(str(m.author_key) for m in members if m.author_key)
    listed = [m for m in members if m.how != "repost"][:_SHOWN]
    texts = {s.id: s.post.text for s in store.posts.get_many([m.id for m in listed])}
    return {
        **found.to_dict(),
        "labels": store.narratives.labels(narrative_id),
        "how": dict(Counter(m.how for m in members)),
        "platforms": dict(Counter(m.platform for m in members).most_common()),
        "provinces": store.narratives.provinces(narrative_id),
        "volume": [{"day": day, "posts": n} for day, n in sorted(days.items())],
        "spreaders": [{"account": key, "posts": n} for key, n in accounts.most_common(_TOP)],
        "posts": [{"id": m.id, "platform": m.platform, "created_at": m.created_at.isoformat(),
                   "text": texts.get(m.id, ""), "how": m.how, "account": m.author_key}
                  for m in listed],
        "signals": [b.to_dict() for b in bursts(members)]
        + [r.to_dict() for r in repost_rings(store, accounts)],
        "responses": store.narratives.responses(narrative_id),
        "read": len(members),
    }
