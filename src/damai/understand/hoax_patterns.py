"""Post-disaster hoax patterns (issue #13 part 7): predictions of a quake or tsunami at a stated
time, donations asked for a personal account, old photos or videos presented as new.

The patterns are data (``hoax_patterns.yaml``, written for Damai in Indonesian): families of
rules, each family with a suggested correction in Indonesian and English. :func:`scan` is a pure
function of the text (no I/O after the file is read once, no clock):

1. **Normalise.** NFKC, lower case, every run of spaces one space, a letter written three times
   or more once ("tsunamiii" → "tsunami"), and the file's informal words replaced by standard
   ones ("bsk" → "besok", "hoax" → "hoaks", "gak" → "tidak").
2. **Match.** A rule matches when every one of its groups has a regex that matches somewhere in
   the text, and none of its ``unless`` regexes does (a past report, "gempa susulan tadi jam
   9", is not a prediction). A family matches when one of its rules does; the matched words are
   kept as the evidence a reviewer sees.
3. **Debunk.** A text that holds a debunk marker ("hoaks", "tidak benar", "jangan percaya",
   "gempa tidak bisa diprediksi", "video lama") is a correction, not a hoax: its matches are
   kept but it is not flagged. "Bukan hoaks" ("not a hoax", what hoaxes say of themselves) is
   no marker.

A match is a reason to look, never a verdict: the queue puts it before a person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

__all__ = ["PATTERNS_FILE", "Family", "HoaxPatterns", "PatternHit", "Rule", "Scan",
           "load_patterns", "normalise", "parse_patterns", "scan", "scan_many"]

PATTERNS_FILE: Final = Path(__file__).parent / "hoax_patterns.yaml"
_SPACES: Final = re.compile(r"\s+")
_ELONGATED: Final = re.compile(r"([^\W\d_])\1{2,}")


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    groups: tuple[tuple[re.Pattern[str], ...], ...]
    unless: tuple[re.Pattern[str], ...] = ()

    def evidence(self, text: str) -> tuple[str, ...] | None:
        """The words each group matched, or ``None`` when the rule does not match (the groups
        first: most texts fail there, and ``unless`` is read only for the rest)."""
        found: list[str] = []
        for group in self.groups:
            hit = next((m for p in group if (m := p.search(text))), None)
            if hit is None:
                return None
            found.append(hit.group().strip())
        return None if any(p.search(text) for p in self.unless) else tuple(found)


@dataclass(frozen=True, slots=True)
class Family:
    """A family of hoax patterns, its name and its suggested correction, each (Indonesian,
    English)."""

    id: str
    name: tuple[str, str]
    rules: tuple[Rule, ...]
    correction: tuple[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": {"id": self.name[0], "en": self.name[1]},
                "correction": {"id": self.correction[0], "en": self.correction[1]}}


@dataclass(frozen=True, slots=True)
class PatternHit:
    family: Family
    rule: str
    evidence: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**self.family.to_dict(), "rule": self.rule, "evidence": list(self.evidence)}


@dataclass(frozen=True, slots=True)
class Scan:
    """What :func:`scan` found: the families matched and, when the text debunks, the marker."""

    hits: tuple[PatternHit, ...]
    debunk: str | None

    @property
    def flagged(self) -> bool:
        """A family matched and the text is no debunk: the post goes to the queue."""
        return bool(self.hits) and self.debunk is None


@dataclass(frozen=True, slots=True)
class HoaxPatterns:
    """The slang map, the debunk markers (one alternation: one search a text) and the
    families."""

    slang: Mapping[str, str]
    debunk: re.Pattern[str]
    families: tuple[Family, ...]
    slang_words: re.Pattern[str] = re.compile(r"(?!)")

    def family(self, family_id: str) -> Family | None:
        return next((f for f in self.families if f.id == family_id), None)


def _pair(raw: Mapping[str, Any], where: str) -> tuple[str, str]:
    if not isinstance(raw, Mapping) or not raw.get("id") or not raw.get("en"):
        raise ValueError(f"{where}: needs both `id` and `en`")
    return " ".join(str(raw["id"]).split()), " ".join(str(raw["en"]).split())


def _compile(entry: str, words: Mapping[str, str], where: str) -> re.Pattern[str]:
    if entry.startswith("$"):
        if entry[1:] not in words:
            raise ValueError(f"{where}: unknown word list {entry!r}")
        entry = words[entry[1:]]
    return re.compile(entry)


def _rule(raw: Mapping[str, Any], words: Mapping[str, str], where: str) -> Rule:
    groups = tuple(tuple(_compile(e, words, where) for e in group) for group in raw["all"])
    if not groups or not all(groups):
        raise ValueError(f"{where}: a rule needs groups, each with a regex")
    return Rule(str(raw["name"]), groups,
                tuple(_compile(e, words, where) for e in raw.get("unless", ())))


def parse_patterns(raw: Mapping[str, Any]) -> HoaxPatterns:
    """The patterns of a loaded YAML document (``ValueError`` naming what is wrong)."""
    words = {str(k): str(v) for k, v in raw.get("words", {}).items()}
    families = []
    for f in raw["families"]:
        where = f"family {f.get('id')!r}"
        families.append(Family(
            str(f["id"]), _pair(f.get("name"), f"{where} name"),
            tuple(_rule(r, words, f"{where} rule {r.get('name')!r}") for r in f["rules"]),
            _pair(f.get("correction"), f"{where} correction")))
    slang = {str(k): str(v) for k, v in raw.get("slang", {}).items()}
    markers = [_compile(e, words, "debunk").pattern for e in raw.get("debunk", ())]
    return HoaxPatterns(slang, re.compile("|".join(f"(?:{m})" for m in markers) or "(?!)"),
                        tuple(families), _alternation(slang))


def _alternation(slang: Mapping[str, str]) -> re.Pattern[str]:
    """One regex for every informal word (a look-up per match, not per word of the text)."""
    if not slang:
        return re.compile(r"(?!)")
    words = sorted(slang, key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, words)) + r")(?![^\W_])")


@cache
def load_patterns(path: Path = PATTERNS_FILE) -> HoaxPatterns:
    """The patterns of ``path`` (the bundled file by default), read once per process."""
    with path.open(encoding="utf-8") as handle:
        return parse_patterns(yaml.safe_load(handle))


def normalise(text: str, patterns: HoaxPatterns | None = None) -> str:
    """Step 1 of the module doc."""
    patterns = patterns or load_patterns()
    text = unicodedata.normalize("NFKC", text).lower()
    text = _ELONGATED.sub(r"\1", _SPACES.sub(" ", text)).strip()
    return patterns.slang_words.sub(lambda m: patterns.slang[m.group()], text)


def scan(text: str, patterns: HoaxPatterns | None = None) -> Scan:
    """The hoax families ``text`` matches, and its debunk marker if any (see the module doc)."""
    patterns = patterns or load_patterns()
    clean = normalise(text, patterns)
    hits: list[PatternHit] = []
    for family in patterns.families:
        for rule in family.rules:
            if (evidence := rule.evidence(clean)) is not None:
                hits.append(PatternHit(family, rule.name, evidence))
                break
    debunk = patterns.debunk.search(clean)
    return Scan(tuple(hits), debunk.group() if debunk else None)


def scan_many(texts: Sequence[str]) -> list[Scan]:
    """:func:`scan` over a batch."""
    patterns = load_patterns()
    return [scan(t, patterns) for t in texts]
