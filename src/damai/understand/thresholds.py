"""Decision thresholds from out-of-fold scores.

A labelled training set is not a stream: ibrohim2019 is 42% hate speech, a real stream a few
percent, most of it everyday posts. At a threshold ``t``, recall does not depend on the share of
positives, but precision does. :func:`stream_threshold` weighs the negatives as a stream would:
when the training data holds *background* rows (everyday posts, ``damai train --background``),
those stand for the stream's ordinary posts and each weighs ``(1 - pi) / pi * P / B`` (``P``
positives, ``B`` background rows, ``pi`` the stream's share of positives); without background
rows every negative weighs ``(1 - pi) / pi * P / N``. Among the thresholds whose F1 on the
labelled set is within ``tolerance`` of the best, it takes the one with the best F1 in that
stream: a threshold that costs the labelled set almost nothing and spares the stream many false
flags.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["best_threshold", "f1_curve", "stream_threshold"]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


def f1_curve(scores: Floats, y: Ints, negative_weight: float = 1.0
             ) -> tuple[Floats, Floats]:
    """Thresholds (midpoints between consecutive sorted scores, highest first) and the F1 of
    flagging every score at or above each, with negatives weighted ``negative_weight``."""
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    hits = np.cumsum(y[order])
    false = np.cumsum(1 - y[order]) * negative_weight
    f1 = 2 * hits / (hits + false + max(float(y.sum()), 1e-12))
    lower = np.append(ranked[1:], 0.0)
    return (ranked + lower) / 2, f1


def best_threshold(scores: Floats, y: Ints) -> tuple[float, float]:
    """The threshold with the best F1 on ``scores``, and that F1."""
    thresholds, f1 = f1_curve(scores, y)
    best = int(np.argmax(f1))
    return float(thresholds[best]), float(f1[best])


def stream_threshold(scores: Floats, y: Ints, prevalence: float, tolerance: float,
                     background: NDArray[np.bool_] | None = None) -> float:
    """The threshold with the best F1 in a stream where ``prevalence`` of posts are positive,
    among those within ``tolerance`` of the labelled set's best F1 (see the module docstring)."""
    positives = float(y.sum())
    stream_negatives = (y == 0) if background is None else (y == 0) & background
    count = float(stream_negatives.sum())
    if not 0 < prevalence < 1 or positives == 0 or count == 0:
        return best_threshold(scores, y)[0]
    thresholds, f1 = f1_curve(scores, y)
    weight = (1 - prevalence) / prevalence * positives / count
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(y[order])
    false = np.cumsum(np.where(stream_negatives[order], weight, (y[order] == 0) * 1.0))
    stream = 2 * hits / (hits + false + positives)
    allowed = f1 >= f1.max() - tolerance
    return float(thresholds[int(np.argmax(np.where(allowed, stream, -1.0)))])
