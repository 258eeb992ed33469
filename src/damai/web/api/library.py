"""``GET /library``: the counter-narrative library as it stands (issue #11)."""


from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from damai.auth import User
from damai.respond.entries import STATUSES, THEMES, TONES
from damai.web.api.errors import ApiError, JSONBody, documented
from damai.web.api.schemas import LibraryOut
from damai.web.api.security import require
from damai.web.context import WebContext

__all__ = ["add_library_route"]

Choice = Annotated[str | None, Query(max_length=40)]


def _check(value: str | None, choices: Any, name: str) -> str | None:
    if value is not None and value not in choices:
        raise ApiError(400, f"unknown_{name}", (
            f"`{name}` tidak dikenal: pakai salah satu dari {', '.join(choices)} / Unknown "
            f"`{name}`: use one of {', '.join(choices)}."), {"parameter": name})
    return value


def add_library_route(router: APIRouter, ctx: WebContext) -> None:
    @router.get("/library", response_model=LibraryOut,
                summary="Pustaka narasi tandingan / The counter-narrative library",
                responses=documented((400, "Tema, nada atau status tidak dikenal / Unknown "
                                           "theme, tone or status.")))
    def library(_: Annotated[User, Depends(require(ctx, "GET", "/library"))],
                theme: Choice = None, tone: Choice = None, status: Choice = None) -> JSONBody:
        """Setiap entri dalam versi terkini, urut id; saring per tema, nada atau status /
        Every entry as it stands, by id; filter by theme, tone or status."""
        found = ctx.store.library.current(theme=_check(theme, THEMES, "theme"),
                                          tone=_check(tone, TONES, "tone"),
                                          status=_check(status, STATUSES, "status"))
        return JSONBody({"entries": [v.to_dict() for v in found]})
