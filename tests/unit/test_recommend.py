"""The recommender (issue #11): label fit, reasons, approved entries only, the recency penalty,
posts in other languages, and the figures a random ranking expects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from damai.errors import InputError
from damai.respond.embed import HashEmbedder, cached_passages, e5
from damai.respond.entries import STARTER, LibraryEntry, read_entries
from damai.respond.evaluate import (
    LabelledPost,
    random_expectation,
    read_labelled,
    score_rankings,
)
from damai.respond.recommend import Recommender, Result, Signals, Usage
from damai.understand.types import Prediction


def entry(entry_id: str, themes: tuple[str, ...], labels: tuple[str, ...], text: str,
          status: str = "approved") -> LibraryEntry:
    return LibraryEntry(id=entry_id, title=f"Judul {entry_id}", text_id=text, short_280=text,
                        short_500=text, themes=themes, tone="factual", author="uji",
                        labels=labels, status=status)


LIBRARY = [
    entry("hoaks", ("literacy",), ("hoax",), "Cek dulu sumber kabar sebelum membagikan."),
    entry("damai", ("anti_violence",), ("radicalism",), "Kekerasan tidak pernah membawa berkah."),
    entry("bencana", ("disaster_solidarity",), ("disaster",), "Bantu korban gempa lewat posko."),
    entry("konsep", ("anti_violence",), ("radicalism",), "Draf yang belum disetujui.", "draft"),
    entry("pensiun", ("anti_violence",), ("radicalism",), "Entri lama yang ditarik.", "retired"),
]


class FixedLabels:
    """A classifier twin that scores every text the same."""

    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores

    def predict(self, texts: Sequence[str], *, explain: bool = True) -> list[Prediction]:
        return [Prediction(dict(self.scores), [], "id", "uji") for _ in texts]


def ranked(result: Result) -> list[str]:
    return [r.entry_id for r in result.recommendations]


def test_the_labels_decide_when_nothing_else_differs() -> None:
    post = "kalimat tanpa kata yang sama dengan pustaka"
    for scores, first in (({"radicalism": 0.9}, "damai"), ({"hoax": 0.8}, "hoaks"),
                          ({"disaster": 0.7}, "bencana")):
        recommender = Recommender(LIBRARY, classifier=FixedLabels(scores), embedder=None,
                                  signals=Signals(embeddings=False))
        (result,) = recommender.recommend([post], k=3)
        assert ranked(result)[0] == first, scores


def test_a_label_the_entry_does_not_name_still_fits_through_its_theme() -> None:
    library = [entry("a", ("tolerance",), ("counter_speech",), "Hidup rukun."),
               entry("b", ("literacy",), ("hoax",), "Cek fakta.")]
    recommender = Recommender(library, classifier=FixedLabels({"sara": 0.9}), embedder=None,
                              signals=Signals(bm25=False, embeddings=False))
    (result,) = recommender.recommend(["apa saja"], k=2)
    assert ranked(result)[0] == "a"
    assert "Intoleransi SARA" in result.recommendations[0].reasons[0]


def test_every_recommendation_says_why_indonesian_first() -> None:
    recommender = Recommender(LIBRARY, classifier=FixedLabels({"radicalism": 0.9}),
                              embedder=HashEmbedder())
    (result,) = recommender.recommend(["kekerasan membawa berkah kata mereka"], k=3)
    for rec in result.recommendations:
        assert rec.reasons and all(" / " in reason for reason in rec.reasons)
    top = result.recommendations[0]
    assert top.entry_id == "damai"
    assert any(r.startswith("Post bernada Radikalisme") for r in top.reasons)
    assert any(r.startswith("Kata-katanya mirip") for r in top.reasons)


def test_drafts_and_retired_entries_are_never_recommended() -> None:
    recommender = Recommender(LIBRARY, classifier=FixedLabels({"radicalism": 1.0}),
                              embedder=HashEmbedder())
    results = recommender.recommend(["Draf yang belum disetujui.", "Entri lama yang ditarik."],
                                    k=len(LIBRARY))
    for result in results:
        assert {"konsep", "pensiun"}.isdisjoint(ranked(result))
        assert len(result.recommendations) == 3


def test_an_entry_used_recently_is_ranked_lower_and_says_so() -> None:
    library = [entry("satu", ("anti_violence",), ("radicalism",), "x"),
               entry("dua", ("anti_violence",), ("radicalism",), "y")]
    recommender = Recommender(library, classifier=FixedLabels({"radicalism": 0.9}),
                              embedder=None, signals=Signals(bm25=False, embeddings=False))
    now = datetime(2026, 12, 2, tzinfo=UTC)
    (fresh,) = recommender.recommend(["kabar pagi"], k=2, usage=Usage(now=now))
    (used,) = recommender.recommend(["kabar pagi"], k=2, usage=Usage(
        last_used={"satu": now - timedelta(days=1)}, now=now))
    (long_ago,) = recommender.recommend(["kabar pagi"], k=2, usage=Usage(
        last_used={"satu": now - timedelta(days=365)}, now=now))
    assert ranked(fresh) == ["satu", "dua"] and ranked(long_ago) == ["satu", "dua"]
    assert ranked(used) == ["dua", "satu"]
    lowered = used.recommendations[1]
    assert lowered.score < fresh.recommendations[0].score
    assert any(r.startswith("Dipakai baru-baru ini (2026-12-01)") for r in lowered.reasons)


def test_past_performance_lifts_an_entry() -> None:
    library = [entry("satu", ("anti_violence",), ("radicalism",), "x"),
               entry("dua", ("anti_violence",), ("radicalism",), "y")]
    recommender = Recommender(library, classifier=FixedLabels({"radicalism": 0.9}),
                              embedder=None, signals=Signals(bm25=False, embeddings=False))
    (result,) = recommender.recommend(["kabar pagi"], k=2, usage=Usage(performance={"dua": 0.9}))
    assert ranked(result) == ["dua", "satu"]


def test_a_post_in_another_language_gets_recommendations_through_the_embeddings() -> None:
    library = read_entries(STARTER)
    one_per_theme = list({e.themes[0]: e for e in library}.values())  # 7 entries embed fast
    recommender = Recommender(one_per_theme, classifier=None, embedder=e5())
    text = "Земля сильно тряслась, дома разрушены, людям нужны палатки и вода"  # Russian
    (result,) = recommender.recommend([text], k=3)
    assert result.language not in {"id", "ms", "jv"}
    assert len(result.recommendations) == 3
    assert any("lintas bahasa" in r for r in result.recommendations[0].reasons)


def test_without_embeddings_another_language_gets_a_plain_message() -> None:
    recommender = Recommender(LIBRARY, classifier=None, embedder=None,
                              signals=Signals(embeddings=False))
    (result,) = recommender.recommend(["Земля сильно тряслась, дома разрушены"], k=3)
    assert result.recommendations == () and result.message
    assert result.message.startswith("Tidak ada rekomendasi")
    (empty,) = recommender.recommend(["  "], k=3)
    assert empty.recommendations == () and "kosong" in (empty.message or "")


def test_library_embeddings_are_cached_by_content(tmp_path: Path) -> None:
    calls: list[int] = []

    class Counting(HashEmbedder):
        name = "counting"

        def passage(self, texts: Sequence[str]):  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            return super().passage(texts)

    first = cached_passages(Counting(), ["satu dua", "tiga"], tmp_path)
    again = cached_passages(Counting(), ["satu dua", "tiga"], tmp_path)
    assert calls == [2] and (first == again).all()
    assert len(list(tmp_path.glob("*.npy"))) == 1
    cached_passages(Counting(), ["satu dua", "empat"], tmp_path)
    assert calls == [2, 2]


def test_random_expectation_matches_exact_small_cases() -> None:
    # 1 relevant of 4: hit@1 1/4, hit@3 3/4, MRR (1 + 1/2 + 1/3 + 1/4) / 4
    h1, h3, mrr = random_expectation(1, 4, 3)
    assert (h1, h3) == (0.25, 0.75) and mrr == pytest.approx((1 + 1 / 2 + 1 / 3 + 1 / 4) / 4)
    # 2 relevant of 3: the first is relevant with 2/3, else the second is
    assert random_expectation(2, 3, 1)[2] == pytest.approx(2 / 3 + 1 / 3 * 1 / 2)
    assert random_expectation(0, 5, 3) == (0.0, 0.0, 0.0)


def test_scores_count_a_hit_on_any_accepted_theme() -> None:
    recommender = Recommender(LIBRARY, classifier=FixedLabels({"hoax": 0.9}), embedder=None,
                              signals=Signals(bm25=False, embeddings=False))
    posts = [LabelledPost("kabar ini benar atau tidak", frozenset({"literacy"})),
             LabelledPost("rumah kami rusak", frozenset({"disaster_solidarity", "humanitarian"}))]
    results = recommender.recommend([p.text for p in posts], k=3)
    scores = score_rankings(posts, results, LIBRARY, 3)
    assert scores.hit_at_1 == 0.5 and scores.hit_at_k == 1.0
    assert scores.random_hit_at_1 == pytest.approx((1 / 3 + 1 / 3) / 2)


def test_an_evaluation_file_with_a_bad_line_names_it(tmp_path: Path) -> None:
    path = tmp_path / "uji.jsonl"
    path.write_text('{"text": "a", "themes": ["literacy"]}\n{"text": "b", "themes": ["x"]}\n',
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"uji\.jsonl:2"):
        read_labelled(path)
