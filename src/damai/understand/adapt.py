"""Domain adaptation from an installation's own labels, without the base model's training
data (the bundled model cannot ship the rows it learned from). What to label first is
:mod:`damai.understand.suggest`.

**Learning** (:func:`adapt_label`). The base model is a linear model per label. The candidates:

- ``prior``: the adapted decision is ``alpha * base(x) + x . delta + beta``, fitted on the new
  rows by logistic loss with ``lambda / 2 * |delta|^2``, so the weights are pulled toward the
  base model's (Chelba & Acero's prior adaptation); one candidate per ``lambda``;
- ``recalibrate``: ``lambda = inf`` keeps ``delta = 0`` and only recalibrates the base score
  (Platt scale and threshold);
- ``own``: a model of the new rows alone, fitted as ``damai train`` fits one; it wins where the
  installation's notion of a label shares little with the base's;
- ``blend``: the mean of the best prior candidate's and the own model's logits.

Each is judged by K-fold cross-validation on the new rows, on the same folds, so no row is used
both to fit and to judge; the best is fitted on every row, and its threshold maximises F1 on its
out-of-fold scores. A label the base lacks is trained from the new rows alone, as ``damai
train`` would. ``bench/adapt.py`` measures what each choice buys.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import minimize
from sklearn.model_selection import StratifiedKFold

from damai.errors import InputError
from damai.understand.data import Table
from damai.understand.model import (
    LabelFit,
    TextClassifier,
    TrainConfig,
    fit_label,
    label_rows,
    model_digest,
)
from damai.understand.thresholds import best_threshold

__all__ = ["AdaptConfig", "LabelAdaptation", "adapt_label", "adapt_model", "check_counts"]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
#: how far the base model's score may be scaled down or up
ALPHA_RANGE = (0.25, 4.0)


@dataclass(frozen=True, slots=True)
class AdaptConfig:
    #: strengths of the pull toward the base weights; ``inf`` = recalibrate only
    lambdas: tuple[float, ...] = (math.inf, 0.3, 0.1, 0.03, 0.01)
    folds: int = 5
    #: cross-validation runs with other shuffles; their out-of-fold scores are judged together
    repeats: int = 1
    #: weight of one source row against one of the installation's rows
    source_weight: float = 0.1
    min_positives: int = 10
    min_negatives: int = 10
    seed: int = 13
    #: also try a model of the new rows alone, and its blend with the best prior candidate
    own_model: bool = True


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
        return {"method": self.method, "lambda": None if not math.isfinite(self.strength)
                else self.strength, "positives": self.positives, "negatives": self.negatives,
                "cv_f1": self.cv_f1, "threshold": round(self.threshold, 4)}


# -- learning --------------------------------------------------------------------------------

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
    # the base's ranking is kept, if weakened: alpha never turns it off or around
    bounds = [ALPHA_RANGE, (None, None)] + [(None, None)] * n_delta
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds,
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


def _folds(y: Ints, config: AdaptConfig) -> list[list[tuple[Ints, Ints]]]:
    """The cross-validation folds of the installation's rows, one set per repeat, the same for
    every candidate. Repeating with other shuffles steadies the judgement of a few hundred
    rows, where one split's F1 varies by several points."""
    folds = max(2, min(config.folds, int(y.sum()), int((1 - y).sum())))
    return [[(np.asarray(tr), np.asarray(te)) for tr, te in
             StratifiedKFold(folds, shuffle=True, random_state=config.seed + r).split(
                 np.zeros(len(y)), y)] for r in range(config.repeats)]


def _cv_scores(rows: _Rows, strength: float, config: AdaptConfig,
               folds: list[tuple[Ints, Ints]]) -> Floats:
    """Out-of-fold scores of the target rows; source rows are always in training."""
    target = np.flatnonzero(rows.target)
    source = np.flatnonzero(~rows.target)
    out = np.zeros(len(target))
    weight = rows.weights(config.source_weight)
    for train, test in folds:
        fit = np.concatenate([target[train], source])
        delta, alpha, beta = _fit_offset(rows.x[fit], rows.base[fit], rows.y[fit],
                                         weight[fit], strength)
        held = target[test]
        z = alpha * rows.base[held] + beta
        if len(delta):
            z = z + rows.x[held] @ delta
        out[test] = _sigmoid(z)
    return out


