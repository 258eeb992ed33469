"""Issue #12 part 5, the ambassador network (Duta Damai), on SQLite and PostgreSQL: registration
and its checks, kits written from approved entries, the personal link (valid, revoked, expired,
forged), crediting at ingest (by tag, by link, by near-duplicate text, and a post that must not
be credited), tallies, and consent withdrawal hiding the person from every read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from damai.errors import InputError, NotFound
from damai.pipeline import ambassadors as amb
from damai.pipeline.chain import StageChain
from damai.pipeline.crediting import CreditStage
from damai.pipeline.library import import_library
from damai.privacy import Pseudonymiser
from damai.records import Post
from damai.storage import Store, open_store
from damai.storage.schema import ambassador_kits
from tests.integration.test_store_contract import store_url  # noqa: F401  (fixture)

T0 = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
SCOPE = "Menerima kit konten Duta Damai dan unggahannya dihitung untuk laporan tim"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:  # noqa: F811  (the fixture above)
    opened = open_store(store_url)
    import_library(opened, None, actor="cli:test")
    yield opened
    opened.close()


def add_siti(store: Store, **extra: Any) -> Any:
    values: dict[str, Any] = {
        "name": "Siti Rahmawati", "province": "jawa barat", "regency": "Kota Bandung",
        "consent_scope": SCOPE, "consent_at": date(2026, 11, 1),
        "handles": ["x:@SitiDamai", "mastodon:siti@kota.social"],
        "languages": ["id", "su"], "topics": ["anti_violence, tolerance"]}
    values.update(extra)
    return amb.register(store, actor="analis", **values)


def post(i: int, text: str, handle: str | None = None, **extra: Any) -> Post:
    return Post(platform="x", platform_id=str(9000 + i), text=text,
                created_at=T0 + timedelta(minutes=i), author_id=f"u{i}", author_handle=handle,
                engagement={"likes": 10 * i, "reposts": i, "views": 1000}, **extra)


def ingest(store: Store, posts: list[Post]) -> None:
    chain = StageChain(store, "uji", pseudonymiser=Pseudonymiser(b"rahasia"), claims=False)
    counts = chain.write(posts, [], [])
    assert counts.stored == len(posts)


# -- registration ---------------------------------------------------------------------------------
def test_register_checks_province_consent_and_handles(store: Store) -> None:
    siti = add_siti(store)
    assert siti.province == "Jawa Barat" and siti.regency == "Kota Bandung"
    assert siti.handles == {"x": "sitidamai", "mastodon": "siti@kota.social"}
    assert siti.languages == ("id", "su") and siti.topics == ("anti_violence", "tolerance")
    assert siti.consent_scope == SCOPE and siti.consent_at == datetime(2026, 11, 1, tzinfo=UTC)
    for wrong in ({"province": "Jawa Barat Daya"}, {"consent_scope": " "}, {"name": ""},
                  {"handles": ["budi"]}, {"consent_at": date(2099, 1, 1)}):
        with pytest.raises(InputError):
            add_siti(store, **{"handles": ["x:lain"], **wrong})
    with pytest.raises(InputError, match="Handle itu sudah terdaftar"):
        add_siti(store, name="Orang Lain", handles=["x:sitidamai"])
    assert [a.name for a in store.ambassadors.all()] == ["Siti Rahmawati"]
    assert [e.action for e in store.audit.query(action="ambassador_add")] == ["ambassador_add"]


def test_time_zone_follows_the_province() -> None:
    assert [amb.time_zone(p) for p in ("Jawa Barat", "Bali", "Papua")] == ["WIB", "WITA", "WIT"]


# -- kits and their links -------------------------------------------------------------------------
def test_a_kit_is_written_from_approved_entries(store: Store) -> None:
    siti = add_siti(store)
    issued = amb.issue_kit(store, siti.id, actor="analis", campaign_id="ramadan-damai-2027",
                           link="https://damai.example/kampanye?ref=wa")
    kit = issued.kit
    approved = {v.entry.id: v.entry for v in store.library.current(status="approved")}
    assert len(kit.content["messages"]) == amb.VARIANTS
    for message in kit.content["messages"]:
        entry = approved[message["entry_id"]]
        assert message["text"].startswith(entry.short_280.strip()) and kit.tag in message["text"]
        assert message["fits_x"] == (len(message["text"]) - len(kit.link or "") + 23 <= 280)
        assert set(entry.themes) & {"anti_violence", "tolerance"}
    assert kit.tag == f"#DD{kit.code}" and "-" not in kit.tag
    assert kit.link == f"https://damai.example/kampanye?ref=wa&dd={kit.code}"
    assert kit.content["times"] == ["07:00 WIB", "12:30 WIB", "19:30 WIB"]
    assert kit.content["hashtags"] == ["#DutaDamai", "#IndonesiaDamai", kit.tag]
    assert kit.campaign_id == "ramadan-damai-2027"
    with pytest.raises(InputError):
        amb.issue_kit(store, siti.id, actor="analis", entry_ids=["tidak-ada"])
    with pytest.raises(InputError):
        amb.issue_kit(store, siti.id, actor="analis", link="javascript:alert(1)")


def test_the_store_keeps_only_a_hash_of_the_token(store: Store) -> None:
    issued = amb.issue_kit(store, add_siti(store).id, actor="analis")
    with store.db.read() as conn:
        stored = conn.execute(ambassador_kits.select()).one()
    assert stored.token_hash == amb.token_hash(issued.token) != issued.token
    assert issued.token not in repr(dict(stored._mapping))


def test_kit_links_valid_revoked_expired_forged(store: Store) -> None:
    siti = add_siti(store)
    valid = amb.issue_kit(store, siti.id, actor="analis")
    opened = amb.open_kit(store, valid.token)
    assert opened is not None and opened[1].name == "Siti Rahmawati"
    nonce, _, signature = valid.token.partition(".")
    forged = [f"{nonce}.{'0' * len(signature)}", f"x{nonce}.{signature}", "", ".", nonce,
              "a" * 500]
    assert [amb.open_kit(store, t) for t in forged] == [None] * len(forged)
    revoked = amb.issue_kit(store, siti.id, actor="analis")
    store.ambassadors.revoke_kit(revoked.kit.id, actor="analis")
    assert amb.open_kit(store, revoked.token) is None
    with pytest.raises(NotFound):
        store.ambassadors.revoke_kit(revoked.kit.id, actor="analis")
    expired = amb.issue_kit(store, siti.id, actor="analis", days=1)
    with store.db.write() as conn:
        conn.execute(update(ambassador_kits).where(ambassador_kits.c.id == expired.kit.id)
                     .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    assert amb.open_kit(store, expired.token) is None
    assert amb.open_kit(store, valid.token) is not None


# -- crediting ------------------------------------------------------------------------------------
def test_no_kits_no_crediting_stage(store: Store) -> None:
    assert StageChain(store, "b").credits is None
    issued = amb.issue_kit(store, add_siti(store).id, actor="analis")
    assert StageChain(store, "b").credits is not None
    assert StageChain(store, "b", credits=False).credits is None
    store.ambassadors.revoke_kit(issued.kit.id, actor="analis")
    assert StageChain(store, "b").credits is None


def test_crediting_by_tag_link_and_near_duplicate_text(store: Store) -> None:
    siti = add_siti(store)
    kit = amb.issue_kit(store, siti.id, actor="analis", campaign_id="damai-di-sekolah",
                        link="https://damai.example/sekolah").kit
    message = kit.content["messages"][0]["text"].split("\n\n")[0]
    ingest(store, [
        # someone else reposts the tag: it is personal, so it counts
        post(1, f"Setuju sekali, mari sebarkan pesan damai ini {kit.tag.lower()}", "warga_lain"),
        post(2, "Baca penjelasan lengkapnya di sini ya", "warga_lain",
             links=[f"https://damai.example/sekolah?dd={kit.code}"]),
        # Siti rewrites the start and drops the hashtags: still the kit's message
        post(3, "Teman-teman, " + message.replace("Bom", "bom"), "SitiDamai"),
        # the same message from an account that is no ambassador: not credited by text
        post(4, message, "akun_biasa"),
        # Siti's own post about something else: not credited
        post(5, "Pagi ini hujan deras di Bandung, hati-hati di jalan ya semuanya.", "SitiDamai"),
        # another code, and a repost of a tagged post: not credited
        post(6, "Ikut kampanye #DDZZZZZZ juga", "warga_lain"),
        post(7, f"RT {kit.tag}", "warga_lain", repost_of_id="9001"),
    ])
    credits = {c.text[:20]: c for c in store.ambassadors.credits()}
    methods = sorted((c.method, c.post_id) for c in credits.values())
    assert [m for m, _ in methods] == ["link", "tag", "text"], credits
    by_text = next(c for c in credits.values() if c.method == "text")
    assert by_text.score is not None and by_text.score >= 0.6
    assert {c.campaign_id for c in credits.values()} == {"damai-di-sekolah"}
    ingest(store, [])  # nothing new
    again = StageChain(store, "ulang", pseudonymiser=Pseudonymiser(b"rahasia"), claims=False)
    again.write([post(1, f"Setuju sekali {kit.tag}", "warga_lain")], [], [])  # a duplicate
    assert len(store.ambassadors.credits()) == 3


def test_tallies_per_ambassador_region_and_campaign(store: Store) -> None:
    siti = add_siti(store)
    budi = amb.register(store, name="Budi Santoso", province="Bali", regency="Denpasar",
                        consent_scope=SCOPE, handles=["x:budi_damai"], actor="analis")
    k1 = amb.issue_kit(store, siti.id, actor="analis", campaign_id="a").kit
    k2 = amb.issue_kit(store, budi.id, actor="analis", campaign_id="b").kit
    ingest(store, [post(1, f"Damai itu indah {k1.tag}"), post(2, f"Jaga persatuan {k1.tag}"),
                   post(3, f"Hormati tetangga {k2.tag}")])
    by_person = store.ambassadors.tally("ambassador")
    assert [(t.label, t.posts, t.reach) for t in by_person] == [
        ("Siti Rahmawati", 2, 33), ("Budi Santoso", 1, 33)]  # equal reach: more posts first
    assert [t.key for t in store.ambassadors.tally("province")] == ["Jawa Barat", "Bali"]
    assert {t.key: t.posts for t in store.ambassadors.tally("campaign")} == {"a": 2, "b": 1}


# -- withdrawal -----------------------------------------------------------------------------------
def test_withdrawal_hides_the_person_everywhere(store: Store) -> None:
    siti = add_siti(store)
    budi = amb.register(store, name="Budi Santoso", province="Bali", consent_scope=SCOPE,
                        handles=["x:budi_damai"], actor="analis")
    issued = amb.issue_kit(store, siti.id, actor="analis", campaign_id="a")
    amb.issue_kit(store, budi.id, actor="analis", campaign_id="a")
    ingest(store, [post(1, f"Damai itu indah {issued.kit.tag}")])
    store.ambassadors.withdraw(siti.id, actor="analis")
    assert [a.name for a in store.ambassadors.all()] == ["Budi Santoso"]
    assert store.ambassadors.get(siti.id) is None
    assert store.ambassadors.all(province="Jawa Barat") == []
    assert store.ambassadors.kits(ambassador_id=siti.id) == []
    assert store.ambassadors.credits() == [] and store.ambassadors.tally("province") == []
    assert amb.open_kit(store, issued.token) is None
    assert {r["name"] for r in amb.kit_rows(store)} == {"Budi Santoso"}
    assert ("x", "sitidamai") not in store.ambassadors.handle_owners()
    record = store.ambassadors.consent_record(siti.id)
    assert record is not None and record["scope"] == SCOPE and record["withdrawn_at"]
    with store.db.read() as conn:
        dump = repr([list(r) for t in ("ambassadors", "ambassador_handles", "ambassador_kits")
                     for r in conn.exec_driver_sql(f"SELECT * FROM {t}")])
    assert "Siti" not in dump and "sitidamai" not in dump and "Bandung" not in dump
    with pytest.raises(NotFound):
        store.ambassadors.withdraw(siti.id, actor="analis")
    assert [e.target for e in store.audit.query(action="ambassador_withdraw")] == [
        f"ambassador:{siti.id}"]


def test_the_stage_is_pure(store: Store) -> None:
    kit = amb.issue_kit(store, add_siti(store).id, actor="analis").kit
    stage = CreditStage.for_store(store)
    assert stage is not None
    batch = [post(1, f"Mari {kit.tag}")]
    assert [r.method for r in stage.predict(batch)] == ["tag"]
    assert store.ambassadors.credits() == []


def test_a_deleted_post_takes_its_credit_with_it(store: Store) -> None:
    kit = amb.issue_kit(store, add_siti(store).id, actor="analis").kit
    ingest(store, [post(1, f"Mari rawat kerukunan {kit.tag}"), post(2, f"Salam damai {kit.tag}")])
    assert len(store.ambassadors.credits()) == 2
    assert store.lifecycle.platform_deleted([("x", "9001")]) == 1
    assert [c.text for c in store.ambassadors.credits()] == [f"Salam damai {kit.tag}"]
    assert store.ambassadors.tally("campaign")[0].posts == 1


def test_a_credit_lost_after_the_write_is_mended_by_ingesting_again(store: Store) -> None:
    kit = amb.issue_kit(store, add_siti(store).id, actor="analis").kit
    tagged = post(1, f"Bersama kita jaga Indonesia {kit.tag}")
    chain = StageChain(store, "uji", pseudonymiser=Pseudonymiser(b"rahasia"), claims=False,
                       credits=False)  # as if the process died before recording the credit
    chain.write([tagged], [], [])
    assert store.ambassadors.credits() == []
    again = StageChain(store, "ulang", pseudonymiser=Pseudonymiser(b"rahasia"), claims=False)
    counts = again.write([post(1, f"Bersama kita jaga Indonesia {kit.tag}")], [], [])
    assert counts.duplicates == 1
    assert [c.method for c in store.ambassadors.credits()] == ["tag"]
