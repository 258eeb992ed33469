"""Normalise Indonesian social-media text into one canonical, space-separated token string.

The output feeds the classifier's feature hashing, so it must be deterministic and fast
(tens of thousands of tweets a second on one core). Steps, in order:

1. repair mojibake: a Latin-1-only text that decodes as UTF-8 is decoded (ibrohim2019 rows read
   as Latin-1 hold real UTF-8 bytes); then decode literal ``\\xNN`` escape runs as UTF-8 bytes
   (``\\xf0\\x9f\\x98\\x82`` becomes 😂; undecodable bytes stay as written) and turn the literal
   escapes ``\\n``, ``\\r``, ``\\t`` into spaces;
2. unescape HTML entities (``&amp;`` ``&quot;``);
3. strip Kaskus/BBCode tags (``[QUOTE=name;1]``, ``[/b]``, ``[img]``...), keeping the inner
   text. This runs before link masking so that ``[url=...]teks[/url]`` keeps ``teks``;
4. NFKC-normalise non-ASCII text (fancy "𝐁𝐨𝐥𝐝" letters, full-width forms, "…" → "..."),
   delete zero-width characters, variation selectors, skin-tone modifiers and Arabic
   diacritics (harakat, tatweel), and straighten curly quotes;
5. lower-case;
6. mask links (``http(s)://``, ``www.``, bare domains such as ``bit.ly/x``) as ``_url_`` and
   handles (``@name``) as ``_user_``;
7. hashtags: drop the ``#`` and keep the word; with ``segment_hashtags`` also append the words
   the hashtag splits into (see :func:`segment_word`);
8. collapse elongations: a letter repeated 3+ times becomes one ("bangeeet" → "banget"), a
   two-letter unit repeated 3+ times becomes two ("wkwkwkwk" → "wkwk"); doubles are kept because
   standard words need them ("maaf", "saat", "Allah"); repeated ASCII punctuation becomes one
   ("!!!!" → "!");
9. tokenise: words, numbers, and every other non-space character on its own (so each emoji is
   a separate token: "😂😂" → "😂 😂"; regional-indicator flags stay paired). Hyphens separate
   words and are dropped ("anak-anak" → "anak anak"); apostrophes are dropped ("qur'an" →
   "quran", as Indonesian also writes it);
10. per token: the literal masks ``USER``/``user`` → ``_user_`` and ``URL`` → ``_url_``
    (ibrohim2019 already masked them), a leading ``RT`` is dropped, slang → standard words (the
    indoNLP Kamus Alay map plus our overrides, e.g. "gak" → "tidak", "yg" → "yang"),
    reduplication ("anak2" → "anak anak", "mudah2an" → "mudah mudahan"), numbers → ``_num_``;
11. with ``mask_names`` (issue #9), person names from ``lexicon/person_names.txt`` (public
    figures and common given names) become ``_tokoh_``, so a model learns what is said, not
    about whom. One-word names go through the word map (free); two-word names are replaced in
    the joined output.

Numbers: a token made only of digits (optionally grouped by ``.``, ``,``, ``:`` or ``/``, such
as "1.000" or "20:00") becomes ``_num_``, except the few numbers that name political events
and are signals in themselves (:data:`SIGNIFICANT_NUMBERS`, e.g. "212"). Digits inside words
are kept ("2x", "covid19", "2019gantipresiden"), because they carry meaning there.

Speed: apart from mojibake repair and BBCode (whole-text steps, each behind a cheap test), the
text is lower-cased and split on whitespace, and every step above works inside one chunk. So a
:class:`Normaliser` memoises chunk → output (up to ``_MEMO_ENTRIES`` chunks of up to
``_MEMO_KEY_CHARS`` characters, then it starts again): on a stream, most chunks are words seen
before, and normalising them is one dictionary look-up. The memo changes speed, never output.
"""

from __future__ import annotations

import csv
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

