"""``POST /api/v1/recommend``: counter-narratives from the store's approved library for one or
more texts, ranked as ``damai recommend`` and the triage queue rank them, with the model in
service reading the labels."""

from typing import Annotated

from fastapi import APIRouter, Depends

from damai.auth import User
from damai.pipeline.recommend import TOP_K, for_texts
from damai.respond.recommend import Result
from damai.web.api.errors import JSONBody, documented
from damai.web.api.routes import check_text_limits
from damai.web.api.schemas import RecommendIn, RecommendOut
from damai.web.api.security import require
from damai.web.context import WebContext

__all__ = ["add_recommend_route", "recommend_texts"]


def recommend_texts(ctx: WebContext, texts: list[str], k: int = TOP_K) -> list[Result]:
    """The store's library (its recommender built once per set of versions) with the model in
    service."""
    return for_texts(ctx.store, ctx.model(), texts, k)


def add_recommend_route(router: APIRouter, ctx: WebContext) -> None:
    @router.post("/recommend", response_model=RecommendOut,
                 summary="Rekomendasi kontra-narasi / Recommend counter-narratives",
                 responses=documented((413, "Teks melebihi DAMAI_API_MAX_CLASSIFY_CHARS / Texts "
                                            "over DAMAI_API_MAX_CLASSIFY_CHARS.")))
    def recommend(body: RecommendIn,
                  _: Annotated[User, Depends(require(ctx, "POST", "/recommend"))]) -> JSONBody:
        """Tiga entri pustaka terbaik per teks, dengan alasannya; tidak menyimpan apa pun /
        The top three library entries per text, with their reasons; stores nothing."""
        texts = body.all_texts()
        check_text_limits(texts)
        return JSONBody({"items": [r.to_dict() for r in recommend_texts(ctx, texts)]})
