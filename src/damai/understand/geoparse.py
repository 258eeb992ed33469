"""Find the provinces, regencies and districts that a post names (issue #13).

:func:`geoparse` is a pure function of the text: no I/O after the gazetteer is built once, no
clock, and never the author's profile. It works in four steps.

1. **Tokens.** Links and @handles are dropped, a hashtag's CamelCase is split ("#BanjirBekasi"
   → "Banjir Bekasi"), and the text becomes words with, before each, the kind of break that
   precedes it: none, a comma-like break, or a sentence end. The dot after "Kab", "Kec" or
   "Prov" is not a sentence end.
2. **Mentions.** From each word, the longest run of words (not crossing a break) that is a
   gazetteer key is a mention: a dictionary look-up per n-gram, never a regex per place, and
   none at all from a word that starts no key (:attr:`Gazetteer.first_words`). A prefix before
   it ("Kota", "Kab.", "Kabupaten", "Kec.", "Kecamatan", "Provinsi") or "Kota" after it ("Bekasi
   Kota") keeps only the candidates of that level or kind; when none is left, the prefix is
   ignored.
3. **Context rule.** A mention counts when it has a prefix, or when it is a province or regency
   that is not an everyday word. Otherwise it needs context, where *cap* means written with a
   capital letter, not at a sentence start, in a post that is not all capitals; *prep* means
   right after a place word such as "di", "ke", "dari", "warga", "wilayah"; *hazard* means the
   post has a hazard word or one built on it ("banjir", "kebanjiran", "diguncang"...); and
   *support* means another counted mention lies in the same province (mentions counted with
   context support the rest, until no more count):

   - an everyday word, or a run of them listed as one (``geodata/common_words.txt``:
     "malang", "batu", "tengah", "baru", "pasar", "kota", "kota baru"...), counts when *prep*
     and (*cap* or *support*), or *cap* and *support*; never when the next word is capitalised
     and starts no place, since the name then goes on ("di Bukit Cinta", "Relawan Mulia
     Bersama"). So "malang nasibnya", "batu bata" and "mengungsi ke bukit" name no place, and
     "banjir di Malang" does;
   - a name that is only a district counts with *support*, or *prep* and (*cap* or *hazard*),
     or, when all its districts lie in one regency, written with a capital in a post with a
     hazard word ("Pasar Minggu kebanjiran").
4. **Resolution.** Each counted mention takes, in order: the candidate that shares its regency
   with most other counted mentions ("Cikarang, Bekasi" gives Kabupaten Bekasi, "Depok, Sleman"
   the district in Sleman); then the higher level (a province, then a regency, then a district:
   "Bandung" beside "Malang" stays Kota Bandung, not the district Bandung of Tulungagung); then
   the one that shares its province with most other mentions; then a Kota before a Kabupaten:
   a bare "Bekasi" is Kota Bekasi. Districts of one name left tied in several regencies give
   their province when they share it, and nothing otherwise: we do not guess.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Final, NamedTuple

from damai.understand.gazetteer import Gazetteer, Place, gazetteer

__all__ = ["PostPlaces", "geoparse", "geoparse_many", "most_specific", "summarise"]

_LINKS: Final = re.compile(r"https?://\S+|www\.\S+|@\w+")
_HASHTAG: Final = re.compile(r"#(\w+)")
_CAMEL: Final = re.compile(r"(?<=[a-z])(?=[A-Z])")
_TOKEN: Final = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|[.!?\n]+|[,;:()/\"|]")
_SENTENCE: Final = frozenset(".!?\n")
_ABBREVIATIONS: Final = frozenset({"kab", "kec", "prov", "kel", "ds", "kot"})
_PREFIXES: Final[dict[str, str]] = {
    "kota": "kota", "kab": "kabupaten", "kabupaten": "kabupaten", "kec": "district",
    "kecamatan": "district", "provinsi": "province", "prov": "province",
    "propinsi": "province"}
_PLACE_WORDS: Final = frozenset({
    "di", "ke", "dari", "daerah", "wilayah", "kawasan", "sekitar", "sekitaran", "seputar",
    "warga", "arah", "menuju", "dekat", "sampai", "hingga", "asal", "area", "perbatasan",
    "pesisir", "lereng", "tinggal", "domisili", "posko", "lokasi"})
_HAZARD_WORDS: Final = frozenset({
    "gempa", "banjir", "longsor", "tsunami", "erupsi", "meletus", "letusan", "kebakaran",
    "terbakar", "angin", "puting", "beliung", "rob", "evakuasi", "mengungsi", "pengungsi",
    "pengungsian", "bencana", "hujan", "badai", "korban", "tolong", "bantuan", "terendam",
    "ambruk", "roboh", "rusak", "retak", "guncang", "guncangan", "getaran", "kekeringan",
    "asap", "karhutla", "lahar", "siaga", "waspada", "bmkg", "bpbd", "basarnas", "darurat",
    "genangan", "tanggul", "jebol", "sar"})
_HAZARD_STEMS: Final = ("banjir", "gempa", "longsor", "guncang", "erupsi", "kebakar", "rendam",
                        "tsunami", "lahar")
_PRIORITY: Final[dict[tuple[str, str], int]] = {
    ("province", ""): 0, ("regency", "kota"): 1, ("regency", "kabupaten"): 2,
    ("district", ""): 3}

NO_BREAK, SOFT_BREAK, SENTENCE_BREAK = 0, 1, 2


class _Word(NamedTuple):
    """One word (a tuple: built once per word of every ingested post, so it must be cheap)."""

    lower: str
    capital: bool  # a capital that is not a sentence's first letter, in a post not all capitals
    capitalised: bool
    brk: int  # the break before this word


@dataclass(slots=True)
class _Mention:
    start: int
    candidates: tuple[Place, ...]
    prefixed: bool
    cap: bool
    prep: bool
    common: bool
    capital: bool = False  # written with a capital, a sentence start included
    named_on: bool = False  # the next word, capitalised and no place, goes on: "Bukit Cinta"


@dataclass(frozen=True, slots=True)
class PostPlaces:
    """A post's places in the order they are named, and the province and regency it is about."""

    places: tuple[Place, ...]
    province: str | None
    regency: str | None

    def as_dict(self) -> dict[str, object]:
        return {"places": [p.as_dict() for p in self.places]}


