"""The multi-label classifier: hashed n-gram features, one calibrated linear model per label.

Each label is a small ensemble of linear models on the same features. The candidates are an
NB-weighted logistic regression and an NB-weighted linear SVM (Wang & Manning's NB-LR and NB-SVM:
features scaled by the label's log-count ratio, which is folded into the weights afterwards) and
a plain linear SVM. Each member's out-of-fold decision values are standardised by their mean and
spread; the subset of members whose summed values have the best out-of-fold F1 is the label's
ensemble. A sum of linear models is one linear model, so the ensemble is folded into one weight
vector per label and scoring every label stays a single sparse-times-dense product. Scores are
Platt-calibrated on the out-of-fold sums, and each label's threshold maximises F1 on those same
scores. Rows whose label is unknown (NaN) are left out of that label's training.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from damai.errors import InputError
from damai.understand.data import Table
from damai.understand.features import FeatureConfig, Featurizer, tokenize
from damai.understand.language import detect_batch
from damai.understand.normalise import Normaliser
from damai.understand.taxonomy import load_taxonomy, parent_of
from damai.understand.thresholds import best_threshold, stream_threshold
from damai.understand.types import MAX_TEXT_CHARS, Prediction

__all__ = ["MODEL_FILE", "LabelFit", "TextClassifier", "TrainConfig", "fit_label", "label_rows",
           "train_classifier"]

MODEL_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
FORMAT = 1
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TrainConfig:
    c: float = 4.0
    nb_alpha: float = 1.0
    svm_c: float = 0.5
    nb_svm_c: float = 0.3
    #: the candidate members, from ``MEMBERS``; each label keeps the best subset
    members: tuple[str, ...] = ("nb_lr", "svm", "nb_svm")
    calibration_folds: int = 3
    min_examples: int = 8
    seed: int = 13
    #: the share of positives every label's threshold is tuned for (a stream, not the labelled
    #: set), within ``threshold_tolerance`` of the labelled set's best F1; 0 = each label's
    #: ``stream_share`` in the taxonomy, and the best F1 where it states none
    stream_prevalence: float = 0.0
    threshold_tolerance: float = 0.02
    #: sources (``Table.source`` values) whose rows are everyday background posts
    background: frozenset[str] = frozenset()
    #: sub-labels learn P(sub | parent) from the rows where the parent is true; without it they
    #: learn from every row, and a page shows them capped at their parent's score
    conditional: bool = True
    #: mask person names as ``_tokoh_`` (see :mod:`damai.understand.normalise`)
    mask_names: bool = False
    features: FeatureConfig = field(default_factory=FeatureConfig)


@dataclass(slots=True)
class LabelFit:
    weights: NDArray[np.float32]
    bias: float
    platt: tuple[float, float]
    threshold: float
    positives: int
    negatives: int
    members: list[str]


def _sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def _nb_ratio(x: sp.csr_matrix, y: NDArray[np.int64], alpha: float) -> NDArray[np.float64]:
    p = alpha + np.asarray(x[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(x[y == 0].sum(axis=0)).ravel()
    return np.asarray(np.log((p / p.sum()) / (q / q.sum())), dtype=np.float64)


def _fit_nb_lr(x: sp.csr_matrix, y: NDArray[np.int64],
               config: TrainConfig) -> tuple[NDArray[np.float64], float]:
    ratio = _nb_ratio(x, y, config.nb_alpha)
    model = LogisticRegression(C=config.c, solver="liblinear", max_iter=200)
    model.fit(x @ sp.diags(ratio), y)
    return model.coef_.ravel() * ratio, float(model.intercept_[0])


def _fit_nb_svm(x: sp.csr_matrix, y: NDArray[np.int64],
                config: TrainConfig) -> tuple[NDArray[np.float64], float]:
    ratio = _nb_ratio(x, y, config.nb_alpha)
    model = LinearSVC(C=config.nb_svm_c, max_iter=2000, random_state=config.seed)
    model.fit(x @ sp.diags(ratio), y)
    return model.coef_.ravel() * ratio, float(model.intercept_[0])


def _fit_svm(x: sp.csr_matrix, y: NDArray[np.int64],
             config: TrainConfig) -> tuple[NDArray[np.float64], float]:
    model = LinearSVC(C=config.svm_c, max_iter=2000, random_state=config.seed)
    model.fit(x, y)
    return model.coef_.ravel().astype(np.float64), float(model.intercept_[0])


Member = Callable[[sp.csr_matrix, NDArray[np.int64], TrainConfig],
                  tuple[NDArray[np.float64], float]]
#: ensemble members by name: each fits one linear model (weights, bias)
MEMBERS: dict[str, Member] = {"nb_lr": _fit_nb_lr, "svm": _fit_svm, "nb_svm": _fit_nb_svm}


def _fit_linear(x: sp.csr_matrix, y: NDArray[np.int64], members: list[str],
                config: TrainConfig,
                scales: list[tuple[float, float]]) -> tuple[NDArray[np.float64], float]:
    """``members`` fitted on ``x`` and folded into one linear model: the sum of each member's
    decision value standardised by ``scales`` (its out-of-fold mean and spread)."""
    weights = np.zeros(x.shape[1])
    bias = 0.0
    for name, (mean, spread) in zip(members, scales, strict=True):
        w, b = MEMBERS[name](x, y, config)
        weights += w / spread
        bias += (b - mean) / spread
    return weights, bias


def _best_f1(scores: NDArray[np.float64], y: NDArray[np.int64]) -> float:
    return best_threshold(scores, y)[1]


def fit_label(x: sp.csr_matrix, y: NDArray[np.int64], config: TrainConfig,
              background: NDArray[np.bool_] | None = None,
              stream_share: float = 0.0) -> LabelFit:
    """Out-of-fold decision values of every candidate member; the subset of members whose
    standardised sum has the best out-of-fold F1 is the label's ensemble, calibrated and
    thresholded on that sum and then fitted on all rows."""
    folds = StratifiedKFold(config.calibration_folds, shuffle=True, random_state=config.seed)
    oof = np.zeros((len(y), len(config.members)))
    for train_idx, val_idx in folds.split(np.zeros(len(y)), y):
        for k, name in enumerate(config.members):
            w, b = MEMBERS[name](x[train_idx], y[train_idx], config)
            oof[val_idx, k] = x[val_idx] @ w + b
    spread = oof.std(axis=0)
    standard = (oof - oof.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    subsets = [c for r in range(1, len(config.members) + 1)
               for c in combinations(range(len(config.members)), r)]
    chosen = max(subsets, key=lambda c: _best_f1(standard[:, list(c)].sum(axis=1), y))
    combined = standard[:, list(chosen)].sum(axis=1)
    platt = LogisticRegression(C=1e4).fit(np.reshape(combined, (-1, 1)), y)
    a, c = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    threshold = stream_threshold(_sigmoid(a * combined + c), y,
                                 config.stream_prevalence or stream_share,
                                 config.threshold_tolerance,
                                 background if background is not None and background.any()
                                 else None)
    members = [config.members[k] for k in chosen]
    scales = [(float(oof[:, k].mean()), float(spread[k]) or 1.0) for k in chosen]
    w, b = _fit_linear(x, y, members, config, scales)
    return LabelFit(w.astype(np.float32), b, (a, c), threshold, int(y.sum()),
                     int(len(y) - y.sum()), members)


class TextClassifier:
    """A trained model: score texts on every label, flag, and explain the flags."""

    def __init__(self, meta: dict[str, Any], featurizer: Featurizer,
                 weights: NDArray[np.float32], bias: NDArray[np.float64]) -> None:
        self.meta = meta
        self.labels: list[str] = list(meta["labels"])
        self.version: str = meta["version"]
        self.thresholds = np.asarray([meta["thresholds"][n] for n in self.labels])
        self.platt = np.asarray([meta["platt"][n] for n in self.labels])
        self.featurizer = featurizer
        self.weights = weights
        self.bias = bias
        self.normaliser = Normaliser.from_config(meta.get("normalise"))
        self.taxonomy = load_taxonomy().merged(meta.get("taxonomy"))
        index = {n: j for j, n in enumerate(self.labels)}
        conditional = set(meta.get("conditional", ()))
        #: (sub-label column, parent column, scored conditionally on the parent?)
        self._subs = [(j, index[p], n in conditional) for j, n in enumerate(self.labels)
                      if (p := parent_of(n)) in index]
        self._exclusions = [(index[n], [index[e] for e in others if e in index])
                            for n, others in self.taxonomy.exclusions.items() if n in index]
        self.signal: NDArray[np.bool_] = np.asarray(
            [self.taxonomy.kind(n) == "signal" for n in self.labels], dtype=bool)

    # -- scoring ---------------------------------------------------------------------------
    def normalise(self, texts: Sequence[str]) -> list[str]:
        return self.normaliser.normalise_batch([t[:MAX_TEXT_CHARS] for t in texts])

    def _decide(self, clean: list[str]) -> tuple[NDArray[np.float64], sp.csr_matrix]:
        """Each label's own calibrated score (a conditional sub-label's is P(sub | parent)),
        and the feature rows."""
        x = self.featurizer.transform(clean)
        decision = np.asarray(x @ self.weights, dtype=np.float64) + self.bias
        return _sigmoid(self.platt[:, 0] * decision + self.platt[:, 1]), x

    def reported(self, raw: NDArray[np.float64]) -> NDArray[np.float64]:
        """The scores a page, export or API shows: a sub-label's score is never above its
        parent's. A conditional sub-label shows P(parent) x P(sub | parent); an older model's
        sub-label is capped at its parent's score. A label that another excludes is shown
        times the chance that the other is absent (a likely hoax is not shown as advice)."""
        out = raw.copy()
        for j, parent, conditional in self._subs:
            out[:, j] = (raw[:, parent] * raw[:, j] if conditional
                         else np.minimum(raw[:, j], raw[:, parent]))
        for j, others in self._exclusions:
            for other in others:
                out[:, j] *= 1.0 - raw[:, other]
        return out

    def decide(self, raw: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Which labels are over their threshold, as flags or signals: a sub-label only under
        a parent that is over, and never while a label that excludes it is over."""
        over = raw >= self.thresholds
        for j, parent, _ in self._subs:
            over[:, j] &= over[:, parent]
        for j, others in self._exclusions:
            for other in others:
                over[:, j] &= ~over[:, other]
        return over

    def raw_scores(self, clean: list[str]) -> tuple[NDArray[np.float64], sp.csr_matrix]:
        """Each label's own calibrated score for normalised texts (a conditional sub-label's is
        P(sub | parent)), and their feature rows."""
        return self._decide(clean)

    def decisions(self, texts: Sequence[str], *, normalised: bool = False
                  ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Shown scores and decisions (flags and signals), one row per text."""
        raw = self._decide(list(texts) if normalised else self.normalise(texts))[0]
        return self.reported(raw), self.decide(raw)

    def scores(self, texts: Sequence[str], *, normalised: bool = False) -> NDArray[np.float64]:
        """Calibrated scores as shown, one row per text and one column per label."""
        return self.decisions(texts, normalised=normalised)[0]

    def predict(self, texts: Sequence[str], *, explain: bool = True) -> list[Prediction]:
        """Scores, flags, signals and language for each text; with ``explain``, the terms
        behind each flag (about 0.1 ms per flag)."""
        clean = self.normalise(texts)
        raw, x = self._decide(clean)
        scores, over = self.reported(raw), self.decide(raw)
        flagged, signalled = over & ~self.signal, over & self.signal
        languages = detect_batch(list(texts))
        out = []
        for i, (text, norm, language) in enumerate(zip(texts, clean, languages, strict=True)):
            empty = not norm.strip()
            flags = [] if empty else [self.labels[j] for j in np.flatnonzero(flagged[i])]
            signals = [] if empty else [self.labels[j] for j in np.flatnonzero(signalled[i])]
            labels = {n: (0.0 if empty else float(s)) for n, s in zip(self.labels, scores[i],
                                                                      strict=True)}
            explanations = ({f: self.explain(norm, f, row=x[i]) for f in flags}
                            if explain and flags else {})
            out.append(Prediction(labels, flags, language, self.version, explanations,
                                  truncated=len(text) > MAX_TEXT_CHARS, empty=empty,
                                  signals=signals))
        return out

    def explain(self, normalised: str, label: str, k: int = 5, *,
                row: sp.csr_matrix | None = None) -> list[tuple[str, float]]:
        """The terms (words and word pairs) that raised ``label``'s score most in this text.

        A term's weight is what its own features (the word, its character n-grams, or the word
        pair) add to the label's decision value; an n-gram shared by two words counts for both.
        """
        column = self.weights[:, self.labels.index(label)]
        x = row if row is not None else self.featurizer.transform([normalised])
        idf = self.featurizer.idf
        assert idf is not None
        n_word = self.featurizer.config.n_word
        word_scale, char_scale = _block_scales(x, idf, n_word)
        tokens = tokenize(normalised)
        totals: dict[str, float] = {}
        for token in tokens:
            word, chars, _ = self.featurizer.entry(token)
            ids = np.frombuffer(chars, dtype=np.int32)
            totals[token] = totals.get(token, 0.0) + float(
                idf[word] * column[word] * word_scale
                + np.dot(idf[ids], column[ids]) * char_scale)
        for a, b in pairwise(tokens):
            pair = self.featurizer.word_pair_id(a, b)
            totals[f"{a} {b}"] = (totals.get(f"{a} {b}", 0.0)
                                  + float(idf[pair] * column[pair] * word_scale))
        ranked = sorted(((t, w) for t, w in totals.items()
                         if w > 0 and all(map(_readable, t.split(" ")))),
                        key=lambda item: -item[1])
        return [(t, round(w, 4)) for t, w in ranked[:k]]

    # -- persistence -----------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        rows = np.flatnonzero(np.any(self.weights != 0, axis=1))
        assert self.featurizer.idf is not None
        idf_rows = np.flatnonzero(self.featurizer.idf != self.featurizer.idf.max())
        np.savez_compressed(folder / WEIGHTS_FILE, rows=rows.astype(np.int32),
                            weights=self.weights[rows].astype(np.float16),
                            bias=self.bias, idf_rows=idf_rows.astype(np.int32),
                            idf=self.featurizer.idf[idf_rows].astype(np.float16),
                            idf_max=np.float32(self.featurizer.idf.max()))
        (folder / MODEL_FILE).write_text(json.dumps(self.meta, indent=2, ensure_ascii=False),
                                         encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> TextClassifier:
        meta_path = folder / MODEL_FILE
        if not meta_path.is_file():
            raise InputError(f"{folder} is not a Damai model: {MODEL_FILE} is missing; train one "
                             "with `damai train` or leave out --model to use the bundled model")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            with np.load(folder / WEIGHTS_FILE) as arrays:
                config = FeatureConfig(**meta["features"])
                weights = np.zeros((config.n_features, len(meta["labels"])), dtype=np.float32)
                weights[arrays["rows"]] = arrays["weights"].astype(np.float32)
                idf = np.full(config.n_features, float(arrays["idf_max"]), dtype=np.float32)
                idf[arrays["idf_rows"]] = arrays["idf"].astype(np.float32)
                bias = arrays["bias"].astype(np.float64)
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            raise InputError(f"the model in {folder} is damaged ({exc.__class__.__name__}: "
                             f"{exc}); retrain it with `damai train`") from None
        if meta.get("format") != FORMAT:
            raise InputError(f"{folder} holds model format {meta.get('format')}, this Damai "
                             f"reads format {FORMAT}; retrain it with `damai train`")
        return cls(meta, Featurizer(config, idf), weights, bias)


def _readable(token: str) -> bool:
    """Whether an analyst can read ``token`` as a reason: a word, a number or an emoji, not
    ASCII punctuation and not a mask such as ``_num_`` or ``_url_``."""
    return not token.startswith("_") and (not token.isascii()
                                          or any(c.isalnum() for c in token))


def _block_scales(x: sp.csr_matrix, idf: NDArray[np.float32], n_word: int) -> tuple[float, float]:
    """Value per unit of IDF in the word block and in the char block of one row (1 / norm)."""
    scales = [0.0, 0.0]
    for index, value in zip(x.indices, x.data, strict=True):
        block = 0 if index < n_word else 1
        if not scales[block]:
            scales[block] = float(value) / float(idf[index])
        if scales[0] and scales[1]:
            break
    return scales[0], scales[1]


def label_rows(table: Table, j: int, *, conditional: bool = True
               ) -> tuple[NDArray[np.bool_], bool]:
    """The rows that teach label ``j``: those where it is known and, for a sub-label whose
    parent is in the table (with ``conditional``), where the parent is true (it learns
    P(sub | parent)); and whether the label is learnt conditionally."""
    known = ~np.isnan(table.y[:, j])
    parent = parent_of(table.labels[j])
    if not conditional or parent is None or parent not in table.labels:
        return known, False
    return known & (table.y[:, table.labels.index(parent)] == 1), True


def model_digest(weights: NDArray[np.float32], thresholds: Mapping[str, float],
                 platt: Mapping[str, Sequence[float]]) -> str:
    """The short hash in a model's version: its weights and everything that turns them into
    decisions, so two models that flag differently never share a version."""
    digest = hashlib.sha256(weights.tobytes())
    digest.update(json.dumps({"thresholds": thresholds, "platt": platt}, sort_keys=True,
                             default=float).encode())
    return digest.hexdigest()[:10]


def train_classifier(table: Table, config: TrainConfig | None = None, *,
                     name: str = "damai", progress: Progress | None = None,
                     extra_meta: dict[str, Any] | None = None) -> TextClassifier:
    """Train on ``table`` (NaN labels are unknown for that row) and return the model."""
    config = config or TrainConfig()
    say = progress or (lambda _: None)
    started = time.time()
    normaliser = Normaliser(mask_names=config.mask_names)
    clean = normaliser.normalise_batch(table.texts)
    featurizer = Featurizer(config.features)
    featurizer.fit_idf(clean)
    x = featurizer.transform(clean)
    background = np.asarray([s in config.background for s in table.source], dtype=bool)
    taxonomy = load_taxonomy()
    fits: dict[str, LabelFit] = {}
    skipped: dict[str, str] = {}
    conditional: list[str] = []
    for j, label in enumerate(table.labels):
        known, is_conditional = label_rows(table, j, conditional=config.conditional)
        if is_conditional:
            conditional.append(label)
        y = table.y[known, j].astype(np.int64)
        if min(int(y.sum()), int(len(y) - y.sum())) < config.min_examples:
            skipped[label] = (f"{int(y.sum())} positive and {int(len(y) - y.sum())} negative "
                              f"rows; at least {config.min_examples} of each are needed")
            say(f"skip {label}: {skipped[label]}")
            continue
        say(f"train {label} on {len(y):,} rows ({int(y.sum()):,} positive)")
        rows = np.flatnonzero(known)
        fits[label] = fit_label(x[rows], y, config, background[rows],
                                taxonomy.stream_share(label))
    if not fits:
        raise InputError("no label could be trained: " + "; ".join(
            f"{k}: {v}" for k, v in skipped.items()))
    labels = list(fits)
    weights = np.stack([fits[n].weights for n in labels], axis=1)
    thresholds = {n: fits[n].threshold for n in labels}
    platt = {n: list(fits[n].platt) for n in labels}
    digest = model_digest(weights, thresholds, platt)
    meta: dict[str, Any] = {
        "format": FORMAT,
        "version": f"{name}-{time.strftime('%Y%m%d', time.gmtime(started))}-{digest}",
        "labels": labels,
        "thresholds": thresholds,
        "platt": platt,
        "support": {n: {"positive": fits[n].positives, "negative": fits[n].negatives}
                    for n in labels},
        "ensemble": {n: fits[n].members for n in labels},
        "conditional": [n for n in conditional if n in fits],
        "stream_shares": {n: config.stream_prevalence or taxonomy.stream_share(n)
                          for n in labels if config.stream_prevalence or
                          taxonomy.stream_share(n)},
        "skipped": skipped,
        "features": asdict(config.features),
        "normalise": normaliser.to_config(),
        "train": {"c": config.c, "nb_alpha": config.nb_alpha, "svm_c": config.svm_c,
                  "nb_svm_c": config.nb_svm_c, "members": list(config.members),
                  "stream_prevalence": config.stream_prevalence,
                  "threshold_tolerance": config.threshold_tolerance,
                  "background_rows": int(background.sum()),
                  "rows": len(table.texts),
                  "seconds": round(time.time() - started, 1)},
        **(extra_meta or {}),
    }
    bias = np.asarray([fits[n].bias for n in labels])
    return TextClassifier(meta, featurizer, weights, bias)
