"""Responses and publications (issue #11): propose, edit, approve, reject, get, publish, and
retract (issue #12).

Thin routes over :mod:`damai.pipeline.responses` and :mod:`damai.pipeline.publishing`, which
hold every rule (roles again, four-eyes, the harm check, the publishing boundary); this module
only turns their refusals into the API's statuses: a missing post, entry or response is 404,
approving one's own proposal 403 ``four_eyes``, a step from the wrong state (or publishing
anything not approved) 409. The routes are plain ``def``: the harm check runs the model, so they
run in the thread pool, never on the event loop.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Path

from damai.auth import User
from damai.errors import ConfigError, InputError, NotFound, ReviewRefused
from damai.pipeline.publishing import pause_channel, publish, resume_channel, retract
from damai.pipeline.responses import Actor, approve, edit, propose, propose_draft, reject
from damai.publishers import parse_channel
from damai.publishers.limits import rate_limit
from damai.respond.drafting import DrafterUnavailable, configured_drafter
from damai.web.api.errors import ApiError, JSONBody, documented
from damai.web.api.schemas import (
    ChannelIn,
    ChannelOut,
    DecisionIn,
    PublicationIn,
    PublicationOut,
    ResponseEditIn,
    ResponseIn,
    ResponseOut,
)
from damai.web.api.security import require
from damai.web.context import WebContext

__all__ = ["add_response_routes"]

ResponseId = Annotated[int, Path(ge=1, le=2**63 - 1)]
#: a refusal's reason → its status
_STATUS: Final = {"four_eyes": 403, "forbidden": 403, "unknown_channel": 400}
_NOT_FOUND = (404, "Post, entri atau tanggapan tidak ada / No such post, entry or response.")
_BAD = (400, "Kanal tidak dikenal / Unknown channel.")

_RETRACT_FAILED = (502, "Platform menolak atau gagal menghapus; publikasi tetap `sent` / The "
                        "platform refused or failed the delete; the publication stays `sent`.")
_CONFLICT = (409, "Status tidak mengizinkan langkah ini, mis. belum disetujui / The state does "
                  "not allow this step, e.g. not approved.")


@contextmanager
def answered() -> Iterator[None]:
    """The pipeline's refusals as API errors."""
    try:
        yield
    except NotFound as exc:
        raise ApiError(404, "not_found", exc.message) from None
    except DrafterUnavailable as exc:
        raise ApiError(503, "drafter_unavailable", exc.message) from None
    except ReviewRefused as exc:
        raise ApiError(_STATUS.get(exc.reason, 409), exc.reason, exc.message) from None
    except InputError as exc:
        raise ApiError(400, "invalid_input", exc.message) from None
    except ConfigError as exc:  # a channel without its credential
        raise ApiError(409, "channel_not_configured", exc.message) from None


def _actor(user: User, ip: str | None = None) -> Actor:
    return Actor(user.name, user.role, ip)


