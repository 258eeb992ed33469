"""Rank counter-narratives from the library for a post, and say why each was chosen.

Five signals, each in [0, 1] before weighting (:class:`Weights`):

- **label fit**: the classifier's scores for the post, matched to the labels an entry answers and,
  through :data:`THEME_AFFINITY`, to its themes (a radicalism post is answered by anti-violence,
  anti-recruitment or Pancasila entries);
- **lexical**: BM25 (``bm25s``) over the normalised words of the entry's title and texts, scaled
  by the best entry for this post;
- **semantic**: cosine similarity of multilingual-e5-small embeddings (:mod:`damai.respond.embed`),
  scaled between the median and the best entry for this post, so it carries across languages;
- **recency**: a penalty for an entry used recently (``last_used``: entry id → time), halving
  every :attr:`Weights.recency_half_life_days`;
- **past performance**: a bonus from ``performance`` (entry id → a share in [0, 1], e.g. the
  entry's engagement rank), empty until amplification data exists.

Only ``approved`` entries are ever ranked. ``predict`` is pure: it reads the post and the usage
mappings it is given and writes nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import bm25s
import numpy as np
import numpy.typing as npt

from damai.respond.embed import Embedder, Vectors, cached_passages
from damai.respond.entries import THEMES, LibraryEntry
from damai.understand.language import detect_batch
from damai.understand.normalise import normalise
from damai.understand.taxonomy import load_taxonomy
from damai.understand.types import Prediction

__all__ = ["THEME_AFFINITY", "Classifier", "Recommendation", "Recommender", "Result", "Signals",
           "Usage", "Weights"]

#: label → {theme: how well the theme answers a post with that label}. A sub-label is looked up
#: first, then its parent.
THEME_AFFINITY: dict[str, dict[str, float]] = {
    "radicalism": {"anti_violence": 1.0, "anti_recruitment": 0.7, "pancasila": 0.7},
    "sara": {"tolerance": 1.0, "pancasila": 0.6},
    "hate_speech": {"tolerance": 0.8, "humanitarian": 0.6, "pancasila": 0.3},
    "hate_speech.category.religion": {"tolerance": 1.0},
    "hate_speech.category.race_ethnicity": {"tolerance": 1.0, "pancasila": 0.6},
    "hate_speech.category.physical": {"humanitarian": 1.0, "tolerance": 0.5},
    "hate_speech.category.gender": {"humanitarian": 1.0, "tolerance": 0.5},
    "hate_speech.target.individual": {"humanitarian": 0.8, "tolerance": 0.5},
    "abusive": {"humanitarian": 0.6, "tolerance": 0.5},
    "hoax": {"literacy": 1.0},
    "hoax_style": {"literacy": 0.8},
    "disaster": {"disaster_solidarity": 1.0, "humanitarian": 0.3},
    "counter_speech": {"tolerance": 0.3, "pancasila": 0.3},
}
#: languages the lexical signal can read; the others rely on the multilingual embeddings
LEXICAL_LANGUAGES = frozenset({"id", "ms", "jv"})


@dataclass(frozen=True, slots=True)
class Signals:
    """Which signals rank (the ablation in ``bench/recommend.py`` turns each off)."""

    labels: bool = True
    bm25: bool = True
    embeddings: bool = True

    @classmethod
    def parse(cls, spec: str) -> Signals:
        """``"labels,bm25"`` → those on, the rest off; ``"all"`` → every signal."""
        names = {s.strip() for s in spec.split(",") if s.strip()}
        if names == {"all"}:
            return cls()
        unknown = names - {"labels", "bm25", "embeddings"}
        if unknown or not names:
            raise ValueError(f"unknown signal(s) {sorted(unknown)}; use labels, bm25, embeddings "
                             "or all")
        return cls("labels" in names, "bm25" in names, "embeddings" in names)


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each signal counts. Equal weights sit on the broad plateau a grid search found on
    ``seeds/recommend/dev.jsonl`` (never on test); see ``docs/recommend.md``."""

    labels: float = 1.0
    bm25: float = 1.0
    embeddings: float = 1.0
    recency: float = 0.4
    recency_half_life_days: float = 7.0
    performance: float = 0.2


@dataclass(frozen=True, slots=True)
class Usage:
    """What the ranking knows of the past: when each entry was last used, and how it did."""

    last_used: Mapping[str, datetime] = field(default_factory=dict)
    performance: Mapping[str, float] = field(default_factory=dict)
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class Recommendation:
    entry_id: str
    title: str
    themes: tuple[str, ...]
    score: float
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"entry_id": self.entry_id, "title": self.title, "themes": list(self.themes),
                "score": round(self.score, 4), "reasons": list(self.reasons)}


