"""The label taxonomy, read from ``taxonomy.json``: what kind each label is and which labels
exclude others.

The taxonomy is data so that an agency can add a label (with labelled examples) without a code
change. A model may carry its own ``taxonomy`` block in ``model.json``; its entries override the
bundled file's, label by label.

- ``kind``: ``harm`` (a harmful flag that enters triage), ``info`` (a useful flag: disaster,
  counter-speech) or ``signal`` (scored and ranked, never a flag). Sub-labels, named
  ``parent.kind.value``, take their parent's kind. A label the taxonomy does not know is ``harm``
  if it is new to the taxonomy, so an unknown label is never silently dropped from triage.
- ``stream_share``: the share of a real stream that carries the label, given where the training
  data is far from it (hoax seeds are 45% hoaxes; a stream holds about 1%); ``damai train``
  tunes that label's threshold for the stream (:mod:`damai.understand.thresholds`).
- ``exclusions``: ``{label: [other, ...]}``: ``label`` never flags while ``other`` flags. A post
  that predicts an earthquake is a hoax, not safety advice, so
  ``disaster.info.warning_advice`` is excluded by ``hoax``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

__all__ = ["HARMFUL_KINDS", "Taxonomy", "load_taxonomy", "parent_of"]

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.json")
Kind = Literal["harm", "info", "signal"]
KINDS: tuple[Kind, ...] = ("harm", "info", "signal")
HARMFUL_KINDS = frozenset({"harm"})


def parent_of(label: str) -> str | None:
    """``hate_speech`` for ``hate_speech.target.group``; ``None`` for a top-level label."""
    return label.split(".", 1)[0] if "." in label else None


@dataclass(frozen=True, slots=True)
class Taxonomy:
    version: str
    kinds: dict[str, Kind] = field(default_factory=dict)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    exclusions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stream_shares: dict[str, float] = field(default_factory=dict)

    def kind(self, label: str) -> Kind:
        top = parent_of(label) or label
        return self.kinds.get(top, "harm")

    def stream_share(self, label: str) -> float:
        """The label's share of a real stream, or 0 when the taxonomy states none."""
        return self.stream_shares.get(label, 0.0)

    def is_harmful(self, label: str) -> bool:
        return self.kind(label) in HARMFUL_KINDS

    def name(self, label: str, language: str = "id") -> str:
        """The label's display name in ``id`` or ``en``; the label itself when it has none."""
        pair = self.names.get(label)
        return label if pair is None else pair[0 if language == "id" else 1]

    def merged(self, override: dict[str, Any] | None) -> Taxonomy:
        """This taxonomy with a model's own ``taxonomy`` block laid over it."""
        if not override:
            return self
        other = _parse(override, "model.json taxonomy")
        return Taxonomy(other.version or self.version, {**self.kinds, **other.kinds},
                        {**self.names, **other.names}, {**self.exclusions, **other.exclusions},
                        {**self.stream_shares, **other.stream_shares})

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version,
                "labels": {k: {"kind": v, "id": self.name(k, "id"), "en": self.name(k, "en"),
                               **({"stream_share": self.stream_shares[k]}
                                  if k in self.stream_shares else {})}
                           for k, v in self.kinds.items()},
                "exclusions": {k: list(v) for k, v in self.exclusions.items()}}


def _parse(data: dict[str, Any], where: str) -> Taxonomy:
    kinds: dict[str, Kind] = {}
    names: dict[str, tuple[str, str]] = {}
    shares: dict[str, float] = {}
    for label, entry in (data.get("labels") or {}).items():
        kind = entry.get("kind", "harm")
        if kind not in KINDS:
            raise ValueError(f"{where}: label {label!r} has kind {kind!r}; use one of "
                             f"{', '.join(KINDS)}")
        kinds[label] = kind
        names[label] = (str(entry.get("id", label)), str(entry.get("en", label)))
        if "stream_share" in entry:
            shares[label] = float(entry["stream_share"])
    for label, entry in (data.get("names") or {}).items():  # sub-labels: a name, no kind
        names[label] = (str(entry.get("id", label)), str(entry.get("en", label)))
    exclusions = {k: tuple(v) for k, v in (data.get("exclusions") or {}).items()}
    return Taxonomy(str(data.get("version", "")), kinds, names, exclusions, shares)


@cache
def load_taxonomy() -> Taxonomy:
    """The bundled taxonomy."""
    return _parse(json.loads(TAXONOMY_FILE.read_text(encoding="utf-8")), str(TAXONOMY_FILE))
