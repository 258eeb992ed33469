"""The triage queue: flagged posts ranked by severity × reach; assign, and judge each flag.

- **severity** = the highest score among the post's flagged labels (0–1);
- **reach** = 1 + ln(1 + likes + reposts + replies + quotes), so a post nobody engaged with still
  ranks by severity, and each tenfold of engagement adds about 2.3;
- the queue ranks the newest :data:`CANDIDATES` open flagged posts (a bounded, indexed read).

Every judgement is a human label that training and the held-out evaluation read (issue #9):
**benar** (the flag is right) keeps a correction 1 for that label, **salah** (a false flag) keeps
a 0, each with the user and the time, and each is audited. Each flagged label has its own
benar/salah; *review* confirms every flagged label at once and *dismiss* refutes every one. Once
every flag of a post is judged, the post leaves the queue: ``reviewed`` when at least one flag
was right, ``dismissed`` when none was. The post page offers the same actions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import FastAPI, Form, Request, Response
from fastapi.responses import RedirectResponse

from damai.auth import User, role_at_least
from damai.records import Post
from damai.storage.base import StoredPost, TriageState
from damai.storage.triage import Judgement
from damai.web.authz import ROUTE_ROLES
from damai.web.checks import row_id_ok
from damai.web.context import WebContext
from damai.web.render import render, signed_in
from damai.web.security import CSRF

__all__ = ["CANDIDATES", "Ranked", "add_triage_routes", "can_triage", "judge_flags", "rank"]

CANDIDATES: Final = 500
SHOWN: Final = 50
_INTERACTIONS: Final = ("likes", "reposts", "replies", "quotes")
#: what a form may send as a judgement of one flag
_VERDICTS: Final[dict[str, int]] = {"1": 1, "0": 0}
Back = Annotated[str, Form(max_length=8)]


@dataclass(frozen=True, slots=True)
class Ranked:
    stored: StoredPost
    state: TriageState | None
    severity: float
    reach: float
    judged: dict[str, Judgement]

    @property
    def priority(self) -> float:
        return self.severity * self.reach


def severity(post: Post) -> float:
    return max((post.labels.get(flag, 0.0) for flag in post.flags), default=0.0)


def reach(post: Post) -> float:
    interactions = sum(max(0, int(post.engagement.get(k, 0) or 0)) for k in _INTERACTIONS)
    return 1.0 + math.log1p(interactions)


def rank(queue: list[tuple[StoredPost, TriageState | None]],
         judged: dict[int, dict[str, Judgement]] | None = None) -> list[Ranked]:
    ranked = [Ranked(s, state, severity(s.post), reach(s.post), (judged or {}).get(s.id, {}))
              for s, state in queue]
    return sorted(ranked, key=lambda r: (-r.priority, -r.stored.id))


def can_triage(user: User) -> bool:
    """Whether ``user`` may be assigned triage items: enabled, and allowed to open the queue."""
    return not user.disabled and role_at_least(user.role, ROUTE_ROLES[("GET", "/triage")])


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
        if status is not None:
            return render(request, "_triage_done.html", {
                "post_id": stored.id, "message": f"triage.done_{status}"})
        [row] = rank([(stored, ctx.store.triage.get(stored.id))],
                     ctx.store.triage.judgements([stored.id]))
        return render(request, "_triage_row.html", {"r": row, "users": _triagers()})

    def _triagers() -> list[str]:
        return [u.name for u in ctx.auth.list_users() if can_triage(u)]

    def judge_all(request: Request, post_id: int, value: int, action: str,
                  back: str) -> Response:
        user, ip = _actor(request)
        stored = found(post_id)
        if stored is None:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        status = judge_flags(ctx, stored, dict.fromkeys(stored.post.flags, value), user=user,
                             ip=ip, action=action)
        return answer(request, stored, status, back)

    @app.get("/triage")
    def triage(request: Request) -> Response:
        queue = ctx.store.triage.queue(CANDIDATES)
        ranked = rank(queue)[:SHOWN]
        judged = ctx.store.triage.judgements([r.stored.id for r in ranked])
        ranked = rank([(r.stored, r.state) for r in ranked], judged)
        return render(request, "triage.html", {"ranked": ranked, "users": _triagers()})

    @app.post("/triage/{post_id}/assign", dependencies=CSRF)
    def assign(request: Request, post_id: int,
               assignee: Annotated[str, Form(max_length=64)] = "") -> Response:
        user, ip = _actor(request)
        target = ctx.auth.get_user(assignee) if assignee else None
        if found(post_id) is None or (assignee and (target is None or not can_triage(target))):
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        name = target.name if target else None
        ctx.store.triage.set(post_id, status="open", assignee=name, user=user)
        ctx.auth.audit(user, "triage_assign", f"post:{post_id}", {"assignee": name}, ip=ip)
        if request.headers.get("HX-Request"):
            return render(request, "_triage_done.html", {
                "post_id": post_id, "message": "triage.assignee", "extra": name or "-"})
        return RedirectResponse("/triage", status_code=303)

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
    def review(request: Request, post_id: int, back: Back = "triage") -> Response:
        """Every flag of the post is right: a correction 1 for each."""
        return judge_all(request, post_id, 1, "triage_review", back)

    @app.post("/triage/{post_id}/dismiss", dependencies=CSRF)
    def dismiss(request: Request, post_id: int, back: Back = "triage") -> Response:
        """Every flag of the post is wrong (a false positive): a correction 0 for each."""
        return judge_all(request, post_id, 0, "triage_dismiss", back)