@dataclass(frozen=True, slots=True)
class Result:
    """The recommendations for one post, or none and ``message`` saying why."""

    recommendations: tuple[Recommendation, ...]
    language: str
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"recommendations": [r.to_dict() for r in self.recommendations]}
        if self.message:
            out["message"] = self.message
        return out


class Classifier(Protocol):
    def predict(self, texts: Sequence[str], *, explain: bool = True) -> list[Prediction]: ...


def _tokens(text: str) -> list[str]:
    return [t for t in normalise(text).split() if len(t) > 2 and t.isalpha()]


def entry_document(entry: LibraryEntry) -> str:
    """The text of an entry that similarity is measured against."""
    return f"{entry.title}. {entry.text_id}"


def _scale(row: npt.NDArray[np.float64], floor: float) -> npt.NDArray[np.float64]:
    """Scores → [0, 1]: ``floor`` and below → 0, the best → 1."""
    top = float(row.max(initial=0.0))
    if top <= floor:
        return np.zeros_like(row)
    return np.clip((row - floor) / (top - floor), 0.0, 1.0)


class Recommender:
    """Ranks the approved entries of a library. Build it once per library and keep it: the
    BM25 index and the entries' embeddings are made here."""

    def __init__(self, entries: Sequence[LibraryEntry], *, classifier: Classifier | None,
                 embedder: Embedder | None, signals: Signals | None = None,
                 weights: Weights | None = None, cache_dir: Path | None = None) -> None:
        signals = signals or Signals()
        self.entries = [e for e in entries if e.status == "approved"]
        self.requested = signals
        self.signals = replace(signals, labels=signals.labels and classifier is not None,
                               embeddings=signals.embeddings and embedder is not None)
        self.weights = weights or Weights()
        self.classifier = classifier
        self.embedder = embedder
        self._taxonomy = load_taxonomy()
        self._bm25 = self._index() if self.signals.bm25 and self.entries else None
        self._vectors: Vectors | None = None
        if self.signals.embeddings and self.entries and embedder is not None:
            self._vectors = cached_passages(embedder, [entry_document(e) for e in self.entries],
                                            cache_dir)

    def using(self, classifier: Classifier) -> Recommender:
        """This recommender with another classifier (the model in service), sharing the index
        and the embeddings."""
        twin = copy.copy(self)
        twin.classifier = classifier
        twin.signals = replace(self.signals, labels=self.requested.labels)
        return twin

    def _index(self) -> bm25s.BM25:
        index = bm25s.BM25()
        corpus = [_tokens(f"{e.title} {e.title} {e.text_id} {e.short_280}") or ["_"]
                  for e in self.entries]
        index.index(corpus, show_progress=False)
        return index

    # -- the signals, each an (entries,) array in [0, 1] -----------------------------------

    def _label_fit(self, scores: Mapping[str, float]) -> list[tuple[float, str | None]]:
        """Per entry: its fit and the label behind it."""
        out: list[tuple[float, str | None]] = []
        for entry in self.entries:
            best, why = 0.0, None
            for label in entry.labels:
                if scores.get(label, 0.0) > best:
                    best, why = scores[label], label
            for label, score in scores.items():
                affinity = THEME_AFFINITY.get(label, {})
                fit = score * max((affinity.get(t, 0.0) for t in entry.themes), default=0.0)
                if fit > best:
                    best, why = fit, label
            out.append((best, why))
        return out

    def _lexical(self, text: str) -> npt.NDArray[np.float64]:
        tokens = _tokens(text)
        if self._bm25 is None or not tokens:
            return np.zeros(len(self.entries))
        return _scale(np.asarray(self._bm25.get_scores(tokens), dtype=np.float64), 0.0)

    def _semantic(self, query: Vectors) -> npt.NDArray[np.float64]:
        assert self._vectors is not None
        cosine = (self._vectors @ query).astype(np.float64)
        return _scale(cosine, float(np.median(cosine)))

    def _recency(self, usage: Usage) -> npt.NDArray[np.float64]:
        now = usage.now or datetime.now(UTC)
        out = np.zeros(len(self.entries))
        for i, entry in enumerate(self.entries):
            when = usage.last_used.get(entry.id)
            if when is not None:
                halvings = (max((now - _aware(when)).total_seconds(), 0.0) / 86400
                            / self.weights.recency_half_life_days)
                out[i] = 0.5 ** halvings if halvings < 10 else 0.0  # forgotten after 10
        return out

    # -- ranking ---------------------------------------------------------------------------

    def recommend(self, texts: Sequence[str], k: int = 3, usage: Usage | None = None,
                  labels: Sequence[Mapping[str, float]] | None = None) -> list[Result]:
        """The top ``k`` entries for each text, best first. ``labels`` are the texts' scores
        when they are known already (a stored post's); otherwise the classifier reads them."""
        usage = usage or Usage()
        languages = detect_batch(list(texts))
        if labels is not None and len(labels) != len(texts):
            raise ValueError("one mapping of labels per text")
        predictions: list[Mapping[str, float]] = [{} for _ in texts]
        if labels is not None and self.requested.labels:
            predictions = list(labels)
        elif self.signals.labels and self.classifier is not None and texts:
            predictions = [p.labels for p in self.classifier.predict(list(texts), explain=False)]
        queries = (self.embedder.query(list(texts))
                   if self.signals.embeddings and self.embedder is not None and texts else None)
        recency = self._recency(usage)
        results = []
        for i, text in enumerate(texts):
            scores = predictions[i]
            query = queries[i] if queries is not None else None
            results.append(self._rank(text, languages[i], scores, query, recency, usage, k))
        return results

    def _rank(self, text: str, language: str, scores: Mapping[str, float], query: Vectors | None,
              recency: npt.NDArray[np.float64], usage: Usage, k: int) -> Result:
        if not self.entries:
            return Result((), language, "Pustaka tidak punya entri yang disetujui. / The library "
                                        "has no approved entries.")
        if not text.strip() or language == "und":
            return Result((), language, "Tidak ada rekomendasi: post kosong atau tanpa kata. / No "
                                        "recommendation: the post is empty or has no words.")
        w = self.weights
        fits = self._label_fit(scores)
        label = np.array([f for f, _ in fits])
        lexical = (self._lexical(text) if self.signals.bm25 and language in LEXICAL_LANGUAGES
                   else np.zeros(len(self.entries)))
        semantic = (self._semantic(query) if query is not None and self._vectors is not None
                    else np.zeros(len(self.entries)))
        perf = np.array([min(max(usage.performance.get(e.id, 0.0), 0.0), 1.0)
                         for e in self.entries])
        evidence = w.labels * label + w.bm25 * lexical + w.embeddings * semantic
        if float(evidence.max(initial=0.0)) <= 0.0:
            return Result((), language, _no_evidence(language))
        total = evidence - w.recency * recency + w.performance * perf
        order = np.argsort(-total, kind="stable")[:k]
        return Result(tuple(self._explain(int(j), float(total[j]), fits[j], lexical[j],
                                          semantic[j], recency[j], perf[j], language, usage)
                            for j in order), language)

    def _explain(self, j: int, score: float, fit: tuple[float, str | None], lexical: float,
                 semantic: float, recency: float, perf: float, language: str, usage: Usage
                 ) -> Recommendation:
        entry = self.entries[j]
        reasons = []
        if fit[1] is not None and fit[0] > 0.05:
            name = self._taxonomy.name(fit[1], "id")
            themes = ", ".join(THEMES[t][0] for t in entry.themes)
            reasons.append(f"Post bernada {name} (skor {_id(fit[0])}); entri ini menjawabnya "
                           f"lewat tema {themes}. / The post reads as "
                           f"{self._taxonomy.name(fit[1], 'en')}; this entry answers it.")
        if lexical > 0.3:
            reasons.append(f"Kata-katanya mirip dengan post (BM25 {_id(lexical)}). / Shares words "
                           "with the post.")
        if semantic > 0.3:
            reasons.append(f"Maknanya dekat dengan post (kemiripan {_id(semantic)}). / Close in "
                           "meaning to the post.")
        if language not in LEXICAL_LANGUAGES:
            reasons.append(f"Post berbahasa {language}: dipilih lewat makna lintas bahasa. / The "
                           "post is not Indonesian: chosen by cross-lingual meaning.")
        if recency > 0.01:
            when = usage.last_used[entry.id]
            reasons.append(f"Dipakai baru-baru ini ({_aware(when):%Y-%m-%d}), jadi diturunkan. / "
                           "Used recently, so ranked lower.")
        if perf > 0:
            reasons.append(f"Kinerja sebelumnya {_id(perf)}. / Past performance {perf:.2f}.")
        if fit[0] <= 0.1 and lexical <= 0.3:
            reasons.append("Kecocokan lemah: tidak ada label atau kata yang cocok; periksa dulu, "
                           "atau tulis tanggapan baru. / A weak match: no label or words in "
                           "common; check it, or write a new response.")
        return Recommendation(entry.id, entry.title, entry.themes, score, tuple(reasons))


def _id(value: float) -> str:
    """A number as Indonesian writes it: ``0,82``."""
    return f"{value:.2f}".replace(".", ",")


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _no_evidence(language: str) -> str:
    return (f"Tidak ada rekomendasi: tidak ada sinyal yang cocok untuk post berbahasa "
            f"{language}. Aktifkan embeddings untuk bahasa lain. / No recommendation: no signal "
            f"matched this {language} post; turn on embeddings for other languages.")
