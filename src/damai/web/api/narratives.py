"""Narratives (issue #14 part 2): ``GET /api/v1/narratives`` (the largest or newest, the same
shape as ``damai narratives list --json``) and ``GET /api/v1/narratives/{narrative_id}`` (the
page's data, as ``damai narratives show --json``: volume, platforms, provinces, pseudonymised
spreaders, labels, coordination signals with their evidence)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from damai.auth import User
from damai.pipeline.narrative_view import describe
from damai.web.api.errors import ApiError, JSONBody, documented
from damai.web.api.security import require
from damai.web.checks import MAX_ROW_ID
from damai.web.context import WebContext

__all__ = ["add_narrative_routes"]

_NOT_FOUND = (404, "Narasi tidak ada / No such narrative.")


def add_narrative_routes(router: APIRouter, ctx: WebContext) -> None:
    store = ctx.store

    @router.get("/narratives", summary="Narasi / Narratives")
    def listing(_: Annotated[User, Depends(require(ctx, "GET", "/narratives"))],
                order: Literal["size", "recent"] = "size",
                min_size: Annotated[int, Query(ge=1, le=1_000_000)] = 2,
                limit: Annotated[int, Query(ge=1, le=500)] = 50,
                offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> JSONBody:
        """`items`: narasi, terbesar atau terbaru dulu / narratives, largest or newest first."""
        found = store.narratives.listing(order=order, limit=limit, offset=offset,
                                         min_size=min_size)
        return JSONBody({"items": [n.to_dict() for n in found],
                         "total": store.narratives.count(min_size)})

    @router.get("/narratives/{narrative_id}", summary="Satu narasi / One narrative",
                responses=documented(_NOT_FOUND))
    def one(_: Annotated[User, Depends(require(ctx, "GET", "/narratives/{narrative_id}"))],
            narrative_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)]) -> JSONBody:
        """Volume, platform, provinsi, penyebar (kunci samaran), label, sinyal koordinasi /
        volume, platforms, provinces, spreaders (pseudonymised keys), labels, signals."""
        found = describe(store, narrative_id)
        if found is None:
            raise ApiError(404, "narrative_not_found", f"narasi {narrative_id} tidak ada / no "
                                                        f"narrative {narrative_id}")
        return JSONBody(found)
