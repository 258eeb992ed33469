"""The shapes the API answers with, as Pydantic models: they make the OpenAPI schema, and the
tests check every answer against it (routes build plain dicts, rendered fast with orjson)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from damai.identity import display_url
from damai.records import Post

__all__ = ["ClassifyIn", "ClassifyOut", "DecisionIn", "GeoOut", "IngestOut", "JobAcceptedOut",
           "JobOut", "LibraryEntryOut", "LibraryOut", "PostOut", "PostPageOut", "PublicationIn",
           "PublicationOut", "ResponseEditIn", "ResponseIn", "ResponseOut", "StatsOut", "post_id",
           "post_json"]


class GeoOut(BaseModel):
    lat: float | None = None
    lon: float | None = None
    place: str | None = None
    country_code: str | None = None


class Term(BaseModel):
    term: str = Field(description="Kata atau pasangan kata / A word or word pair.")
    weight: float = Field(description="Sumbangannya pada skor label / Its push on the score.")


class PostOut(BaseModel):
    """Satu post tersimpan / One stored post."""

    id: str = Field(description="`platform:platform_id`, mis. `twitter:1850000000000000001`. "
                                "Pakai di `GET /posts/{post_id}` / Use it with "
                                "`GET /posts/{post_id}`.")
    platform: str
    platform_id: str
    url: str | None
    author_key: str | None = Field(description="Pseudonim penulis (HMAC) / The author's "
                                               "pseudonym (HMAC).")
    author_handle: str | None
    created_at: datetime
    text: str
    language: str | None
    reply_to_id: str | None
    quote_of_id: str | None
    repost_of_id: str | None
    conversation_id: str | None
    hashtags: list[str]
    mentions: list[str]
    links: list[str]
    media_count: int
    geo: GeoOut | None
    engagement: dict[str, int]
    fetched_at: datetime | None
    ingest_batch: str | None
    labels: dict[str, float] = Field(description="Skor terkalibrasi [0, 1] per label / A "
                                                 "calibrated score in [0, 1] per label.")
    flags: list[str] = Field(description="Label yang skornya mencapai ambang / Labels whose "
                                         "score reached their threshold.")
    model_version: str | None
    truncated: bool


class PostDetailOut(PostOut):
    explanations: dict[str, list[Term]] = Field(
        description="Untuk tiap flag: istilah yang paling menaikkan skornya (model yang "
                    "dimuat, bila versinya sama) / For each flag: the terms that raised its "
                    "score most (the loaded model, when it is the same version).")


class PostPageOut(BaseModel):
    items: list[PostOut]
    next_cursor: str | None = Field(description="Kirim sebagai `cursor` untuk halaman "
                                                "berikutnya; `null` di halaman terakhir / Pass as "
                                                "`cursor` for the next page; `null` on the last.")


class ClassifyIn(BaseModel):
    """Satu teks (`text`) atau beberapa (`texts`) / One text (`text`) or several (`texts`)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    texts: list[str] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _one_of(self) -> ClassifyIn:
        if (self.text is None) == (self.texts is None):
            raise ValueError("kirim `text` atau `texts`, tidak keduanya / send `text` or "
                             "`texts`, not both")
        return self

    def all_texts(self) -> list[str]:
        return [self.text] if self.text is not None else list(self.texts or [])


class ClassifiedOut(BaseModel):
    labels: dict[str, float]
    flags: list[str]
    signals: list[str] = Field(description="Sinyal yang mencapai ambang: ikut mengurutkan, "
                                           "tidak pernah menandai / Signals over their "
                                           "threshold: they rank posts, never flag them.")
    language: str
    truncated: bool
    empty: bool = Field(description="Tidak ada yang bisa dinilai setelah normalisasi / "
                                    "Nothing left to score after normalising.")
    explanations: dict[str, list[Term]]


class ClassifyOut(BaseModel):
    model_version: str
    items: list[ClassifiedOut]


class RecommendIn(ClassifyIn):
    """Satu teks (`text`) atau beberapa (`texts`) / One text (`text`) or several (`texts`)."""


