"""The hoax watch and a narrative's provinces read the places stored at ingest (``post_places``)
and geoparse only a post that has none (one stored before migration ``0016_places``). Each test
gives a post stored places that its text would not geoparse to, so only a read of the rows can
pass it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete

from damai.pipeline import places as places_stage
from damai.pipeline.hoaxwatch import watch_event
from damai.pipeline.narrative_view import describe
from damai.records import Place
from damai.storage import Store, open_store
from damai.storage.schema import post_places
from damai.understand.geoparse import PostPlaces
from tests.integration.hoaxwatch_helpers import BASE, POSTS, stock
from tests.integration.test_narratives import on_ingest, stocked  # noqa: F401  (fixture)

CIANJUR = Place("Kabupaten Cianjur", "regency", "Jawa Barat", "Kabupaten Cianjur", None,
                -6.82, 107.14)
SURABAYA = Place("Kota Surabaya", "regency", "Jawa Timur", "Kota Surabaya", None, -7.25, 112.75)
BANDUNG = Place("Kota Bandung", "regency", "Jawa Barat", "Kota Bandung", None, -6.91, 107.61)


def _store_places(store: Store, post_id: int, *places: Place) -> None:
    """Replace the post's stored places (none: as if it was stored before ``0016_places``)."""
    with store.db.write() as conn:
        conn.execute(delete(post_places).where(post_places.c.post_id == post_id))
    store.places.add({post_id: places})


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts geoparsed (ingest's too: a test clears them after storing its posts)."""
    seen: list[str] = []
    real = places_stage.geoparse_many

    def spy(texts: object) -> list[PostPlaces]:
        found = list(texts)  # type: ignore[call-overload]
        seen.extend(found)
        return real(found)

    monkeypatch.setattr(places_stage, "geoparse_many", spy)
    return seen


def _queue(store: Store, event_id: int) -> dict[int, str | None]:
    """Tweet number (as in hoaxwatch_helpers.POSTS) → the name of the place it is kept for."""
    return {int(i.stored.post.platform_id) - BASE: i.place.name if i.place else None
            for i in watch_event(store, event_id).items}


def test_the_hoax_watch_keeps_posts_by_their_stored_places(tmp_path: Path, db_url: str,
                                                           parsed: list[str]) -> None:
    events = stock(tmp_path, db_url)
    parsed.clear()
    with open_store(db_url) as store:
        ids = {n: store.posts.row_id("x", str(BASE + n)) or 0 for n in POSTS}
        assert _queue(store, events["quake"]) == {2: "Kabupaten Cianjur", 3: None,
                                                  5: "Kabupaten Cianjur", 9: "Kota Sukabumi"}
        assert parsed == [POSTS[3][1]]  # only the post that names no place, so has no row
        _store_places(store, ids[8], CIANJUR)  # its text says Surabaya, outside the area
        _store_places(store, ids[2], SURABAYA)  # its text says Cianjur, inside
        queue = _queue(store, events["quake"])
    assert 8 in queue and queue[8] == "Kabupaten Cianjur"
    assert 2 not in queue


def test_the_hoax_watch_geoparses_a_post_with_no_stored_place(tmp_path: Path, db_url: str,
                                                              parsed: list[str]) -> None:
    events = stock(tmp_path, db_url)
    parsed.clear()
    with open_store(db_url) as store:
        _store_places(store, store.posts.row_id("x", str(BASE + 2)) or 0)
        queue = _queue(store, events["quake"])
    assert queue[2] == "Kabupaten Cianjur"  # from its text, as before places were stored
    assert sorted(parsed) == sorted([POSTS[2][1], POSTS[3][1]])


def test_a_narratives_provinces_come_from_the_stored_places(db_url: str,
                                                            parsed: list[str]) -> None:
    """A narrative's page counts its posts per province their stored places name (as
    ``/posts?province=`` finds them) and geoparses nothing."""
    narrative = stocked(db_url)
    parsed.clear()
    with open_store(db_url) as store:
        first, second = (store.posts.row_id("x", str(i)) or 0 for i in (1, 2))
        # every post names Semarang (the repost too)
        assert describe(store, narrative)["provinces"] == {"Jawa Tengah": 7}  # type: ignore[index]
        _store_places(store, first, BANDUNG, SURABAYA, BANDUNG)  # counted once per province
        _store_places(store, second)  # no rows (stored before 0016, not backfilled): not counted
        found = describe(store, narrative)
    assert found is not None
    assert found["provinces"] == {"Jawa Tengah": 5, "Jawa Barat": 1, "Jawa Timur": 1}
    assert parsed == []
