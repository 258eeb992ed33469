"""The read routes and classification: posts, one post, stats, classify."""


from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from damai import settings
from damai.auth import User
from damai.errors import InputError
from damai.pipeline.drilldown import check_province, province_names
from damai.pipeline.label_names import flagged_counts, known_labels
from damai.records import Post
from damai.storage import PostQuery
from damai.storage.terms import normal_domain
from damai.understand.model import TextClassifier
from damai.understand.types import Prediction
from damai.web.api.cursor import decode_cursor, encode_cursor
from damai.web.api.errors import ApiError, JSONBody, documented
from damai.web.api.schemas import (
    ClassifyIn,
    ClassifyOut,
    PostDetailOut,
    PostPageOut,
    StatsOut,
    post_json,
)
from damai.web.api.security import require
from damai.web.checks import utc_ok
from damai.web.context import WebContext

__all__ = ["MAX_PAGE", "add_read_routes", "check_text_limits", "model_of", "utc_param"]

#: the largest page ``GET /posts`` returns
MAX_PAGE = 200


def model_of(ctx: WebContext) -> TextClassifier:
    """The model in service (or ``ctx.model_dir``), loaded once per process."""
    return ctx.model()


def check_text_limits(texts: list[str]) -> None:
    """At most ``DAMAI_API_MAX_CLASSIFY_TEXTS`` texts of ``DAMAI_API_MAX_CLASSIFY_CHARS`` in all
    (``/classify`` and ``/recommend``)."""
    limit_texts = settings.get_int("api_max_classify_texts")
    limit_chars = settings.get_int("api_max_classify_chars")
    if len(texts) > limit_texts:
        raise ApiError(422, "too_many_texts", (
            f"Paling banyak {limit_texts} teks per permintaan / At most {limit_texts} texts "
            "per request (DAMAI_API_MAX_CLASSIFY_TEXTS)."), {"limit": limit_texts})
    chars = sum(len(text) for text in texts)
    if chars > limit_chars:
        raise ApiError(413, "too_many_characters", (
            f"Teks berjumlah {chars} karakter, lebih dari batas {limit_chars}: kirim teks "
            f"lebih sedikit atau lebih pendek per permintaan / The texts hold {chars} "
            f"characters, over the {limit_chars} limit: send fewer or shorter texts per "
            "request (DAMAI_API_MAX_CLASSIFY_CHARS)."),
            {"limit_chars": limit_chars, "chars": chars})


