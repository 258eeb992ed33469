"""The review workflow of responses (issue #11): propose, edit, approve, reject.

- An analyst (or higher) proposes a response: a library entry's text, a text of their own, or a
  machine draft. It goes straight to ``in_review``.
- Every proposed text, every draft and every human edit is scored by the model in service
  (:func:`harm_check`); a text that is flagged on a harmful label (``hate_speech``, ``abusive``,
  ``radicalism``, ``sara``, ``hoax``: the taxonomy's ``harm`` kind) is *blocked*: it is kept,
  with the reason, but it cannot be approved until an edit clears it.
- An approver (or higher) approves or rejects a response in review. While the ``four_eyes``
  setting is on (the default), nobody approves their own proposal.
- An edit of an approved response sends it back to review: the approval was for the old text.

Each step is one transaction with its audit entry (:mod:`damai.storage.responses`). Roles are
checked here as well as by the routes, so a script calling these functions obeys them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from damai import settings
from damai.errors import InputError, NotFound, ReviewRefused
from damai.pipeline import notices
from damai.pipeline.classify import Classifier
from damai.respond.drafting import Drafter, DraftRequest
from damai.roles import role_at_least
from damai.storage import Store
from damai.storage.responses import HarmCheck, NewResponse, Response
from damai.understand.taxonomy import load_taxonomy, parent_of

__all__ = ["MAX_TEXT", "Actor", "approve", "edit", "entry_text", "harm_check", "propose",
           "propose_draft", "reject"]

#: the longest response text accepted (a long-form post, far above any platform's limit)
MAX_TEXT: Final = 5000


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a user's name and role, and their address for the audit log (the CLI acts as
    ``cli:USER`` with the admin role, as every command run by the installation's operator)."""

    name: str
    role: str
    ip: str | None = None

    def require(self, minimum: str, step: str) -> None:
        if not role_at_least(self.role, minimum):
            raise ReviewRefused("forbidden", (
                f"peran {self.role} tidak boleh {step}: perlu {minimum} atau lebih tinggi / "
                f"role {self.role} may not {step}: it needs {minimum} or higher"))


def harm_check(model: Classifier, text: str, bar: float | None = None) -> HarmCheck:
    """Score ``text``; block it when a harmful label (top level) is flagged with a score of at
    least ``bar`` (``DAMAI_RESPONSE_BLOCK_SCORE``, 0.6). The bar sits above the flag
    thresholds, which are tuned to catch posts for triage: a counter-narrative speaks of the
    same things as what it answers. Measured with the bundled model (``tests/integration/
    test_publishing_boundary.py``): at the thresholds alone 31 of the starter library's 252
    texts would be blocked, at 0.6 six; 7 of 9 hostile probes are (two score 0.30
    and 0.69: the block is a safety net under a person's approval, not instead of it)."""
    bar = settings.get_float("response_block_score") if bar is None else bar
    prediction = model.predict([text], explain=False)[0]
    taxonomy = load_taxonomy()
    harmful = {label: round(score, 4) for label, score in prediction.labels.items()
               if parent_of(label) is None and taxonomy.is_harmful(label)}
    flagged = [f for f in prediction.flags if f in harmful and harmful[f] >= bar]
    blocked = None
    if flagged:
        listed = ", ".join(f"{f} {harmful[f]:.2f}" for f in flagged)
        blocked = (f"skor tinggi pada label berbahaya: {listed}; ubah teksnya / a high score "
                   f"on a harmful label: {listed}; edit the text")
    return HarmCheck(blocked, harmful, prediction.model_version)


def _text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InputError("teks tanggapan kosong: tulis teksnya / the response text is empty: "
                         "write it")
    if len(cleaned) > MAX_TEXT:
        raise InputError(f"teks tanggapan lebih dari {MAX_TEXT} karakter: persingkat / the "
                         f"response text is over {MAX_TEXT} characters: shorten it")
    return cleaned


def _post_row(store: Store, post_ref: str | None) -> int | None:
    """The row id of ``platform:platform_id``, or :class:`NotFound`."""
    if post_ref is None:
        return None
    platform, sep, platform_id = post_ref.partition(":")
    found = store.posts.row_id(platform, platform_id) if sep and platform_id else None
    if found is None:
        raise NotFound(f"post {post_ref!r} tidak ada: id berbentuk platform:platform_id / no "
                       f"post {post_ref!r}: an id is platform:platform_id")
    return found


def entry_text(store: Store, entry_id: str) -> tuple[str, int]:
    """An approved library entry's Indonesian text and version, or why it cannot be used."""
    current = store.library.get(entry_id)
    if current is None:
        raise NotFound(f"entri pustaka {entry_id!r} tidak ada; lihat /library / no library "
                       f"entry {entry_id!r}; see /library")
    if current.entry.status != "approved":
        raise ReviewRefused("entry_not_approved", (
            f"entri {entry_id} berstatus {current.entry.status}: pakai entri yang disetujui / "
            f"entry {entry_id} is {current.entry.status}: use an approved entry"))
    return current.entry.text_id, current.entry.version


