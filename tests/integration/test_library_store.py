"""Issue #11 storage, on both backends: library entries keep every version, an unchanged save is
a no-op, retiring is a version, each change is audited, and uses are kept per version."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from damai.errors import InputError, StorageError
from damai.respond.entries import LibraryEntry
from damai.storage import Store
from damai.storage.schema import library_entries, library_usage
from tests.integration import test_store_contract as contract

# the storage contract's two stores: SQLite, and PostgreSQL on a schema of its own
store_url, db = contract.store_url, contract.db

ENTRY = LibraryEntry(
    id="cn-damai", title="Damai itu pilihan", text_id="Kita bisa berbeda pendapat tanpa saling "
    "melukai.", short_280="Berbeda pendapat tanpa saling melukai.",
    short_500="Kita bisa berbeda pendapat tanpa saling melukai. Itu tanda kedewasaan.",
    themes=("tolerance", "anti_violence"), tone="hopeful", author="tim damai",
    labels=("radicalism", "sara"), text_en="We can disagree without hurting each other.")


def test_a_save_of_the_same_content_is_a_no_op_and_a_change_is_the_next_version(
        db: Store) -> None:
    first = db.library.save([ENTRY], actor="cli:ani", action="library_import")
    again = db.library.save([ENTRY], actor="cli:ani", action="library_import")
    changed = db.library.save([replace(ENTRY, title="Damai adalah pilihan")], actor="rina",
                              action="library_edit", ip="10.0.0.9")
    assert (first.created, again.unchanged, changed.changed) == (["cn-damai"],) * 3
    assert first.changed == again.created == changed.created == []
    current = db.library.get("cn-damai")
    assert current is not None and current.current and current.entry.version == 2
    assert current.entry.title == "Damai adalah pilihan" and current.created_by == "rina"
    old = db.library.get("cn-damai", 1)
    assert old is not None and not old.current and old.entry == replace(ENTRY, version=1)
    assert [v.entry.version for v in db.library.versions("cn-damai")] == [2, 1]
    audit = [(e.action, e.target, e.detail, e.ip) for e in db.audit.query()]
    assert audit == [("library_edit", "library:cn-damai", {"version": 2, "status": "approved"},
                      "10.0.0.9"),
                     ("library_import", "library:cn-damai", {"version": 1,
                                                              "status": "approved"}, None)]


def test_retire_and_approve_are_new_versions(db: Store) -> None:
    db.library.save([replace(ENTRY, status="draft")], actor="rina", action="library_create")
    approved = db.library.set_status("cn-damai", "approved", actor="ani",
                                     action="library_approve")
    retired = db.library.set_status("cn-damai", "retired", actor="ani", action="library_retire")
    assert (approved.entry.version, retired.entry.version) == (2, 3)
    assert [v.entry.status for v in db.library.versions("cn-damai")] == [
        "retired", "approved", "draft"]
    with pytest.raises(InputError, match="already retired"):
        db.library.set_status("cn-damai", "retired", actor="ani", action="library_retire")
    with pytest.raises(InputError, match="no library entry"):
        db.library.set_status("cn-hilang", "retired", actor="ani", action="library_retire")
    assert [e.action for e in db.audit.query()] == [
        "library_retire", "library_approve", "library_create"]


def test_current_entries_filter_by_status_theme_and_tone(db: Store) -> None:
    other = replace(ENTRY, id="cn-cek", themes=("literacy",), tone="factual", status="draft")
    db.library.save([ENTRY, other], actor="cli:ani", action="library_import")
    db.library.save([replace(ENTRY, title="baru")], actor="cli:ani", action="library_import")
    assert [v.entry.id for v in db.library.current()] == ["cn-cek", "cn-damai"]
    assert [v.entry.title for v in db.library.current(status="approved")] == ["baru"]
    assert [v.entry.id for v in db.library.current(theme="literacy")] == ["cn-cek"]
    assert [v.entry.id for v in db.library.current(tone="hopeful")] == ["cn-damai"]
    assert db.library.current(theme="humanitarian") == []


def test_uses_are_kept_per_version_and_the_last_use_is_known(db: Store) -> None:
    db.library.save([ENTRY], actor="cli:ani", action="library_import")
    earlier = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    db.library.record_use("cn-damai", kind="campaign", ref="kampanye-1", user="ani", at=earlier)
    db.library.save([replace(ENTRY, title="v2")], actor="cli:ani", action="library_import")
    used = db.library.record_use("cn-damai", kind="response", ref="17", user="rina")
    assert used.version == 2
    assert [(u.version, u.kind, u.ref, u.user) for u in db.library.usage("cn-damai")] == [
        (2, "response", "17", "rina"), (1, "campaign", "kampanye-1", "ani")]
    assert db.library.last_used() == {"cn-damai": used.used_at}
    assert db.library.last_used(since=used.used_at + timedelta(seconds=1)) == {}
    with pytest.raises(InputError, match="unknown use"):
        db.library.record_use("cn-damai", kind="tweet", ref=None, user="rina")
    with pytest.raises(InputError, match="no library entry"):
        db.library.record_use("cn-hilang", kind="response", ref=None, user="rina")


def test_the_database_keeps_one_current_version_and_uses_of_real_versions(db: Store) -> None:
    db.library.save([ENTRY], actor="cli:ani", action="library_import")
    row = {"entry_id": "cn-damai", "version": 2, "title": "t", "text_id": "x", "short_280": "s",
           "short_500": "m", "themes": ["tolerance"], "labels": [], "tone": "civic",
           "author": "a", "status": "approved", "is_current": True, "created_by": "x",
           "created_at": datetime.now(UTC)}
    with pytest.raises((StorageError, IntegrityError)), db.db.write() as conn:
        conn.execute(library_entries.insert(), row)
    with pytest.raises((StorageError, IntegrityError)), db.db.write() as conn:
        conn.execute(library_entries.insert(), {**row, "is_current": False, "status": "gone"})
    with pytest.raises((StorageError, IntegrityError)), db.db.write() as conn:
        conn.execute(library_usage.insert(), {"entry_id": "cn-damai", "version": 9,
                                              "used_at": datetime.now(UTC), "kind": "response",
                                              "user_name": "x"})
    assert [v.entry.version for v in db.library.versions("cn-damai")] == [1]


def test_a_backup_copies_the_library(db: Store, tmp_path: object) -> None:
    from damai.storage import open_store

    db.library.save([ENTRY], actor="cli:ani", action="library_import")
    db.library.record_use("cn-damai", kind="publication", ref="p1", user="ani")
    target = open_store("sqlite://:memory:")
    try:
        copied = db.copy_into(target)
        assert copied["library_entries"] == 1 and copied["library_usage"] == 1
        assert target.library.get("cn-damai") == db.library.get("cn-damai")
    finally:
        target.close()
