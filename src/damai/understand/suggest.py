"""What an analyst should label first: active learning over an unlabelled pool.

An analyst's time is the budget. :func:`suggest_rows` scores the pool with the model in service,
drops exact copies, shares the budget between the labels, and within a label takes rows from
score bands: more of the budget where the score is high (positives are rare, so a random pick
holds only a handful) and the rest spread over the lower bands, so that the new threshold is
learnt from both sides. Within a band, rows nearest the band's middle come first. A row too
similar to one already picked (cosine of the n-gram features above ``max_similarity``) is
skipped, so the analyst never labels near-copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from damai.errors import InputError
from damai.understand.model import TextClassifier

__all__ = ["SuggestConfig", "suggest", "suggest_rows"]

Floats = NDArray[np.float64]


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
    seed: int = 0


def suggest_rows(scores: Floats, features: sp.csr_matrix, keys: Sequence[str], k: int,
                 config: SuggestConfig | None = None) -> list[int]:
    """The ``k`` rows to label first, in the order to label them.

    ``scores`` is one column per label (the model's own scores), ``features`` the rows' n-gram
    features and ``keys`` their normalised texts (equal keys are copies, and only the first is
    a candidate). Near copies are skipped while other rows remain.
    """
    config = config or SuggestConfig()
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key.strip():
            first.setdefault(key, i)
    unique = np.asarray(sorted(first.values()), dtype=np.int64)
    k = min(k, len(unique))
    if k <= 0:
        return []
    x = _normalise_rows(features[unique])
    queues = [_label_queue(scores[unique, j], k, config) for j in range(scores.shape[1])]
    picked = _round_robin(queues, k, x, config.max_similarity)
    if len(picked) < k:  # only near copies are left: take them in queue order
        picked += _round_robin(queues, k - len(picked), None, 1.0, taken=set(picked))
    return [int(unique[r]) for r in picked]


def _round_robin(queues: list[list[int]], k: int, x: sp.csr_matrix | None, limit: float,
                 taken: set[int] | None = None) -> list[int]:
    """Up to ``k`` rows taken from the queues in turn; with ``x``, a row more similar than
    ``limit`` to one already taken is passed over."""
    taken = set(taken or ())
    picked: list[int] = []
    seen: list[sp.csr_matrix] = []
    cursor = [0] * len(queues)
    while len(picked) < k and any(c < len(q) for c, q in zip(cursor, queues, strict=True)):
        for j, queue in enumerate(queues):
            while cursor[j] < len(queue):
                row = queue[cursor[j]]
                cursor[j] += 1
                if row in taken or (x is not None and _near_copy(x[row], seen, limit)):
                    continue
                taken.add(row)
                picked.append(row)
                if x is not None:
                    seen.append(x[row])
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
    """Every row of one label in picking order: the bands' quotas interleaved (a band's rows
    in random order), then the rest of each band the same way."""
    rng = np.random.default_rng(config.seed)
    order = np.argsort(-score, kind="stable")
    bands = [rng.permutation(band) for band in np.array_split(order, config.bands)]
    quotas = _band_quotas(k, config.bands, config.tilt)
    head = [list(band[:quota]) for band, quota in zip(bands, quotas, strict=True)]
    tail = [list(band[quota:]) for band, quota in zip(bands, quotas, strict=True)]
    queue: list[int] = []
    for part in (head, tail):
        for rank in range(max((len(b) for b in part), default=0)):
            queue.extend(int(b[rank]) for b in part if rank < len(b))
    return queue


def suggest(model: TextClassifier, texts: Sequence[str], k: int,
            labels: Sequence[str] | None = None,
            config: SuggestConfig | None = None) -> list[int]:
    """Indexes into ``texts`` of the ``k`` rows to label first for ``labels`` (by default the
    model's top-level harmful labels)."""
    names = list(labels) if labels else [n for n in model.labels if "." not in n
                                         and model.taxonomy.is_harmful(n)]
    unknown = [n for n in names if n not in model.labels]
    if unknown:
        raise InputError(f"the model has no label {', '.join(map(repr, unknown))}; it has "
                         f"{', '.join(model.labels)}")
    if k < 1:
        raise InputError(f"--k must be at least 1, not {k}")
    clean = model.normalise(texts)
    raw, x = model.raw_scores(clean)
    columns = [model.labels.index(n) for n in names]
    keys = [" ".join(c.split()) for c in clean]
    return suggest_rows(raw[:, columns], x, keys, k, config)
