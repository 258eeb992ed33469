"""Issue #9: ``damai model list|register|adapt|compare|promote|rollback``, and ``damai classify``
and ``reclassify`` scoring with the model in service unless ``--model`` says otherwise."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest

from damai.auth import open_auth_store
from damai.storage import open_store
from tests.conftest import run_cli as run
from tests.integration.model_helpers import TARGET, label_all, train_tiny
from tests.integration.test_auth_store import fast_passwords

PASSWORD = "frasa-sandi-yang-cukup-panjang"


@pytest.fixture
def labelled_db(db_url: str, tiny_bundled: Path) -> str:
    store = open_store(db_url)
    label_all(store)
    store.close()
    auth = open_auth_store(db_url, passwords=fast_passwords())
    auth.add_user("ani", "approver", PASSWORD, actor="cli:test")
    auth.add_user("rina", "analyst", PASSWORD, actor="cli:test")
    auth.close()
    return db_url


def _list(capsys: pytest.CaptureFixture[str], db_url: str) -> dict[str, dict[str, object]]:
    code, stdout, stderr = run(capsys, "model", "list", "--json", "--db", db_url)
    assert code == 0, stderr
    return {m["version"]: m for m in orjson.loads(stdout)}


def _classify(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_url: str,
              *extra: str) -> dict[str, object]:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(
        b'{"text": "kadrun kayak budi otaknya kosong"}\n')))
    code, stdout, stderr = run(capsys, "classify", "--db", db_url, "--no-explain", *extra)
    assert code == 0, stderr
    result: dict[str, object] = orjson.loads(stdout)
    return result


@pytest.mark.slow  # adapts a model: a few dozen fits
def test_the_model_commands_from_adapt_to_rollback(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   labelled_db: str, tiny_bundled: Path) -> None:
    [base] = _list(capsys, labelled_db).values()
    assert base["kind"] == "bundled" and base["status"] == "in_service"
    assert _classify(capsys, monkeypatch, labelled_db)["model_version"] == base["version"]
    code, stdout, stderr = run(capsys, "model", "adapt", "--json", "--db", labelled_db)
    assert code == 0, stderr
    version = orjson.loads(stdout)["version"]
    code, stdout, _ = run(capsys, "model", "compare", version, "--json", "--db", labelled_db)
    assert code == 0 and set(orjson.loads(stdout)["macro_f1"]) == {version, base["version"]}
    code, _, stderr = run(capsys, "model", "promote", version, "--approver", "rina", "--db",
                          labelled_db)
    assert code == 2 and "E100" in stderr and "approver" in stderr
    code, stdout, stderr = run(capsys, "model", "promote", version, "--approver", "ani", "--db",
                               labelled_db)
    assert code == 0, stderr
    assert "posts re-scored" in stdout and "macro F1" in stdout
    listed = _list(capsys, labelled_db)
    assert listed[version]["status"] == "in_service" and listed[version]["promoted_by"] == "ani"
    assert listed[base["version"]]["status"] == "retired"  # type: ignore[index]
    classified = _classify(capsys, monkeypatch, labelled_db)
    assert classified["model_version"] == version and "hate_speech" in classified["flags"]
    overridden = _classify(capsys, monkeypatch, labelled_db, "--model", str(tiny_bundled))
    assert overridden["model_version"] == base["version"]
    code, stdout, stderr = run(capsys, "model", "rollback", "--approver", "ani", "--db",
                               labelled_db)
    assert code == 0 and f"model {base['version']} bertugas / in service" in stdout, stderr
    assert _list(capsys, labelled_db)[base["version"]]["status"] == "in_service"  # type: ignore[index]
    code, stdout, _ = run(capsys, "reclassify", "--json", "--db", labelled_db)
    assert orjson.loads(stdout)["model_version"] == base["version"]
    store = open_store(labelled_db)
    actions = [(e.action, e.actor) for e in store.audit.query(limit=None)
               if e.action.startswith("model_")]
    store.close()
    assert {a for a, _ in actions} == {"model_register", "model_promote", "model_rollback"}
    assert {actor for a, actor in actions if a != "model_register"} <= {"system"} | {
        actor for _, actor in actions if actor.startswith("cli:")}
    assert any(a == "model_promote" and actor.startswith("cli:") for a, actor in actions)


def test_register_a_folder_and_refuse_a_worse_one_without_confirmation(
        capsys: pytest.CaptureFixture[str], labelled_db: str, tmp_path: Path) -> None:
    good = tmp_path / "good"
    train_tiny(TARGET, "good").save(good)
    code, stdout, stderr = run(capsys, "model", "register", str(good), "--json", "--db",
                               labelled_db)
    code, _, stderr = run(capsys, "model", "promote", orjson.loads(stdout)["version"],
                          "--approver", "ani", "--no-rescore", "--db", labelled_db)
    assert code == 0, stderr
    folder = tmp_path / "backwards"
    train_tiny([(t, 1 - y) for t, y in TARGET], "backwards").save(folder)
    code, stdout, stderr = run(capsys, "model", "register", str(folder), "--json", "--db",
                               labelled_db)
    assert code == 0, stderr
    record = orjson.loads(stdout)
    assert record["kind"] == "trained" and record["status"] == "candidate"
    code, _, stderr = run(capsys, "model", "promote", record["version"], "--approver", "ani",
                          "--db", labelled_db)
    assert code == 2 and "E501" in stderr and "--confirm-worse" in stderr
    code, _, stderr = run(capsys, "model", "promote", record["version"], "--approver", "ani",
                          "--confirm-worse", "--no-rescore", "--db", labelled_db)
    assert code == 0, stderr
    code, _, stderr = run(capsys, "model", "register", str(tmp_path / "kosong"), "--db",
                          labelled_db)
    assert code == 2 and "not a Damai model" in stderr


def test_adapt_with_too_few_labels_says_how_many_more(capsys: pytest.CaptureFixture[str],
                                                      db_url: str, tiny_bundled: Path) -> None:
    store = open_store(db_url)
    label_all(store, limit=6)
    store.close()
    code, _, stderr = run(capsys, "model", "adapt", "--db", db_url)
    assert code == 2 and "E100" in stderr and "more" in stderr
