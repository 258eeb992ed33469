"""The post-disaster hoax watch (issue #13 part 7): ``GET /api/v1/hoaxwatch`` (the queues, the
same shape as ``damai alerts hoaxwatch --json``), and its two actions: propose an item's
suggested correction for review (201, the response) or dismiss the post (audited).

Thin routes over :mod:`damai.pipeline.hoaxwatch`; an unknown event or post is 404, an event with
no time 400, a second draft of one item 409. Plain ``def``: building a queue reads and scans
posts and proposing runs the harm check, so they run in the thread pool."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from damai.auth import User
from damai.pipeline.hoaxwatch import dismiss, draft, watch
from damai.pipeline.responses import Actor
from damai.web.api.errors import JSONBody, documented
from damai.web.api.responses import answered
from damai.web.api.schemas import DecisionIn, ResponseOut
from damai.web.api.security import require
from damai.web.context import WebContext

__all__ = ["add_hoaxwatch_routes"]

RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_NOT_FOUND = (404, "Kejadian atau post tidak ada / No such event or post.")
_NO_TIME = (400, "Kejadian tanpa waktu tidak punya jendela / An event with no time has no "
                 "window.")
_DRAFTED = (409, "Koreksi post ini sudah diusulkan / This post's correction was already "
                 "proposed.")


def add_hoaxwatch_routes(router: APIRouter, ctx: WebContext) -> None:
    store = ctx.store

    @router.get("/hoaxwatch", summary="Antrean pantauan hoaks / The hoax-watch queue",
                responses=documented(_NOT_FOUND, _NO_TIME))
    def queues(user: Annotated[User, Depends(require(ctx, "GET", "/hoaxwatch"))],
               event: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None) -> JSONBody:
        """`events`: antrean tiap kejadian DAMAI_HOAXWATCH_DAYS hari terakhir, atau satu
        kejadian (`event`) / each queue of the last DAMAI_HOAXWATCH_DAYS days' events, or of
        one event."""
        with answered():
            return JSONBody({"events": [w.to_dict() for w in watch(store, event_id=event)]})

    @router.post("/hoaxwatch/{event_id}/{post_id}/draft", status_code=201,
                 response_model=ResponseOut, responses=documented(_NOT_FOUND, _DRAFTED),
                 summary="Usulkan koreksi / Propose the correction")
    def draft_one(event_id: RowId, post_id: RowId,
                  user: Annotated[User, Depends(require(
                      ctx, "POST", "/hoaxwatch/{event_id}/{post_id}/draft"))]) -> JSONBody:
        """Koreksi yang disarankan (teks Indonesia) menjadi tanggapan dalam tinjauan, dengan
        post dan kejadiannya / The suggested correction (its Indonesian text) becomes a
        response in review, carrying the post and the event."""
        with answered():
            made = draft(store, ctx.model(), Actor(user.name, user.role), event_id, post_id)
        return JSONBody(made.to_dict(), status_code=201)

    @router.post("/hoaxwatch/{event_id}/{post_id}/dismiss",
                 responses=documented(_NOT_FOUND),
                 summary="Singkirkan post dari antrean / Dismiss a post from the queue")
    def dismiss_one(event_id: RowId, post_id: RowId, body: DecisionIn,
                    user: Annotated[User, Depends(require(
                        ctx, "POST", "/hoaxwatch/{event_id}/{post_id}/dismiss"))]) -> JSONBody:
        """Dicatat di log audit; kedua kalinya tidak mengubah apa pun (`new`: false) / Audited;
        a second time changes nothing (`new`: false)."""
        with answered():
            made, new = dismiss(store, Actor(user.name, user.role), event_id, post_id,
                                body.reason)
        return JSONBody({"event_id": made.event_id, "post_id": made.post_id,
                         "dismissed_by": made.dismissed_by,
                         "dismissed_at": made.dismissed_at.isoformat(), "reason": made.reason,
                         "new": new})
