"""``post_terms`` (issue #14 part 3) on both backends: new posts get their hashtag, link and
domain rows as they are stored, a store from before migration 0025 gets them from the migration,
the drill-down filters find the same posts by the rows (or, for a link too long to keep, by the
JSON), a hashtag many posts hold still pages newest first, and the rows go with their post."""

from __future__ import annotations

from typing import Any

from damai.storage import PostQuery, Store, open_store, revisions
from damai.storage.terms import MOST_BYTES
from tests.integration.test_migrations import _run, rows
from tests.integration.test_store_contract import db, make_post, store_url

__all__ = ["db", "store_url"]  # fixtures used by the tests below

LONG_LINK = "https://kabar.example/" + "panjang-" * (MOST_BYTES // 8 + 1)
TAGGED = {
    1: (["#BanjirBandung"], ["https://www.kabar.example/banjir?id=1"]),
    2: (["banjirbandung", "Gempa"], ["https://kabar.example/jalan", LONG_LINK]),
    3: ([], ["http://cermin.example/kabar.example/gempa", "ftp://kabar.example/berkas"]),
    4: ([], []),
}
EXPECTED = [
    (1, "domain", "kabar.example"), (1, "hashtag", "banjirbandung"),
    (1, "link", "https://www.kabar.example/banjir?id=1"),
    (2, "domain", "kabar.example"), (2, "hashtag", "banjirbandung"), (2, "hashtag", "gempa"),
    (2, "link", "https://kabar.example/jalan"),
    (3, "domain", "cermin.example"), (3, "link", "ftp://kabar.example/berkas"),
    (3, "link", "http://cermin.example/kabar.example/gempa"),
]


def _write(store: Store) -> None:
    store.posts.write_batch([make_post(n, hashtags=tags, links=links)
                             for n, (tags, links) in TAGGED.items()], [], [])


def _terms(url: str) -> list[tuple[Any, ...]]:
    """The rows by post number (platform id 1000 + n), through the plain driver."""
    return rows(url, "SELECT CAST(p.platform_id AS INTEGER) - 1000, t.kind, t.value "
                     "FROM post_terms t JOIN posts p ON p.id = t.post_id ORDER BY 1, 2, 3")


def _found(store: Store, **filters: Any) -> list[int]:
    return sorted(int(p.platform_id) - 1000 for p in store.posts.query(PostQuery(**filters)))


def test_new_posts_get_their_rows_and_the_filters_read_them(store_url: str, db: Store) -> None:
    _write(db)
    assert _terms(store_url) == EXPECTED
    assert _found(db, hashtag="#BANJIRBANDUNG") == [1, 2]
    assert _found(db, hashtag="gempa") == [2]
    assert _found(db, domain="kabar.example") == [1, 2]
    assert _found(db, domain="cermin.example") == [3]
    assert _found(db, link="https://kabar.example/jalan") == [2]
    # too long for an index entry: not a row, yet found in the post's JSON
    assert _found(db, link=LONG_LINK) == [2]
    assert _found(db, link=LONG_LINK, hashtag="gempa", domain="kabar.example") == [2]
    assert _found(db, hashtag="gempa", domain="cermin.example") == []


def test_a_store_from_before_0025_gets_its_rows_from_the_migration(store_url: str) -> None:
    with open_store(store_url) as store:
        _write(store)
    _run(store_url, "DROP TABLE post_terms",
         "UPDATE alembic_version SET version_num = '0024_triage_queue'")
    with open_store(store_url) as store:
        assert _found(store, hashtag="banjirbandung", link="https://kabar.example/jalan") == [2]
    assert rows(store_url, "SELECT version_num FROM alembic_version") == [(revisions()[-1],)]
    assert _terms(store_url) == EXPECTED


def test_a_hashtag_many_posts_hold_pages_newest_first(store_url: str, db: Store) -> None:
    """2,100 posts hold one hashtag (past the count at which SQLite checks post by post)."""
    db.posts.write_batch([make_post(n, hashtags=["#Ramai"] if n % 10 else ["#Ramai", "#Sepi"])
                          for n in range(1, 2101)], [], [])
    first = db.posts.query(PostQuery(hashtag="ramai", limit=50))
    assert [int(p.platform_id) - 1000 for p in first] == list(range(2100, 2050, -1))
    assert _found(db, hashtag="sepi", limit=500) == list(range(10, 2101, 10))
    assert db.posts.count(PostQuery(hashtag="ramai")) == 2100


def test_the_rows_go_with_their_post(store_url: str, db: Store) -> None:
    """An author's erasure (a data-subject request) takes their posts' rows too."""
    db.posts.write_batch([make_post(n, hashtags=tags, links=links,
                                    author_key="k:hapus" if n == 2 else f"k:{n}")
                          for n, (tags, links) in TAGGED.items()], [], [])
    assert db.lifecycle.erase_author("k:hapus", actor="admin") == 1
    assert _terms(store_url) == [row for row in EXPECTED if row[0] != 2]
    assert _found(db, hashtag="gempa") == []
    assert _found(db, domain="kabar.example") == [1]