def utc_param(value: datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    if not utc_ok(value):
        raise ApiError(400, "invalid_time", (
            f"`{name}` di luar rentang waktu: pakai waktu antara tahun 1 dan 9999 dalam UTC / "
            f"`{name}` is out of range: use a time between the years 1 and 9999 in UTC."),
            {"parameter": name})
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _check_query(query: PostQuery) -> None:
    if query.label is None and (query.min_score is not None or query.max_score is not None
                                or query.flagged is not None):
        raise ApiError(400, "label_required", (
            "Filter skor atau flag perlu `label`: tambahkan label=NAMA / A score or flag filter "
            "needs `label`: add label=NAME."))
    if (query.min_score is not None and query.max_score is not None
            and query.min_score > query.max_score):
        raise ApiError(400, "empty_range", "min_score lebih besar dari max_score / min_score is "
                                           "greater than max_score.")


def _drill_down(query: PostQuery, domain: str | None, province: str | None) -> None:
    """The domain and province filters, checked: a 400 names what is wrong (for a province,
    with the valid names)."""
    try:
        query.domain = normal_domain(domain) if domain else None
    except InputError as exc:
        raise ApiError(400, "invalid_domain", exc.message) from None
    try:
        query.province = check_province(province)
    except InputError as exc:
        raise ApiError(400, "unknown_province", exc.message,
                       {"valid": province_names()}) from None


def _terms(explanations: dict[str, list[tuple[str, float]]]) -> dict[str, list[dict[str, Any]]]:
    return {label: [{"term": t, "weight": round(w, 4)} for t, w in terms]
            for label, terms in explanations.items()}


def _prediction_json(p: Prediction) -> dict[str, Any]:
    return {"labels": {k: round(v, 4) for k, v in p.labels.items()}, "flags": p.flags,
            "signals": p.signals, "language": p.language, "truncated": p.truncated,
            "empty": p.empty, "explanations": _terms(p.explanations)}


def _explain(ctx: WebContext, post: Post) -> dict[str, list[dict[str, Any]]]:
    """The terms behind each stored flag, when the loaded model is the one that scored it."""
    if not post.flags or post.model_version is None:
        return {}
    model = model_of(ctx)
    if model.version != post.model_version:
        return {}
    normalised = model.normalise([post.text])[0]
    return _terms({f: model.explain(normalised, f) for f in post.flags if f in model.labels})


def _split_id(value: str) -> tuple[str, str]:
    platform, sep, platform_id = value.partition(":")
    if not sep or not platform or not platform_id:
        raise ApiError(404, message=(
            f"Post {value!r} tidak ditemukan: id berbentuk platform:platform_id, mis. "
            "twitter:1850000000000000001 / Post not found: an id is platform:platform_id."))
    return platform, platform_id


def add_read_routes(router: APIRouter, ctx: WebContext) -> None:
    store = ctx.store

    @router.get("/posts", response_model=PostPageOut, summary="Cari post / Query posts",
                responses=documented((400, "Kursor atau filter tidak sah / Invalid cursor or "
                                           "filters.")))
    def posts(
        _: Annotated[User, Depends(require(ctx, "GET", "/posts"))],
        q: Annotated[str | None, Query(max_length=200, description=(
            "Teks penuh: setiap kata harus ada / Full text: every word must match."))] = None,
        label: Annotated[str | None, Query(max_length=64, description=(
            "Hanya post yang dinilai pada label ini; tanpa filter skor berarti yang ditandai / "
            "Posts scored on this label; without score filters, the flagged ones."))] = None,
        min_score: Annotated[float | None, Query(ge=0, le=1)] = None,
        max_score: Annotated[float | None, Query(ge=0, le=1)] = None,
        flagged: Annotated[bool | None, Query()] = None,
        since: Annotated[datetime | None, Query(description="Inklusif / Inclusive.")] = None,
        until: Annotated[datetime | None, Query(description="Eksklusif / Exclusive.")] = None,
        platform: Annotated[str | None, Query(max_length=32)] = None,
        language: Annotated[str | None, Query(max_length=16)] = None,
        hashtag: Annotated[str | None, Query(max_length=200, description=(
            "Tagar, dengan atau tanpa # / Hashtag, with or without #."))] = None,
        link: Annotated[str | None, Query(max_length=2000, description=(
            "Tautan persis / The exact URL."))] = None,
        domain: Annotated[str | None, Query(max_length=253, description=(
            "Nama host, tanpa www. / Host name, without www."))] = None,
        province: Annotated[str | None, Query(max_length=64, description=(
            "Nama resmi provinsi yang disebut post / Official name of a province the post "
            "names."))] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
        cursor: Annotated[str | None, Query(max_length=512, description=(
            "`next_cursor` dari halaman sebelumnya / `next_cursor` of the previous page."))] = None,
    ) -> JSONBody:
        """Post terbaru dulu, per halaman dengan kursor / Newest first, paged by cursor."""
        query = PostQuery(text=q or None, label=label or None, min_score=min_score,
                          max_score=max_score, flagged=flagged, since=utc_param(since, "since"),
                          until=utc_param(until, "until"), platform=platform or None,
                          language=language or None, limit=limit, hashtag=hashtag or None,
                          link=link or None)
        _drill_down(query, domain, province)
        _check_query(query)
        if label:
            known = known_labels(store)
            if label not in known:
                raise ApiError(400, "unknown_label", (
                    f"Label tidak dikenal / Unknown label {label!r}. Label yang dikenal / known "
                    f"labels: {', '.join(known)}."))
        query.before = decode_cursor(cursor, query) if cursor else None
        page = store.posts.page(query)
        return JSONBody({"items": [post_json(p.post) for p in page.items],
                         "next_cursor": encode_cursor(page.next, query) if page.next else None})

    @router.get("/posts/{post_id:path}", response_model=PostDetailOut,
                summary="Ambil satu post / Get one post",
                responses=documented((404, "Tidak ada / Not found.")))
    def post(post_id: str,
             _: Annotated[User, Depends(require(ctx, "GET", "/posts/{post_id}"))]) -> JSONBody:
        """`post_id` adalah `platform:platform_id` (garis miring boleh, mis. id Bluesky) /
        `post_id` is `platform:platform_id` (slashes allowed, e.g. Bluesky ids)."""
        found = store.posts.get(*_split_id(post_id))
        if found is None:
            raise ApiError(404, message=f"Post {post_id!r} tidak ditemukan / Post not found.")
        return JSONBody(post_json(found) | {"explanations": _explain(ctx, found)})

    @router.get("/stats", response_model=StatsOut, summary="Ringkasan isi / Store statistics")
    def stats(_: Annotated[User, Depends(require(ctx, "GET", "/stats"))]) -> JSONBody:
        """Jumlah post per platform, hari dan bahasa, karantina, yang ditandai per label, dan
        yang menyebut tempat per provinsi / Counts per platform, day and language, quarantine,
        flagged posts per label, and posts that name a place per province."""
        flagged = flagged_counts(store)
        counts = store.posts.stats().to_dict()
        return JSONBody(counts | {"flagged": flagged,
                                  "by_province": store.places.province_counts()})

    @router.post("/classify", response_model=ClassifyOut,
                 summary="Klasifikasi teks / Classify text",
                 responses=documented((413, "Teks melebihi DAMAI_API_MAX_CLASSIFY_CHARS / Texts "
                                            "over DAMAI_API_MAX_CLASSIFY_CHARS.")))
    def classify(body: ClassifyIn,
                 _: Annotated[User, Depends(require(ctx, "POST", "/classify"))]) -> JSONBody:
        """Skor tiap label, flag, bahasa dan istilah penyebab flag; tidak menyimpan apa pun /
        Scores, flags, language and the terms behind each flag; stores nothing."""
        texts = body.all_texts()
        check_text_limits(texts)
        model = model_of(ctx)
        return JSONBody({"model_version": model.version,
                         "items": [_prediction_json(p) for p in model.predict(texts)]})
