"""Issue #14 part 2: narratives grouped at ingest (and after a restart), the repost-ring rule on
a store, ``damai narratives``, the pages, the API, and a response to a whole narrative."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from damai.cli.main import app
from damai.errors import NotFound
from damai.pipeline.chain import StageChain
from damai.pipeline.coordination import repost_rings
from damai.pipeline.narrative_view import describe
from damai.records import Post
from damai.storage import Store, open_store
from tests.integration.test_api import Api, lite  # noqa: F401  (fixture)
from tests.integration.test_events_web import viewer  # noqa: F401  (fixture)
from tests.integration.test_migrations import _run
from tests.integration.test_store_contract import store_url  # noqa: F401  (both backends)
from tests.integration.web_helpers import add_users, client_for, form_token, login

T0 = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
HOAX = ("Air PDAM di Semarang sudah dicampur racun oleh orang asing, jangan minum air keran "
        "sampai ada pengumuman resmi")
OTHER = "Relawan membuka dapur umum di balai desa Cemara untuk warga yang mengungsi"


@pytest.fixture(autouse=True)
def on_ingest(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests group at ingest (``DAMAI_NARRATIVES_ON_INGEST=true``); by default the
    scheduler groups, as :func:`test_by_default_the_scheduler_groups_new_posts` shows."""
    monkeypatch.setenv("DAMAI_NARRATIVES_ON_INGEST", "true")


def post(i: int, text: str, author: str, *, minutes: float = 0,
         repost_of: int | None = None, handle: str | None = None) -> Post:
    return Post("x", str(i), text, T0 + timedelta(minutes=minutes), author_id=author,
                author_handle=handle, repost_of_id=None if repost_of is None else str(repost_of))


def ingest(store: Store, batch: str, *posts: Post) -> None:
    StageChain(store, batch, claims=False, credits=False).write(list(posts), [], [])


def stocked(db_url: str) -> int:
    """A hoax copied by six accounts within minutes, reposted, and an unrelated post; the
    hoax's narrative id."""
    with open_store(db_url) as store:
        ingest(store, "b1",
               post(1, HOAX, "u1", handle="penyebar_asli"),
               *(post(i, f"{HOAX} #Semarang https://s.id/{i}", f"u{i}", minutes=i)
                 for i in range(2, 7)),
               post(7, f"RT @penyebar_asli: {HOAX}", "u7", minutes=30, repost_of=1),
               post(8, OTHER, "u8", minutes=40))
        (top,) = store.narratives.listing(min_size=2)
        return top.id


def test_ingest_groups_copies_and_reposts_and_a_restart_keeps_the_index(
        store_url: str) -> None:  # noqa: F811
    db_url = store_url
    narrative = stocked(db_url)
    with open_store(db_url) as store:
        found = store.narratives.get(narrative)
        assert found is not None and found.size == 7 and found.title == HOAX
        assert store.narratives.count() == 2  # the hoax, and the unrelated post alone
    # a new process's store (a new engine, so a new index from the stored signatures)
    with open_store(db_url) as store:
        ingest(store, "b2", post(9, HOAX.upper().replace("RACUN", "RACUNN") + " #waspada",
                                 "u9", minutes=60))
        assert store.narratives.count() == 2
        found = store.narratives.get(narrative)
        assert found is not None and found.size == 8
        assert found.last_seen == T0 + timedelta(minutes=60)


