"""The posts pages: full-text search with filters and keyset pages, a post's detail with every
score and the terms behind each flag, and (issue #14 part 6) the export of a search's posts as
CSV or JSONL (:mod:`damai.web.export`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request, Response
from fastapi.responses import StreamingResponse

from damai import settings
from damai.auth import role_at_least
from damai.errors import InputError
from damai.pipeline.drilldown import drill_into, province_names
from damai.pipeline.label_names import check_label
from damai.pipeline.recommend import for_posts
from damai.pipeline.triage_actions import last_undoable
from damai.respond.drafting import CHANNEL_LIMITS
from damai.storage import PostQuery
from damai.storage.base import PostCursor, StoredPost
from damai.web.checks import row_id_ok, utc_ok
from damai.web.context import WebContext
from damai.web.export import EXPORT_TYPES, export_stream
from damai.web.library import theme_names
from damai.web.render import render, signed_in
from damai.web.triage import triagers

__all__ = ["PAGE_SIZE", "add_posts_routes", "explain_flags", "post_query"]

PAGE_SIZE = 50
Text = Annotated[str | None, Query(max_length=200)]
#: a link filter is a whole URL, which may be long
Link = Annotated[str | None, Query(max_length=2000)]
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


def post_query(ctx: WebContext, form: dict[str, Any]) -> PostQuery:
    """The query of the posts form's filters (a page of :data:`PAGE_SIZE`), or
    :class:`InputError` naming the field to fix."""
    label = form.get("label") or None
    check_label(ctx.store, label)
    query = PostQuery(text=form.get("q") or None, label=label,
                      min_score=_score(form.get("min_score"), "min_score"),
                      max_score=_score(form.get("max_score"), "max_score"),
                      since=_day(form.get("since"), "since"),
                      until=_day(form.get("until"), "until"),
                      platform=form.get("platform") or None,
                      language=form.get("language") or None, limit=PAGE_SIZE)
    return drill_into(query, hashtag=form.get("hashtag"), link=form.get("link"),
                      domain=form.get("domain"), province=form.get("province"),
                      day=form.get("day"))


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
              hashtag: Text = None, link: Link = None, domain: Text = None,
              province: Text = None, day: Text = None, before: Text = None) -> Response:
        form: dict[str, Any] = {"q": q or "", "label": label or "",
                                "min_score": min_score or "", "max_score": max_score or "",
                                "since": since or "",
                                "until": until or "", "platform": platform or "",
                                "language": language or "", "hashtag": hashtag or "",
                                "link": link or "", "domain": domain or "",
                                "province": province or "", "day": day or ""}
        error = None
        items: list[StoredPost] = []
        next_cursor = None
        try:
            query = replace(post_query(ctx, form), before=_cursor(before))
            page = ctx.store.posts.page(query)
            items, next_cursor = page.items, page.next
        except InputError as exc:
            error = exc.message
        counts = ctx.store.posts.post_counts()
        kept = {k: v for k, v in form.items() if v not in (None, "")}
        return render(request, "posts.html", {
            "form": form, "items": items, "error": error, "paged": bool(before),
            "first_qs": urlencode(kept),
            "export_max": settings.get_int("export_max_rows"),
            "next_qs": urlencode({**kept, "before": next_cursor.encode()}) if next_cursor
            else None,
            "labels": [n for n in ctx.store.labels.names() if "." not in n],
            "platforms": sorted(counts["platform"]), "languages": sorted(counts["language"]),
            "provinces": province_names()})

    @app.get("/posts/export")
    def export(request: Request, format: Text = None,
               q: Text = None, label: Text = None, min_score: Score = None,
               max_score: Score = None, since: Text = None, until: Text = None,
               platform: Text = None, language: Text = None, hashtag: Text = None,
               link: Link = None, domain: Text = None, province: Text = None,
               day: Text = None) -> Response:
        form = {k: v for k, v in {"q": q, "label": label, "min_score": min_score,
                                  "max_score": max_score, "since": since, "until": until,
                                  "platform": platform, "language": language,
                                  "hashtag": hashtag, "link": link, "domain": domain,
                                  "province": province, "day": day}.items() if v}
        try:
            if format not in EXPORT_TYPES:
                raise InputError("format: tulis csv atau jsonl / write csv or jsonl")
            query = post_query(ctx, form)
        except InputError as exc:
            return Response(exc.message, status_code=400, media_type="text/plain; charset=utf-8")
        user, ip = signed_in(request)
        return StreamingResponse(
            export_stream(ctx, query, format, user.name, ip, form),
            media_type=EXPORT_TYPES[format],
            headers={"Content-Disposition": f'attachment; filename="damai-posts.{format}"'})

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
            "copies": len(ctx.store.triage_queue.group_of([post_id])) - 1 if analyst else 0,
            "undoable": last_undoable(ctx.store, signed_in(request)[0].name) if analyst else None,
            "claim": ctx.store.claims.for_post(post_id)})
