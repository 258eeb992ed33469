"""``damai campaigns`` and ``damai worker`` (issue #12 part 4), on both backends: create from
options and from a file, every problem with its row and field and exit code 2, list/show with
``--json``, activate, pause, and a worker's look that misses what is long past and sends
nothing of it until ``confirm-missed``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import orjson
import pytest
import yaml

from damai.storage import open_store
from tests.conftest import run_cli
from tests.integration import test_store_contract as contract
from tests.integration.test_library_store import ENTRY

Capsys = pytest.CaptureFixture[str]
store_url = contract.store_url


def _library(url: str) -> None:
    with open_store(url) as store:
        store.library.save([ENTRY, replace(ENTRY, id="cn-b", title="B", text_id="Varian B."),
                            replace(ENTRY, id="cn-draft", status="draft")],
                           actor="cli:ani", action="library_import")


def _create(capsys: Capsys, url: str, *extra: str) -> tuple[int, str, str]:
    return run_cli(capsys, "campaigns", "create", "--db", url, "--name", "Desember damai",
                   "--goal", "Tolak kekerasan", "--theme", "tolerance", "--message",
                   "entry:cn-damai | entry:cn-b", "--start", "2020-12-01", "--end",
                   "2020-12-02", "--time", "08:00", "--time", "19:30", "--timezone", "WIT",
                   *extra)


def test_create_list_show_activate_pause_and_confirm_missed(capsys: Capsys,
                                                            store_url: str) -> None:
    _library(store_url)
    code, out, _ = _create(capsys, store_url, "--json")
    assert code == 0
    (made,) = orjson.loads(out)
    assert (made["state"], made["timezone"], made["times"]) == ("draft", "WIT",
                                                                ["08:00", "19:30"])
    assert [m["variant"] for m in made["messages"]] == ["A", "B"]
    code, out, _ = run_cli(capsys, "campaigns", "list", "--db", store_url, "--json")
    assert [c["name"] for c in orjson.loads(out)] == ["Desember damai"]
    # a campaign in the past: activating it now plans no slot, and nothing goes out
    code, out, _ = run_cli(capsys, "campaigns", "activate", str(made["id"]), "--db", store_url,
                           "--json")
    assert (code, orjson.loads(out)["state"], orjson.loads(out)["slots"]) == (0, "active", {})
    code, out, _ = run_cli(capsys, "worker", "--once", "--json", "--db", store_url)
    assert code == 0 and orjson.loads(out)["sent"] == 0
    code, out, _ = run_cli(capsys, "campaigns", "pause", str(made["id"]), "--db", store_url)
    assert code == 0 and "paused" in out
    code, out, _ = run_cli(capsys, "campaigns", "show", str(made["id"]), "--db", store_url,
                           "--json")
    assert orjson.loads(out)["slot_list"] == []
    code, out, _ = run_cli(capsys, "campaigns", "confirm-missed", str(made["id"]), "--db",
                           store_url, "--json")
    assert (code, orjson.loads(out)) == (0, [])


def test_every_problem_has_its_row_and_field_and_exit_code_2(capsys: Capsys, store_url: str,
                                                             tmp_path: Path) -> None:
    _library(store_url)
    code, _, err = _create(capsys, store_url, "--end", "2020-11-01")
    assert code == 2 and "baris 1 (Desember damai): end:" in err
    bad = [{"name": "A", "themes": ["perang"], "messages": ["entry:cn-draft"],
            "start": "2026-12-01", "end": "2026-12-02", "times": ["08:00"],
            "timezone": "PST"},
           {"name": "B", "themes": ["tolerance"], "messages": ["entry:cn-damai"],
            "start": "2026-12-01", "end": "kemarin", "times": ["8 pagi"], "timezone": "WIB"}]
    path = tmp_path / "campaigns.yaml"
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    code, _, err = run_cli(capsys, "campaigns", "create", "--file", str(path), "--db",
                           store_url)
    assert code == 2
    for where in ("baris 1 (A): themes:", "baris 1 (A): timezone:", "baris 2 (B): end:",
                  "baris 2 (B): times:"):
        assert where in err
    # a row whose fields are right but whose message is not approved
    bad[0].update(themes=["tolerance"], timezone="WITA")
    path.write_text(yaml.safe_dump(bad[:1]), encoding="utf-8")
    code, _, err = run_cli(capsys, "campaigns", "create", "--file", str(path), "--db",
                           store_url)
    assert code == 2 and "messages: entry:cn-draft: berstatus draft" in err
    code, out, _ = run_cli(capsys, "campaigns", "list", "--db", store_url, "--json")
    assert orjson.loads(out) == []
    code, _, err = run_cli(capsys, "campaigns", "activate", "99", "--db", store_url)
    assert code == 2 and "E104" in err


def test_show_lists_slots_in_the_campaigns_own_time_zone(capsys: Capsys, store_url: str,
                                                        tmp_path: Path) -> None:
    _library(store_url)
    path = tmp_path / "campaign.json"
    path.write_bytes(orjson.dumps([{
        "name": "Tahun depan", "themes": "tolerance", "messages": ["entry:cn-damai"],
        "start": "2099-01-01", "end": "2099-01-01", "times": "08:15", "timezone": "WIT"}]))
    code, out, _ = run_cli(capsys, "campaigns", "create", "--file", str(path), "--db",
                           store_url, "--json")
    cid = orjson.loads(out)[0]["id"]
    run_cli(capsys, "campaigns", "activate", str(cid), "--db", store_url)
    code, out, _ = run_cli(capsys, "campaigns", "show", str(cid), "--db", store_url)
    table = out.split("slot:", 1)[1]  # below the header, which repeats the posting time
    assert code == 0 and "08:15" in table and "23:15" not in table and "scheduled" in table
    code, out, _ = run_cli(capsys, "campaigns", "show", str(cid), "--db", store_url, "--json")
    assert orjson.loads(out)["slot_list"][0]["scheduled_at"].startswith("2098-12-31T23:15")
