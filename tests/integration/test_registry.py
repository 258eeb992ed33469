"""Issue #9: models as versions, promoted on evidence.

Register, list, promote and roll back, each with its audit entry; a candidate worse than the model
in service needs an explicit confirmation; a damaged archive never takes the service down; the
held-out part of the labels is never in what a candidate learns from.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import update

from damai.errors import InputError, ModelError
from damai.pipeline import heldout
from damai.pipeline.registry import (
    ensure_bundled,
    pack,
    promote,
    register,
    rollback,
    serving,
    unpack,
)
from damai.pipeline.teach import adapt_candidate, pick, teach_labels
from damai.privacy import installation_secret
from damai.storage import Store
from damai.storage.schema import models
from damai.understand.adapt import AdaptConfig
from tests.integration import test_store_contract as contract
from tests.integration.model_helpers import (
    TARGET,
    label_all,
    target_posts,
    train_tiny,
    truth,
)

APPROVER = {"approver": "ani", "approver_role": "approver", "actor": "ani"}
# the storage contract's two stores: SQLite, and PostgreSQL on a schema of its own
store_url, db = contract.store_url, contract.db


def _adapted(store: Store) -> str:
    label_all(store)
    return adapt_candidate(store, actor="rina").version


def test_register_list_promote_and_roll_back_with_their_audit(db: Store,
                                                               tiny_bundled: Path) -> None:
    store = db  # SQLite, and PostgreSQL (archives as bytea, the one-in-service index)
    base = ensure_bundled(store)
    assert base is not None and base.kind == "bundled" and base.sha256 is None
    assert store.models.in_service() is not None
    assert serving(store).version == base.version
    version = _adapted(store)
    candidate = store.models.get(version)
    assert candidate is not None and candidate.status == "candidate"
    assert candidate.kind == "adapted" and candidate.parent == base.version
    assert candidate.created_by == "rina" and candidate.sha256 and candidate.size
    [data] = candidate.data
    assert data["name"] == "corrections: training part"
    counts = data["labels"]["hate_speech"]
    assert data["rows"] == counts["positives"] + counts["negatives"] > 0
    assert "kadrun" not in str(candidate.data)  # names and counts, never text
    assert [m.version for m in store.models.all()] == [version, base.version]

    change = promote(store, version, **APPROVER)
    assert change.previous == base.version and change.job is not None
    assert change.job.kind == "reclassify" and change.job.state == "queued"
    served = serving(store)
    assert served.version == version and served.record is not None
    assert served.record.promoted_by == "ani" and served.record.promoted_at is not None
    [entry] = store.audit.query(action="model_promote", actor="ani")
    assert entry.target == f"model:{version}" and entry.detail["from"] == base.version
    assert entry.detail["approver"] == "ani" and entry.detail["confirmed_worse"] is False
    assert set(entry.detail["figures"]["macro_f1"]) == {version, base.version}
    assert entry.detail["macro_f1_gain"] > 0  # the adapted model learnt the new slurs

    back = rollback(store, **APPROVER)
    assert back.record.version == base.version and back.previous == version
    assert serving(store).version == base.version
    [entry] = store.audit.query(action="model_rollback")
    assert entry.detail == {"from": version, "approver": "ani"}
    again = rollback(store, version, **APPROVER)  # to any earlier version, in one action
    assert again.record.version == version
    registered = {e.target for e in store.audit.query(action="model_register")}
    assert registered == {f"model:{version}", f"model:{base.version}"}


@pytest.mark.slow  # adapts a model: a few dozen fits
def test_promotion_asks_for_an_approver(store: Store, tiny_bundled: Path) -> None:
    ensure_bundled(store)
    version = _adapted(store)
    for role in ("analyst", "viewer", None):
        with pytest.raises(InputError, match="approver"):
            promote(store, version, approver="rina", approver_role=role, actor="rina")
    with pytest.raises(InputError, match="approver"):
        rollback(store, approver="rina", approver_role="analyst", actor="rina")
    assert store.models.get(version).status == "candidate"  # type: ignore[union-attr]


@pytest.mark.slow  # adapts a model: a few dozen fits
def test_a_worse_candidate_needs_an_explicit_confirmation(store: Store, tiny_bundled: Path,
                                                          tmp_path: Path) -> None:
    base = ensure_bundled(store)
    assert base is not None
    label_all(store)
    promote(store, adapt_candidate(store, actor="rina").version, **APPROVER)
    good = serving(store).version
    # a model that learnt the installation's labels backwards
    worse_dir = tmp_path / "worse"
    train_tiny([(t, 1 - y) for t, y in TARGET], "backwards").save(worse_dir)
    worse = register(store, worse_dir, actor="rina").version
    with pytest.raises(ModelError, match="not shown to be better") as refused:
        promote(store, worse, **APPROVER)
    assert refused.value.code == "E501"
    assert serving(store).version == good
    assert store.audit.query(action="model_promote", limit=None)[0].target == f"model:{good}"
    change = promote(store, worse, confirm_worse=True, **APPROVER)
    assert serving(store).version == worse
    entry = store.audit.query(action="model_promote")[0]
    assert entry.target == f"model:{worse}" and entry.detail["confirmed_worse"] is True
    assert entry.detail["macro_f1_gain"] < 0
    figures = entry.detail["figures"]["f1"]["hate_speech"]
    assert figures[worse][0] < figures[good][0]
    assert change.comparison["labels"]["hate_speech"]["models"][worse]["f1"][0] < 0.5


def _damage(store: Store, version: str) -> None:
    with store.db.write() as conn:
        conn.execute(update(models).where(models.c.version == version)
                     .values(archive=b"bukan arsip"))


@pytest.mark.slow  # adapts a model: a few dozen fits
def test_a_damaged_archive_keeps_the_model_in_service(store: Store, tiny_bundled: Path,
                                                      tmp_path: Path) -> None:
    base = ensure_bundled(store)
    assert base is not None
    version = _adapted(store)
    _damage(store, version)
    with pytest.raises(ModelError, match=r"marked broken.*stays"):
        promote(store, version, **APPROVER)
    assert serving(store).version == base.version
    broken = store.models.get(version)
    assert broken is not None and broken.status == "broken" and "SHA-256" in (broken.error or "")
    assert [e.target for e in store.audit.query(action="model_broken")] == [f"model:{version}"]
    with pytest.raises(ModelError, match="broken"):
        promote(store, version, confirm_worse=True, **APPROVER)
    # the same files registered again (adapting again gives the same bytes) repair it
    repaired = adapt_candidate(store, actor="rina")
    assert repaired.version == version and repaired.status == "candidate"
    assert repaired.error is None
    assert [e.actor for e in store.audit.query(action="model_repair")] == ["rina"]
    promote(store, version, **APPROVER)
    assert serving(store).version == version


@pytest.mark.slow  # adapts a model: a few dozen fits
def test_a_model_in_service_that_cannot_load_falls_back(store: Store, tiny_bundled: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    base = ensure_bundled(store)
    assert base is not None
    version = _adapted(store)
    promote(store, version, **APPROVER)
    # another host: nothing unpacked yet, and the stored archive was damaged meanwhile
    monkeypatch.setenv("DAMAI_DATA_DIR", str(tmp_path / "other-host"))
    _damage(store, version)
    served = serving(store)
    assert served.version == base.version  # the model in service before it
    assert served.notices and version in served.notices[0]
    assert store.models.get(version).status == "broken"  # type: ignore[union-attr]
    assert store.models.in_service() is None
    assert serving(store).version == base.version and serving(store).notices == []


def test_the_archive_is_checked_and_unpacks_the_same_model(tiny_bundled: Path,
                                                           tmp_path: Path) -> None:
    archive = pack(tiny_bundled)
    assert archive[4:8] == b"\0\0\0\0"  # no time in the gzip header: ...
    assert pack(tiny_bundled) == archive  # ... content alone decides the bytes
    digest = hashlib.sha256(archive).hexdigest()
    folder = unpack(archive, digest, tmp_path / "unpacked")
    assert (folder / "model.json").read_bytes() == (tiny_bundled / "model.json").read_bytes()
    with pytest.raises(ModelError, match="damaged"):
        unpack(archive[:-10], digest, tmp_path / "other")
    assert not (tmp_path / "other").exists()


def test_the_heldout_part_is_never_in_the_training_part(store: Store,
                                                       tiny_bundled: Path) -> None:
    store.posts.write_batch(target_posts(copies=2), [], [])  # every text twice: copies
    for stored in store.triage.uncorrected(10_000):
        store.triage.add_corrections(stored.id, {"hate_speech": truth(stored.post.text)}, "rina")
    split = heldout.split_corrections(store)
    train = {heldout.text_key(p.text) for p in split.train}
    held = {heldout.text_key(p.text) for p in split.heldout}
    assert train and held and not train & held
    assert len(split.train) + len(split.heldout) == 2 * len(train | held)
    assert 0.05 < len(held) / len(train | held) < 0.4  # about HELDOUT_PERCENT
    table, _ = heldout.training_table(split, AdaptConfig())
    assert not {heldout.text_key(t) for t in table.texts} & held
    # the line is the same in every process: it depends on the text and the secret only
    again = heldout.split_corrections(store, installation_secret())
    assert [p.post_id for p in again.heldout] == [p.post_id for p in split.heldout]
    other = heldout.split_corrections(store, b"another installation")
    assert {p.post_id for p in other.heldout} != {p.post_id for p in split.heldout}


@pytest.mark.slow  # adapts a model: a few dozen fits
def test_a_candidate_learns_only_from_the_training_part(store: Store, tiny_bundled: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from damai.pipeline import teach

    ensure_bundled(store)
    label_all(store)
    seen: list[str] = []
    real = teach.adapt_model

    def spy(base, table, **kwargs):  # type: ignore[no-untyped-def]
        seen.extend(table.texts)
        return real(base, table, **kwargs)

    monkeypatch.setattr(teach, "adapt_model", spy)
    adapt_candidate(store, actor="rina")
    held = {p.text for p in heldout.split_corrections(store).heldout}
    assert seen and held and not set(seen) & held


def test_too_few_labels_say_how_many_more(store: Store, tiny_bundled: Path) -> None:
    ensure_bundled(store)
    label_all(store, limit=12)
    with pytest.raises(InputError, match=r"not enough labels.*more (positive|negative)"):
        adapt_candidate(store, actor="rina")
    assert [m.kind for m in store.models.all()] == ["bundled"]


def test_the_teach_queue_picks_unlabelled_posts(store: Store, tiny_bundled: Path) -> None:
    served = serving(store)
    store.posts.write_batch(target_posts(), [], [])
    labels = teach_labels(served.model)
    assert labels == ["hate_speech"]
    first = pick(store, served.model, labels, k=5)
    assert len(first) == 5 and len({s.id for s in first}) == 5
    store.triage.add_corrections(first[0].id, {"hate_speech": None}, "rina")  # "can't tell"
    after = pick(store, served.model, labels, k=200)
    assert first[0].id not in {s.id for s in after}
    assert len(after) == len(target_posts()) - 1
    with pytest.raises(InputError, match="no label"):
        teach_labels(served.model, "sara")


def test_a_bundled_model_this_damai_no_longer_ships_keeps_the_service_up(
        store: Store, tiny_bundled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from damai.understand import bundled

    old = ensure_bundled(store)
    assert old is not None
    # an upgrade ships another bundled model in the same place
    newer = tmp_path / "newer"
    train_tiny(TARGET, "newer-bundled").save(newer)
    monkeypatch.setattr(bundled, "DEFAULT_MODEL_DIR", newer)
    served = serving(store)
    assert served.version != old.version and served.folder == newer
    assert served.notices and "no longer ships" in served.notices[0]
    assert store.models.get(old.version).status == "broken"  # type: ignore[union-attr]
    fresh = ensure_bundled(store)  # registered as a candidate, for an approver to promote
    assert fresh is not None and fresh.status == "candidate" and fresh.kind == "bundled"
    promote(store, fresh.version, confirm_worse=True, rescore=False, **APPROVER)
    assert serving(store).record is not None and serving(store).notices == []
