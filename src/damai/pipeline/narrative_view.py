"""What a narrative's page, ``damai narratives show`` and ``GET /api/v1/narratives/{id}`` show
(issue #14 part 2), built once as plain data.

Accounts appear only as the pseudonymised keys posts carry, never as handles. Volume per day,
platforms, how posts joined, spreaders, provinces (the places stored at ingest, ``post_places``)
and labels count all of a narrative's posts, grouped in SQL; bursts are looked for among its
:data:`MEMBERS` oldest posts (their time and account only), and the first 50 are read with their
text. Its size is the stored count.
"""

from __future__ import annotations

from typing import Any, Final

from damai.pipeline.coordination import bursts, repost_rings
from damai.storage import Store

__all__ = ["MEMBERS", "describe"]

#: posts of one narrative (the oldest) whose bursts are looked for and that are listed
MEMBERS: Final = 5000
#: posts listed with their text
_SHOWN: Final = 50
_TOP: Final = 10


def describe(store: Store, narrative_id: int) -> dict[str, Any] | None:
    """The narrative's page as plain data, or ``None`` when there is no such narrative."""
    found = store.narratives.get(narrative_id)
    if found is None:
        return None
    tally = store.narratives.tallies(narrative_id)
    members = store.narratives.member_facts(narrative_id, MEMBERS)
    listed = [m for m in members if m.how != "repost"][:_SHOWN]
    texts = {s.id: s.post.text for s in store.posts.get_many([m.id for m in listed])}
    return {
        **found.to_dict(),
        "labels": store.narratives.labels(narrative_id),
        "how": tally["how"],
        "platforms": tally["platform"],
        "provinces": store.narratives.provinces(narrative_id),
        "volume": [{"day": day, "posts": n} for day, n in sorted(tally["day"].items())],
        "spreaders": [{"account": key, "posts": n}
                      for key, n in list(tally["account"].items())[:_TOP]],
        "posts": [{"id": m.id, "platform": m.platform, "created_at": m.created_at.isoformat(),
                   "text": texts.get(m.id, ""), "how": m.how, "account": m.author_key}
                  for m in listed],
        "signals": [b.to_dict() for b in bursts(members)]
        + [r.to_dict() for r in repost_rings(store, tally["account"])],
        "responses": store.narratives.responses(narrative_id),
        "read": len(members),
    }
