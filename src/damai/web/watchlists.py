"""The watchlist pages (issue #14 part 5): ``/watchlists`` (each watchlist with its last
window's count against its baseline; analysts save, check and remove them) and
``/notifications`` (the spikes raised, each with its deliveries, pending and failed ones marked,
and the ones the signed-in user has not read), with ``/notifications/{notification_id}`` listing
the posts behind one. ``/notifications/badge`` is the header's bell, polled by htmx: the
notifications of the last :data:`BELL_HOURS` hours that the signed-in user has not read.

Read state is each user's own (``notification_reads``), as in a mail client: opening a
notification marks it read, and ``POST /notifications/read`` ("mark all as read") marks read
every notification the list showed (up to its newest id, so one raised meanwhile stays unread).
Viewing the list alone marks nothing: a spike nobody opened is still new.

The handlers are module-level functions; ``add_watchlist_routes`` only registers them. Counting
reads posts, so every handler is a plain ``def`` and runs in the thread pool.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Final
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Request, Response
from fastapi.responses import RedirectResponse

from damai.errors import ConfigError, InputError
from damai.pipeline.watchlists import Rule, add, assess, check, remove
from damai.storage.watchlists import Notification
from damai.web.checks import row_id_ok
from damai.web.context import WebContext
from damai.web.render import render, signed_in
from damai.web.security import CSRF

__all__ = ["BELL_HOURS", "add_watchlist_routes", "posts_search"]

#: the bell counts the notifications of the last this many hours
BELL_HOURS: Final = 24


def posts_search(note: Notification, words: str | None, labels: tuple[str, ...],
                 provinces: tuple[str, ...]) -> str | None:
    """The ``/posts`` search closest to a notification (its words, its one label, the window's
    days), or None when ``/posts`` cannot express the watchlist (provinces, several labels)."""
    if provinces or len(labels) > 1:
        return None
    last_day = (note.window_end - timedelta(microseconds=1)).date()  # ``until`` excludes its day
    query = {"q": words or "", "label": labels[0] if labels else "",
             "since": f"{note.window_start:%Y-%m-%d}",
             "until": f"{last_day + timedelta(days=1):%Y-%m-%d}"}
    return "/posts?" + urlencode({k: v for k, v in query.items() if v})


def watchlists_page(ctx: WebContext, request: Request, *, error: str | None = None,
                    form: dict[str, str] | None = None, status: int = 200) -> Response:
    store = ctx.store
    try:
        rule = Rule.from_settings()
    except ConfigError:  # the server's settings (logged by the scheduler): say so
        return render(request, "error.html", {"message": "watch.settings_bad"}, 503)
    found = [assess(store, w, rule=rule) for w in store.watchlists.listing()]
    return render(request, "watchlists.html", {
        "found": found, "error": error, "form": form or {"name": "", "query": ""},
        "rule": rule, "window_minutes": round(rule.window.total_seconds() / 60)}, status)


def create(ctx: WebContext, request: Request, name: str, query: str) -> Response:
    user, ip = signed_in(request)
    try:
        add(ctx.store, name, query, actor=user.name, ip=ip)
    except InputError as exc:
        return watchlists_page(ctx, request, error=exc.message,
                               form={"name": name, "query": query}, status=400)
    return RedirectResponse("/watchlists", status_code=303)


def delete(ctx: WebContext, request: Request, watchlist_id: int) -> Response:
    user, ip = signed_in(request)
    try:
        remove(ctx.store, watchlist_id, actor=user.name, ip=ip)
    except InputError:
        return render(request, "error.html", {"message": "error.not_found"}, 404)
    return RedirectResponse("/watchlists", status_code=303)


def check_now(ctx: WebContext, request: Request) -> Response:
    """Run the rule now; e-mail and Telegram go out with the scheduler's next run, so the
    request never waits on a mail server."""
    check(ctx.store)
    return RedirectResponse("/notifications", status_code=303)


def notifications_page(ctx: WebContext, request: Request) -> Response:
    user, _ = signed_in(request)
    return render(request, "notifications.html", {
        "notes": ctx.store.watchlists.notifications(limit=100, reader=user.id)})


def mark_all_read(ctx: WebContext, request: Request, upto: int) -> Response:
    user, _ = signed_in(request)
    if row_id_ok(upto):
        ctx.store.watchlists.mark_read(user.id, datetime.now(UTC), upto=upto)
    return RedirectResponse("/notifications", status_code=303)


def notification_page(ctx: WebContext, request: Request, notification_id: int) -> Response:
    store = ctx.store
    note = store.watchlists.notification(notification_id) if row_id_ok(notification_id) else None
    if note is None:
        return render(request, "error.html", {"message": "error.not_found"}, 404)
    store.watchlists.mark_read(signed_in(request)[0].id, datetime.now(UTC),
                               notification_id=note.id)
    watchlist = store.watchlists.get(note.watchlist_id)
    search = posts_search(note, watchlist.spec.words, watchlist.spec.labels,
                          watchlist.spec.provinces) if watchlist else None
    items = store.posts.get_many(store.watchlists.posts_of(note.id))
    items.sort(key=lambda s: (s.post.created_at, s.id), reverse=True)
    return render(request, "notification.html", {
        "note": note, "watchlist": watchlist, "items": items, "search": search})


def bell(ctx: WebContext, request: Request) -> Response:
    since = datetime.now(UTC) - timedelta(hours=BELL_HOURS)
    user, _ = signed_in(request)
    return render(request, "_bell.html", {"n": ctx.store.watchlists.unread(user.id, since),
                                          "pending": ctx.store.watchlists.pending()})


def add_watchlist_routes(app: FastAPI, ctx: WebContext) -> None:
    @app.get("/watchlists")
    def listing(request: Request) -> Response:
        return watchlists_page(ctx, request)

    @app.post("/watchlists", dependencies=CSRF)
    def save(request: Request, name: Annotated[str, Form(max_length=200)] = "",
             query: Annotated[str, Form(max_length=500)] = "") -> Response:
        return create(ctx, request, name, query)

    @app.post("/watchlists/check", dependencies=CSRF)
    def check_all(request: Request) -> Response:
        return check_now(ctx, request)

    @app.post("/watchlists/{watchlist_id}/delete", dependencies=CSRF)
    def drop(request: Request, watchlist_id: int) -> Response:
        if not row_id_ok(watchlist_id):
            return render(request, "error.html", {"message": "error.not_found"}, 404)
        return delete(ctx, request, watchlist_id)

    @app.get("/notifications")
    def notes(request: Request) -> Response:
        return notifications_page(ctx, request)

    @app.post("/notifications/read", dependencies=CSRF)
    def read_all(request: Request, upto: Annotated[int, Form()] = 0) -> Response:
        return mark_all_read(ctx, request, upto)

    @app.get("/notifications/badge")
    def badge(request: Request) -> Response:
        return bell(ctx, request)

    @app.get("/notifications/{notification_id}")
    def one(request: Request, notification_id: int) -> Response:
        return notification_page(ctx, request, notification_id)
