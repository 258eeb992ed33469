"""Triage actions on one post or many (issue #14 part 1), and their undo.

*review* keeps a correction 1 for every flag of each post and closes it as ``reviewed``;
*dismiss* keeps a 0 for every flag and closes it as ``dismissed``; *assign* names who works the
post. Each action is one audit entry (``triage_review``, ``triage_dismiss``, ``triage_assign``)
that keeps every post's state and judgements from before, so **undo** can put them back: it
writes a compensating entry (``triage_undo``, naming the entry it undoes), restores the status
and assignee, and keeps the earlier answer of each flag as a new correction (``None``, "could not
tell", where there was none). The audit log keeps both entries. Only a user's own last action
can be undone, once.
"""

from __future__ import annotations

from typing import Any, Final

from damai.errors import InputError, NotFound
from damai.storage import AuditEntry, Store, StoredPost
from damai.storage.triage_queue import Note

__all__ = ["ACTIONS", "MAX_BULK", "act", "add_note", "last_undoable", "undo", "with_copies"]

#: what each action writes as the answer of every flag (None: assign writes none)
ACTIONS: Final[dict[str, int | None]] = {"review": 1, "dismiss": 0, "assign": None}
#: the most posts one bulk action may name (a group counts each of its rows)
MAX_BULK: Final = 200
_UNDOABLE: Final = tuple(f"triage_{a}" for a in ACTIONS)


def with_copies(store: Store, post_ids: list[int]) -> list[StoredPost]:
    """The flagged posts ``post_ids`` name and every other row of their groups (copies: the same
    narrative, or reposts) in the same queue and status: what an action on a queue row applies
    to. Refused (InputError) past :data:`MAX_BULK` posts, copies counted; NotFound when a post
    does not exist or is not flagged."""
    asked = sorted({i for i in post_ids if 0 < i < 2**63})
    expanded = store.triage_queue.group_of(asked)
    if not post_ids or len(post_ids) > MAX_BULK or len(expanded) > MAX_BULK:
        raise InputError(f"pilih 1–{MAX_BULK} post (salinan ikut dihitung) / select "
                         f"1–{MAX_BULK} posts (copies count)")
    found = [s for s in map(store.posts.get_by_id, expanded) if s and s.post.flags]
    if len(asked) < len(set(post_ids)) or not set(asked) <= {s.id for s in found}:
        raise NotFound("post tidak ditemukan atau tidak ditandai / a post was not found, or "
                       "is not flagged")
    return found


def add_note(store: Store, post_id: int, text: str, *, user: str, ip: str | None) -> Note:
    """A note (1–``NOTE_MAX`` characters, else InputError) on a flagged post (else NotFound),
    audited as ``triage_note``."""
    with_copies(store, [post_id])  # the same refusal as an action's, for an unknown post
    made = store.triage_queue.add_note(post_id, user, text)
    store.audit.record(user, "triage_note", f"post:{post_id}", {"note": made.id}, ip=ip)
    return made


def _snapshot(store: Store, posts: list[StoredPost]) -> dict[str, dict[str, Any]]:
    judged = store.triage.judgements([s.id for s in posts])
    found = {}
    for s in posts:
        state = store.triage.get(s.id)
        answers = judged.get(s.id, {})
        found[str(s.id)] = {
            "status": state.status if state else "open",
            "assignee": state.assignee if state else None,
            "judged": {f: answers[f].value if f in answers else None for f in s.post.flags}}
    return found


def act(store: Store, posts: list[StoredPost], action: str, *, user: str, ip: str | None,
        assignee: str | None = None) -> AuditEntry:
    """Apply ``action`` to every post, audited as one entry that keeps the state before."""
    if action not in ACTIONS:
        raise InputError(f"aksi tidak dikenal / unknown action {action!r}; choose "
                         f"{', '.join(ACTIONS)}")
    if not posts or len(posts) > MAX_BULK:
        raise InputError(f"pilih 1–{MAX_BULK} post / select 1–{MAX_BULK} posts")
    before = _snapshot(store, posts)
    value = ACTIONS[action]
    detail: dict[str, Any] = {"posts": [s.id for s in posts], "before": before}
    for s in posts:
        old = before[str(s.id)]
        if value is None:
            store.triage.set(s.id, status=old["status"], assignee=assignee, user=user)
            continue
        verdicts = dict.fromkeys(s.post.flags, value)
        store.triage.add_corrections(s.id, verdicts, user)
        store.triage.set(s.id, status="reviewed" if value else "dismissed",
                             assignee=old["assignee"], user=user)
        detail["corrections"] = verdicts
    if value is None:
        detail["assignee"] = assignee
    target = f"post:{posts[0].id}" if len(posts) == 1 else f"posts:{len(posts)}"
    return store.audit.record(user, f"triage_{action}", target, detail, ip=ip)


def last_undoable(store: Store, user: str) -> AuditEntry | None:
    """The user's last triage action, when it is not undone yet."""
    for entry in store.audit.query(actor=user, limit=50):
        if entry.action == "triage_undo":
            return None
        if entry.action in _UNDOABLE and "before" in entry.detail:
            return entry
    return None


def undo(store: Store, *, user: str, ip: str | None) -> AuditEntry:
    """Put back what the user's last action changed; audited as ``triage_undo``."""
    entry = last_undoable(store, user)
    if entry is None:
        raise NotFound("tidak ada aksi untuk dibatalkan / nothing to undo")
    before: dict[str, dict[str, Any]] = entry.detail["before"]
    for key, old in before.items():
        post_id = int(key)
        if entry.action != "triage_assign":
            store.triage.add_corrections(post_id, old["judged"], user)
        store.triage.set(post_id, status=old["status"], assignee=old["assignee"], user=user)
    target = entry.target
    return store.audit.record(user, "triage_undo", target,
                          {"undoes": entry.id, "action": entry.action,
                           "posts": [int(k) for k in before], "restored": before}, ip=ip)