def _words(text: str) -> list[_Word]:
    text = _LINKS.sub(" ", text)
    text = _HASHTAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)) + " ", text)
    shouting = text.upper() == text
    words: list[_Word] = []
    add, word = words.append, _Word  # (the loop runs for every word of every ingested post)
    brk = SENTENCE_BREAK
    for token in _TOKEN.findall(text):
        if token[0].isalpha():
            upper = token[0].isupper() and not shouting
            add(word(token.lower().replace("’", "'"), upper and brk != SENTENCE_BREAK, upper,
                     brk))
            brk = NO_BREAK
        elif token == "." and words and words[-1].lower in _ABBREVIATIONS and brk == NO_BREAK:
            continue
        elif token[0] in _SENTENCE:
            brk = SENTENCE_BREAK
        else:
            brk = max(brk, SOFT_BREAK)
    return words


@lru_cache(maxsize=65_536)
def _is_hazard(word: str) -> bool:
    """A hazard word, or one built on it ("kebanjiran", "diguncang", "longsoran")."""
    return word in _HAZARD_WORDS or any(stem in word for stem in _HAZARD_STEMS)


def _key(words: Sequence[_Word], start: int, n: int) -> str | None:
    if start + n > len(words) or any(w.brk for w in words[start + 1:start + n]):
        return None
    return " ".join(w.lower.replace("'", " ").replace("-", " ") for w in words[start:start + n])


def _only(candidates: tuple[Place, ...], level: str) -> tuple[Place, ...]:
    if level in ("kota", "kabupaten"):
        return tuple(p for p in candidates if p.kind == level)
    return tuple(p for p in candidates if p.level == level)


@cache
def _join_prefixes() -> frozenset[str]:
    """Every proper prefix of a one-word key: a word that starts none starts no words written
    together ("Kramat Jati" → ``kramatjati``)."""
    return frozenset(key[:i] for key in gazetteer().index if " " not in key
                     for i in range(1, len(key)))


def _joinable(lower: str) -> bool:
    return lower.replace("'", "").replace("-", "") in _join_prefixes()


def _longest(gaz: Gazetteer, words: Sequence[_Word], start: int) -> tuple[int, tuple[Place, ...]]:
    """The most words from ``start`` that are a key, written apart or, for 2 or 3 capitalised
    words, together ("Kramat Jati" is the district Kramatjati)."""
    most = gaz.first_words.get(words[start].lower, 0)
    joined = 3 if words[start].capitalised and _joinable(words[start].lower) else 0
    for n in range(max(most, joined), 0, -1):
        key = _key(words, start, n)
        if key is None:
            continue
        if n <= most and (found := gaz.lookup(key)):
            return n, found
        if 1 < n <= joined and (found := gaz.lookup(key.replace(" ", ""))):
            return n, found
    return 0, ()


def _is_common(gaz: Gazetteer, words: Sequence[_Word], start: int, n: int) -> bool:
    """An everyday word, or a run of them listed as one ("kota baru"); "Hulu Sungai Utara" is
    three everyday words and still a regency."""
    return (_key(words, start, n) or "") in gaz.common_words