def test_off_at_ingest_and_then_built(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAMAI_NARRATIVES_ON_INGEST", "false")
    with open_store(db_url) as store:
        ingest(store, "b1", post(1, HOAX, "u1"), post(2, HOAX + " !!", "u2"))
        assert store.narratives.count() == 0
    result = CliRunner().invoke(app, ["narratives", "build", "--db", db_url])
    assert result.exit_code == 0, result.output
    with open_store(db_url) as store:
        assert [n.size for n in store.narratives.listing()] == [2]


def test_by_default_the_scheduler_groups_new_posts(db_url: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from damai.pipeline.scheduler import GROUP_EVERY, Scheduler

    monkeypatch.delenv("DAMAI_NARRATIVES_ON_INGEST")
    clock = [T0]
    with open_store(db_url) as store:
        ingest(store, "b1", post(1, HOAX, "u1"), post(2, HOAX + " !!", "u2"))
        assert store.narratives.count() == 0  # ingest left it to the scheduler
        loop = Scheduler(store, now=lambda: clock[0])
        loop.group_when_due()
        assert [n.size for n in store.narratives.listing()] == [2]
        ingest(store, "b2", post(3, HOAX.replace("racun", "racunn"), "u3"))
        clock[0] += GROUP_EVERY / 2
        loop.group_when_due()  # not due yet
        assert [n.size for n in store.narratives.listing()] == [2]
        clock[0] += GROUP_EVERY
        loop.group_when_due()
        assert [n.size for n in store.narratives.listing()] == [3]


def test_a_repost_ring_is_found_by_its_stated_rule(store_url: str) -> None:  # noqa: F811
    db_url = store_url
    with open_store(db_url) as store:
        ingest(store, "b1", *(post(i, f"Kabar nomor {i} dari kampung", "b", minutes=i)
                              for i in range(1, 5)))
        ingest(store, "b2",
               # a reposts b four times, and nobody else: always
               *(post(10 + i, "RT", "a", minutes=10 + i, repost_of=i) for i in range(1, 5)),
               # c reposts b once and d's posts three times: under the share
               post(20, "RT", "c", minutes=20, repost_of=1),
               post(21, "Tulisan d", "d", minutes=21),
               *(post(22 + i, "RT", "c", minutes=22 + i, repost_of=21) for i in range(3)))
        rows = store.narratives.repost_pairs()
        a_key = next(p.reposter for p in rows if p.n == 4)
        b_key = next(p.original for p in rows if p.n == 4)
        rings = repost_rings(store, [p.reposter for p in rows], minimum=3, share=0.8)
    assert [r.accounts for r in rings] == [tuple(sorted((a_key, b_key)))]
    assert rings[0].pairs == ((a_key, b_key, 4, 4),)


def test_the_cli_lists_shows_and_exports(store_url: str, tmp_path: Path) -> None:  # noqa: F811
    db_url = store_url
    narrative = stocked(db_url)
    runner = CliRunner()
    listed = orjson.loads(runner.invoke(app, ["narratives", "list", "--json", "--db", db_url])
                          .stdout)
    assert [n["id"] for n in listed["items"]] == [narrative]
    shown = runner.invoke(app, ["narratives", "show", str(narrative), "--json", "--db", db_url])
    data = orjson.loads(shown.stdout)
    assert data["how"] == {"first": 1, "copy": 5, "repost": 1}
    # Semarang: posts naming it, as stored at ingest (the repost too, as platforms count it)
    assert data["provinces"] == {"Jawa Tengah": 7}
    assert data["labels"] == {}  # no classifier in this chain
    assert [s["rule"] for s in data["signals"]] == ["burst"]
    assert len(data["signals"][0]["accounts"]) == 6
    assert "penyebar_asli" not in shown.stdout  # the handle never shows, only keys
    missing = runner.invoke(app, ["narratives", "show", "999", "--db", db_url])
    assert missing.exit_code != 0 and isinstance(missing.exception, NotFound)
    out = tmp_path / "reposts.gexf"
    made = runner.invoke(app, ["narratives", "gexf", "--kind", "reposts", "-o", str(out),
                               "--db", db_url])
    assert made.exit_code == 0 and out.read_text().count("<edge ") == 1
    bad = runner.invoke(app, ["narratives", "gexf", "--kind", "mentions", "-o", str(out),
                              "--db", db_url])
    assert bad.exit_code != 0


def test_the_pages_show_a_narrative_with_its_evidence(db_url: str,
                                                      viewer: object) -> None:  # noqa: F811
    narrative = stocked(db_url)
    listing = viewer.get("/narratives").text  # type: ignore[attr-defined]
    assert f'data-narrative="{narrative}"' in listing and listing.count("data-narrative=") == 1
    page = viewer.get(f"/narratives/{narrative}")  # type: ignore[attr-defined]
    assert page.status_code == 200
    html = page.text
    assert 'data-rule="burst"' in html and 'data-province="Jawa Tengah"' in html
    assert html.count("<rect ") == 1  # one day of volume
    assert "penyebar_asli" not in html
    assert 'id="narrative-respond"' not in html  # a viewer cannot propose
    assert viewer.get("/narratives/999").status_code == 404  # type: ignore[attr-defined]
    assert viewer.get("/narratives/abc").status_code == 422  # type: ignore[attr-defined]
    assert viewer.get("/narratives?order=biggest").status_code == 422  # type: ignore[attr-defined]


def test_the_page_shows_the_largest_bursts_and_says_how_many_there_are(
        db_url: str, monkeypatch: pytest.MonkeyPatch, viewer: object) -> None:  # noqa: F811
    """22 bursts (pairs of accounts a minute apart, hours between pairs, with a two-account
    rule): the page shows 20 and says so; the API's data keeps all 22."""
    monkeypatch.setenv("DAMAI_NARRATIVES_BURST_ACCOUNTS", "2")
    monkeypatch.setenv("DAMAI_NARRATIVES_BURST_MINUTES", "5")
    with open_store(db_url) as store:
        ingest(store, "b1", *(post(i, f"{HOAX} https://s.id/{i}", f"u{i}",
                                   minutes=120 * (i // 2) + i % 2) for i in range(44)))
        (top,) = store.narratives.listing(min_size=2)
        assert len(describe(store, top.id)["signals"]) == 22  # type: ignore[index]
    html = viewer.get(f"/narratives/{top.id}").text  # type: ignore[attr-defined]
    assert html.count('data-rule="burst"') == 20
    assert 'id="signals-shown"' in html and "20" in html and "22" in html


def test_an_analyst_answers_a_whole_narrative(db_url: str) -> None:
    narrative = stocked(db_url)
    add_users(db_url)
    client = client_for(db_url)
    login(client, "analyst")
    page = client.get(f"/narratives/{narrative}").text
    text = ("Dinas kesehatan Semarang sudah memeriksa air PDAM dan hasilnya aman. Cek kabar "
            "resmi sebelum membagikan pesan berantai.")
    made = client.post(f"/narratives/{narrative}/responses",
                       data={"csrf_token": form_token(page), "text": text})
    assert made.status_code == 303, made.text[-500:]
    response_id = int(re.sub(r"\D", "", made.headers["location"]))
    with open_store(db_url) as store:
        found = store.responses.get(response_id)
        assert found is not None and found.narrative_id == str(narrative)
        assert found.post_id is None
    assert f'data-response="{response_id}"' in client.get(f"/narratives/{narrative}").text


def test_the_api_lists_and_shows_narratives(lite: Api) -> None:  # noqa: F811
    narrative = stocked(lite.url)
    body = lite.get("/narratives").json()
    assert [n["id"] for n in body["items"]] == [narrative] and body["total"] == 1
    one = lite.get(f"/narratives/{narrative}").json()
    assert one["size"] == 7 and one["spreaders"][0]["posts"] == 1
    assert lite.get("/narratives/999").status_code == 404
    for bad in ("/narratives/0", "/narratives/abc", "/narratives?limit=0",
                "/narratives?order=biggest"):
        assert lite.get(bad).status_code == 422, bad


def test_the_cli_proposes_a_response_to_a_narrative(db_url: str) -> None:
    narrative = stocked(db_url)
    text = "Air PDAM Semarang aman diminum menurut hasil uji dinas kesehatan hari ini."
    made = CliRunner().invoke(app, ["responses", "propose", "--text", text, "--narrative",
                                    str(narrative), "--json", "--db", db_url])
    assert made.exit_code == 0, made.output
    assert orjson.loads(made.stdout)["narrative_id"] == str(narrative)
    missing = CliRunner().invoke(app, ["responses", "propose", "--text", text, "--narrative",
                                       "999", "--db", db_url])
    assert isinstance(missing.exception, NotFound)


def test_narratives_grouped_before_0025_get_their_posts_facts(store_url: str) -> None:  # noqa: F811
    """The migration copies each member's time, platform, account key and repost flag from
    ``posts`` (here: rows whose facts are empty, as 0024 left them)."""
    stocked(store_url)
    with open_store(store_url) as store:
        (top,) = store.narratives.listing(min_size=2)
        before = store.narratives.member_facts(top.id, 100)
    assert [m.repost for m in before].count(True) == 1 and all(m.author_key for m in before)
    _run(store_url, "UPDATE narrative_posts SET created_at = NULL, platform = NULL, "
                    "author_key = NULL, repost = NULL",
         "DROP INDEX narrative_posts_time",
         "UPDATE alembic_version SET version_num = '0024_triage_queue'")
    with open_store(store_url) as store:
        assert store.narratives.member_facts(top.id, 100) == before
