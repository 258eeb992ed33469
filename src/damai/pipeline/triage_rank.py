"""The triage priority, stated once: **weight[label] × severity × reach**.

- **severity**: the label's score (0–1) on the post;
- **reach** = 1 + ln(1 + likes + reposts + replies + quotes), so a post nobody engaged with still
  ranks by severity, and each tenfold of engagement adds about 2.3;
- **weight**: the setting ``DAMAI_TRIAGE_WEIGHTS`` (``label=number`` pairs, comma separated); a
  sub-label takes its top label's weight, and a label not named weighs 1.

A post's priority is the highest of its flagged labels' in its queue. Queues keep harms and
information apart so they never crowd each other out: ``harm`` (any harmful flag), else
``disaster`` or ``counter_speech``. A post flagged only on a signal (``hoax_style``) is in none.
Pure functions: no store, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from damai import settings
from damai.errors import ConfigError
from damai.storage import Store
from damai.understand.taxonomy import Taxonomy, load_taxonomy, parent_of

__all__ = ["FORMULA", "QUEUES", "Scored", "Weights", "parse_weights", "reach", "score_post",
           "sync_queue", "weights_from_settings"]

#: the queues, in tab order
QUEUES: Final[tuple[str, ...]] = ("harm", "disaster", "counter_speech")
FORMULA: Final = "bobot[label] × keparahan × jangkauan / weight[label] × severity × reach"
_INTERACTIONS: Final = ("likes", "reposts", "replies", "quotes")
_MAX_WEIGHT: Final = 1000.0


@dataclass(frozen=True, slots=True)
class Weights:
    by_label: dict[str, float]

    def of(self, label: str) -> float:
        return self.by_label.get(label, self.by_label.get(parent_of(label) or label, 1.0))

    @property
    def fingerprint(self) -> str:
        """The weights in one canonical line (the store works priorities out again when it
        changes)."""
        return ",".join(f"{k}={v!r}" for k, v in sorted(self.by_label.items()))


@dataclass(frozen=True, slots=True)
class Scored:
    queue: str
    label: str
    severity: float
    reach: float
    priority: float


def parse_weights(text: str, known: set[str]) -> Weights:
    """``radicalism=3,hoax=2.5`` → weights; anything else is refused with what to write."""
    found: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        label, sep, number = part.partition("=")
        label = label.strip()
        try:
            value = float(number) if sep else math.nan
        except ValueError:
            value = math.nan
        if not (0 < value <= _MAX_WEIGHT):
            raise ConfigError(
                f"DAMAI_TRIAGE_WEIGHTS: {part!r} bukan label=angka (0 < angka ≤ 1000) / "
                f"is not label=number (0 < number ≤ 1000), e.g. radicalism=3,hoax=2.5")
        if label not in known:
            raise ConfigError(f"DAMAI_TRIAGE_WEIGHTS: label {label!r} tidak dikenal / unknown; "
                              f"known: {', '.join(sorted(known))}")
        found[label] = value
    return Weights(found)


def weights_from_settings(taxonomy: Taxonomy | None = None) -> Weights:
    taxonomy = taxonomy or load_taxonomy()
    return parse_weights(settings.get("triage_weights"), set(taxonomy.kinds))


def reach(engagement: Mapping[str, Any] | None) -> float:
    counts = engagement or {}
    interactions = 0
    for key in _INTERACTIONS:
        try:
            interactions += max(0, int(counts.get(key, 0) or 0))
        except (TypeError, ValueError):
            continue
    return 1.0 + math.log1p(interactions)


def queue_of(label: str, taxonomy: Taxonomy) -> str | None:
    kind = taxonomy.kind(label)
    if kind == "harm":
        return "harm"
    top = parent_of(label) or label
    return top if kind == "info" and top in QUEUES else None


def score_post(flags: list[str], labels: Mapping[str, float], engagement: Mapping[str, Any] | None,
               weights: Weights, taxonomy: Taxonomy) -> Scored | None:
    """The post's queue and priority, or None when none of its flags belongs to a queue."""
    queued = [(q, f) for f in flags if (q := queue_of(f, taxonomy)) is not None]
    if not queued:
        return None
    queue = min((q for q, _ in queued), key=QUEUES.index)
    spread = reach(engagement)
    best = max(((weights.of(f) * float(labels.get(f, 1.0)), f) for q, f in queued if q == queue),
               key=lambda pair: (pair[0], pair[1]))
    label = best[1]
    severity = float(labels.get(label, 1.0))
    return Scored(queue, label, severity, spread, best[0] * spread)


def sync_queue(store: Store, most: int | None = None) -> tuple[Weights, int]:
    """Work out the marked queue rows (about ``most`` at most; None: all) with the weights of
    the settings; return the weights and how many rows were worked out."""
    taxonomy = load_taxonomy()
    weights = weights_from_settings(taxonomy)
    done = store.triage_queue.sync(
        lambda flags, labels, engagement: score_post(flags, labels, engagement, weights,
                                                     taxonomy), weights.fingerprint, most)
    return weights, done
