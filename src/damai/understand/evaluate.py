"""Quality figures: ``damai evaluate`` on held-out data, or K-fold cross-validation.

F1 is the F1 of the positive class. ``macro_f1`` is the mean F1 over the evaluated labels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.model_selection import StratifiedKFold

from damai.errors import InputError
from damai.understand.data import Table
from damai.understand.model import TextClassifier, TrainConfig, train_classifier

__all__ = ["cross_validate", "evaluate_model", "label_metrics"]


def label_metrics(y: NDArray[np.int64], predicted: NDArray[np.bool_],
                  threshold: float) -> dict[str, float | int]:
    """Precision, recall and F1 of the positive class, and ``flag_rate``: the share of rows
    flagged, which is the false-flag rate on a set that holds no positives (where F1 is
    undefined and reported as 0)."""
    tp = int(np.sum(predicted & (y == 1)))
    fp = int(np.sum(predicted & (y == 0)))
    fn = int(np.sum(~predicted & (y == 1)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "support": int(np.sum(y == 1)), "threshold": round(threshold, 4),
            "flag_rate": round(float(np.mean(predicted)) if len(y) else 0.0, 4)}


def evaluate_model(model: TextClassifier, table: Table) -> dict[str, Any]:
    """Score ``table`` with ``model``, judging the model's own decisions (a sub-label counts only
    under a flagged parent, as a page shows it); every label of the table must be the model's.

    ``any_flag_rate`` is the share of rows with at least one of the evaluated labels flagged. A
    label of kind ``signal`` never flags: its precision, recall and F1 judge the signal, its
    ``flag_rate`` is 0 and ``signal_rate`` says how often it fired.
    """
    missing = [n for n in table.labels if n not in model.labels]
    if missing:
        raise InputError(f"the model has no label {', '.join(map(repr, missing))}; it has "
                         f"{', '.join(model.labels)}")
    _, decided = model.decisions(table.texts)
    flagged = decided & ~model.signal
    result: dict[str, Any] = {"labels": {}}
    columns = [model.labels.index(name) for name in table.labels]
    for j, (name, k) in enumerate(zip(table.labels, columns, strict=True)):
        known = ~np.isnan(table.y[:, j])
        metrics = label_metrics(table.y[known, j].astype(np.int64), decided[known, k],
                                float(model.thresholds[k]))
        if model.signal[k]:  # judged as a signal: it ranks, and never flags
            metrics["signal_rate"], metrics["flag_rate"] = metrics["flag_rate"], 0.0
        result["labels"][name] = {**metrics, "kind": model.taxonomy.kind(name)}
    result["macro_f1"] = round(float(np.mean([m["f1"] for m in result["labels"].values()])), 4)
    result["any_flag_rate"] = round(float(flagged[:, columns].any(axis=1).mean())
                                    if len(table.texts) else 0.0, 4)
    result["rows"] = len(table.texts)
    result["model_version"] = model.version
    return result


def cross_validate(table: Table, folds: int, config: TrainConfig | None = None, *,
                   seed: int = 0, progress: Callable[[str], None] | None = None
                   ) -> dict[str, Any]:
    """Stratified K-fold on one table, training inside each fold; metrics are fold means."""
    if folds < 2:
        raise InputError("--cv needs at least 2 folds")
    strata = np.nan_to_num(table.y[:, 0], nan=-1).astype(np.int64)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    per_fold: list[dict[str, Any]] = []
    for number, (train_idx, test_idx) in enumerate(splitter.split(strata, strata), start=1):
        if progress:
            progress(f"fold {number}/{folds}")
        model = train_classifier(_subset(table, train_idx), config)
        per_fold.append(evaluate_model(model, _subset(table, test_idx)))
    labels = {name: {key: round(float(np.mean([f["labels"][name][key] for f in per_fold])), 4)
                     for key in ("precision", "recall", "f1", "threshold", "flag_rate")}
              for name in table.labels}
    for name in labels:
        labels[name]["support"] = int(sum(f["labels"][name]["support"] for f in per_fold))
    return {"labels": labels,
            "macro_f1": round(float(np.mean([f["macro_f1"] for f in per_fold])), 4),
            "folds": folds, "fold_f1": {n: [f["labels"][n]["f1"] for f in per_fold]
                                        for n in table.labels},
            "rows": len(table.texts)}


def _subset(table: Table, index: NDArray[np.int64]) -> Table:
    return Table([table.texts[i] for i in index], table.labels, table.y[index],
                 [table.source[i] for i in index])
