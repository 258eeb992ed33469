"""The installation's own labels, split once into a training part and a held-out part, and the
evidence a promotion rests on: each model scored on the held-out part, with bootstrap intervals.

**The split.** Whether a labelled post is held out is decided by a keyed hash of its text
(HMAC-SHA256 with the installation secret, the text lower-cased with spaces folded):
:data:`HELDOUT_PERCENT` of texts are held out. It depends on nothing but the text and the secret,
so it never changes as labels arrive, every process and host draws the same line, and copies of
one text (reposts, retweets) always land on the same side: a held-out post's copy can never teach
the model it is judged on. Candidates that Damai builds (:func:`training_table`) learn only from
the training part.

**The figures.** Precision, recall and F1 per label, each with a 95% percentile interval from
:data:`RESAMPLES` bootstrap resamples of the held-out rows (the same resamples for every model,
so the difference between two models has an interval too). The held-out part holds what analysts
judged (triage flags and the teach queue's picks), not a random sample of the stream: its figures
say how a model does on the posts a team looks at.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from damai.errors import InputError
from damai.privacy import installation_secret
from damai.storage import Store
from damai.storage.triage import CorrectedPost
from damai.understand.adapt import AdaptConfig, check_counts
from damai.understand.data import Table
from damai.understand.evaluate import label_metrics
from damai.understand.model import TextClassifier

__all__ = ["HELDOUT_PERCENT", "LABEL_MORE_POSITIVES", "LABEL_MORE_WIDTH", "RESAMPLES",
           "LabelCount", "Split", "compare", "count_labels", "difference", "is_heldout",
           "label_more", "split_corrections", "to_table", "total", "training_table"]

#: the share of labelled texts held out, in percent
HELDOUT_PERCENT: Final = 20
RESAMPLES: Final = 1000
#: a label needs more labels while it has fewer positives than this ...
LABEL_MORE_POSITIVES: Final = 50
#: ... or while the model in service's F1 interval on it is wider than this
LABEL_MORE_WIDTH: Final = 0.2
_CONTEXT: Final = b"damai-heldout-v1\0"


def text_key(text: str) -> str:
    return " ".join(text.lower().split())


def is_heldout(text: str, secret: bytes) -> bool:
    digest = hmac.new(secret, _CONTEXT + text_key(text).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % 100 < HELDOUT_PERCENT


@dataclass(slots=True)
class Split:
    train: list[CorrectedPost] = field(default_factory=list)
    heldout: list[CorrectedPost] = field(default_factory=list)


def split_corrections(store: Store, secret: bytes | None = None) -> Split:
    """Every labelled post, on its side of the line."""
    key = secret if secret is not None else installation_secret()
    split = Split()
    for post in store.triage.corrected_posts():
        (split.heldout if is_heldout(post.text, key) else split.train).append(post)
    return split


def to_table(posts: Sequence[CorrectedPost], labels: Sequence[str] | None = None,
             source: str = "corrections") -> Table:
    """Texts and labels: 1, 0, or NaN where nobody knew (or nobody judged that label)."""
    names = list(labels) if labels is not None else sorted(
        {k for p in posts for k in p.known})
    y = np.full((len(posts), len(names)), np.nan)
    for i, post in enumerate(posts):
        for j, name in enumerate(names):
            value = post.labels.get(name)
            if value is not None:
                y[i, j] = float(value)
    return Table([p.text for p in posts], names, y, [source] * len(posts))


@dataclass(frozen=True, slots=True)
class LabelCount:
    positives: int = 0
    negatives: int = 0
    unknown: int = 0

    def add(self, value: int | None) -> LabelCount:
        return LabelCount(self.positives + (value == 1), self.negatives + (value == 0),
                          self.unknown + (value is None))

    def __add__(self, other: LabelCount) -> LabelCount:
        return LabelCount(self.positives + other.positives, self.negatives + other.negatives,
                          self.unknown + other.unknown)


def total(sides: Mapping[str, LabelCount]) -> LabelCount:
    """The training and held-out counts of a label together."""
    return sum(sides.values(), LabelCount())


def count_labels(split: Split) -> dict[str, dict[str, LabelCount]]:
    """Per label, the answers in the training and the held-out part."""
    counts: dict[str, dict[str, LabelCount]] = {}
    for part, posts in (("train", split.train), ("heldout", split.heldout)):
        for post in posts:
            for label, value in post.labels.items():
                sides = counts.setdefault(label, {"train": LabelCount(),
                                                  "heldout": LabelCount()})
                sides[part] = sides[part].add(value)
    return dict(sorted(counts.items()))


def training_table(split: Split, config: AdaptConfig) -> tuple[Table, dict[str, str]]:
    """The training part as a table of the labels with enough answers to adapt, and why each
    other label was left out. No label has enough: the adapt error that says how many more."""
    table = to_table(split.train)
    keep: list[int] = []
    skipped: dict[str, str] = {}
    first_error: InputError | None = None
    for j in np.argsort(-np.nansum(table.y, axis=0), kind="stable"):
        y = table.y[~np.isnan(table.y[:, j]), j].astype(np.int64)
        try:
            check_counts(table.labels[j], y, config)
        except InputError as exc:
            skipped[table.labels[j]] = exc.message
            first_error = first_error or exc
            continue
        keep.append(int(j))
    if not keep:
        raise InputError("label belum cukup untuk adaptasi / not enough labels to adapt: " + (
            first_error.message if first_error else "nobody has labelled a post yet") +
            ". Beri label di / label more in: Bantu model (/teach)")
    keep.sort()
    rows = np.flatnonzero(~np.isnan(table.y[:, keep]).all(axis=1))
    return Table([table.texts[i] for i in rows], [table.labels[j] for j in keep],
                 table.y[np.ix_(rows, keep)], [table.source[i] for i in rows]), skipped


# -- bootstrap figures --------------------------------------------------------------------------
Figure = tuple[float, float, float]  # value, low, high


def _ratio(top: NDArray[np.float64], bottom: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.divide(top, bottom, out=np.zeros_like(top), where=bottom > 0)


def _interval(point: float, samples: NDArray[np.float64]) -> Figure:
    low, high = np.percentile(samples, [2.5, 97.5])
    return round(point, 4), round(float(low), 4), round(float(high), 4)


def _resampled_f1(weights: NDArray[np.float64], y: NDArray[np.int64],
                  predicted: NDArray[np.bool_]) -> dict[str, NDArray[np.float64]]:
    """Precision, recall and F1 in each resample (``weights``: how often each row is drawn)."""
    tp = weights @ (predicted & (y == 1)).astype(float)
    fp = weights @ (predicted & (y == 0)).astype(float)
    fn = weights @ (~predicted & (y == 1)).astype(float)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {"precision": precision, "recall": recall,
            "f1": _ratio(2 * precision * recall, precision + recall)}


def _weights(n: int, resamples: int, seed: int) -> NDArray[np.float64]:
    """How often each of ``n`` rows is drawn in each resample (fewer resamples for a very large
    held-out part, so the matrix stays under about 80 MB)."""
    if n == 0:
        return np.zeros((resamples, 0))
    resamples = min(resamples, max(200, 10_000_000 // n))
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(float)


def compare(models: Mapping[str, TextClassifier], table: Table, *, resamples: int = RESAMPLES,
            seed: int = 0) -> dict[str, Any]:
    """Every model scored on ``table`` (the held-out part): per label and model, precision,
    recall and F1 as ``[value, low, high]``; per model, the macro F1 over the labels every model
    has and the table holds both classes of (the *judged* labels), with its interval."""
    decided = {name: m.decisions(table.texts)[1] for name, m in models.items()}
    weights = _weights(len(table.texts), resamples, seed)
    result: dict[str, Any] = {"rows": len(table.texts), "labels": {}, "judged": [],
                              "resamples": len(weights)}
    macro: dict[str, list[NDArray[np.float64]]] = {name: [] for name in models}
    points: dict[str, list[float]] = {name: [] for name in models}
    for j, label in enumerate(table.labels):
        known = ~np.isnan(table.y[:, j])
        y = table.y[known, j].astype(np.int64)
        entry: dict[str, Any] = {"n": int(known.sum()), "positives": int(y.sum()),
                                 "models": {}}
        result["labels"][label] = entry
        judged = 0 < y.sum() < len(y) and all(label in m.labels for m in models.values())
        if judged:
            result["judged"].append(label)
        for name, model in models.items():
            if label not in model.labels:
                continue
            predicted = decided[name][known, model.labels.index(label)]
            point = label_metrics(y, predicted, float(model.thresholds[
                model.labels.index(label)]))
            samples = _resampled_f1(weights[:, known], y, predicted)
            entry["models"][name] = {k: _interval(float(point[k]), samples[k])
                                     for k in ("precision", "recall", "f1")}
            if judged:
                macro[name].append(samples["f1"])
                points[name].append(float(point["f1"]))
    result["macro_f1"] = {name: _interval(float(np.mean(points[name])),
                                          np.mean(macro[name], axis=0))
                          for name in models if points[name]}
    return result


def difference(comparison: Mapping[str, Any], candidate: str, service: str) -> float | None:
    """Candidate macro F1 minus the model in service's, on the judged labels (None: no
    evidence, the held-out part judges no label both models have)."""
    macro = comparison.get("macro_f1", {})
    if candidate not in macro or service not in macro:
        return None
    return round(float(macro[candidate][0]) - float(macro[service][0]), 4)


def label_more(counts: Mapping[str, Mapping[str, LabelCount]], comparison: Mapping[str, Any],
               service: str, labels: Iterable[str]) -> dict[str, str]:
    """Labels that need more answers, and why (see :data:`LABEL_MORE_POSITIVES` and
    :data:`LABEL_MORE_WIDTH`)."""
    needs: dict[str, str] = {}
    for label in labels:
        sides = counts.get(label, {})
        positives = sum(c.positives for c in sides.values())
        figures = comparison.get("labels", {}).get(label, {}).get("models", {}).get(service)
        if positives < LABEL_MORE_POSITIVES:
            needs[label] = f"positif / positives {positives} < {LABEL_MORE_POSITIVES}"
        elif figures is None:
            needs[label] = "belum ada angka uji / no held-out figures"
        elif figures["f1"][2] - figures["f1"][1] > LABEL_MORE_WIDTH:
            needs[label] = (f"interval F1 / F1 interval {figures['f1'][2] - figures['f1'][1]:.2f}"
                            f" > {LABEL_MORE_WIDTH}")
    return needs
