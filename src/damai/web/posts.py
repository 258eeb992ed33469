"""The posts pages: full-text search with filters and keyset pages, and a post's detail with
every score and the terms behind each flag."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request, Response

from damai.auth import role_at_least
from damai.errors import InputError
from damai.pipeline.label_names import check_label
from damai.pipeline.recommend import for_posts
from damai.pipeline.triage_actions import last_undoable
from damai.respond.drafting import CHANNEL_LIMITS
from damai.storage import PostQuery
from damai.storage.base import PostCursor, StoredPost
from damai.web.checks import row_id_ok, utc_ok
from damai.web.context import WebContext
from damai.web.library import theme_names
from damai.web.render import render, signed_in
from damai.web.triage import triagers

__all__ = ["PAGE_SIZE", "add_posts_routes", "explain_flags"]

PAGE_SIZE = 50
Text = Annotated[str | None, Query(max_length=200)]
#: scores arrive as text: an empty form field means no bound
Score = Annotated[str | None, Query(max_length=20)]


def _day(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InputError(f"{field}: tulis tanggal sebagai 2026-11-02 / write the date as "
                         "2026-11-02") from None


def _score(value: str | None, field: str) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        score = float(value)
    except ValueError:
        score = -1.0
    if not 0.0 <= score <= 1.0:
        raise InputError(f"{field}: tulis angka 0 sampai 1, mis. 0.8 / write a number from 0 "
                         "to 1, e.g. 0.8")
    return score


def _cursor(value: str | None) -> PostCursor | None:
    if not value:
        return None
    cursor = PostCursor.decode(value)
    if not (row_id_ok(cursor.id) and utc_ok(cursor.created_at)):
        raise InputError("kursor halaman tidak sah; mulai lagi dari halaman pertama / invalid "
                         "page cursor; start again from the first page")
    return cursor


def explain_flags(ctx: WebContext, stored: StoredPost) -> dict[str, list[tuple[str, float]]]:
    """The terms that drove each flag of the post, by the model that is loaded now."""
    model = ctx.model()
    flags = [f for f in stored.post.flags if f in model.labels]
    if not flags:
        return {}
    normalised = model.normalise([stored.post.text])[0]
    return {flag: model.explain(normalised, flag) for flag in flags}


def add_posts_routes(app: FastAPI, ctx: WebContext) -> None:
    @app.get("/posts")
    def posts(request: Request, q: Text = None, label: Text = None,
                    min_score: Score = None, max_score: Score = None, since: Text = None,
                    until: Text = None, platform: Text = None, language: Text = None,
                    before: Text = None) -> Response:
        form: dict[str, Any] = {"q": q or "", "label": label or "",
                                "min_score": min_score or "", "max_score": max_score or "",
                                "since": since or "",
                                "until": until or "", "platform": platform or "",
                                "language": language or ""}
        error = None
        items: list[StoredPost] = []
        next_cursor = None
        try:
            check_label(ctx.store, label or None)
            query = PostQuery(text=q or None, label=label or None,
                              min_score=_score(min_score, "min_score"),
                              max_score=_score(max_score, "max_score"), since=_day(since, "since"),
                              until=_day(until, "until"), platform=platform or None,
                              language=language or None, limit=PAGE_SIZE,
                              before=_cursor(before))
            page = ctx.store.posts.page(query)
            items, next_cursor = page.items, page.next
        except InputError as exc:
            error = exc.message
        counts = ctx.store.posts.post_counts()
        kept = {k: v for k, v in form.items() if v not in (None, "")}
        return render(request, "posts.html", {
            "form": form, "items": items, "error": error, "paged": bool(before),
            "first_qs": urlencode(kept),
            "next_qs": urlencode({**kept, "before": next_cursor.encode()}) if next_cursor
            else None,
            "labels": [n for n in ctx.store.labels.names() if "." not in n],
            "platforms": sorted(counts["platform"]), "languages": sorted(counts["language"])})

    @app.get("/posts/{post_id}")
    def post_detail(request: Request, post_id: int) -> Response:
        stored = ctx.store.posts.get_by_id(post_id) if row_id_ok(post_id) else None
        if stored is None:
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        model = ctx.model()
        thresholds = dict(zip(model.labels, (float(t) for t in model.thresholds), strict=True))
        scores = sorted(stored.post.labels.items(), key=lambda item: -item[1])
        analyst = role_at_least(signed_in(request)[0].role, "analyst")
        return render(request, "post.html", {
            "result": for_posts(ctx.store, [stored])[stored.id] if analyst else None,
            "theme_names": theme_names(request),
            "stored": stored, "post": stored.post, "scores": scores, "thresholds": thresholds,
            "explanations": explain_flags(ctx, stored),
            "triage": ctx.store.triage.get(post_id),
            "entries": ctx.store.library.current(status="approved"),
            "channels": sorted(CHANNEL_LIMITS),
            "judged": ctx.store.triage.judgements([post_id]).get(post_id, {}),
            "notes": ctx.store.triage_queue.notes([post_id]).get(post_id, []),
            "triagers": triagers(ctx) if analyst else [],
            "undoable": last_undoable(ctx.store, signed_in(request)[0].name) if analyst else None,
            "claim": ctx.store.claims.for_post(post_id)})
