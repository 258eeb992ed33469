"""Issue #13 part 4: citizen disaster posts are linked to official events by hazard, time window
and distance; a burst of reports in one regency with no official event behind it forms one
citizen event (never two on a re-run); calls for help are counted per event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from damai.pipeline.linking import event_hazard, link_reports, radius_km
from damai.records import HazardEvent, Post
from damai.storage import Store
from damai.understand.geoparse import geoparse
from tests.conftest import run_cli
from tests.integration.test_store_contract import db, store_url  # noqa: F401  (fixtures)

T = datetime(2026, 11, 20, 14, 7, tzinfo=UTC)
QUAKE = HazardEvent(source="bmkg", key="bmkg:test:padang", hazard="earthquake", time=T,
                    magnitude=6.2, depth_km=12.0, lat=-0.95, lon=100.35,
                    region="Pesisir barat Sumatera Barat")
_n = iter(range(1, 10_000))


def post(text: str, at: datetime, hazard: str | None, *info: str) -> Post:
    flags = ["disaster", *([f"disaster.type.{hazard}"] if hazard else []),
             *(f"disaster.info.{i}" for i in info)]
    return Post("x", str(next(_n)), text, at, flags=flags,
                labels={f: 0.9 for f in flags}, places=geoparse(text).places)


def ids(store: Store, *posts: Post) -> list[int]:
    return [store.posts.row_id(p.platform, p.platform_id) or 0 for p in posts]


def test_reports_link_to_the_quake_by_hazard_time_and_distance(db: Store) -> None:  # noqa: F811
    """On SQLite and PostgreSQL."""
    store = db
    store.events.save([QUAKE], "test", T)
    near = post("Gempa kencang sekali di Padang, lemari rumah kami roboh", T + timedelta(minutes=4),
                "earthquake", "eyewitness", "casualties_damage")
    wave = post("Air laut surut di Padang, warga lari ke bukit", T + timedelta(minutes=9),
                "tsunami", "eyewitness")
    help_ = post("Tolong! Ada yang tertimbun reruntuhan di Kota Padang, butuh alat berat",
                 T + timedelta(minutes=30), "earthquake", "call_for_help")
    flood = post("Banjir lagi di Padang, air masuk ke rumah", T + timedelta(minutes=5), "flood")
    far = post("Gempa terasa di Surabaya tadi siang", T + timedelta(minutes=6), "earthquake")
    early = post("Gempa kecil di Padang pagi ini", T - timedelta(hours=3), "earthquake")
    nowhere = post("Gempa barusan, semua aman?", T + timedelta(minutes=2), "earthquake")
    untyped = post("Doakan saudara kita di Padang", T + timedelta(minutes=8), None)
    unknown = post("Sumur kering di Padang", T + timedelta(minutes=7), "drought")  # not ours
    store.posts.write_batch([near, wave, help_, flood, far, early, nowhere, untyped, unknown],
                            [], [])

    result = link_reports(store, now=T + timedelta(hours=2))
    assert result.linked == 3 and result.changed == 3
    assert result.unplaced == 1 and result.untyped == 2
    assert result.citizen_events == []
    event = store.events.recent(10)[0].to_dict()
    assert [r["post_id"] for r in event["reports"]] == ids(store, near, wave, help_)
    assert event["calls_for_help"] == 1
    first = event["reports"][0]
    assert first["hazard"] == "earthquake" and first["place"] == "Kota Padang"
    assert first["info"] == ["casualties_damage", "eyewitness"]
    assert first["distance_km"] < 20
    again = link_reports(store, now=T + timedelta(hours=2))
    assert again.linked == 3 and again.changed == 0


def test_a_burst_forms_one_citizen_event_and_a_busy_baseline_does_not(
        db: Store) -> None:  # noqa: F811
    """On SQLite and PostgreSQL."""
    store = db
    at = datetime(2026, 11, 21, 7, 0, tzinfo=UTC)
    bekasi = [post(text, at + timedelta(minutes=10 * i), "flood", "eyewitness") for i, text in
              enumerate(["Banjir di Bekasi Kota sudah sepinggang, motor mogok semua",
                         "Perumahan kami di Kota Bekasi terendam, air naik terus",
                         "Jalan depan stasiun Bekasi banjir, angkot tidak lewat",
                         "Tolong evakuasi lansia di Kota Bekasi, rumahnya kebanjiran"])]
    bogor_past = [post("Banjir kecil di Kabupaten Bogor, air masuk halaman", at - timedelta(
        hours=6 * k + 7), "flood") for k in range(112)]  # one per window: a busy baseline
    bogor = [post("Banjir lagi di Kabupaten Bogor, jalan desa tergenang",
                  at + timedelta(minutes=5 * i), "flood") for i in range(4)]
    two = [post("Longsor kecil di Kabupaten Garut, jalan tertutup", at, "landslide")
           for _ in range(2)]
    store.posts.write_batch([*bekasi, *bogor_past, *bogor, *two], [], [])

    result = link_reports(store, now=at + timedelta(hours=1))
    assert result.citizen_events == ["citizen:flood:Kota Bekasi:20261121T06Z"]
    citizen = store.events.recent(10, "citizen")
    assert len(citizen) == 1
    event = citizen[0].to_dict()
    assert event["hazard"] == "flood" and event["region"] == "Kota Bekasi, Jawa Barat"
    assert sorted(r["post_id"] for r in event["reports"]) == sorted(ids(store, *bekasi))
    assert event["time"] == at.isoformat()

    later = post("Banjir di Kota Bekasi belum surut, kami butuh perahu", at + timedelta(hours=3),
                 "flood", "call_for_help")
    store.posts.write_batch([later], [], [])
    again = link_reports(store, now=at + timedelta(hours=4))
    assert again.citizen_events == ["citizen:flood:Kota Bekasi:20261121T06Z"]  # the same key
    assert len(store.events.recent(10, "citizen")) == 1
    event = store.events.recent(10, "citizen")[0].to_dict()
    assert len(event["reports"]) == 5 and event["calls_for_help"] == 1


def test_a_cap_event_without_a_point_uses_its_region_and_unknown_hazards_link_nothing(
        store: Store) -> None:
    at = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
    store.events.save([
        HazardEvent(source="cap", key="cap:test:1", hazard="Tanah Longsor", time=at,
                    region="Kabupaten Garut"),
        HazardEvent(source="cap", key="cap:test:2", hazard="Uji coba sistem", time=at,
                    lat=-7.2, lon=107.9),
        HazardEvent(source="cap", key="cap:test:3", hazard="Banjir", time=None,
                    region="Kabupaten Garut")], "test", at)
    slide = post("Longsor di Kabupaten Garut menimbun dua rumah", at + timedelta(hours=1),
                 "landslide", "casualties_damage")
    store.posts.write_batch([slide], [], [])
    assert link_reports(store, now=at + timedelta(hours=2)).linked == 1
    by_key = {e.event.key: e.to_dict() for e in store.events.recent(10)}
    assert [r["post_id"] for r in by_key["cap:test:1"]["reports"]] == ids(store, slide)
    assert by_key["cap:test:2"]["reports"] == [] and by_key["cap:test:3"]["reports"] == []


@pytest.mark.parametrize(("hazard", "headline", "expected"), [
    ("earthquake", None, "earthquake"),
    ("Hujan Lebat disertai Angin Kencang", None, "extreme_weather"),
    ("Banjir Rob", None, "flood"),
    ("Peringatan Dini Tsunami", None, "tsunami"),
    ("Erupsi Gunung Api", None, "volcano"),
    ("Kebakaran Hutan dan Lahan", None, "fire"),
    ("", "Tanah longsor di jalur selatan", "landslide"),
    ("Uji coba sistem", None, None),
])
def test_event_hazard_is_read_from_its_words(hazard: str, headline: str | None,
                                             expected: str | None) -> None:
    event = HazardEvent(source="cap", key="k", hazard=hazard, headline=headline)
    assert event_hazard(event) == expected


def test_the_quake_radius_grows_with_magnitude() -> None:
    assert [radius_km("earthquake", m) for m in (3.0, 5.0, 6.0, 7.0, 9.5, None)] == [
        50.0, 100.0, 200.0, 400.0, 800.0, 200.0]
    assert radius_km("flood", 7.0) == 100.0


def test_the_cli_links_and_is_audited(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from damai.storage import open_store

    now = datetime.now(UTC)
    with open_store(db_url) as s:
        s.events.save([HazardEvent(source="bmkg", key="bmkg:cli", hazard="earthquake",
                                   time=now - timedelta(hours=1), magnitude=5.5, lat=-7.8,
                                   lon=110.37)], "test", now)
        s.posts.write_batch([post("Gempa terasa kuat di Jogja, genteng berjatuhan",
                                  now - timedelta(minutes=50), "earthquake", "eyewitness")],
                            [], [])
    code, out, _ = run_cli(capsys, "alerts", "link", "--db", db_url, "--json")
    assert code == 0 and '"linked":1' in out
    code, out, _ = run_cli(capsys, "alerts", "list", "--db", db_url, "--json")
    assert '"calls_for_help":0' in out and '"place":"Kota Yogyakarta"' in out
    with open_store(db_url) as s:
        assert len(s.audit.query(action="alerts_link")) == 1


class _QuakeWords:
    """A stand-in for the classify stage: flags a post that says "gempa" as an eyewitness
    earthquake report (the real model's labels, without loading it)."""

    version = "test-quake-words"

    def __call__(self, posts: list[Post]) -> list[Post]:
        for p in posts:
            if "gempa" in p.text.lower():
                p.flags = ["disaster", "disaster.type.earthquake", "disaster.info.eyewitness"]
                p.labels = {f: 0.9 for f in p.flags}
                p.model_version = self.version
        return posts


def test_a_classified_ingest_links_its_reports(store: Store, tmp_path: Path) -> None:
    from damai.pipeline.ingest import IngestOptions, ingest_paths
    from damai.privacy import Pseudonymiser
    from tests.conftest import page, tweet, write_jsonl

    now = datetime.now(UTC).replace(microsecond=0)
    store.events.save([HazardEvent(source="bmkg", key="bmkg:ingest", hazard="earthquake",
                                   time=now - timedelta(minutes=40), magnitude=5.8, lat=-8.65,
                                   lon=115.2)], "test", now)
    at = (now - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    source = write_jsonl(tmp_path / "t.jsonl", [page([
        tweet(1, "Gempa barusan terasa sampai Denpasar, kaca jendela bergetar", created_at=at),
        tweet(2, "Macet parah di Denpasar sore ini", created_at=at)])])
    ingest_paths([source], store, IngestOptions(), pseudonymiser=Pseudonymiser(b"k"),
                 classifier=_QuakeWords())  # type: ignore[arg-type]
    (event,) = store.events.recent(5)
    assert [r["place"] for r in event.to_dict()["reports"]] == ["Kota Denpasar"]


def test_the_scheduler_loop_links_reports(store: Store) -> None:
    from damai.pipeline.scheduler import Scheduler

    store.events.save([QUAKE], "test", T)
    store.posts.write_batch([post("Gempa di Padang, kami semua lari keluar rumah",
                                  T + timedelta(minutes=3), "earthquake", "eyewitness")], [], [])
    Scheduler(store, interval=60, now=lambda: T + timedelta(hours=1)).run(once=True)
    assert len(store.events.recent(5)[0].reports) == 1
