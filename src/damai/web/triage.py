"""The triage queue: flagged posts ranked by severity × reach; assign, review, dismiss.

- **severity** = the highest score among the post's flagged labels (0–1);
- **reach** = 1 + ln(1 + likes + reposts + replies + quotes), so a post nobody engaged with still
  ranks by severity, and each tenfold of engagement adds about 2.3;
- the queue ranks the newest :data:`CANDIDATES` open flagged posts (a bounded, indexed read).

A dismissal marks the post a false positive and keeps one correction per flagged label (value 0)
that ``damai corrections export`` turns into training data. Every action is audited.
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
from damai.web.authz import ROUTE_ROLES
from damai.web.checks import row_id_ok
from damai.web.context import WebContext
from damai.web.render import current_session, render
from damai.web.security import CSRF

__all__ = ["CANDIDATES", "Ranked", "add_triage_routes", "can_triage", "rank"]

CANDIDATES: Final = 500
SHOWN: Final = 50
_INTERACTIONS: Final = ("likes", "reposts", "replies", "quotes")


@dataclass(frozen=True, slots=True)
class Ranked:
    stored: StoredPost
    state: TriageState | None
    severity: float
    reach: float

    @property
    def priority(self) -> float:
        return self.severity * self.reach


def severity(post: Post) -> float:
    return max((post.labels.get(flag, 0.0) for flag in post.flags), default=0.0)


def reach(post: Post) -> float:
    interactions = sum(max(0, int(post.engagement.get(k, 0) or 0)) for k in _INTERACTIONS)
    return 1.0 + math.log1p(interactions)


def rank(queue: list[tuple[StoredPost, TriageState | None]]) -> list[Ranked]:
    ranked = [Ranked(s, state, severity(s.post), reach(s.post)) for s, state in queue]
    return sorted(ranked, key=lambda r: (-r.priority, -r.stored.id))


def can_triage(user: User) -> bool:
    """Whether ``user`` may be assigned triage items: enabled, and allowed to open the queue."""
    return not user.disabled and role_at_least(user.role, ROUTE_ROLES[("GET", "/triage")])


def add_triage_routes(app: FastAPI, ctx: WebContext) -> None:
    def done(request: Request, post_id: int, message: str) -> Response:
        if request.headers.get("HX-Request"):
            return render(request, "_triage_done.html", {"post_id": post_id,
                                                         "message": message})
        return RedirectResponse("/triage", status_code=303)

    def actor(request: Request) -> tuple[str, str | None]:
        session = current_session(request)
        assert session is not None  # the authorisation middleware let only users through
        return session.user.name, request.client.host if request.client else None

    def found(post_id: int) -> StoredPost | None:
        stored = ctx.store.posts.get_by_id(post_id) if row_id_ok(post_id) else None
        return stored if stored is not None and stored.post.flags else None

    @app.get("/triage")
    def triage(request: Request) -> Response:
        ranked = rank(ctx.store.triage.queue(CANDIDATES))[:SHOWN]
        users = [u.name for u in ctx.auth.list_users() if can_triage(u)]
        return render(request, "triage.html", {"ranked": ranked, "users": users})

    @app.post("/triage/{post_id}/assign", dependencies=CSRF)
    def assign(request: Request, post_id: int,
               assignee: Annotated[str, Form(max_length=64)] = "") -> Response:
        user, ip = actor(request)
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

    @app.post("/triage/{post_id}/review", dependencies=CSRF)
    def review(request: Request, post_id: int) -> Response:
        user, ip = actor(request)
        if found(post_id) is None:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        previous = ctx.store.triage.get(post_id)
        ctx.store.triage.set(post_id, status="reviewed",
                             assignee=previous.assignee if previous else None, user=user)
        ctx.auth.audit(user, "triage_review", f"post:{post_id}", {}, ip=ip)
        return done(request, post_id, "triage.done_reviewed")

    @app.post("/triage/{post_id}/dismiss", dependencies=CSRF)
    def dismiss(request: Request, post_id: int) -> Response:
        user, ip = actor(request)
        stored = found(post_id)
        if stored is None:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        previous = ctx.store.triage.get(post_id)
        ctx.store.triage.set(post_id, status="dismissed",
                             assignee=previous.assignee if previous else None, user=user)
        corrections = dict.fromkeys(stored.post.flags, 0)
        ctx.store.triage.add_corrections(post_id, corrections, user)
        ctx.auth.audit(user, "triage_dismiss", f"post:{post_id}",
                       {"corrections": corrections}, ip=ip)
        return done(request, post_id, "triage.done_dismissed")
