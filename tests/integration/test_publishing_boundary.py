"""Issue #11, on both backends: the review workflow and every way around the publishing boundary
that does not go through HTTP or the CLI (those are in test_responses_api.py and
test_responses_cli.py): a direct call of the pipeline function, a direct call of the storage
method below it, forged states written with bare SQL, a race-free double publish, and an edit
after approval.

What the database allows, decided and tested here: the state column takes only the four states;
an ``approved`` or ``rejected`` row must name who decided and when; an ``approved`` row must
carry no harm block and be approved at its current text version. A forger who writes all of that
with SQL still fails at publishing, which also asks the append-only audit log for the approval
of that version by the approver the row names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from sqlalchemy import text

from damai.errors import InputError, NotFound, ReviewRefused, StorageError
from damai.pipeline.publishing import publish
from damai.pipeline.responses import Actor, approve, edit, propose, reject
from damai.storage import Store
from damai.storage.publications import Subject
from damai.understand.types import Prediction
from tests.integration import test_store_contract as contract
from tests.integration.test_library_store import ENTRY

store_url, db = contract.store_url, contract.db

ANALYST = Actor("ani", "analyst")
APPROVER = Actor("budi", "approver")
OTHER_APPROVER = Actor("citra", "approver")
ADMIN = Actor("dewi", "admin")
PEACE = "Kita bisa berbeda pendapat tanpa saling melukai. Mari jaga persaudaraan."


class FakeModel:
    """Flags ``radicalism`` on any text with the word ``serang``, as a model would."""

    version = "fake-1"

    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        out = []
        for t in texts:
            bad = "serang" in t.lower()
            out.append(Prediction({"radicalism": 0.97 if bad else 0.02, "disaster": 0.1},
                                  ["radicalism"] if bad else [], "id", self.version))
        return out


MODEL = FakeModel()


def approved(db: Store, body: str = PEACE) -> int:
    response = propose(db, MODEL, ANALYST, text=body)
    return approve(db, APPROVER, response.id).id


def refused(reason: str, call: object, *args: object, **kwargs: object) -> ReviewRefused:
    with pytest.raises(ReviewRefused) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    assert info.value.reason == reason, info.value
    assert " / " in info.value.message  # Indonesian, then English
    return info.value


def outbox(db: Store) -> list[int | None]:
    return [p.response_id for p in db.publications.recent(channel="dry-run")]


# -- the workflow ---------------------------------------------------------------------------------
def test_propose_approve_publish_and_every_step_is_audited(db: Store) -> None:
    proposed = propose(db, MODEL, ANALYST, text=f"  {PEACE}  ")
    assert (proposed.state, proposed.version, proposed.text) == ("in_review", 1, PEACE)
    assert proposed.blocked_reason is None and proposed.check_model == "fake-1"
    decided = approve(db, APPROVER, proposed.id)
    assert (decided.state, decided.decided_by, decided.approved_version) == ("approved", "budi", 1)
    published, new = publish(db, APPROVER, "dry-run", response_id=proposed.id)
    assert new and published.payload["text"] == PEACE and published.state == "sent"
    actions = [(e.actor, e.action, e.target) for e in db.audit.query()]
    assert actions == [("budi", "publish", f"publication:{published.id}"),
                       ("budi", "response_approve", f"response:{proposed.id}"),
                       ("ani", "response_propose", f"response:{proposed.id}")]


def test_four_eyes_is_on_by_default_and_an_admin_turns_it_off_audited(db: Store) -> None:
    own = propose(db, MODEL, APPROVER, text=PEACE)
    refused("four_eyes", approve, db, APPROVER, own.id)
    assert db.responses.get(own.id).state == "in_review"  # type: ignore[union-attr]
    assert db.settings.get("four_eyes") is True
    db.settings.set("four_eyes", False, actor="dewi", ip="10.0.0.5")
    change = db.audit.query(action="setting_change")
    assert [(e.actor, e.target, e.detail, e.ip) for e in change] == [
        ("dewi", "setting:four_eyes", {"old": True, "new": False}, "10.0.0.5")]
    assert approve(db, APPROVER, own.id).state == "approved"
    db.settings.set("four_eyes", True, actor="dewi")
    again = propose(db, MODEL, APPROVER, text=PEACE + " Lagi.")
    refused("four_eyes", approve, db, APPROVER, again.id)
    assert approve(db, OTHER_APPROVER, again.id).decided_by == "citra"


def test_roles_and_wrong_states_are_refused(db: Store) -> None:
    refused("forbidden", propose, db, MODEL, Actor("vina", "viewer"), text=PEACE)
    response = propose(db, MODEL, ANALYST, text=PEACE)
    refused("forbidden", approve, db, ANALYST, response.id)
    refused("forbidden", publish, db, ANALYST, "dry-run", response_id=response.id)
    rejected = reject(db, APPROVER, response.id, "kurang tepat sasaran")
    assert (rejected.state, rejected.reason) == ("rejected", "kurang tepat sasaran")
    refused("wrong_state", approve, db, OTHER_APPROVER, response.id)
    refused("wrong_state", reject, db, OTHER_APPROVER, response.id)
    refused("wrong_state", edit, db, MODEL, ANALYST, response.id, "teks baru")
    done = approved(db)
    refused("wrong_state", approve, db, OTHER_APPROVER, done)
    with pytest.raises(NotFound):
        approve(db, APPROVER, 999_999)
    with pytest.raises(NotFound):
        propose(db, MODEL, ANALYST, text=PEACE, post_ref="twitter:tidak-ada")
    with pytest.raises(NotFound):
        propose(db, MODEL, ANALYST, entry_id="cn-tidak-ada")
    with pytest.raises(InputError):
        propose(db, MODEL, ANALYST, text="   ")
    with pytest.raises(InputError):
        propose(db, MODEL, ANALYST)


def test_a_harmful_text_is_blocked_with_its_reason_until_an_edit_clears_it(db: Store) -> None:
    bad = propose(db, MODEL, ANALYST, text="Ayo serang mereka malam ini")
    assert bad.state == "in_review" and bad.blocked_reason is not None
    assert "radicalism 0.97" in bad.blocked_reason and bad.check_scores["radicalism"] == 0.97
    assert "disaster" not in bad.check_scores  # only harmful labels are kept
    refused("blocked", approve, db, APPROVER, bad.id)
    cleared = edit(db, MODEL, ANALYST, bad.id, PEACE)
    assert cleared.blocked_reason is None and cleared.version == 2
    assert approve(db, APPROVER, bad.id).state == "approved"
    # an edit after approval that turns harmful is blocked again and back in review
    worse = edit(db, MODEL, ANALYST, bad.id, "Serang saja")
    assert (worse.state, worse.blocked_reason is not None) == ("in_review", True)
    refused("not_approved", publish, db, APPROVER, "dry-run", response_id=bad.id)


def test_a_library_entry_is_proposed_used_and_published_only_when_approved(db: Store) -> None:
    db.library.save([replace(ENTRY, status="draft")], actor="rina", action="library_create")
    refused("entry_not_approved", propose, db, MODEL, ANALYST, entry_id=ENTRY.id)
    refused("not_approved", publish, db, APPROVER, "dry-run", entry_id=ENTRY.id)
    db.library.set_status(ENTRY.id, "approved", actor="budi", action="library_approve")
    response = propose(db, MODEL, ANALYST, entry_id=ENTRY.id)
    assert (response.text, response.entry_id, response.entry_version) == (
        ENTRY.text_id, ENTRY.id, 2)
    first, new = publish(db, APPROVER, "dry-run", entry_id=ENTRY.id)
    again, new_again = publish(db, OTHER_APPROVER, "dry-run", entry_id=ENTRY.id)
    assert (new, new_again, again.id) == (True, False, first.id)
    assert first.entry_version == 2 and first.payload["text"] == ENTRY.text_id
    uses = [(u.kind, u.ref, u.version) for u in db.library.usage(ENTRY.id)]
    assert uses == [("publication", f"publication:{first.id}", 2),
                    ("response", f"response:{response.id}", 2)]


# -- every way around the boundary ----------------------------------------------------------------
@pytest.mark.parametrize("state", ["draft", "in_review", "rejected"])
def test_nothing_but_approved_is_published_through_the_function_or_the_store(
        db: Store, state: str) -> None:
    response = propose(db, MODEL, ANALYST, text=PEACE)
    if state == "rejected":
        reject(db, APPROVER, response.id)
    if state == "draft":
        with db.db.write() as conn:
            conn.execute(text("UPDATE responses SET state = 'draft' WHERE id = :i"),
                         {"i": response.id})
    refused("not_approved", publish, db, ADMIN, "dry-run", response_id=response.id)
    refused("not_approved", db.publications.publish, Subject(response_id=response.id),
            "dry-run", actor="dewi")
    assert outbox(db) == []


def test_publishing_twice_gives_one_outbox_entry(db: Store, tmp_path: Path) -> None:
    rid = approved(db)
    file = tmp_path / "outbox.jsonl"
    first, new = publish(db, APPROVER, "dry-run", response_id=rid, outbox_file=file)
    second, new_again = publish(db, ADMIN, "dry-run", response_id=rid, outbox_file=file)
    assert (new, new_again, second) == (True, False, first)
    assert outbox(db) == [rid]
    lines = [orjson.loads(line) for line in file.read_bytes().splitlines()]
    assert [line["id"] for line in lines] == [first.id]
    assert lines[0]["payload"]["text"] == PEACE
    refused("unknown_channel", publish, db, APPROVER, "twitter", response_id=rid)


def test_an_edit_after_approval_goes_back_to_review_and_cannot_be_published(db: Store) -> None:
    rid = approved(db)
    published, _ = publish(db, APPROVER, "dry-run", response_id=rid)
    changed = edit(db, MODEL, ANALYST, rid, PEACE + " Salam damai.")
    assert (changed.state, changed.version, changed.decided_by) == ("in_review", 2, None)
    refused("not_approved", publish, db, APPROVER, "dry-run", response_id=rid)
    assert approve(db, OTHER_APPROVER, rid).approved_version == 2
    republished, new = publish(db, APPROVER, "dry-run", response_id=rid)
    assert new and republished.id != published.id  # the new text is a new publication
    assert republished.payload["text"] == PEACE + " Salam damai."
    assert [e.detail["version"] for e in db.audit.query(action="response_edit")] == [2]


@pytest.mark.parametrize(("forged", "allowed"), [
    # the database refuses a state outside the four
    ("state = 'published'", False),
    # ... an approval with no approver
    ("state = 'approved'", False),
    # ... an approval of a blocked text, or of another version of the text
    ("state = 'approved', decided_by = 'x', decided_at = proposed_at, approved_version = version, "
     "blocked_reason = 'b'", False),
    ("state = 'approved', decided_by = 'x', decided_at = proposed_at, approved_version = 7", False),
    # a forger who writes a whole approval passes the checks: publishing still refuses it, as
    # the audit log holds no approval of this text by 'x'
    ("state = 'approved', decided_by = 'x', decided_at = proposed_at, "
     "approved_version = version", True),
])
def test_a_forged_state_cannot_be_published(db: Store, forged: str, allowed: bool) -> None:
    response = propose(db, MODEL, ANALYST, text=PEACE)
    statement = text(f"UPDATE responses SET {forged} WHERE id = :i")
    if not allowed:
        with pytest.raises(StorageError, match="responses_"), db.db.write() as conn:
            conn.execute(statement, {"i": response.id})
        assert db.responses.get(response.id).state == "in_review"  # type: ignore[union-attr]
    else:
        with db.db.write() as conn:
            conn.execute(statement, {"i": response.id})
    refused("not_approved", publish, db, ADMIN, "dry-run", response_id=response.id)
    assert outbox(db) == []


def test_a_forged_text_after_approval_cannot_be_published(db: Store) -> None:
    """Rewriting an approved text and its version in SQL leaves the audit log's approval on the
    old version: refused."""
    rid = approved(db)
    with db.db.write() as conn:
        conn.execute(text("UPDATE responses SET text = 'Serang!', version = 2, "
                          "approved_version = 2 WHERE id = :i"), {"i": rid})
    refused("not_approved", publish, db, APPROVER, "dry-run", response_id=rid)
    assert outbox(db) == []


def test_the_outbox_cannot_hold_two_publications_of_one_key(db: Store) -> None:
    rid = approved(db)
    published, _ = publish(db, APPROVER, "dry-run", response_id=rid)
    with pytest.raises(StorageError), db.db.write() as conn:
        conn.execute(text(
            "INSERT INTO publications (response_id, channel, idempotency_key, state, "
            "created_by, created_at, payload) SELECT response_id, channel, idempotency_key, "
            "state, created_by, created_at, payload FROM publications WHERE id = :i"),
            {"i": published.id})
    assert outbox(db) == [rid]


def test_racing_publishers_and_approvers_leave_one_publication_and_one_decision(
        db: Store) -> None:
    """Eight threads publish one response (and one entry) at once, and two approvers decide one
    response at once: one publication each, one decision, the others told so."""
    from concurrent.futures import ThreadPoolExecutor

    rid = approved(db)
    db.library.save([ENTRY], actor="rina", action="library_import")
    with ThreadPoolExecutor(8) as pool:
        runs = list(pool.map(lambda i: publish(db, ADMIN, "dry-run", response_id=rid)
                             if i % 2 else publish(db, ADMIN, "dry-run", entry_id=ENTRY.id),
                             range(8)))
    assert sorted(new for _, new in runs) == [False] * 6 + [True] * 2
    assert len({p.id for p, _ in runs}) == 2 and len(db.publications.recent()) == 2
    waiting = propose(db, MODEL, ANALYST, text=PEACE).id

    def decide(actor: Actor) -> str:
        try:
            return approve(db, actor, waiting).state
        except ReviewRefused as exc:
            return exc.reason

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(decide, [APPROVER, OTHER_APPROVER]))
    assert results == ["approved", "wrong_state"]
    assert len(db.audit.query(action="response_approve")) == 2  # the first response's, and one


class MildModel(FakeModel):
    """Flags ``radicalism`` at 0.5: above its flag threshold, below the block score."""

    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        return [Prediction({"radicalism": 0.5}, ["radicalism"], "id", self.version)
                for _ in texts]


def test_a_flag_below_the_block_score_is_kept_but_does_not_block(
        db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    mild = propose(db, MildModel(), ANALYST, text=PEACE)
    assert mild.blocked_reason is None and mild.check_scores == {"radicalism": 0.5}
    monkeypatch.setenv("DAMAI_RESPONSE_BLOCK_SCORE", "0.5")
    strict = propose(db, MildModel(), ANALYST, text=PEACE)
    assert strict.blocked_reason is not None and "radicalism 0.50" in strict.blocked_reason


#: hostile texts written for this check (not an evaluation set): incitement, abuse, SARA, a hoax,
#: recruitment; the bundled model scores the last two low (0.30, 0.69 at the time of writing)
HOSTILE_PROBES = (
    "Bom rakitan siap, serang kafir di Bekasi #jihad", "Dasar anjing kalian semua bodoh",
    "Kafir-kafir itu harus diusir dari kampung kita, jangan beri tempat #usir",
    "Vaksin covid berisi chip pelacak dari Yahudi, jangan mau disuntik!",
    "Pancasila itu thogut, tegakkan khilafah",
    "Orang Cina itu penjajah, usir saja dari negeri ini",
    "Kaum syiah sesat harus dibasmi dari bumi Indonesia",
    "Bakar saja gereja mereka biar kapok",
    "Ayo bergabung ke Suriah, jihad di sana adalah kewajiban",
)


def test_issue_11_the_starter_library_passes_the_harm_check_and_hostile_texts_do_not() -> None:
    """The block score's default, measured with the bundled model: at the flag thresholds 31
    of the starter library's 252 texts (three lengths of 84 entries) would be blocked, at 0.6
    six; the first seven probes score 0.76 and more and are blocked."""
    from damai.pipeline.responses import harm_check
    from damai.respond.entries import STARTER, read_entries
    from damai.understand.bundled import load_model

    model = load_model(None)
    texts = [t for e in read_entries(STARTER) for t in (e.text_id, e.short_280, e.short_500)]
    assert len([t for t in texts if harm_check(model, t).blocked]) <= 6
    assert len([t for t in texts if harm_check(model, t, 0.0).blocked]) > 20
    assert [p for p in HOSTILE_PROBES[:7] if harm_check(model, p).blocked is None] == []