def _fit_own(x: sp.csr_matrix, y: Ints) -> tuple[Floats, float]:
    """A model of the installation's rows alone, as ``damai train`` fits one (its ensemble,
    calibration folded in): weights and bias of its calibrated logit."""
    fit = fit_label(x, y, TrainConfig(stream_prevalence=0.0, min_examples=2))
    a, c = fit.platt
    return a * fit.weights.astype(np.float64), a * fit.bias + c


def _cv_own(x: sp.csr_matrix, y: Ints, folds: list[tuple[Ints, Ints]]) -> Floats:
    out = np.zeros(len(y))
    for train, test in folds:
        w, b = _fit_own(x[train], y[train])
        out[test] = _sigmoid(np.asarray(x[test] @ w).ravel() + b)
    return out


def _logit(p: Floats) -> Floats:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.asarray(np.log(p / (1 - p)))


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
    """Adapt one label of the base model to the rows ``x`` labelled ``y``.

    Candidates: the base recalibrated, the base with a prior-pulled correction for each
    ``lambda``, a model of the new rows alone (``own``), and the mean of the best prior's and
    the own model's logits (``blend``). Each is judged by the F1 of its out-of-fold scores on
    the same folds; the best is fitted on every row, with its out-of-fold threshold.
    """
    check_counts(label, y, config)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if source_x is not None and source_y is not None:
        full = sp.vstack([x, source_x]).tocsr()
        labels = np.concatenate([y, source_y])
        target = np.concatenate([np.ones(len(y), bool), np.zeros(len(source_y), bool)])
    else:
        full, labels, target = x, y, np.ones(len(y), bool)
    active = np.unique(full.indices)
    rows = _Rows(full[:, active].tocsr(), np.asarray(full @ base_weights).ravel() + base_bias,
                 labels, target)
    repeats = _folds(y, config)
    y = np.tile(y, len(repeats))  # out-of-fold scores of every repeat, one after another
    oof: dict[str, tuple[Floats, float]] = {}
    for strength in config.lambdas:
        name = "recalibrate" if math.isinf(strength) else f"prior_{strength:g}"
        oof[name] = (np.concatenate([_cv_scores(rows, strength, config, f) for f in repeats]),
                     strength)
    prior = max((n for n in oof if n.startswith("prior_")),
                key=lambda n: best_threshold(oof[n][0], y)[1], default=None)
    if config.own_model:
        oof["own"] = (np.concatenate([_cv_own(x, rows.y[rows.target], f) for f in repeats]),
                      math.nan)
        if prior is not None:
            blend = _sigmoid((_logit(oof[prior][0]) + _logit(oof["own"][0])) / 2)
            oof["blend"] = (blend, oof[prior][1])
    judged = {n: best_threshold(p, y) for n, (p, _) in oof.items()}
    chosen = max(judged, key=lambda n: judged[n][1])
    threshold = judged[chosen][0]
    cv = {n: round(f1, 4) for n, (_, f1) in judged.items()}
    weights, bias = _final(chosen, oof[chosen][1], rows, x, rows.y[rows.target], active,
                           base_weights, base_bias, config)
    method = chosen.split("_")[0]
    return LabelAdaptation(label, weights.astype(np.float32), bias, threshold, method,
                           oof[chosen][1], positives, negatives, cv)