__all__ = [
    "SIGNIFICANT_NUMBERS",
    "Normaliser",
    "indonesian_words",
    "normalise",
    "read_slang_lexicon",
    "segment_word",
]

NUM, URL, USER, PERSON = "_num_", "_url_", "_user_", "_tokoh_"
PERSON_NAMES = Path(__file__).with_name("lexicon") / "person_names.txt"

#: numbers kept as words: the 212 and 411 rallies (2016) and 1965 (the PKI purge) are topics
SIGNIFICANT_NUMBERS = frozenset({"212", "411", "1965"})

#: our own overrides, applied on top of the indoNLP map: one canonical negation, "kalau"
_OVERRIDES: dict[str, str] = {
    "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak", "ngga": "tidak",
    "nggk": "tidak", "engga": "tidak", "enggak": "tidak", "ndak": "tidak", "tdk": "tidak",
    "kalo": "kalau", "klo": "kalau", "kl": "kalau", "dah": "sudah",
}
#: indoNLP entries that rewrite a standard word into another word ("kaya" means rich)
_DROPPED = frozenset({"kaya", "si", "minta", "say"})
#: the masks ibrohim2019 uses, applied last so no lexicon can override them
_MASKS = {"user": USER, "useruser": f"{USER} {USER}", "url": URL}

# -- step 1-3: escapes, entities, markup ------------------------------------------------------
_ESCAPES = re.compile(r"(?:\\x[0-9a-fA-F]{2})+|\\[nrt]")
_BBCODE = re.compile(
    r"\[/?(?:quote|b|i|u|s|img|url|color|size|font|center|left|right|justify|youtube|video|"
    r"media|spoiler|code|list|indent|align|highlight|email|strike|sup|sub|\*)(?:=[^\]\[\n]{0,300})?\]",
    re.IGNORECASE,
)

