"""Campaigns (issue #12 part 4): list, create, get (with slots), activate, pause, end, and the
human's answer to missed slots.

Thin routes over :mod:`damai.pipeline.campaigns`, which holds every rule. A campaign that fails
its checks (end before start, an unknown theme, an unapproved message, a time zone other than
WIB, WITA or WIT) is answered 422 ``invalid_campaign`` with every problem's field and message in
``detail``; refusals of a step map as for responses (404, 403, 409).
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from damai.auth import User
from damai.pipeline import campaigns as camp
from damai.pipeline.responses import Actor
from damai.respond.entries import ImportRefused
from damai.web.api.errors import ApiError, JSONBody, documented
from damai.web.api.responses import answered
from damai.web.api.security import require
from damai.web.context import WebContext

__all__ = ["CampaignIn", "add_campaign_routes"]

CampaignId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_Text = Annotated[str, Field(max_length=200)]
_NOT_FOUND = (404, "Kampanye tidak ada / No such campaign.")
_CONFLICT = (409, "Status kampanye tidak mengizinkan langkah ini / The campaign's state does not "
                  "allow this step.")
_INVALID = (422, "Kampanye tidak sah: setiap masalah dengan kolomnya di `detail` / Invalid "
                 "campaign: every problem with its field in `detail`.")


class CampaignIn(BaseModel):
    """Kampanye baru (draf) / A new campaign (a draft). `messages`: `entry:ID` atau/or
    `response:ID`; varian A/B / A/B variants: `entry:a | entry:b`."""

    model_config = ConfigDict(extra="forbid")

    name: _Text
    goal: Annotated[str, Field(max_length=2000)] | None = None
    themes: Annotated[list[_Text], Field(max_length=10)]
    messages: Annotated[list[_Text], Field(max_length=camp.MAX_MESSAGES)]
    channels: Annotated[list[_Text], Field(max_length=10)] = ["dry-run"]
    start: Annotated[str, Field(max_length=20)]
    end: Annotated[str, Field(max_length=20)]
    times: Annotated[list[Annotated[str, Field(max_length=10)]], Field(max_length=100)]
    timezone: Annotated[str, Field(max_length=40)] = "WIB"


class MissedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skip: bool = False


def _invalid(refused: ImportRefused) -> ApiError:
    return ApiError(422, "invalid_campaign", str(refused), [
        {"row": p.row, "field": p.field, "message": p.message} for p in refused.problems])


def add_campaign_routes(router: APIRouter, ctx: WebContext) -> None:
    store = ctx.store

    def allowed(method: str, path: str) -> Callable[..., User]:
        return require(ctx, method, path)

    def actor(user: User) -> Actor:
        return Actor(user.name, user.role)

    @router.get("/campaigns", summary="Daftar kampanye / List campaigns")
    def listing(_: Annotated[User, Depends(allowed("GET", "/campaigns"))]) -> JSONBody:
        return JSONBody({"items": [c.to_dict() for c in store.campaigns.recent()]})

    @router.post("/campaigns", status_code=201, summary="Buat kampanye / Create a campaign",
                 responses=documented(_INVALID))
    def create(body: CampaignIn,
               user: Annotated[User, Depends(allowed("POST", "/campaigns"))]) -> JSONBody:
        try:
            with answered():
                (made,) = camp.create_campaigns(store, actor(user), [body.model_dump()])
        except ImportRefused as refused:
            raise _invalid(refused) from None
        return JSONBody(made.to_dict(), status_code=201)

    @router.get("/campaigns/{campaign_id}", summary="Kampanye dan slotnya / A campaign and "
                                                    "its slots", responses=documented(_NOT_FOUND))
    def get(campaign_id: CampaignId,
            _: Annotated[User, Depends(allowed("GET", "/campaigns/{campaign_id}"))]) -> JSONBody:
        found = store.campaigns.get(campaign_id)
        if found is None:
            raise ApiError(404, "not_found", f"Kampanye {campaign_id} tidak ada / No campaign "
                                             f"{campaign_id}.")
        slots = store.campaigns.slots(campaign_id=campaign_id)
        return JSONBody(found.to_dict() | {"slot_list": [s.to_dict() for s in slots]})

    def step(path: str, work: Callable[[Actor, int], Any], summary: str) -> None:
        @router.post(f"/campaigns/{{campaign_id}}/{path}", summary=summary,
                     responses=documented(_NOT_FOUND, _CONFLICT), name=f"campaign_{path}")
        def run(campaign_id: CampaignId,
                user: Annotated[User, Depends(allowed("POST",
                                                      f"/campaigns/{{campaign_id}}/{path}"))]
                ) -> JSONBody:
            with answered():
                return JSONBody(work(actor(user), campaign_id).to_dict())

    step("activate", lambda a, c: camp.activate(store, a, c),
         "Aktifkan atau lanjutkan / Activate or resume")
    step("pause", lambda a, c: camp.pause(store, a, c), "Jeda / Pause")
    step("end", lambda a, c: camp.end(store, a, c), "Akhiri / End")

    @router.post("/campaigns/{campaign_id}/confirm-missed",
                 summary="Jadwalkan ulang atau lewati slot terlewat / Re-schedule or skip "
                         "missed slots", responses=documented(_NOT_FOUND))
    def confirm(campaign_id: CampaignId,
                user: Annotated[User, Depends(allowed("POST",
                                                      "/campaigns/{campaign_id}/confirm-missed"))],
                body: MissedIn | None = None) -> JSONBody:
        with answered():
            done = camp.confirm_missed(store, actor(user), campaign_id,
                                       skip=bool(body and body.skip))
        return JSONBody({"items": [s.to_dict() for s in done]})
