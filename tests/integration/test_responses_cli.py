"""``damai publish`` and ``damai responses list`` (issue #11), on both backends: the CLI obeys
the publishing boundary (a response in review, a rejected one, one edited after approval and one
whose state was forged are all refused with E120), publishes an approved one once per channel,
and the dry-run channel writes the outbox and, when asked, a JSONL file."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from damai.pipeline.responses import Actor, approve, edit, propose, reject
from damai.storage import open_store
from tests.conftest import run_cli
from tests.integration import test_store_contract as contract
from tests.integration.test_publishing_boundary import ANALYST, APPROVER, MODEL, PEACE

Capsys = pytest.CaptureFixture[str]
store_url = contract.store_url


def make(url: str, state: str) -> int:
    """A response proposed by ani and brought to ``state`` (``edited``: approved, then edited;
    ``forged``: its state set to approved in SQL)."""
    with open_store(url) as store:
        rid = propose(store, MODEL, ANALYST, text=PEACE).id
        if state in ("approved", "edited"):
            approve(store, APPROVER, rid)
        if state == "edited":
            edit(store, MODEL, ANALYST, rid, PEACE + " Salam.")
        if state == "rejected":
            reject(store, APPROVER, rid)
        if state == "forged":
            with store.db.write() as conn:
                conn.execute(text("UPDATE responses SET state = 'approved', decided_by = 'x', "
                                  "decided_at = proposed_at, approved_version = version"))
        return rid


def outbox(url: str) -> list[int | None]:
    with open_store(url) as store:
        return [p.response_id for p in store.publications.recent(channel="dry-run")]


@pytest.mark.parametrize("state", ["in_review", "rejected", "edited", "forged"])
def test_publish_refuses_anything_not_approved(capsys: Capsys, store_url: str,
                                               state: str) -> None:
    rid = make(store_url, state)
    code, _, err = run_cli(capsys, "publish", str(rid), "--channel", "dry-run", "--db",
                           store_url)
    assert code == 2 and "E120" in err and "approv" in err, err
    assert outbox(store_url) == []


def test_publish_an_approved_response_once(capsys: Capsys, store_url: str,
                                           tmp_path: Path) -> None:
    rid = make(store_url, "approved")
    file = tmp_path / "keluar.jsonl"
    code, out, err = run_cli(capsys, "publish", str(rid), "--db", store_url, "--json",
                             "--outbox-file", str(file))
    assert code == 0, err
    first = orjson.loads(out)
    assert first["new"] is True and first["payload"]["text"] == PEACE
    code, out, _ = run_cli(capsys, "publish", str(rid), "--db", store_url)
    assert code == 0 and "sudah ada / already published" in out
    assert outbox(store_url) == [rid]
    assert [orjson.loads(line)["id"] for line in file.read_bytes().splitlines()] == [first["id"]]
    code, _, err = run_cli(capsys, "publish", str(rid), "--channel", "twitter", "--db",
                           store_url)
    assert code == 2 and "unknown channel" in err
    code, _, err = run_cli(capsys, "publish", "424242", "--db", store_url)
    assert code == 2 and "E104" in err and "424242" in err


def test_dry_run_file_setting_is_the_default_outbox_file(
        capsys: Capsys, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "dry.jsonl"
    monkeypatch.setenv("DAMAI_DRY_RUN_FILE", str(file))
    rid = make(db_url, "approved")
    assert run_cli(capsys, "publish", str(rid), "--db", db_url)[0] == 0
    assert orjson.loads(file.read_bytes())["response_id"] == rid


def test_responses_list_puts_the_queue_first_and_filters(capsys: Capsys, db_url: str) -> None:
    done = make(db_url, "approved")
    waiting = [make(db_url, "in_review") for _ in range(2)]
    code, out, err = run_cli(capsys, "responses", "list", "--json", "--db", db_url)
    assert code == 0, err
    assert [r["id"] for r in orjson.loads(out)] == [*waiting, done]
    code, out, _ = run_cli(capsys, "responses", "list", "--state", "approved", "--json",
                           "--db", db_url)
    assert [(r["id"], r["decided_by"]) for r in orjson.loads(out)] == [(done, "budi")]
    code, out, _ = run_cli(capsys, "responses", "list", "--db", db_url)
    assert code == 0 and "3 tanggapan / responses" in out
    code, _, err = run_cli(capsys, "responses", "list", "--state", "terbit", "--db", db_url)
    assert code == 2 and "--state" in err


def test_the_cli_publishes_what_a_user_approved(
        capsys: Capsys, db_url: str) -> None:
    """The operator publishes; approving stays with the dashboard's users and the API."""
    rid = make(db_url, "in_review")
    with open_store(db_url) as store:
        approve(store, Actor("citra", "approver"), rid)
    assert run_cli(capsys, "publish", str(rid), "--db", db_url)[0] == 0
    assert outbox(db_url) == [rid]


def test_responses_propose_an_entry_a_draft_or_a_text(capsys: Capsys, db_url: str) -> None:
    """The operator proposes; the response waits for a dashboard user's approval."""
    from damai.pipeline.library import import_library
    from damai.respond.entries import STARTER, read_entries

    entry = next(e for e in read_entries(STARTER) if e.status == "approved")
    with open_store(db_url) as store:
        import_library(store, None, actor="cli:test")
    code, out, err = run_cli(capsys, "responses", "propose", "--entry", entry.id, "--json",
                             "--db", db_url)
    assert code == 0, err
    as_is = orjson.loads(out)
    assert (as_is["state"], as_is["text"], as_is["entry_id"]) == ("in_review", entry.text_id,
                                                                   entry.id)
    code, out, err = run_cli(capsys, "responses", "propose", "--entry", entry.id, "--draft",
                             "--channel", "x", "--json", "--db", db_url)
    assert code == 0, err
    drafted = orjson.loads(out)
    assert drafted["machine_draft"] is True and len(drafted["text"]) <= 280
    code, out, err = run_cli(capsys, "responses", "propose", "--text", PEACE, "--db", db_url)
    assert code == 0 and "in_review" in out and PEACE in out
    for bad, message in ((["--entry", entry.id, "--text", PEACE], "--entry"),
                         (["--draft", "--text", PEACE], "--draft"),
                         (["--entry", "cn-tidak-ada"], "cn-tidak-ada"),
                         (["--text", PEACE, "--post", "x:404"], "x:404")):
        code, _, err = run_cli(capsys, "responses", "propose", *bad, "--db", db_url)
        assert code == 2 and message in err, (bad, err)
    with open_store(db_url) as store:
        assert [r.state for r in store.responses.queue()] == ["in_review"] * 3