def add_response_routes(router: APIRouter, ctx: WebContext) -> None:
    store = ctx.store

    def allowed(method: str, path: str) -> Callable[..., User]:
        return require(ctx, method, path)

    @router.post("/responses", status_code=201, response_model=ResponseOut,
                 summary="Usulkan tanggapan / Propose a response",
                 responses=documented(_NOT_FOUND, _CONFLICT, (
                     503, "Server draf gagal atau lambat / The drafting server failed or was "
                          "slow.")))
    def create(body: ResponseIn,
               user: Annotated[User, Depends(allowed("POST", "/responses"))]) -> JSONBody:
        """Tanggapan baru langsung masuk tinjauan; teks dinilai model yang bertugas dan
        diblokir bila skornya tinggi pada label berbahaya. Dengan `draft`, teks adalah draf
        mesin dari entri / A new response goes straight to review; its text is scored by the
        model in service and blocked when it scores high on a harmful label. With `draft`, the
        text is a machine draft from the entry (503 when the drafting server fails)."""
        with answered():
            if body.draft:
                assert body.entry_id is not None  # the schema checked it
                made = propose_draft(store, ctx.model(), _actor(user), configured_drafter(),
                                     entry_id=body.entry_id, post_ref=body.post_id,
                                     channel=body.channel)
            else:
                made = propose(store, ctx.model(), _actor(user), text=body.text,
                               entry_id=body.entry_id, post_ref=body.post_id)
        return JSONBody(made.to_dict(), status_code=201)

    @router.get("/responses/{response_id}", response_model=ResponseOut,
                summary="Ambil satu tanggapan / Get one response",
                responses=documented(_NOT_FOUND))
    def get(response_id: ResponseId,
            _: Annotated[User, Depends(allowed("GET", "/responses/{response_id}"))]) -> JSONBody:
        found = store.responses.get(response_id)
        if found is None:
            raise ApiError(404, "not_found", f"Tanggapan {response_id} tidak ada / No response "
                                             f"{response_id}.")
        return JSONBody(found.to_dict())

    @router.patch("/responses/{response_id}", response_model=ResponseOut,
                  summary="Ubah teks tanggapan / Edit a response's text",
                  responses=documented(_NOT_FOUND, _CONFLICT))
    def change(response_id: ResponseId, body: ResponseEditIn,
               user: Annotated[User, Depends(allowed("PATCH", "/responses/{response_id}"))]
               ) -> JSONBody:
        """Versi teks berikutnya, dinilai lagi; yang sudah disetujui kembali ke tinjauan /
        The next version of the text, scored again; an approved response goes back to
        review."""
        with answered():
            return JSONBody(edit(store, ctx.model(), _actor(user), response_id,
                                 body.text).to_dict())

    @router.post("/responses/{response_id}/approve", response_model=ResponseOut,
                 summary="Setujui tanggapan / Approve a response",
                 responses=documented(_NOT_FOUND, _CONFLICT))
    def approve_one(response_id: ResponseId,
                    user: Annotated[User, Depends(allowed("POST",
                                                          "/responses/{response_id}/approve"))]
                    ) -> JSONBody:
        """Dengan tinjauan empat mata (bawaan), usulan sendiri dijawab 403 `four_eyes` / With
        four-eyes review (the default), one's own proposal gets 403 `four_eyes`."""
        with answered():
            return JSONBody(approve(store, _actor(user), response_id).to_dict())

    @router.post("/responses/{response_id}/reject", response_model=ResponseOut,
                 summary="Tolak tanggapan / Reject a response",
                 responses=documented(_NOT_FOUND, _CONFLICT))
    def reject_one(response_id: ResponseId,
                   user: Annotated[User, Depends(allowed("POST",
                                                         "/responses/{response_id}/reject"))],
                   body: DecisionIn | None = None) -> JSONBody:
        with answered():
            done = reject(store, _actor(user), response_id, body.reason if body else None)
        return JSONBody(done.to_dict())

    @router.post("/publications", status_code=201, response_model=PublicationOut,
                 summary="Terbitkan / Publish",
                 responses={**documented(_NOT_FOUND, _CONFLICT),
                            200: {"model": PublicationOut,
                                  "description": "Sudah diterbitkan: publikasi yang ada / "
                                                 "Already published: the existing one."}})
    def publish_one(body: PublicationIn,
                    user: Annotated[User, Depends(allowed("POST", "/publications"))]
                    ) -> JSONBody:
        """Hanya yang disetujui (409 bila tidak); teks yang sama ke kanal yang sama sekali saja
        (201 baru, 200 yang sudah ada) / Only approved content (409 if not); the same text to
        the same channel once (201 new, 200 the existing one)."""
        with answered():
            done, new = publish(store, _actor(user), body.channel,
                                response_id=body.response_id, entry_id=body.entry_id,
                                wait=False)
        return JSONBody(done.to_dict(), status_code=201 if new else 200)

    @router.get("/channels", response_model=list[ChannelOut],
                summary="Kanal dan antreannya / Channels and their queue")
    def channels(user: Annotated[User, Depends(allowed("GET", "/channels"))]) -> JSONBody:
        """Kanal nyata yang punya antrean atau dijeda, dengan alasannya dan batas lajunya /
        Real channels with a queue or paused, with why, and their rate limit."""
        return JSONBody([c.to_dict() | {"rate_limit": str(rate_limit(parse_channel(c.channel)))}
                         for c in store.queue.channels()])

    @router.post("/channels/pause", summary="Jeda kanal / Pause a channel",
                 responses=documented(_BAD))
    def pause_one(body: ChannelIn,
                  user: Annotated[User, Depends(allowed("POST", "/channels/pause"))]
                  ) -> JSONBody:
        with answered():
            changed = pause_channel(store, _actor(user), body.channel, body.reason)
        return JSONBody({"channel": body.channel, "paused": True, "changed": changed})

    @router.post("/channels/resume", summary="Lanjutkan kanal / Resume a channel",
                 responses=documented(_BAD))
    def resume_one(body: ChannelIn,
                   user: Annotated[User, Depends(allowed("POST", "/channels/resume"))]
                   ) -> JSONBody:
        with answered():
            changed = resume_channel(store, _actor(user), body.channel)
        return JSONBody({"channel": body.channel, "paused": False, "changed": changed})

    @router.post("/publications/{publication_id}/retract", response_model=PublicationOut,
                 summary="Tarik publikasi / Retract a publication",
                 responses=documented(_NOT_FOUND, _CONFLICT, _RETRACT_FAILED))
    def retract_one(publication_id: ResponseId,
                    user: Annotated[User, Depends(allowed(
                        "POST", "/publications/{publication_id}/retract"))],
                    body: DecisionIn | None = None) -> JSONBody:
        """Hapus post publikasi terkirim di platform dan catat `retracted` (kanal dry-run: hanya
        dicatat; post yang sudah tidak ada juga dihitung ditarik). Bila platform menolak atau
        gagal, publikasi tetap `sent` dengan alasannya: 502 `retract_failed` / Delete a sent
        publication's post on the platform and record it `retracted` (dry-run: the record only;
        a post already gone counts as retracted). When the platform refuses or fails, the
        publication stays `sent` with the reason: 502 `retract_failed`."""
        with answered():
            done = retract(store, _actor(user), publication_id, body.reason if body else None)
        if done.state != "retracted":
            raise ApiError(502, "retract_failed", done.reason or "")
        return JSONBody(done.to_dict())