class RecommendationOut(BaseModel):
    entry_id: str
    title: str
    themes: list[str]
    score: float
    reasons: list[str] = Field(description="Alasan, bahasa Indonesia lalu Inggris / Why it was "
                                           "chosen, Indonesian then English.")


class RecommendedOut(BaseModel):
    recommendations: list[RecommendationOut]
    message: str | None = Field(None, description="Mengapa tidak ada rekomendasi / Why there is "
                                                  "no recommendation.")


class RecommendOut(BaseModel):
    items: list[RecommendedOut]


class FailureOut(BaseModel):
    location: str
    reason: str
    message: str


class IngestOut(BaseModel):
    """`received = stored + duplicates + quarantined`, selalu / always."""

    batch: str
    format: str | None = Field(description="Format yang dikenali dari isinya / The format "
                                           "recognised from the content.")
    received: int
    stored: int
    duplicates: int
    quarantined: int
    ignored: int
    notices: int
    classified: int
    model_version: str | None
    failures: list[FailureOut] = Field(description="Rekaman yang dikarantina (maks. 100) / "
                                                   "Quarantined records (at most 100).")


class JobAcceptedOut(BaseModel):
    """Isi besar diterima sebagai tugas / A large body accepted as a job."""

    job_id: int
    status_url: str = Field(description="GET alamat ini untuk kemajuannya / GET this for its "
                                        "progress.")


class JobOut(BaseModel):
    """Setelah `done`: `received = stored + duplicates + quarantined` / Once `done`: `received =
    stored + duplicates + quarantined`."""

    id: int
    state: Literal["queued", "running", "done", "failed"]
    received: int
    stored: int
    duplicates: int
    quarantined: int
    error: str | None


class StatsOut(BaseModel):
    total: int
    by_platform: dict[str, int]
    by_day: dict[str, int]
    by_language: dict[str, int]
    quarantined: int
    flagged: dict[str, int] = Field(description="Jumlah post yang ditandai per label / Flagged "
                                                "posts per label.")
    by_province: dict[str, int] = Field(description=(
        "Post yang menyebut tempat di tiap provinsi (hasil geoparse), terbanyak dulu; post yang "
        "menyebut dua provinsi dihitung di keduanya / Posts naming a place in each province "
        "(geoparsed), most first; a post naming two provinces counts in both."))


class LibraryEntryOut(BaseModel):
    """Satu entri pustaka, versi terkini / One library entry as it stands."""

    id: str
    version: int = Field(description="Nomor versi; setiap perubahan menambah satu / The version "
                                     "number; every change adds one.")
    title: str
    text_id: str = Field(description="Teks bahasa Indonesia / The Indonesian text.")
    text_en: str | None
    short_280: str
    short_500: str
    themes: list[str]
    labels: list[str] = Field(description="Label dan sub-label yang dijawab / The labels and "
                                          "sub-labels it answers.")
    tone: str
    source: str | None
    author: str
    status: Literal["draft", "approved", "retired"]
    created_by: str
    created_at: datetime


class LibraryOut(BaseModel):
    entries: list[LibraryEntryOut]


def post_id(post: Post) -> str:
    return f"{post.platform}:{post.platform_id}"


def post_json(post: Post) -> dict[str, Any]:
    """A post as :class:`PostOut` describes it."""
    return {"id": post_id(post), **post.to_dict(), "url": display_url(post)}


# -- responses and publications (issue #11) ------------------------------------------------------
class ResponseIn(BaseModel):
    """Entri pustaka yang disetujui (`entry_id`) atau teks sendiri (`text`), untuk sebuah post
    (`post_id`, opsional) / An approved library entry (`entry_id`) or a text of your own
    (`text`), answering a post (`post_id`, optional)."""

    model_config = ConfigDict(extra="forbid")

    post_id: str | None = Field(None, min_length=1, max_length=600,
                                description="`platform:platform_id`")
    entry_id: str | None = Field(None, min_length=1, max_length=80)
    text: str | None = Field(None, min_length=1, max_length=5000)
    draft: bool = Field(False, description=(
        "Draf mesin dari `entry_id`, disesuaikan dengan post dan kanal / A machine draft from "
        "`entry_id`, adapted to the post and the channel"))
    channel: Literal["dry-run", "x", "bluesky", "mastodon", "telegram"] = Field(
        "dry-run", description="Kanal tujuan draf / The channel a draft is for")

    @model_validator(mode="after")
    def _one_of(self) -> ResponseIn:
        if (self.text is None) == (self.entry_id is None):
            raise ValueError("kirim `entry_id` atau `text`, salah satu / send `entry_id` or "
                             "`text`, one of them")
        if self.draft and self.entry_id is None:
            raise ValueError("`draft` perlu `entry_id` / `draft` needs `entry_id`")
        return self


class ResponseEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(None, max_length=500)


class ResponseOut(BaseModel):
    """Satu tanggapan dan tinjauannya / One response and its review."""

    id: int
    post_id: str | None = Field(description="`platform:platform_id` post yang dijawab / of the "
                                            "post it answers.")
    narrative_id: str | None
    event_id: str | None
    entry_id: str | None
    entry_version: int | None
    text: str
    version: int = Field(description="Versi teks; setiap perubahan menambah satu / The text's "
                                     "version; every edit adds one.")
    state: Literal["draft", "in_review", "approved", "rejected"]
    machine_draft: bool
    drafter: str | None
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    updated_at: datetime
    blocked: str | None = Field(description="Mengapa teks diblokir (skor tinggi pada label "
                                            "berbahaya); `null` bila tidak / Why the text is "
                                            "blocked (a high harmful score); `null` if not.")
    check_scores: dict[str, float]
    check_model: str | None


class PublicationIn(BaseModel):
    """Tanggapan yang disetujui (`response_id`) atau entri pustaka yang disetujui (`entry_id`)
    / An approved response (`response_id`) or approved library entry (`entry_id`)."""

    model_config = ConfigDict(extra="forbid")

    response_id: int | None = Field(None, ge=1, le=2**63 - 1)
    entry_id: str | None = Field(None, min_length=1, max_length=80)
    channel: str = Field("dry-run", min_length=1, max_length=300, description=(
        "dry-run, atau PLATFORM:AKUN (mastodon:, bluesky:, x:, telegram:) yang kredensialnya "
        "sudah diisi; kanal nyata masuk antrean dan dikirim worker / dry-run, or PLATFORM:ACCOUNT "
        "with its credential configured; a real channel is queued and the worker sends it"))

    @model_validator(mode="after")
    def _one_of(self) -> PublicationIn:
        if (self.response_id is None) == (self.entry_id is None):
            raise ValueError("kirim `response_id` atau `entry_id`, salah satu / send "
                             "`response_id` or `entry_id`, one of them")
        return self


class PublicationOut(BaseModel):
    id: int
    response_id: int | None
    entry_id: str | None
    entry_version: int | None
    channel: str
    idempotency_key: str = Field(description="Apa, versi teksnya, dan kanal: unik / What, the "
                                             "version of its text, and the channel: unique.")
    state: Literal["pending", "sent", "failed", "uncertain", "queued", "retracted"] = Field(
        description="queued: menunggu giliran (batas laju, jeda kanal); retracted: ditarik dari "
                    "platform / queued: waiting its turn (rate limit, paused channel); "
                    "retracted: deleted on the platform")
    created_by: str
    created_at: datetime
    payload: dict[str, Any] = Field(description="Apa yang (akan) dikirim / What is (would be) "
                                                "sent.")
    post_id: str | None = Field(None, description="ID post di platform / The platform's id.")
    post_url: str | None = None
    reason: str | None = Field(None, description="Alasan gagal atau tidak pasti / Why it "
                                                 "failed or is uncertain.")
    attempts: int = 0
    updated_at: datetime | None = None
    not_before: datetime | None = Field(None, description="Dalam antrean: tidak sebelum waktu "
                                                          "ini / Queued: not before this time.")


class ChannelOut(BaseModel):
    channel: str
    paused: bool
    reason: str | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None
    queued: int = Field(description="Publikasi dalam antrean / Publications queued.")
    rate_limit: str = Field(description="Batas laju akun: JUMLAH/DETIK / The account's rate "
                                        "limit: COUNT/SECONDS.")


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field(min_length=1, max_length=300)
    reason: str = Field("", max_length=300)