def _final(chosen: str, strength: float, rows: _Rows, x: sp.csr_matrix, y: Ints,
           active: Ints, base_weights: Floats, base_bias: float,
           config: AdaptConfig) -> tuple[Floats, float]:
    """The chosen candidate fitted on every row: weights over all features and a bias, on the
    logit scale (Platt scale 1, offset 0)."""
    parts: list[tuple[Floats, float]] = []
    if chosen != "own":
        delta, alpha, beta = _fit_offset(rows.x, rows.base, rows.y,
                                         rows.weights(config.source_weight), strength)
        weights = alpha * base_weights.astype(np.float64)
        if len(delta):
            weights[active] += delta
        parts.append((weights, alpha * base_bias + beta))
    if chosen in ("own", "blend"):
        parts.append(_fit_own(x, y))
    return (sum((w for w, _ in parts), np.zeros(len(base_weights))) / len(parts),
            sum(b for _, b in parts) / len(parts))


def _rows_for(table: Table, label: str) -> tuple[NDArray[np.int64], Ints]:
    j = table.labels.index(label)
    known, _ = label_rows(table, j)
    index = np.flatnonzero(known)
    return index, table.y[index, j].astype(np.int64)


def _new_label(label: str, x: sp.csr_matrix, y: Ints, config: AdaptConfig) -> LabelFit:
    check_counts(label, y, config)
    return fit_label(x, y, TrainConfig(min_examples=config.min_positives))


def adapt_model(base: TextClassifier, table: Table, *, source: Table | None = None,
                config: AdaptConfig | None = None, name: str = "damai-adapted",
                data_names: Sequence[tuple[str, int]] = (),
                progress: Callable[[str], None] | None = None) -> TextClassifier:
    """``base`` adapted to ``table`` (the installation's labelled rows), optionally with
    ``source`` rows at ``config.source_weight``. Labels the base lacks are trained from the rows
    alone. Labels not in ``table`` keep the base model's weights, threshold and calibration."""
    config = config or AdaptConfig()
    say = progress or (lambda _: None)
    labels = list(base.labels) + [n for n in table.labels if n not in base.labels]
    weights = np.zeros((base.weights.shape[0], len(labels)), dtype=np.float32)
    weights[:, :len(base.labels)] = base.weights
    bias = np.concatenate([base.bias, np.zeros(len(labels) - len(base.labels))])
    meta = copy.deepcopy(base.meta)
    x = base.featurizer.transform(base.normalise(table.texts))
    source_x = (base.featurizer.transform(base.normalise(source.texts))
                if source is not None else None)
    adapted: dict[str, dict[str, Any]] = {}
    for label in table.labels:
        index, y = _rows_for(table, label)
        k = labels.index(label)
        if label not in base.labels:
            say(f"train new label {label} on {len(y):,} rows ({int(y.sum()):,} positive)")
            fit = _new_label(label, x[index], y, config)
            weights[:, k], bias[k] = fit.weights, fit.bias
            meta["platt"][label], meta["thresholds"][label] = list(fit.platt), fit.threshold
            adapted[label] = {"method": "new", "positives": fit.positives,
                              "negatives": fit.negatives, "threshold": round(fit.threshold, 4)}
            continue
        say(f"adapt {label} on {len(y):,} rows ({int(y.sum()):,} positive)")
        extra_x, extra_y = None, None
        if source is not None and source_x is not None and label in source.labels:
            s_index, extra_y = _rows_for(source, label)
            extra_x = source_x[s_index]
        a, c = base.platt[k]
        result = adapt_label(label, x[index], a * base.weights[:, k].astype(np.float64),
                             a * float(base.bias[k]) + c, y, config, source_x=extra_x,
                             source_y=extra_y)
        weights[:, k], bias[k] = result.weights, result.bias
        meta["platt"][label], meta["thresholds"][label] = [1.0, 0.0], result.threshold
        adapted[label] = result.summary()
    digest = model_digest(weights, meta["thresholds"], meta["platt"])
    meta.update({
        "version": f"{name}-{time.strftime('%Y%m%d', time.gmtime())}-{digest}",
        "labels": labels,
        "parent": base.version,
        "adapted": adapted,
        "data": [{"name": n, "rows": r} for n, r in data_names],
        "source_weight": config.source_weight if source is not None else None,
    })
    meta.setdefault("conditional", [])
    return TextClassifier(meta, base.featurizer, weights, bias)
