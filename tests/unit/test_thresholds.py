"""Issue #9: thresholds for a stream, not for the labelled set's share of positives."""

from __future__ import annotations

import numpy as np

from damai.understand.taxonomy import load_taxonomy
from damai.understand.thresholds import best_threshold, f1_curve, stream_threshold


def _scores() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # 40 positives spread over 0.55-0.95; 40 negatives at 0.1-0.5; 10 everyday posts at
    # 0.6-0.7, which the labelled set's best-F1 threshold (0.55) would flag
    positives = np.linspace(0.55, 0.95, 40)
    negatives = np.linspace(0.1, 0.5, 40)
    everyday = np.linspace(0.6, 0.7, 10)
    scores = np.concatenate([positives, negatives, everyday])
    y = np.concatenate([np.ones(40), np.zeros(50)]).astype(np.int64)
    background = np.concatenate([np.zeros(80, bool), np.ones(10, bool)])
    return scores, y, background


def test_best_threshold_maximises_f1() -> None:
    scores, y, _ = _scores()
    threshold, f1 = best_threshold(scores, y)
    predicted = scores >= threshold
    assert f1 == max(f1_curve(scores, y)[1])
    assert 2 * np.sum(predicted & (y == 1)) / (predicted.sum() + y.sum()) == f1


def test_a_rare_label_cuts_above_the_everyday_posts_within_the_tolerance() -> None:
    scores, y, background = _scores()
    plain, best = best_threshold(scores, y)
    assert np.all(scores[background] >= plain)
    stream = stream_threshold(scores, y, 0.01, 0.1, background)
    assert np.sum(scores[background] >= stream) < np.sum(scores[background] >= plain)
    predicted = scores >= stream
    f1 = 2 * np.sum(predicted & (y == 1)) / (predicted.sum() + y.sum())
    assert f1 >= best - 0.1  # the labelled set loses no more than the tolerance
    wider = stream_threshold(scores, y, 0.01, 0.2, background)
    assert not np.any(scores[background] >= wider)  # no everyday post flagged


def test_no_tolerance_or_no_stream_share_keeps_the_best_f1() -> None:
    scores, y, background = _scores()
    plain, _ = best_threshold(scores, y)
    assert stream_threshold(scores, y, 0.0, 0.1, background) == plain
    assert stream_threshold(scores, y, 0.01, 0.0, background) == plain


def test_the_taxonomy_states_the_hoax_stream_share() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.stream_share("hoax") == 0.01
    assert taxonomy.stream_share("hate_speech") == 0.0
    assert taxonomy.kind("hoax_style") == "signal"
