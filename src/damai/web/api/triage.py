"""The triage work queue (issue #14 part 1): ``GET /api/v1/triage`` (a page of a queue, the same
filters and keyset cursor as the ``/triage`` page, rows as ``damai triage list --json`` gives
them), and its actions: review, dismiss and assign (the posts named and their copies, at most
``MAX_BULK``), a note on a post, and undo of the caller's own last action.

Thin routes over :mod:`damai.pipeline.triage_actions` and the page's reading
(:func:`damai.web.triage_queue.read_page`); a filter or cursor the page would refuse is 400, an
unknown or unflagged post 404, nothing to undo 404. Every action is audited as on the page, in
the token user's name. Plain ``def``: reading a page works out marked priorities, so the routes
run in the thread pool."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from damai.auth import User
from damai.errors import InputError
from damai.pipeline.triage_actions import MAX_BULK, act, add_note, undo, with_copies
from damai.pipeline.triage_rank import FORMULA
from damai.storage import AuditEntry
from damai.storage.triage_queue import NOTE_MAX, Note
from damai.web.api.errors import ApiError, JSONBody, documented
from damai.web.api.responses import answered
from damai.web.api.routes import MAX_PAGE
from damai.web.api.schemas import post_id
from damai.web.api.security import require
from damai.web.checks import MAX_ROW_ID
from damai.web.context import WebContext
from damai.web.triage import Row, assignee_of, row_json, triagers
from damai.web.triage_queue import decode_cursor, parse_filter, read_page

__all__ = ["TriageAssignIn", "TriageIdsIn", "TriageNoteIn", "add_triage_routes"]

_REFUSED = (400, "Filter, kursor atau daftar post tidak sah / Invalid filter, cursor or post "
                 "list.")
_NOT_FOUND = (404, "Post tidak ada atau tidak ditandai / No such flagged post.")
_NOTHING = (404, "Tidak ada aksi untuk dibatalkan / Nothing to undo.")
PostId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
Filter = Annotated[str, Query(max_length=200)]


class TriageIdsIn(BaseModel):
    """Post (id baris, `post_id` dari `GET /triage`); salinannya ikut / Posts (row ids, the
    `post_id` of `GET /triage`); their copies too."""

    model_config = ConfigDict(extra="forbid")

    post_ids: list[PostId] = Field(min_length=1, max_length=MAX_BULK, description=(
        f"1–{MAX_BULK} post, salinan ikut dihitung / 1–{MAX_BULK} posts, copies counted"))


class TriageAssignIn(TriageIdsIn):
    assignee: str | None = Field(None, max_length=64, description=(
        "Pengguna yang boleh triase; null atau kosong: tidak ada / A user who may triage; null "
        "or empty: no one"))


class TriageNoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=NOTE_MAX)


def _api_row(r: Row) -> dict[str, Any]:
    return {**row_json(r), "post": post_id(r.stored.post), "weight": r.weight,
            "flags": list(r.stored.post.flags),
            "judged": {label: j.value for label, j in r.judged.items()},
            "notes": [_note_json(n) for n in r.notes]}


def _note_json(note: Note) -> dict[str, Any]:
    return {"id": note.id, "post_id": note.post_id, "author": note.author, "text": note.text,
            "at": note.at.isoformat()}


def _entry_json(entry: AuditEntry) -> dict[str, Any]:
    detail = entry.detail
    return {"audit_id": entry.id, "action": entry.action, "posts": detail["posts"],
            **{k: detail[k] for k in ("assignee", "undoes") if k in detail}}


def add_triage_routes(router: APIRouter, ctx: WebContext) -> None:
    store = ctx.store

    @router.get("/triage", summary="Antrean triase / The triage queue",
                responses=documented(_REFUSED))
    def queue(_: Annotated[User, Depends(require(ctx, "GET", "/triage"))],
              queue: Filter = "harm", status: Filter = "open", label: Filter = "",
              platform: Filter = "", since: Filter = "", until: Filter = "",
              province: Filter = "", assignee: Filter = "",
              limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
              cursor: Annotated[str | None, Query(max_length=512)] = None) -> JSONBody:
        """`items`: prioritas tertinggi dulu, satu baris per kelompok salinan (`copies`);
        filter seperti halaman /triage (`since`/`until`: YYYY-MM-DD UTC, `assignee` `-`: belum
        ditugaskan) / highest priority first, one row per group of copies; filters as on the
        /triage page (`since`/`until`: UTC days, `assignee` `-`: unassigned)."""
        params = {"queue": queue, "status": status, "label": label, "platform": platform,
                  "since": since, "until": until, "province": province, "assignee": assignee}
        try:
            chosen = parse_filter(params, triagers(ctx))
        except InputError as exc:
            raise ApiError(400, "invalid_filter", exc.message) from None
        try:
            after = decode_cursor(cursor) if cursor else None
        except InputError as exc:
            raise ApiError(400, "invalid_cursor", exc.message, {"reason": "malformed"}) from None
        rows, next_cursor, weights = read_page(ctx, chosen, after, limit)
        return JSONBody({"items": [_api_row(r) for r in rows], "next_cursor": next_cursor,
                         "marked": store.triage_queue.marked(), "formula": FORMULA,
                         "weights": weights.by_label})

    def judge(body: TriageIdsIn, user: User, action: str) -> JSONBody:
        with answered():
            posts = with_copies(store, body.post_ids)
            entry = act(store, posts, action, user=user.name, ip=None)
        return JSONBody(_entry_json(entry))

    @router.post("/triage/review", responses=documented(_REFUSED, _NOT_FOUND),
                 summary="Tandai ditinjau / Mark reviewed")
    def review(body: TriageIdsIn, user: Annotated[User, Depends(require(
            ctx, "POST", "/triage/review"))]) -> JSONBody:
        """Setiap tanda benar (koreksi 1), salinan ikut; diaudit `triage_review` / Every flag
        right (a correction 1), copies too; audited as `triage_review`."""
        return judge(body, user, "review")

    @router.post("/triage/dismiss", responses=documented(_REFUSED, _NOT_FOUND),
                 summary="Tolak / Dismiss")
    def dismiss(body: TriageIdsIn, user: Annotated[User, Depends(require(
            ctx, "POST", "/triage/dismiss"))]) -> JSONBody:
        """Setiap tanda salah (koreksi 0), salinan ikut; API tidak bertanya lagi: tanyakan
        pengguna Anda dulu. Diaudit `triage_dismiss` / Every flag wrong (a correction 0),
        copies too; the API asks nothing: ask your user first. Audited as `triage_dismiss`."""
        return judge(body, user, "dismiss")

    @router.post("/triage/assign", responses=documented(_REFUSED, _NOT_FOUND),
                 summary="Tugaskan / Assign")
    def assign(body: TriageAssignIn, user: Annotated[User, Depends(require(
            ctx, "POST", "/triage/assign"))]) -> JSONBody:
        """Post dan salinannya kepada `assignee` (atau tidak kepada siapa pun); diaudit
        `triage_assign` / The posts and their copies to `assignee` (or no one); audited as
        `triage_assign`."""
        with answered():
            name = assignee_of(ctx, body.assignee)
            posts = with_copies(store, body.post_ids)
            entry = act(store, posts, "assign", user=user.name, ip=None, assignee=name)
        return JSONBody(_entry_json(entry))

    @router.post("/triage/undo", responses=documented(_NOTHING),
                 summary="Batalkan aksi terakhir / Undo the last action")
    def undo_last(user: Annotated[User, Depends(require(ctx, "POST", "/triage/undo"))]
                  ) -> JSONBody:
        """Aksi tinjau/tolak/tugaskan terakhir Anda (juga dari halaman), sekali: entri audit
        `triage_undo` yang menamai entri yang dibatalkan / Your own last review, dismiss or
        assign (from the page too), once: a `triage_undo` audit entry naming the one undone."""
        with answered():
            entry = undo(store, user=user.name, ip=None)
        return JSONBody({**_entry_json(entry), "undone_action": entry.detail["action"]})

    @router.post("/triage/{post_id}/note", status_code=201,
                 responses=documented(_REFUSED, _NOT_FOUND),
                 summary="Tambah catatan / Add a note")
    def note(post_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)], body: TriageNoteIn,
             user: Annotated[User, Depends(require(ctx, "POST", "/triage/{post_id}/note"))]
             ) -> JSONBody:
        """1–2.000 karakter, dengan penulis dan waktu; diaudit `triage_note` / 1–2,000
        characters, with author and time; audited as `triage_note`."""
        with answered():
            made = add_note(store, post_id, body.text, user=user.name, ip=None)
        return JSONBody(_note_json(made), status_code=201)
