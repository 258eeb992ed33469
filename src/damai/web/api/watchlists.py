"""Watchlists and their notifications (issue #14 part 5): ``GET/POST /api/v1/watchlists``,
``GET/DELETE /api/v1/watchlists/{watchlist_id}`` and ``GET /api/v1/notifications``, the same
shapes as ``damai watchlists list|show --json``.

Thin routes over :mod:`damai.pipeline.watchlists`; a query that cannot run is refused with 400 and
the reason, an unknown watchlist is 404. Plain ``def``: counting reads posts, so the routes run in
the thread pool."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from damai.auth import User
from damai.errors import ConfigError
from damai.pipeline.watchlists import Rule, add, assess, remove
from damai.web.api.errors import ApiError, JSONBody, documented
from damai.web.api.responses import answered
from damai.web.api.security import require
from damai.web.checks import MAX_ROW_ID
from damai.web.context import WebContext

__all__ = ["WatchlistIn", "add_watchlist_routes"]

_NOT_FOUND = (404, "Daftar pantau tidak ada / No such watchlist.")
_REFUSED = (400, "Kueri tidak bisa dijalankan / The query cannot run.")
_SETTINGS = (503, "Pengaturan DAMAI_WATCH_* tidak sah / The DAMAI_WATCH_* settings are invalid.")
WatchlistId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def _rule() -> Rule:
    try:
        return Rule.from_settings()
    except ConfigError as exc:
        raise ApiError(503, "settings_invalid", "pengaturan tidak sah / invalid settings: "
                       f"{exc.message}") from None


class WatchlistIn(BaseModel):
    """Nama dan kueri: kata, label:…, provinsi:"…" / A name and a query: words, label:…,
    provinsi:"…"."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    query: str = Field(min_length=1, max_length=500)


class ReadIn(BaseModel):
    """Sampai pemberitahuan mana / Up to which notification."""

    model_config = ConfigDict(extra="forbid")

    upto: int = Field(ge=1, le=MAX_ROW_ID, description=(
        "id pemberitahuan terbaru yang sudah dilihat; yang muncul sesudahnya tetap belum dibaca "
        "/ the newest notification id seen; one raised after it stays unread"))


def add_watchlist_routes(router: APIRouter, ctx: WebContext) -> None:
    store = ctx.store

    @router.get("/watchlists", summary="Daftar pantau / Watchlists",
                responses=documented(_SETTINGS))
    def listing(_: Annotated[User, Depends(require(ctx, "GET", "/watchlists"))]) -> JSONBody:
        """`items`: tiap daftar pantau dengan hitungan jendela terakhir, baseline dan p / each
        watchlist with its last window's count, baseline and p."""
        rule = _rule()
        return JSONBody({"items": [assess(store, w, rule=rule).to_dict()
                                   for w in store.watchlists.listing()]})

    @router.post("/watchlists", status_code=201, responses=documented(_REFUSED),
                 summary="Simpan daftar pantau / Save a watchlist")
    def save(body: WatchlistIn,
             user: Annotated[User, Depends(require(ctx, "POST", "/watchlists"))]) -> JSONBody:
        """Kueri yang tidak bisa dijalankan ditolak (400) dengan alasannya / A query that
        cannot run is refused (400) with the reason."""
        with answered():
            made = add(store, body.name, body.query, actor=user.name)
        return JSONBody(made.to_dict(), status_code=201)

    @router.get("/watchlists/{watchlist_id}", responses=documented(_NOT_FOUND, _SETTINGS),
                summary="Satu daftar pantau / One watchlist")
    def one(_: Annotated[User, Depends(require(ctx, "GET", "/watchlists/{watchlist_id}"))],
            watchlist_id: WatchlistId) -> JSONBody:
        """Hitungan kini dan pemberitahuannya / Its count now and its notifications."""
        found = store.watchlists.get(watchlist_id)
        if found is None:
            raise ApiError(404, "watchlist_not_found", f"daftar pantau {watchlist_id} tidak "
                                                         f"ada / no watchlist {watchlist_id}")
        notes = store.watchlists.notifications(watchlist_id=watchlist_id)
        return JSONBody({**assess(store, found, rule=_rule()).to_dict(),
                         "notifications": [n.to_dict() for n in notes]})

    @router.delete("/watchlists/{watchlist_id}", responses=documented(_NOT_FOUND),
                   summary="Hapus daftar pantau / Remove a watchlist")
    def drop(user: Annotated[User, Depends(require(ctx, "DELETE",
                                                   "/watchlists/{watchlist_id}"))],
             watchlist_id: WatchlistId) -> JSONBody:
        """Dengan pemberitahuannya; dicatat di log audit / With its notifications; audited."""
        with answered():
            remove(store, watchlist_id, actor=user.name)
        return JSONBody({"id": watchlist_id, "removed": True})

    @router.get("/notifications", summary="Pemberitahuan / Notifications")
    def notifications(user: Annotated[User, Depends(require(ctx, "GET", "/notifications"))],
                      limit: Annotated[int, Query(ge=1, le=500)] = 50) -> JSONBody:
        """`items`: terbaru dulu, tiap satu dengan pengirimannya (`pending` sampai terkirim,
        `failed` bila ditolak untuk selamanya, dengan `last_error`), `read` (pemilik token
        sudah membukanya di dasbor) dan `posts`, tautan ke post di baliknya / newest first,
        each with its deliveries (`pending` until sent, `failed` when refused for good, with
        `last_error`), `read` (the token's user opened it on the dashboard) and `posts`, the
        link to the posts behind it."""
        notes = store.watchlists.notifications(limit=limit, reader=user.id)
        return JSONBody({"items": [{**n.to_dict(), "posts": f"/notifications/{n.id}",
                                    "post_ids": store.watchlists.posts_of(n.id)}
                                   for n in notes]})

    @router.post("/notifications/read",
                 summary="Tandai sudah dibaca / Mark as read")
    def mark_read(user: Annotated[User, Depends(require(ctx, "POST", "/notifications/read"))],
                  body: ReadIn) -> JSONBody:
        """Menandai pemberitahuan sampai `upto` sudah dibaca oleh pemilik token saja, seperti
        tombol di dasbor; `marked`: berapa yang baru ditandai / Marks the notifications up to
        `upto` read for the token's user only, as the dashboard's button does; `marked`: how
        many became read."""
        marked = store.watchlists.mark_read(user.id, datetime.now(UTC), upto=body.upto)
        return JSONBody({"marked": marked, "upto": body.upto})
