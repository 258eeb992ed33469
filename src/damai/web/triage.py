"""Triage actions on one post: assign, judge each flag, review or dismiss it all, and notes (the
queue page is :mod:`damai.web.triage_queue`; the priority is stated in
:mod:`damai.pipeline.triage_rank`; actions and their undo in :mod:`damai.pipeline.triage_actions`).

Every judgement is a human label that training and the held-out evaluation read (issue #9):
**benar** (the flag is right) keeps a correction 1 for that label, **salah** (a false flag) keeps
a 0, each with the user and the time, and each is audited. Each flagged label has its own
benar/salah; *review* confirms every flagged label at once and *dismiss* refutes every one. Once
every flag of a post is judged, the post leaves the queue: ``reviewed`` when at least one flag
was right, ``dismissed`` when none was. The post page offers the same actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Final
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Form, Request, Response
from fastapi.responses import RedirectResponse

from damai.auth import User, role_at_least
from damai.errors import InputError, NotFound
from damai.pipeline.triage_actions import act, add_note, last_undoable, with_copies
from damai.pipeline.triage_rank import Weights, score_post, weights_from_settings
from damai.storage.base import StoredPost
from damai.storage.triage import Judgement
from damai.storage.triage_queue import Note, QueueRow
from damai.understand.taxonomy import load_taxonomy
from damai.web.authz import ROUTE_ROLES
from damai.web.checks import row_id_ok
from damai.web.context import WebContext
from damai.web.render import render, signed_in
from damai.web.security import CSRF

__all__ = ["FILTERS", "Row", "acted", "add_triage_routes", "assignee_of", "can_triage",
           "judge_flags", "queue_url", "row_json", "rows_of", "triagers"]

#: what a form may send as a judgement of one flag
_VERDICTS: Final[dict[str, int]] = {"1": 1, "0": 0}
Back = Annotated[str, Form(max_length=8)]
#: the page's query string, to go back to the same filters
Query = Annotated[str, Form(max_length=2000)]
#: the query-string parameters of ``/triage`` that choose rows
FILTERS: Final = ("queue", "status", "label", "platform", "since", "until", "province",
                  "assignee")


@dataclass(frozen=True, slots=True)
class Row:
    """One queue row as the page shows it: the post, its priority's parts, state, copies."""

    stored: StoredPost
    label: str
    weight: float
    severity: float
    reach: float
    priority: float
    status: str
    assignee: str | None
    copies: int
    judged: dict[str, Judgement]
    notes: list[Note]


def rows_of(ctx: WebContext, found: list[QueueRow], weights: Weights) -> list[Row]:
    ids = [q.stored.id for q in found]
    judged = ctx.store.triage.judgements(ids)
    notes = ctx.store.triage_queue.notes(ids)
    return [Row(q.stored, q.label, weights.of(q.label), q.severity, q.reach, q.priority,
                q.status, q.assignee, q.copies, judged.get(q.stored.id, {}),
                notes.get(q.stored.id, [])) for q in found]


def row_for(ctx: WebContext, stored: StoredPost) -> Row | None:
    """The queue row of one post, worked out now (for htmx after an action)."""
    weights, post = weights_from_settings(), stored.post
    scored = score_post(list(post.flags), post.labels, post.engagement, weights, load_taxonomy())
    if scored is None:
        return None
    state = ctx.store.triage.get(stored.id)
    row = QueueRow(stored, scored.label, scored.severity, scored.reach, scored.priority,
                   state.status if state else "open", state.assignee if state else None, 0)
    return rows_of(ctx, [row], weights)[0]


def can_triage(user: User) -> bool:
    """Whether ``user`` may be assigned triage items: enabled, and allowed to open the queue."""
    return not user.disabled and role_at_least(user.role, ROUTE_ROLES[("GET", "/triage")])


def triagers(ctx: WebContext) -> list[str]:
    return [u.name for u in ctx.auth.list_users() if can_triage(u)]


def assignee_of(ctx: WebContext, name: str | None) -> str | None:
    """The user an assign action names (None or "": no one); InputError when ``name`` is no
    user who may triage."""
    if not name:
        return None
    target = ctx.auth.get_user(name)
    if target is None or not can_triage(target):
        raise InputError(f"assignee {name[:64]!r} tidak dikenal atau tidak boleh triase / "
                         "unknown, or may not triage")
    return target.name


def row_json(r: Row | QueueRow) -> dict[str, Any]:
    """A queue row as ``damai triage list --json`` and ``GET /api/v1/triage`` give it."""
    return {"post_id": r.stored.id, "priority": r.priority, "label": r.label,
            "severity": r.severity, "reach": r.reach, "copies": r.copies, "status": r.status,
            "assignee": r.assignee, "platform": r.stored.post.platform,
            "created_at": r.stored.post.created_at.isoformat(), "text": r.stored.post.text}


def judge_flags(ctx: WebContext, stored: StoredPost, verdicts: dict[str, int], *, user: str,
                ip: str | None, action: str) -> str | None:
    """Keep ``verdicts`` (flag → 1 or 0) as corrections, audited as ``action``; when every
    flag of the post is judged, close its triage item. Return the new status, if closed."""
    ctx.store.triage.add_corrections(stored.id, verdicts, user)
    ctx.auth.audit(user, action, f"post:{stored.id}", {"corrections": verdicts}, ip=ip)
    judged = ctx.store.triage.judgements([stored.id]).get(stored.id, {})
    values = [judged[f].value if f in judged else None for f in stored.post.flags]
    if any(v is None for v in values):
        return None
    status = "reviewed" if 1 in values else "dismissed"
    previous = ctx.store.triage.get(stored.id)
    ctx.store.triage.set(stored.id, status=status,
                         assignee=previous.assignee if previous else None, user=user)
    return status


