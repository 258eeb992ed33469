"""A store for the watchlist tests (issue #14 part 5): a day of quiet flood hoaxes in West Java
(one an hour), then a burst of them in the last hour, with posts beside the burst that each miss
one part of the watchlist (another province, no flag, other words). Every text was written for
these tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from damai.records import Place, Post
from damai.storage import open_store

BANDUNG = Place("Kota Bandung", "regency", "Jawa Barat", "Kota Bandung", None, -6.91, 107.61,
                "kota")
MEDAN = Place("Kota Medan", "regency", "Sumatera Utara", "Kota Medan", None, 3.59, 98.67, "kota")
QUERY = 'banjir label:hoax provinsi:"Jawa Barat"'
BURST = 9


def _post(key: str, text: str, at: datetime, *, hoax: bool = True,
          place: Place = BANDUNG) -> Post:
    return Post("x", key, text, at, labels={"hoax": 0.93 if hoax else 0.04},
                flags=["hoax"] if hoax else [], places=[place], model_version="test")


def quiet_day(now: datetime) -> list[Post]:
    """One matching post an hour over the 24 hours before the last one."""
    return [_post(f"q{h}", f"Katanya tanggul jebol lagi, banjir besar datang jam {h}",
                  now - timedelta(hours=h, minutes=30)) for h in range(1, 25)]


def burst(now: datetime, n: int = BURST, tag: str = "b") -> list[Post]:
    """``n`` matching posts in the last hour, and three that each miss one part."""
    found = [_post(f"{tag}{i}", f"Waduk Jatiluhur jebol, banjir bandang sampai Bandung malam "
                                f"ini, sebarkan! ({i})", now - timedelta(minutes=3 + 5 * i))
             for i in range(n)]
    return [*found,
            _post(f"{tag}medan", "Banjir bandang di Medan malam ini, sebarkan!",
                  now - timedelta(minutes=4), place=MEDAN),
            _post(f"{tag}fakta", "Banjir di Bandung surut, warga kembali ke rumah",
                  now - timedelta(minutes=6), hoax=False),
            _post(f"{tag}lain", "Jembatan Pasupati retak, jangan lewat malam ini",
                  now - timedelta(minutes=7))]


def stock(db_url: str, now: datetime | None = None, *, with_burst: bool = True) -> list[int]:
    """Store the quiet day (and the burst); return the ids of the burst's matching posts."""
    now = now or datetime.now(UTC)
    posts = quiet_day(now) + (burst(now) if with_burst else [])
    with open_store(db_url) as store:
        store.posts.write_batch(posts, [], [])
        return [i for i in (store.posts.row_id("x", f"b{n}") for n in range(BURST))
                if i is not None] if with_burst else []


def add_burst(db_url: str, tag: str, now: datetime | None = None) -> None:
    with open_store(db_url) as store:
        store.posts.write_batch(burst(now or datetime.now(UTC), tag=tag), [], [])
