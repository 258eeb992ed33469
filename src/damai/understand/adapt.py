"""Domain adaptation from an installation's own labels: what to label first, and how to learn
from it without the base model's training data.

**Picking** (:func:`suggest_rows`). An analyst's time is the budget. Rows are scored by the model
in service; exact and near copies are dropped; the budget is shared between the labels; within a
label, rows are taken from score bands, with more of the budget spent where the score is high
(positives are rare, so a random pick holds only a handful) and the rest spread over the lower
bands (so the new threshold is learnt from both sides). Within a band, rows nearest the band's
own uncertainty come first, and a row too similar (cosine of the n-gram features) to one already
picked is skipped, so the analyst never labels the same post twice.

**Learning** (:func:`adapt_label`). The base model is a linear model per label. For a label the
base has, the adapted decision is ``alpha * base(x) + x . delta + beta``, fitted on the new rows
by logistic loss with ``lambda / 2 * |delta|^2``: the weights are pulled toward the base model's
(Chelba & Acero's prior adaptation). ``lambda = inf`` keeps ``delta = 0`` and only recalibrates
the base score (Platt scale and threshold). Several ``lambda`` are tried; each is judged by
K-fold cross-validation on the new rows, so no row is used both to fit and to judge, and the
best is kept. Its threshold maximises F1 on the out-of-fold scores. A label the base lacks is
trained from the new rows alone, as ``damai train`` would.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import minimize
from sklearn.model_selection import StratifiedKFold

from damai.errors import InputError

__all__ = ["AdaptConfig", "LabelAdaptation", "adapt_label", "suggest_rows"]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class AdaptConfig:
    #: strengths of the pull toward the base weights; ``inf`` = recalibrate only
    lambdas: tuple[float, ...] = (math.inf, 3.0, 1.0, 0.3, 0.1)
    folds: int = 5
    #: weight of one source row against one of the installation's rows
    source_weight: float = 0.1
    min_positives: int = 10
    min_negatives: int = 10
    seed: int = 13


@dataclass(slots=True)
class LabelAdaptation:
    """One label's adapted linear model, on the base model's feature columns."""

    label: str
    weights: NDArray[np.float32]
    bias: float
    threshold: float
    method: str
    strength: float
    positives: int
    negatives: int
    cv_f1: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {"method": self.method, "lambda": None if math.isinf(self.strength)
                else self.strength, "positives": self.positives, "negatives": self.negatives,
                "cv_f1": self.cv_f1, "threshold": round(self.threshold, 4)}


# -- picking ---------------------------------------------------------------------------------

def _normalise_rows(x: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x)


def _band_quotas(k: int, bands: int, tilt: float) -> list[int]:
    """``k`` picks over ``bands`` score bands, highest first, geometric with ratio ``tilt``."""
    shares = np.asarray([tilt ** -b for b in range(bands)])
    raw = k * shares / shares.sum()
    quotas = np.floor(raw).astype(int)
    for b in np.argsort(-(raw - quotas))[: k - int(quotas.sum())]:
        quotas[b] += 1
    return [int(q) for q in quotas]


@dataclass(frozen=True, slots=True)
class SuggestConfig:
    bands: int = 5
    #: how much more of the budget each band gets than the one below it
    tilt: float = 1.6
    #: a row whose cosine similarity to a picked row exceeds this is a near copy
    max_similarity: float = 0.8


def suggest_rows(scores: Floats, features: sp.csr_matrix, keys: Sequence[str], k: int,
                 config: SuggestConfig | None = None) -> list[int]:
    """The ``k`` rows to label first, in the order to label them.

    ``scores`` is one column per label (the model's own scores), ``features`` the rows' n-gram
    features and ``keys`` their normalised texts (equal keys are copies).
    """
    config = config or SuggestConfig()
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key.strip():
            first.setdefault(key, i)
    unique = np.asarray(sorted(first.values()), dtype=np.int64)
    if k <= 0 or not len(unique):
        return []
    x = _normalise_rows(features[unique])
    labels = scores.shape[1]
    queues = [_label_queue(scores[unique, j], min(k, len(unique)), config)
              for j in range(labels)]
    picked: list[int] = []
    chosen = np.zeros(len(unique), dtype=bool)
    picked_x: list[sp.csr_matrix] = []
    cursor = [0] * labels
    while len(picked) < min(k, len(unique)) and any(c < len(q) for c, q in
                                                    zip(cursor, queues, strict=True)):
        for j in range(labels):
            while cursor[j] < len(queues[j]):
                row = queues[j][cursor[j]]
                cursor[j] += 1
                if chosen[row] or _near_copy(x[row], picked_x, config.max_similarity):
                    continue
                chosen[row] = True
                picked.append(int(unique[row]))
                picked_x.append(x[row])
                break
            if len(picked) >= k:
                break
    return picked


def _near_copy(row: sp.csr_matrix, picked: list[sp.csr_matrix], limit: float) -> bool:
    if not picked:
        return False
    similarity = sp.vstack(picked) @ row.T
    return bool(similarity.max() > limit) if similarity.nnz else False


def _label_queue(score: Floats, k: int, config: SuggestConfig) -> list[int]:
    """Rows of one label in picking order: the bands' quotas interleaved, each band's rows
    nearest its middle first. Each band also lists spare rows, used when near copies are
    skipped."""
    order = np.argsort(-score, kind="stable")
    bands = np.array_split(order, config.bands)
    quotas = _band_quotas(k, config.bands, config.tilt)
    per_band: list[list[int]] = []
    for band, quota in zip(bands, quotas, strict=True):
        if not len(band):
            per_band.append([])
            continue
        middle = float(np.median(score[band]))
        ranked = band[np.argsort(np.abs(score[band] - middle), kind="stable")]
        step = max(1, len(ranked) // max(quota, 1))
        spread = list(ranked[::step][:quota]) if quota else []
        rest = [r for r in ranked if r not in set(spread)]
        per_band.append([int(r) for r in spread + rest[: max(quota, 1) * 3]])
    queue: list[int] = []
    for rank in range(max((len(b) for b in per_band), default=0)):
        queue.extend(b[rank] for b in per_band if rank < len(b))
    return queue


# -- learning --------------------------------------------------------------------------------

def _best_threshold(p: Floats, y: Ints) -> tuple[float, float]:
    order = np.argsort(-p, kind="stable")
    hits = np.cumsum(y[order])
    f1 = 2 * hits / (np.arange(1, len(y) + 1) + y.sum())
    best = int(np.argmax(f1))
    upper = p[order[best]]
    lower = p[order[best + 1]] if best + 1 < len(order) else 0.0
    return float((upper + lower) / 2), float(f1[best])


def _sigmoid(z: Floats) -> Floats:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def _fit_offset(x: sp.csr_matrix, base: Floats, y: Ints, weight: Floats,
                strength: float) -> tuple[Floats, float, float]:
    """``alpha``, ``beta`` and ``delta`` minimising the weighted logistic loss of
    ``alpha * base + x . delta + beta`` plus ``strength / 2 * |delta|^2`` (a faint pull keeps
    ``alpha`` near 1 and ``beta`` near 0 when the rows separate)."""
    fixed = math.isinf(strength)
    n_delta = 0 if fixed else x.shape[1]
    sign = 2.0 * y - 1.0
    faint = 1e-3

    def loss(theta: Floats) -> tuple[float, Floats]:
        alpha, beta, delta = theta[0], theta[1], theta[2:]
        z = alpha * base + beta + (x @ delta if n_delta else 0.0)
        margin = sign * z
        losses = np.logaddexp(0.0, -margin)
        g = -sign * _sigmoid(-margin) * weight
        value = float(weight @ losses) + faint / 2 * ((alpha - 1) ** 2 + beta ** 2)
        grad = np.empty_like(theta)
        grad[0] = g @ base + faint * (alpha - 1)
        grad[1] = g.sum() + faint * beta
        if n_delta:
            value += strength / 2 * float(delta @ delta)
            grad[2:] = x.T @ g + strength * delta
        return value, grad

    start = np.zeros(2 + n_delta)
    start[0] = 1.0
    result = minimize(loss, start, jac=True, method="L-BFGS-B",
                      options={"maxiter": 500})
    theta = result.x
    return theta[2:], float(theta[0]), float(theta[1])


@dataclass(slots=True)
class _Rows:
    """The installation's rows (target) and any source rows, on the active feature columns."""

    x: sp.csr_matrix
    base: Floats
    y: Ints
    target: NDArray[np.bool_]

    def weights(self, source_weight: float) -> Floats:
        return np.where(self.target, 1.0, source_weight)


def _cv_scores(rows: _Rows, strength: float, config: AdaptConfig) -> Floats:
    """Out-of-fold scores of the target rows; source rows are always in training."""
    target = np.flatnonzero(rows.target)
    source = np.flatnonzero(~rows.target)
    folds = min(config.folds, int(rows.y[target].sum()), int((1 - rows.y[target]).sum()))
    splitter = StratifiedKFold(max(folds, 2), shuffle=True, random_state=config.seed)
    out = np.zeros(len(target))
    weight = rows.weights(config.source_weight)
    for train, test in splitter.split(np.zeros(len(target)), rows.y[target]):
        fit = np.concatenate([target[train], source])
        delta, alpha, beta = _fit_offset(rows.x[fit], rows.base[fit], rows.y[fit],
                                         weight[fit], strength)
        held = target[test]
        z = alpha * rows.base[held] + beta
        if len(delta):
            z = z + rows.x[held] @ delta
        out[test] = _sigmoid(z)
    return out


def check_counts(label: str, y: Ints, config: AdaptConfig) -> None:
    """A clear error, with how many more labels are needed, when a label cannot be adapted."""
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if positives >= config.min_positives and negatives >= config.min_negatives:
        return
    if positives == 0 or negatives == 0:
        which = "positive (1)" if positives == 0 else "negative (0)"
        raise InputError(f"label {label!r} has only one class: {positives} positive and "
                         f"{negatives} negative rows; label at least "
                         f"{config.min_positives if positives == 0 else config.min_negatives} "
                         f"{which} rows more (`damai adapt suggest` finds likely ones)")
    short = []
    if positives < config.min_positives:
        short.append(f"{config.min_positives - positives} more positive")
    if negatives < config.min_negatives:
        short.append(f"{config.min_negatives - negatives} more negative")
    raise InputError(f"label {label!r} has {positives} positive and {negatives} negative rows; "
                     f"at least {config.min_positives} of each are needed: label "
                     f"{' and '.join(short)} rows (`damai adapt suggest` picks them)")


def adapt_label(label: str, x: sp.csr_matrix, base_weights: Floats, base_bias: float,
                y: Ints, config: AdaptConfig, *, source_x: sp.csr_matrix | None = None,
                source_y: Ints | None = None) -> LabelAdaptation:
    """Adapt one label of the base model to the rows ``x`` labelled ``y``."""
    check_counts(label, y, config)
    if source_x is not None and source_y is not None:
        full = sp.vstack([x, source_x]).tocsr()
        labels = np.concatenate([y, source_y])
        target = np.concatenate([np.ones(len(y), bool), np.zeros(len(source_y), bool)])
    else:
        full, labels, target = x, y, np.ones(len(y), bool)
    active = np.unique(full.indices)
    rows = _Rows(full[:, active].tocsr(), np.asarray(full @ base_weights).ravel() + base_bias,
                 labels, target)
    cv: dict[str, float] = {}
    best: tuple[float, float, float] | None = None
    for strength in config.lambdas:
        p = _cv_scores(rows, strength, config)
        threshold, f1 = _best_threshold(p, rows.y[rows.target])
        cv["recalibrate" if math.isinf(strength) else f"prior_{strength:g}"] = round(f1, 4)
        if best is None or f1 > best[1] + 1e-9:
            best = (strength, f1, threshold)
    assert best is not None
    strength, _, threshold = best
    delta, alpha, beta = _fit_offset(rows.x, rows.base, rows.y,
                                     rows.weights(config.source_weight), strength)
    weights = (alpha * base_weights).astype(np.float64)
    if len(delta):
        weights[active] += delta
    return LabelAdaptation(label, weights.astype(np.float32), alpha * base_bias + beta,
                           threshold, "recalibrate" if math.isinf(strength) else "prior",
                           strength, int(y.sum()), int(len(y) - y.sum()), cv)