def _mention_at(gaz: Gazetteer, words: Sequence[_Word], i: int) -> tuple[int, _Mention | None]:
    """The mention that starts at word ``i`` (with its prefix) and the words it covers."""
    prefix = _PREFIXES.get(words[i].lower)
    if prefix and i + 1 < len(words) and words[i + 1].brk == NO_BREAK:
        n, found = _longest(gaz, words, i + 1)
        kept = _only(found, prefix)
        if kept:
            return 1 + n, _Mention(i + 1, kept, True, False, False, False)
    n, found = _longest(gaz, words, i)
    if not n:
        return 1, None
    after = words[i + n] if i + n < len(words) else None
    kept = _only(found, "kota") if after is not None and after.brk == NO_BREAK \
        and after.lower == "kota" else ()
    if kept:
        return n + 1, _Mention(i, kept, True, False, False, False)
    before = words[i - 1] if i and words[i].brk != SENTENCE_BREAK else None
    return n, _Mention(i, found, False, words[i].capital,
                       before is not None and before.lower in _PLACE_WORDS,
                       _is_common(gaz, words, i, n), words[i].capitalised,
                       after is not None and after.brk == NO_BREAK and after.capitalised
                       and not _longest(gaz, words, i + n)[0])


def _mentions(gaz: Gazetteer, words: Sequence[_Word]) -> list[_Mention]:
    found: list[_Mention] = []
    first = gaz.first_words
    i = 0
    while i < len(words):
        word = words[i]
        if not word.capitalised and word.lower not in first and word.lower not in _PREFIXES:
            i += 1  # starts no key and no prefix: what _mention_at would find, without the calls
            continue
        step, mention = _mention_at(gaz, words, i)
        if mention is not None:
            found.append(mention)
        i += step
    return found


def _is_anchor(m: _Mention) -> bool:
    return m.prefixed or (not m.common and any(p.level != "district" for p in m.candidates))


def _supported(m: _Mention, anchors: Iterable[_Mention]) -> bool:
    provinces = {p.province for a in anchors if a is not m for p in a.candidates}
    return any(p.province in provinces for p in m.candidates)


def _counts(m: _Mention, anchors: list[_Mention], hazard: bool) -> bool:
    if _is_anchor(m):
        return True
    support = _supported(m, anchors)
    if m.common:
        return not m.named_on and ((m.prep and (m.cap or support)) or (m.cap and support))
    unique = len({p.regency for p in m.candidates}) == 1
    return support or (m.prep and (m.cap or hazard)) or (unique and m.capital and hazard)


def _agreement(place: Place, other: _Mention) -> int:
    best = 0
    for p in other.candidates:
        if p.regency is not None and p.regency == place.regency:
            return 2
        if p.province == place.province:
            best = 1
    return best


def _resolve(gaz: Gazetteer, m: _Mention, others: list[_Mention]) -> Place | None:
    def rank(p: Place) -> tuple[int, int, int, int]:
        agreement = [_agreement(p, o) for o in others if o is not m]
        priority = _PRIORITY[(p.level, p.kind)]
        return (-agreement.count(2), min(priority, 2), -len([a for a in agreement if a]),
                priority)

    ranked = sorted(m.candidates, key=rank)
    tied = [p for p in ranked if rank(p) == rank(ranked[0])]
    if len(tied) == 1:
        return tied[0]
    provinces = {p.province for p in tied}
    return gaz.by_name[provinces.pop()] if len(provinces) == 1 else None


def summarise(places: Sequence[Place]) -> tuple[str | None, str | None]:
    """The post's province (the one named most, the first on a tie) and its first regency there."""
    if not places:
        return None, None
    counts = Counter(p.province for p in places)
    province = max(counts, key=lambda name: counts[name])  # max keeps the first on a tie
    regency = next((p.regency for p in places if p.province == province and p.regency), None)
    return province, regency


_SPECIFIC: Final[dict[str, int]] = {"district": 0, "regency": 1, "province": 2}


def most_specific(places: Sequence[Place]) -> Place | None:
    """The first of the most specific places (a district, else a regency, else a province): the
    point a map and the event linker put a post at. ``None`` for a post that names no place."""
    return min(places, key=lambda p: _SPECIFIC[p.level], default=None)


def geoparse(text: str) -> PostPlaces:
    """The places named in ``text``, by the rules in this module's docstring."""
    gaz = gazetteer()
    words = _words(text)
    mentions = _mentions(gaz, words)
    if not mentions:
        return PostPlaces((), None, None)
    hazard = any(_is_hazard(w.lower) for w in words)
    counted = [m for m in mentions if _is_anchor(m)]
    waiting = [m for m in mentions if not _is_anchor(m)]
    while newly := [m for m in waiting if _counts(m, counted, hazard)]:
        counted += newly
        waiting = [m for m in waiting if m not in newly]
    counted.sort(key=lambda m: m.start)
    places: list[Place] = []
    for m in counted:
        place = _resolve(gaz, m, counted)
        if place is not None and place not in places:
            places.append(place)
    return PostPlaces(tuple(places), *summarise(places))


def geoparse_many(texts: Iterable[str]) -> list[PostPlaces]:
    """:func:`geoparse` over a batch, the form the ingest path calls."""
    return [geoparse(text) for text in texts]