def propose(store: Store, model: Classifier, actor: Actor, *, text: str | None = None,
            entry_id: str | None = None, post_ref: str | None = None,
            drafter: str | None = None, event_id: str | None = None,
            narrative_id: int | None = None) -> Response:
    """A new response in review: ``text`` (a person's, or a machine draft when ``drafter`` is
    named, then from ``entry_id``) or the text of the approved library entry ``entry_id``,
    optionally answering the post ``platform:platform_id`` (about the event ``event_id``) or a
    whole narrative (issue #14)."""
    actor.require("analyst", "mengusulkan tanggapan / propose responses")
    if (text is None and entry_id is None) or (text is not None and entry_id is not None
                                               and drafter is None):
        raise InputError("beri `text` atau `entry_id`, salah satu / give `text` or `entry_id`, "
                         "one of them")
    post_id = _post_row(store, post_ref)
    if narrative_id is not None and store.narratives.get(narrative_id) is None:
        raise NotFound(f"narasi {narrative_id} tidak ada / no narrative {narrative_id}")
    version = None
    if entry_id is not None:
        entry_body, version = entry_text(store, entry_id)
        text = entry_body if text is None else text
    body = _text(text or "")
    new = NewResponse(body, actor.name, post_id=post_id, entry_id=entry_id,
                      entry_version=version, machine_draft=drafter is not None, drafter=drafter,
                      event_id=event_id,
                      narrative_id=None if narrative_id is None else str(narrative_id))
    response = store.responses.propose(new, harm_check(model, body), ip=actor.ip)
    if entry_id is not None:
        store.library.record_use(entry_id, kind="response", ref=f"response:{response.id}",
                                 user=actor.name, version=version)
    notices.tell(notices.response_waiting(response))
    return response


def propose_draft(store: Store, model: Classifier, actor: Actor, drafter: Drafter, *,
                  entry_id: str, post_ref: str | None = None, channel: str = "dry-run"
                  ) -> Response:
    """A machine draft from an approved entry, adapted to the post and channel by ``drafter``,
    proposed for review (and scored for harm like any text). :class:`DrafterUnavailable` when
    the drafting server fails; nothing is stored then."""
    entry_text(store, entry_id)  # exists and is approved, before any drafting
    current = store.library.get(entry_id)
    assert current is not None
    post = None
    if post_ref is not None:
        platform, _, platform_id = post_ref.partition(":")
        post = store.posts.get(platform, platform_id)
        if post is None:
            _post_row(store, post_ref)  # the NotFound with its message
    topics = tuple(post.flags) if post is not None else ()
    draft = drafter.draft(DraftRequest(current.entry, channel, post.text if post else None,
                                       topics))
    return propose(store, model, actor, text=draft.text, entry_id=entry_id, post_ref=post_ref,
                   drafter=draft.drafter)


def _found(store: Store, response_id: int) -> Response:
    found = store.responses.get(response_id)
    if found is None:
        raise NotFound(f"tanggapan {response_id} tidak ada / no response {response_id}")
    return found


def edit(store: Store, model: Classifier, actor: Actor, response_id: int, text: str
         ) -> Response:
    """The next version of a response's text, checked again and back in review."""
    actor.require("analyst", "mengubah tanggapan / edit responses")
    _found(store, response_id)
    body = _text(text)
    edited = store.responses.edit(response_id, body, harm_check(model, body), actor=actor.name,
                                  ip=actor.ip)
    if edited.state == "in_review":
        notices.tell(notices.response_waiting(edited))
    return edited


def approve(store: Store, actor: Actor, response_id: int) -> Response:
    """Approve a response in review (four-eyes as the ``four_eyes`` setting says)."""
    actor.require("approver", "menyetujui tanggapan / approve responses")
    _found(store, response_id)
    if store.alerts.of_responses([response_id]):  # an alert's: its own rule (#13)
        raise ReviewRefused("wrong_state", (
            f"tanggapan {response_id} adalah peringatan bencana: setujui di halaman kejadiannya "
            f"/ response {response_id} is a hazard alert: approve it on its event's page"))
    return store.responses.decide(response_id, "approved", actor=actor.name,
                                  four_eyes=bool(store.settings.get("four_eyes")), ip=actor.ip)


def reject(store: Store, actor: Actor, response_id: int, reason: str | None = None
           ) -> Response:
    actor.require("approver", "menolak tanggapan / reject responses")
    _found(store, response_id)
    return store.responses.decide(response_id, "rejected", actor=actor.name,
                                  reason=(reason or "").strip()[:500] or None, ip=actor.ip)
