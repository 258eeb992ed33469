"""The ambassador network over the API (issue #12 part 5): ambassadors, their kits, withdrawal of
consent, the kits export, and credited posts with reach.

Thin routes over :mod:`damai.pipeline.ambassadors` and ``store.ambassadors``. An ambassador who
withdrew is a 404 like one that never existed; the kit's page token is answered once, by the
route that makes the kit. The routes are plain ``def`` (database work runs in the thread pool).
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from damai.auth import User
from damai.pipeline import ambassadors as amb
from damai.web.api.errors import ApiError, JSONBody, documented
from damai.web.api.responses import answered
from damai.web.api.security import require
from damai.web.context import WebContext

__all__ = ["add_ambassador_routes"]

RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Short = Annotated[str, Field(max_length=300)]
_NOT_FOUND = (404, "Duta atau kit tidak ada / No such ambassador or kit.")
_BAD = (400, "Isian tidak sah, mis. provinsi tidak dikenal / Invalid field, e.g. an unknown "
             "province.")


class AmbassadorIn(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=300)]
    province: Short
    consent_scope: Annotated[str, Field(min_length=1, max_length=300)]
    consent_date: date | None = None
    regency: Short | None = None
    handles: Annotated[dict[Short, Short], Field(max_length=20)] = {}
    languages: Annotated[list[Short], Field(max_length=20)] = []
    topics: Annotated[list[Short], Field(max_length=40)] = []


class ConsentOut(BaseModel):
    at: datetime
    scope: str


class AmbassadorOut(BaseModel):
    id: int
    name: str
    province: str
    regency: str | None
    handles: dict[str, str]
    languages: list[str]
    topics: list[str]
    consent: ConsentOut
    created_by: str
    created_at: datetime


class AmbassadorsOut(BaseModel):
    ambassadors: list[AmbassadorOut]


class KitIn(BaseModel):
    campaign_id: Short | None = None
    entry_ids: Annotated[list[Short], Field(max_length=10)] = []
    link: Annotated[str | None, Field(max_length=2000)] = None
    days: Annotated[int, Field(ge=1, le=366)] = 30


class KitOut(BaseModel):
    id: int
    ambassador_id: int
    campaign_id: str | None
    tag: str
    link: str | None
    messages: list[dict[str, Any]]
    times: list[str]
    hashtags: list[str]
    expires_at: str | None
    revoked: bool
    created_at: str
    path: str | None = Field(None, description="Tautan pribadi, hanya sekali / the personal "
                                               "page's path, answered once")


class KitRowsOut(BaseModel):
    rows: list[dict[str, Any]]


class TallyOut(BaseModel):
    key: str
    label: str
    posts: int
    reach: int


class TalliesOut(BaseModel):
    by: str
    leaderboard: bool
    tallies: list[TallyOut]


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def add_ambassador_routes(router: APIRouter, ctx: WebContext) -> None:
    store = ctx.store

    def role(method: str, path: str) -> Any:
        return Depends(require(ctx, method, path))

    @router.get("/ambassadors", response_model=AmbassadorsOut,
                summary="Duta aktif / Active ambassadors", responses=documented(_BAD))
    def ambassadors_list(_: Annotated[User, role("GET", "/ambassadors")],
                         province: Annotated[str | None, Query(max_length=100)] = None
                         ) -> JSONBody:
        """Duta yang belum menarik persetujuan / Ambassadors who have not withdrawn."""
        with answered():
            found = store.ambassadors.all(
                province=amb.province_name(province) if province else None)
        return JSONBody({"ambassadors": [a.to_dict() for a in found]})

    @router.get("/ambassadors/reach", response_model=TalliesOut,
                summary="Unggahan dan jangkauan / Credited posts and reach")
    def reach(_: Annotated[User, role("GET", "/ambassadors/reach")],
              by: Literal["ambassador", "province", "campaign"] = "province") -> JSONBody:
        """Per duta (hanya bila papan peringkat aktif), provinsi atau kampanye / Per
        ambassador (only while the leaderboard is on), province or campaign."""
        leaderboard = bool(store.settings.get("leaderboard"))
        tallies = [] if by == "ambassador" and not leaderboard else store.ambassadors.tally(by)
        return JSONBody({"by": by, "leaderboard": leaderboard,
                         "tallies": [t.to_dict() for t in tallies]})

    @router.get("/ambassadors/kits", response_model=KitRowsOut,
                summary="Ekspor kit aktif / Export active kits")
    def kits(_: Annotated[User, role("GET", "/ambassadors/kits")]) -> JSONBody:
        """Satu baris per pesan, tanpa token / One row a message, no tokens."""
        return JSONBody({"rows": amb.kit_rows(store)})

    @router.post("/ambassadors", status_code=201, response_model=AmbassadorOut,
                 summary="Daftarkan duta / Register an ambassador", responses=documented(_BAD))
    def ambassador_add(body: AmbassadorIn, request: Request,
                       user: Annotated[User, role("POST", "/ambassadors")]) -> JSONBody:
        with answered():
            made = amb.register(
                store, name=body.name, province=body.province, consent_scope=body.consent_scope,
                consent_at=body.consent_date, regency=body.regency,
                handles=[f"{p}:{h}" for p, h in body.handles.items()],
                languages=body.languages, topics=body.topics, actor=user.name, ip=_ip(request))
        return JSONBody(made.to_dict(), status_code=201)

    @router.get("/ambassadors/{ambassador_id}", response_model=AmbassadorOut,
                summary="Satu duta / One ambassador", responses=documented(_NOT_FOUND))
    def ambassador_get(ambassador_id: RowId,
                       _: Annotated[User, role("GET", "/ambassadors/{ambassador_id}")]
                       ) -> JSONBody:
        found = store.ambassadors.get(ambassador_id)
        if found is None:
            raise ApiError(404, "not_found", _NOT_FOUND[1])
        return JSONBody(found.to_dict())

    @router.post("/ambassadors/{ambassador_id}/withdraw", response_model=AmbassadorsOut,
                 summary="Catat penarikan persetujuan / Record a withdrawal of consent",
                 responses=documented(_NOT_FOUND))
    def withdraw(ambassador_id: RowId, request: Request,
                 user: Annotated[User, role("POST", "/ambassadors/{ambassador_id}/withdraw")]
                 ) -> JSONBody:
        """Data pribadi dihapus, kit dicabut; jawabannya daftar duta yang tersisa / The
        person's data is erased and their kits revoked; answers the remaining ambassadors."""
        with answered():
            store.ambassadors.withdraw(ambassador_id, actor=user.name, ip=_ip(request))
        return JSONBody({"ambassadors": [a.to_dict() for a in store.ambassadors.all()]})

    @router.post("/ambassadors/{ambassador_id}/kits", status_code=201, response_model=KitOut,
                 summary="Buat kit konten / Make a content kit",
                 responses=documented(_NOT_FOUND, _BAD))
    def kit_add(ambassador_id: RowId, body: KitIn, request: Request,
                user: Annotated[User, role("POST", "/ambassadors/{ambassador_id}/kits")]
                ) -> JSONBody:
        with answered():
            issued = amb.issue_kit(store, ambassador_id, actor=user.name, ip=_ip(request),
                                   campaign_id=body.campaign_id, entry_ids=body.entry_ids,
                                   link=body.link, days=body.days)
        return JSONBody(issued.kit.to_dict() | {"path": issued.path}, status_code=201)

    @router.post("/kits/{kit_id}/revoke", response_model=KitRowsOut,
                 summary="Cabut tautan kit / Revoke a kit's link",
                 responses=documented(_NOT_FOUND))
    def kit_revoke(kit_id: RowId, request: Request,
                   user: Annotated[User, role("POST", "/kits/{kit_id}/revoke")]) -> JSONBody:
        with answered():
            store.ambassadors.revoke_kit(kit_id, actor=user.name, ip=_ip(request))
        return JSONBody({"rows": amb.kit_rows(store)})