def _actor(request: Request) -> tuple[str, str | None]:
    user, ip = signed_in(request)
    return user.name, ip


def queue_url(query: str) -> str:
    """``/triage`` with the filters of ``query`` (a form's copy of the page's query string)."""
    kept = {k: v for k, v in parse_qsl(query[:2000]) if k in FILTERS}
    return f"/triage?{urlencode(kept)}" if kept else "/triage"


def acted(request: Request, ctx: WebContext, template: str, values: dict[str, object],
          query: str) -> Response:
    """An htmx answer to an action on a row, with the undo control for the action just done
    (an out-of-band swap of ``#triage-undo-slot``), so it shows without a reload."""
    user, _ = signed_in(request)
    return render(request, template, {**values, "undo_slot": True, "query": query,
                                      "undoable": last_undoable(ctx.store, user.name)})


def add_triage_routes(app: FastAPI, ctx: WebContext) -> None:
    def found(post_id: int) -> StoredPost | None:
        stored = ctx.store.posts.get_by_id(post_id) if row_id_ok(post_id) else None
        return stored if stored is not None and stored.post.flags else None

    def answer(request: Request, stored: StoredPost, status: str | None, back: str) -> Response:
        """The row again (or its closing line) for htmx; else back to where the form was."""
        if back == "post":
            return RedirectResponse(f"/posts/{stored.id}", status_code=303)
        if not request.headers.get("HX-Request"):
            return RedirectResponse("/triage", status_code=303)
        row = row_for(ctx, stored)
        if status is not None or row is None:
            return render(request, "_triage_done.html", {
                "post_id": stored.id, "message": f"triage.done_{status or 'reviewed'}"})
        return render(request, "_triage_row.html", {"r": row, "users": triagers(ctx)})

    def group(request: Request, post_id: int) -> list[StoredPost] | Response:
        """The post and its copies (what a row stands for), or the page that says why not."""
        try:
            return with_copies(ctx.store, [post_id])
        except NotFound:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        except InputError as exc:  # a group past MAX_BULK
            return render(request, "triage_message.html", {"error": exc.message}, 400)

    def judge_all(request: Request, post_id: int, action: str, back: str,
                  query: str) -> Response:
        user, ip = _actor(request)
        posts = group(request, post_id)
        if isinstance(posts, Response):
            return posts
        act(ctx.store, posts, action, user=user, ip=ip)
        if back == "post":
            return RedirectResponse(f"/posts/{post_id}", status_code=303)
        if not request.headers.get("HX-Request"):
            return RedirectResponse(queue_url(query), status_code=303)
        status = "reviewed" if action == "review" else "dismissed"
        return acted(request, ctx, "_triage_done.html", {
            "post_id": post_id, "message": f"triage.done_{status}", "n": len(posts)}, query)

    @app.post("/triage/{post_id}/assign", dependencies=CSRF)
    def assign(request: Request, post_id: int,
               assignee: Annotated[str, Form(max_length=64)] = "",
               back: Back = "triage", query: Query = "") -> Response:
        """Assign the post and its copies (or no one)."""
        user, ip = _actor(request)
        try:
            name = assignee_of(ctx, assignee)
        except InputError:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        posts = group(request, post_id)
        if isinstance(posts, Response):
            return posts
        act(ctx.store, posts, "assign", user=user, ip=ip, assignee=name)
        if back == "post":
            return RedirectResponse(f"/posts/{post_id}", status_code=303)
        if request.headers.get("HX-Request"):
            return acted(request, ctx, "_triage_done.html", {
                "post_id": post_id, "message": "triage.assignee", "extra": name or "-",
                "n": len(posts)}, query)
        return RedirectResponse(queue_url(query), status_code=303)

    @app.post("/triage/{post_id}/label", dependencies=CSRF)
    def judge_one(request: Request, post_id: int, label: Annotated[str, Form(max_length=200)],
                  value: Annotated[str, Form(max_length=2)], back: Back = "triage") -> Response:
        """Benar (1) or salah (0) for one flagged label of the post."""
        user, ip = _actor(request)
        stored = found(post_id)
        if stored is None or label not in stored.post.flags or value not in _VERDICTS:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        status = judge_flags(ctx, stored, {label: _VERDICTS[value]}, user=user, ip=ip,
                             action="triage_label")
        return answer(request, stored, status, back)

    @app.post("/triage/{post_id}/review", dependencies=CSRF)
    def review(request: Request, post_id: int, back: Back = "triage",
               query: Query = "") -> Response:
        """Every flag of the post and of its copies is right: a correction 1 for each."""
        return judge_all(request, post_id, "review", back, query)

    @app.post("/triage/{post_id}/dismiss", dependencies=CSRF)
    def dismiss(request: Request, post_id: int, back: Back = "triage",
                query: Query = "") -> Response:
        """Every flag of the post and of its copies is wrong (a false positive): a correction 0
        for each."""
        return judge_all(request, post_id, "dismiss", back, query)

    @app.post("/triage/{post_id}/note", dependencies=CSRF)
    def note(request: Request, post_id: int, text: Annotated[str, Form(max_length=4000)] = "",
             back: Back = "triage") -> Response:
        """A note on the post (1–2,000 characters), audited."""
        user, ip = _actor(request)
        try:
            add_note(ctx.store, post_id, text, user=user, ip=ip)
        except NotFound:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        except InputError as exc:
            return render(request, "triage_message.html", {"error": exc.message}, 400)
        where = f"/posts/{post_id}#notes" if back == "post" else f"/triage#triage-{post_id}"
        return RedirectResponse(where, status_code=303)
