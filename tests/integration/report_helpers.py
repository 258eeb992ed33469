"""A store with known counts for the report tests (issue #14 part 6).

Within the last 7 days (``PERIOD``): 7 posts flagged ``hate_speech`` (the first also
``abusive``), 3 flagged ``disaster``, 1 not flagged; 20 days back, 2 flagged ``radicalism``.
Analysts confirmed 5 ``hate_speech`` flags (one after first dismissing it) and dismissed 2;
confirmed 1 ``disaster`` flag and could not tell on another. Responses: 2 approved (to posts
stored 10 and 20 hours before), 1 rejected, 1 in review. Publications: 6 sent to the dry-run
channel, 2 to Mastodon, 1 failed on Telegram. Narratives: one of 4 posts of the period, one of 2
(and one older post), one with only an older post. Every text was written for these tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update

from damai.records import Post
from damai.storage import open_store
from damai.storage.responses import HarmCheck, NewResponse
from damai.storage.schema import narrative_posts, narratives, posts, publications

TODAY = datetime.now(UTC).date()
#: the report period: the 7 days up to today, both included
PERIOD = ((TODAY - timedelta(days=6)).isoformat(), TODAY.isoformat())
DAY = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC) - timedelta(days=3)

TEXTS = ["Tulisan uji nomor {i}: kelompok itu tidak pantas tinggal di kampung kita",
         "Tulisan uji nomor {i}: banjir setinggi lutut di jalan depan pasar"]


def _post(i: int, flags: list[str], when: datetime) -> Post:
    text = (TEXTS[1] if "disaster" in flags else TEXTS[0]).format(i=i)
    return Post("x", str(9000 + i), text, when + timedelta(minutes=i), language="id",
                labels={f: 0.9 for f in flags}, flags=flags, model_version="m1")


def _posts() -> list[Post]:
    old = DAY - timedelta(days=17)
    return ([_post(0, ["hate_speech", "abusive"], DAY)]
            + [_post(i, ["hate_speech"], DAY) for i in range(1, 7)]
            + [_post(i, ["disaster"], DAY) for i in range(7, 10)]
            + [_post(10, [], DAY)] + [_post(i, ["radicalism"], old) for i in (11, 12)])


def _narratives(conn: Any, ids: dict[int, int]) -> None:
    now = datetime.now(UTC)
    for title, members in (("Narasi uji pertama", (0, 1, 2, 3)),
                           ("Narasi uji kedua", (4, 5, 11)), ("Narasi uji lama", (12,))):
        nid = conn.execute(narratives.insert().returning(narratives.c.id), {
            "title": title, "size": len(members), "first_seen": now, "last_seen": now,
            "created_at": now}).scalar_one()
        conn.execute(narrative_posts.insert(), [
            {"post_id": ids[m], "narrative_id": nid, "how": "copy"} for m in members])


def _publications(conn: Any, responses: dict[int, int]) -> None:
    now = datetime.now(UTC)
    rows = [(responses[i], "dry-run", "sent", k) for i in (0, 1) for k in range(3)]
    rows += [(responses[i], "mastodon", "sent", 0) for i in (0, 1)]
    rows += [(responses[0], "telegram", "failed", 0)]
    conn.execute(publications.insert(), [
        {"response_id": rid, "channel": channel, "state": state, "created_by": "nama-penyetuju-uji",
         "idempotency_key": f"uji:{rid}:{channel}:{k}", "created_at": now, "payload": {}}
        for rid, channel, state, k in rows])


def stock_reports(db_url: str) -> dict[int, int]:
    """Fill the store at ``db_url``; return post number → row id."""
    with open_store(db_url) as store:
        store.posts.write_batch(_posts(), [], [])
        ids = {i: store.posts.row_id("x", str(9000 + i)) for i in range(13)}
        assert all(ids.values())
        found = {i: int(v) for i, v in ids.items() if v is not None}
        store.triage.add_corrections(found[0], {"hate_speech": 0}, "nama-analis-uji")
        for i in range(5):
            store.triage.add_corrections(found[i], {"hate_speech": 1}, "nama-analis-uji")
        for i in (5, 6):
            store.triage.add_corrections(found[i], {"hate_speech": 0}, "nama-analis-uji")
        store.triage.add_corrections(found[7], {"disaster": 1}, "nama-analis-uji")
        store.triage.add_corrections(found[8], {"disaster": None}, "nama-analis-uji")
        store.triage.add_corrections(found[11], {"radicalism": 1}, "nama-analis-uji")
        answered = {}
        for i in range(4):
            made = store.responses.propose(NewResponse(
                f"Mari jaga persaudaraan di kampung kita ({i}).", "nama-pengusul-uji",
                post_id=found[i]), HarmCheck(None, {}, "uji"))
            answered[i] = made.id
        store.responses.decide(answered[0], "approved", actor="nama-penyetuju-uji")
        store.responses.decide(answered[1], "approved", actor="nama-penyetuju-uji")
        store.responses.decide(answered[2], "rejected", actor="nama-penyetuju-uji")
        now = datetime.now(UTC)
        with store.db.write() as conn:
            for i, hours in ((0, 10), (1, 20)):
                conn.execute(update(posts).where(posts.c.id == found[i])
                             .values(ingested_at=now - timedelta(hours=hours)))
            _narratives(conn, found)
            _publications(conn, answered)
    return found


def empty_period() -> tuple[str, str]:
    """A week long before any stored post."""
    start = date(2020, 3, 2)
    return start.isoformat(), (start + timedelta(days=6)).isoformat()
