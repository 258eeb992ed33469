"""The shapes shared by the understand stage, the pipeline, the CLI and the Ray engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MAX_TEXT_CHARS", "Prediction"]

#: texts longer than this are truncated before scoring, and ``truncated`` is recorded
MAX_TEXT_CHARS = 100_000


@dataclass(slots=True)
class Prediction:
    """What the classifier says about one text.

    ``labels`` holds a calibrated score in [0, 1] for every label of the model (sub-labels are
    named ``parent.kind.value``, e.g. ``hate_speech.target.group``, and never score above their
    parent); ``flags`` are the labels whose score reached their threshold (a sub-label only under
    a flagged parent); ``signals`` are labels of kind ``signal`` in the taxonomy that reached
    their threshold, which rank posts but never flag them; ``explanations`` gives, for each
    flagged label, the terms that pushed its score up most, with their weight.
    """

    labels: dict[str, float]
    flags: list[str]
    language: str
    model_version: str
    explanations: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    truncated: bool = False
    empty: bool = False
    signals: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": {k: round(v, 4) for k, v in self.labels.items()},
            "flags": list(self.flags),
            "signals": list(self.signals),
            "language": self.language,
            "model_version": self.model_version,
            "explanations": {k: [[t, round(w, 4)] for t, w in v]
                             for k, v in self.explanations.items()},
            "truncated": self.truncated,
            "empty": self.empty,
        }
