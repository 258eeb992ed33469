"""The triage work queue page (issue #14 part 1): ``/triage``.

Three queues as tabs, so harms and information never crowd each other out: harms, disaster
posts and counter-speech. Each is ordered by the stated priority (weight × severity × reach,
:mod:`damai.pipeline.triage_rank`, weights from ``DAMAI_TRIAGE_WEIGHTS``), in keyset pages of
:data:`PAGE` rows (a cursor over priority and id, stable while posts arrive), filtered by label,
platform, time (UTC days), province, assignee and status. Copies (a narrative, or a post and its
reposts) are shown once, with how many more there are; a bulk action on that row applies to all.

Bulk actions: select rows, then review, dismiss or assign. Dismissing asks first (a page of
its own, so it works without JavaScript). Undo puts back the user's last action (see
:mod:`damai.pipeline.triage_actions`). Anything the page cannot read is refused with 400 and why.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request, Response
from fastapi.responses import RedirectResponse

from damai.errors import InputError, NotFound
from damai.pipeline.triage_actions import (
    ACTIONS,
    MAX_BULK,
    act,
    last_undoable,
    undo,
    with_copies,
)
from damai.pipeline.triage_rank import FORMULA, QUEUES, Weights, sync_queue
from damai.storage.base import StoredPost
from damai.storage.schema import TRIAGE_STATUSES
from damai.storage.triage_queue import UNASSIGNED, QueueFilter
from damai.understand.gazetteer import gazetteer
from damai.understand.taxonomy import load_taxonomy
from damai.web.context import WebContext
from damai.web.render import render, signed_in
from damai.web.security import CSRF
from damai.web.triage import FILTERS, Row, assignee_of, queue_url, rows_of, triagers

__all__ = ["PAGE", "add_triage_queue_routes", "decode_cursor", "encode_cursor", "parse_filter",
           "provinces", "read_page"]

PAGE: Final = 50
#: the most marked rows one page read works out (about a second); the scheduler does the rest,
#: e.g. every row after a change of DAMAI_TRIAGE_WEIGHTS
SYNC_MOST: Final = 4000
_PLATFORM: Final = re.compile(r"[a-z0-9_]{1,32}")
_CURSOR: Final = re.compile(r"[A-Za-z0-9_=-]{1,64}")


@cache
def provinces() -> tuple[str, ...]:
    """The official province names (the gazetteer's), sorted."""
    return tuple(sorted({p.province for p in gazetteer().by_name.values()
                         if p.level == "province"}))


def encode_cursor(priority: float, post_id: int) -> str:
    return base64.urlsafe_b64encode(f"{priority!r}:{post_id}".encode()).decode()


def decode_cursor(text: str) -> tuple[float, int]:
    """The (priority, id) a cursor names; anything else is refused."""
    try:
        if not _CURSOR.fullmatch(text):
            raise ValueError(text)
        priority, post_id = base64.urlsafe_b64decode(text).decode().split(":")
        found = float(priority), int(post_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InputError("kursor halaman tidak sah / the page cursor is not valid; "
                         "open the queue again from its first page") from None
    if not math.isfinite(found[0]) or not 0 < found[1] < 2**63:
        raise InputError("kursor halaman tidak sah / the page cursor is not valid")
    return found


def _day(value: str, name: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise InputError(f"{name}: tulis tanggal YYYY-MM-DD / write a date as YYYY-MM-DD, "
                         f"not {value[:20]!r}") from None


def _known(value: str, allowed: tuple[str, ...] | set[str], name: str) -> str:
    if value not in allowed:
        raise InputError(f"{name} {value[:40]!r} tidak dikenal / unknown; choose "
                         f"{', '.join(sorted(allowed)[:12])}")
    return value


def parse_filter(params: dict[str, str], users: list[str]) -> QueueFilter:
    """The queue filter the query string asks for; 400 (InputError) with why, if unreadable."""
    get = {k: params.get(k, "").strip() for k in FILTERS}
    taxonomy = load_taxonomy()
    labels = set(taxonomy.kinds) | set(taxonomy.names)
    if get["platform"] and not _PLATFORM.fullmatch(get["platform"]):
        raise InputError("platform: huruf kecil, angka, _ / lower-case letters, digits, _")
    return QueueFilter(
        queue=_known(get["queue"] or "harm", QUEUES, "queue"),
        status=_known(get["status"] or "open", TRIAGE_STATUSES, "status"),
        label=_known(get["label"], labels, "label") if get["label"] else None,
        platform=get["platform"] or None,
        since=_day(get["since"], "since") if get["since"] else None,
        until=_day(get["until"], "until") + timedelta(days=1) if get["until"] else None,
        province=_known(get["province"], provinces(), "province") if get["province"] else None,
        assignee=(_known(get["assignee"], (UNASSIGNED, *users), "assignee")
                  if get["assignee"] else None))


def _query(params: dict[str, str], **change: str) -> str:
    kept = {k: params[k] for k in FILTERS if params.get(k)}
    kept.update({k: v for k, v in change.items() if v})
    return urlencode(kept)


def read_page(ctx: WebContext, chosen: QueueFilter, after: tuple[float, int] | None,
              limit: int) -> tuple[list[Row], str | None, Weights]:
    """One page of the queue (works out up to :data:`SYNC_MOST` marked rows first): its rows,
    the cursor of the next page (None on the last) and the weights in use. The page and the
    API read through here."""
    weights, _ = sync_queue(ctx.store, SYNC_MOST)
    found = ctx.store.triage_queue.page(chosen, after, limit + 1)
    rows = rows_of(ctx, found[:limit], weights)
    last = rows[-1] if len(found) > limit else None
    return rows, encode_cursor(last.priority, last.stored.id) if last else None, weights


def add_triage_queue_routes(app: FastAPI, ctx: WebContext) -> None:
    def page(request: Request, params: dict[str, str]) -> Response:
        user, _ = signed_in(request)
        users = triagers(ctx)
        try:
            chosen = parse_filter(params, users)
            after = decode_cursor(params["after"]) if params.get("after") else None
        except InputError as exc:
            return render(request, "triage_message.html", {"error": exc.message}, 400)
        rows, after_last, weights = read_page(ctx, chosen, after, PAGE)
        return render(request, "triage.html", {
            "ranked": rows, "users": users, "chosen": chosen, "params": params,
            "queues": QUEUES, "statuses": TRIAGE_STATUSES, "provinces": provinces(),
            "labels": sorted(load_taxonomy().kinds), "formula": FORMULA,
            "weights": sorted(weights.by_label.items(), key=lambda kv: -kv[1]),
            "unassigned": UNASSIGNED, "query": _query(params),
            "tab": {q: _query(params, queue=q) for q in QUEUES},
            "next": f"/triage?{_query(params)}&after={after_last}" if after_last else None,
            "undoable": last_undoable(ctx.store, user.name), "max_bulk": MAX_BULK,
            "marked": ctx.store.triage_queue.marked()})

    @app.get("/triage")
    def triage(request: Request) -> Response:
        params = dict(request.query_params)
        return page(request, {k: v[:200] for k, v in params.items()})

    def back_to(where: str, query: str, posts: list[StoredPost]) -> RedirectResponse:
        if where == "post" and posts:
            return RedirectResponse(f"/posts/{posts[0].id}", status_code=303)
        return RedirectResponse(queue_url(query), status_code=303)

    @app.post("/triage/bulk", dependencies=CSRF)
    def bulk(request: Request, action: Annotated[str, Form(max_length=16)],
             ids: Annotated[list[int], Form()],
             assignee: Annotated[str, Form(max_length=64)] = "",
             confirm: Annotated[str, Form(max_length=8)] = "",
             back: Annotated[str, Form(max_length=8)] = "triage",
             query: Annotated[str, Form(max_length=2000)] = "") -> Response:
        """Review, dismiss or assign the selected rows (and their copies); dismiss asks first."""
        user, ip = signed_in(request)
        try:
            _known(action, tuple(ACTIONS), "action")
            posts = with_copies(ctx.store, ids)
            target = assignee_of(ctx, assignee)
        except InputError as exc:
            status = 404 if isinstance(exc, NotFound) else 400
            return render(request, "triage_message.html", {"error": exc.message}, status)
        if action == "dismiss" and confirm != "yes":
            return render(request, "triage_confirm.html", {
                "posts": posts, "ids": ids, "back": back, "query": query})
        act(ctx.store, posts, action, user=user.name, ip=ip, assignee=target)
        return back_to(back, query, posts)

    @app.post("/triage/undo", dependencies=CSRF)
    def undo_last(request: Request, back: Annotated[str, Form(max_length=8)] = "triage",
                  query: Annotated[str, Form(max_length=2000)] = "") -> Response:
        """Put back what the user's last triage action changed (a compensating entry)."""
        user, ip = signed_in(request)
        try:
            entry = undo(ctx.store, user=user.name, ip=ip)
        except NotFound as exc:
            return render(request, "triage_message.html", {"error": exc.message}, 404)
        posts = [s for i in entry.detail["posts"][:1]
                 if (s := ctx.store.posts.get_by_id(int(i))) is not None]
        return back_to(back, query, posts)