# -- step 4: characters to delete or replace --------------------------------------------------
_DELETE = [0x00AD, 0x0640, 0x0670, 0x180E, 0x20E3, 0x2060, 0xFEFF]
_DELETE += [*range(0x200B, 0x2010), *range(0xFE00, 0xFE10), *range(0x1F3FB, 0x1F400)]
_DELETE += [*range(0x064B, 0x0660), *range(0x06D6, 0x06EE), *range(0xE0020, 0xE0080)]
_TRANSLATE: dict[int, str | None] = dict.fromkeys(_DELETE)
_TRANSLATE.update({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"', 0x00A0: " "})

# -- step 6-8: masks, hashtags, elongation ----------------------------------------------------
# (look-behinds anchor matches to the start of a run, so one long unbroken chunk stays linear)
_TLDS = "com|net|org|id|ly|gl|me|co|io|tv|info|biz|news|xyz|site|link"
_LINK = re.compile(
    rf"(?:https?://|www\.)[^\s\[\]<>\"']+"
    rf"|(?<![\w.-])(?:[a-z0-9-]+\.)+(?:{_TLDS})\b(?:/[^\s\[\]<>\"']*)?"
)
_HANDLE = re.compile(r"@\w+")
_HASHTAG = re.compile(r"#(\w+)")
_LETTER_RUN = re.compile(r"([^\W\d_])\1{2,}")
_PAIR_RUN = re.compile(r"([^\W\d_])([^\W\d_])(?:\1\2){2,}\1?")
_REPEAT = re.compile(r"(.)\1\1|(..)\2\2")  # cheap test before the two collapses
#: ASCII punctuation that may surround a word; not "#", "@", "_", "&" or "\\", which start
#: hashtags, handles, masks, HTML entities and escapes
_EDGE_PUNCTUATION = "!\"$%'()*+,-./:;<=>?[]^`{|}~"
_PUNCT_RUN = re.compile(r"([!-/:-@\[-^`{-~])\1+")

# -- step 9-10: tokens ------------------------------------------------------------------------
_TOKEN = re.compile(r"[\U0001F1E6-\U0001F1FF]{2}|(?<!\d)\d++(?:[.,:/]\d++)+(?!\w)|\w+|[^\s-]")
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")
_REDUP = re.compile(r"([^\W\d_]{2,})2([^\W\d_]*)")
_LEXICON_KEY = re.compile(r"[^\W_]+")
_DIGIT_SPLIT = re.compile(r"\d+|[^\W\d_]+")

#: chunks (whitespace-free pieces of text) up to this long are memoised, up to this many
_MEMO_KEY_CHARS, _MEMO_ENTRIES = 48, 200_000


def _decode_escapes(match: re.Match[str]) -> str:
    run = match.group(0)
    if run[1] != "x":
        return " "
    raw = bytes.fromhex(run.replace("\\x", ""))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "surrogateescape")
        return "".join(f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else c
                       for c in text)


def _punctuation(s: str) -> list[str]:
    """One token per punctuation mark, runs of the same mark collapsed; hyphens dropped."""
    if not s:
        return []
    return [c for c in _PUNCT_RUN.sub(_first, s) if c != "-"]


def _first(match: re.Match[str]) -> str:
    return match.group(1)


def _collapse(s: str) -> str:
    """Collapse elongations: "bangeeet" → "banget", "wkwkwkwk" → "wkwk"."""
    return _PAIR_RUN.sub(_pair, _LETTER_RUN.sub(_first, s))


def _pair(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2) + match.group(1) + match.group(2)


def _unicode(s: str) -> str:
    """NFKC, delete invisible marks, straighten quotes, lower-case (non-ASCII text only)."""
    if s.isascii():
        return s
    return unicodedata.normalize("NFKC", s).translate(_TRANSLATE).lower()


def _repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Latin-1 ("ðŸ˜‚" → "😂") when the whole text allows it."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text


def _clean_lexicon(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Keep entries whose key is one token and whose value is non-empty, hyphens as spaces."""
    out: dict[str, str] = {}
    for key, value in pairs:
        k = key.strip().lower()
        v = " ".join(value.lower().replace("-", " ").split())
        if v and k != v and _LEXICON_KEY.fullmatch(k):
            out[k] = v
    return out


@cache
def _base_slang() -> dict[str, str]:
    """The packaged indoNLP Kamus Alay map (MIT), cleaned, minus entries that hurt."""
    from indoNLP.preprocessing.slang_data import SLANG_DATA

    base = _clean_lexicon(SLANG_DATA.items())
    for key in _DROPPED:
        base.pop(key, None)
    return base


@cache
def indonesian_words() -> frozenset[str]:
    """Words of (mostly colloquial) Indonesian known from the packaged indoNLP data.

    The slang map's keys and the words of its values, plus indoNLP's stopword list; words of
    two letters or more only. About 6,000 words, used to split hashtags and to tell short
    Indonesian posts from other languages.
    """
    from indoNLP.preprocessing.stopwords_data import STOPWORDS

    slang = _base_slang()
    words = {w for v in slang.values() for w in v.split()} | set(slang) | set(STOPWORDS)
    words.update(_OVERRIDES)
    return frozenset(w for w in words if len(w) > 1 and w.isalpha())


def read_slang_lexicon(path: str | Path) -> dict[str, str]:
    """Read a two-column ``slang,standard`` CSV (no header) such as ibrohim's kamusalay.

    For ``damai train`` only: the result is passed as ``Normaliser(extra_slang=...)`` and is
    never saved with a model.
    """
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    rows = csv.reader(text.splitlines())
    return _clean_lexicon((row[0], row[1]) for row in rows if len(row) >= 2)


def segment_word(word: str, vocabulary: frozenset[str], max_len: int = 60) -> list[str]:
    """Split a run of letters and digits into known words, or return ``[]`` if it will not go.

    Dynamic programming over the cheapest split: a known word costs 1, a run of unknown letters
    3 plus 0.1 a letter (so one long unknown name beats many short guesses), and digit runs are
    their own pieces. The split is accepted when it has at least two pieces and at most one
    unknown run: ``"2019gantipresiden"`` → ``["2019", "ganti", "presiden"]``.
    """
    if len(word) > max_len:
        return []
    pieces: list[str] = []
    unknown_runs = 0
    for chunk in _DIGIT_SPLIT.findall(word):
        if chunk[0].isdigit():
            pieces.append(chunk)
            continue
        words, unknown = _segment_letters(chunk, vocabulary)
        pieces.extend(words)
        unknown_runs += unknown
    if len(pieces) < 2 or unknown_runs > 1:
        return []
    return pieces


def _segment_letters(s: str, vocabulary: frozenset[str]) -> tuple[list[str], int]:
    n = len(s)
    best: list[float] = [0.0] + [float("inf")] * n
    back: list[tuple[int, bool]] = [(0, False)] * (n + 1)
    for i in range(1, n + 1):
        for j in range(i):
            known = s[j:i] in vocabulary
            cost = best[j] + (1.0 if known else 3.0 + 0.1 * (i - j))
            if cost < best[i]:
                best[i], back[i] = cost, (j, known)
    words: list[str] = []
    unknown, i = 0, n
    while i > 0:
        j, known = back[i]
        words.append(s[j:i])
        unknown += not known
        i = j
    return words[::-1], unknown


@dataclass(frozen=True)
class Normaliser:
    """Turn raw post text into normalised, space-separated tokens (see the module docstring).

    ``extra_slang`` (e.g. ibrohim's kamusalay, read by :func:`read_slang_lexicon`) overrides the
    packaged map. It is used at training time only: it is left out of :meth:`to_config` and of
    pickles, so a saved model never carries the lexicon.
    """

    slang: bool = True
    segment_hashtags: bool = False
    extra_slang: Mapping[str, str] | None = field(default=None, repr=False, hash=False)
    mask_names: bool = False

    def __reduce__(self) -> tuple[Any, tuple[bool, bool, None, bool]]:
        return (Normaliser, (self.slang, self.segment_hashtags, None, self.mask_names))

    def to_config(self) -> dict[str, bool]:
        """The options to save with a model (never the extra lexicon)."""
        return {"slang": self.slang, "segment_hashtags": self.segment_hashtags,
                "mask_names": self.mask_names}

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> Normaliser:
        """The normaliser a saved model was trained with (older models saved none)."""
        config = config or {}
        return cls(slang=bool(config.get("slang", True)),
                   segment_hashtags=bool(config.get("segment_hashtags", False)),
                   mask_names=bool(config.get("mask_names", False)))

    @cached_property
    def _two_word_names(self) -> re.Pattern[str] | None:
        pairs = [n for n in _person_names() if " " in n]
        if not self.mask_names or not pairs:
            return None
        words = sorted((" ".join(self._word(w) for w in n.split()) for n in pairs),
                       key=len, reverse=True)
        return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b")

    @cached_property
    def _map(self) -> dict[str, str]:
        table: dict[str, str] = {}
        if self.slang:
            table.update(_base_slang())
            table.update(_OVERRIDES)
            if self.extra_slang:
                table.update(_clean_lexicon(self.extra_slang.items()))
            table = {k: _canonical(v) for k, v in table.items()}
        if self.mask_names:
            table.update({n: PERSON for n in _person_names() if " " not in n})
        table.update(_MASKS)
        return table

    @cached_property
    def _vocabulary(self) -> frozenset[str]:
        extra = {w for v in self._map.values() for w in v.split() if len(w) > 1 and w.isalpha()}
        return indonesian_words() | extra

    @cached_property
    def _memo(self) -> dict[str, str]:
        return {}

    def normalise(self, text: str) -> str:
        """Normalise one text; ``""`` stays ``""``."""
        if not text:
            return ""
        if not text.isascii():
            text = _repair_mojibake(text)
        if "[" in text:
            text = _BBCODE.sub(" ", text)
        chunks = text.lower().split()
        if chunks and chunks[0] == "rt":
            del chunks[0]
        memo = self._memo
        get = memo.get
        out: list[str] = []
        for chunk in chunks:
            done = get(chunk)
            if done is None:
                done = self._chunk(chunk)
                if len(chunk) <= _MEMO_KEY_CHARS:
                    if len(memo) >= _MEMO_ENTRIES:
                        memo.clear()
                    memo[chunk] = done
            if done:
                out.append(done)
        joined = " ".join(out)
        names = self._two_word_names
        return names.sub(PERSON, joined) if names is not None else joined

    def normalise_batch(self, texts: Sequence[str]) -> list[str]:
        """Normalise many texts (same result as :meth:`normalise` on each)."""
        one = self.normalise
        return [one(t) for t in texts]

    def _chunk(self, s: str) -> str:
        """Normalise one whitespace-free chunk of lower-cased text (steps 1-2 and 4-10)."""
        if not s.isascii():
            s = _unicode(s)
        if s.isalpha():  # most chunks: one plain word
            return self._word(s)
        core = s.strip(_EDGE_PUNCTUATION)
        if core.isalpha():  # the next most: a word with punctuation around it, "(ini", "deh!!"
            head, tail = s[: s.index(core)], s[s.index(core) + len(core):]
            parts = [*_punctuation(head), self._word(core), *_punctuation(tail)]
            return " ".join(parts)
        if "\\" in s:
            s = _unicode(_ESCAPES.sub(_decode_escapes, s))
        if "&" in s:
            s = _unicode(html.unescape(s))
        if "." in s:
            s = _LINK.sub(" _url_ ", s)
        if "@" in s:
            s = _HANDLE.sub(" _user_ ", s)
        if "'" in s:  # "qur'an", "jum'at": Indonesian also writes them without
            s = s.replace("'", "")
        if "#" in s:
            s = _HASHTAG.sub(self._hashtag, s) if self.segment_hashtags else s.replace("#", " ")
        if _REPEAT.search(s):
            s = _collapse(s)
        return " ".join(self._tokens(_PUNCT_RUN.sub(_first, s)))

    def _word(self, s: str) -> str:
        if _REPEAT.search(s):
            s = _collapse(s)
        return self._map.get(s, s)

    def _hashtag(self, match: re.Match[str]) -> str:
        word = match.group(1)
        pieces = segment_word(_collapse(word), self._vocabulary)
        return " ".join([" ", word, *pieces, " "])

    def _tokens(self, text: str) -> list[str]:
        get = self._map.get
        out: list[str] = []
        append = out.append
        for tok in _TOKEN.findall(text):
            rep = get(tok)
            if rep is not None:
                append(rep)
            elif tok.isalpha():
                append(tok)
            elif tok[0].isdigit():
                number = _NUMBER.fullmatch(tok) and tok not in SIGNIFICANT_NUMBERS
                append(NUM if number else tok)
            elif "2" in tok and (m := _REDUP.fullmatch(tok)):
                stem = get(m.group(1), m.group(1))
                append(f"{stem} {stem}{m.group(2)}")
            else:
                append(tok)
        return out


@cache
def _person_names() -> tuple[str, ...]:
    lines = PERSON_NAMES.read_text(encoding="utf-8").splitlines()
    return tuple(n.strip().replace("'", "") for n in lines if n.strip() and not n.startswith("#"))


def _canonical(value: str) -> str:
    """Route a map value's words through our overrides once ("enggak bisa" → "tidak bisa")."""
    return " ".join(_OVERRIDES.get(w, w) for w in value.split())


@cache
def _default() -> Normaliser:
    return Normaliser()


def normalise(text: str) -> str:
    """Normalise one text with the default :class:`Normaliser`."""
    return _default().normalise(text)
