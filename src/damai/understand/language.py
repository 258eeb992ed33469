"""Identify the language of a post: "id", "ms", "jv", "en", "other", or "und" (undetermined).

A text whose letters are mostly not Latin (Arabic, Chinese, Korean, Thai...) is "other" at once.
The rest goes through two stages:

1. **py3langid**, restricted to :data:`CANDIDATES` (Latin-script languages Indonesian posts are
   confused with, plus those seen in Indonesian feeds), run vectorised over a whole batch: the
   byte-level automaton walks every text of the batch at once with numpy, then the naive Bayes
   scores come from one sparse product. The result equals ``py3langid.classify`` restricted to
   the same languages. Only the first :data:`MAX_CHARS` characters are read.
2. **Marker words**, because langid is unreliable on short, slangy tweets (it calls many of them
   Malay, Javanese or Acehnese). The text's words are counted against small lists of words that
   mark one language (:data:`INDONESIAN_MARKERS` such as "gak", "banget", "bilang";
   :data:`MALAY_MARKERS` such as "awak", "faham", "kerana"; :data:`JAVANESE_MARKERS` such as
   "ora", "arep", "kowe"; :data:`SUNDANESE_MARKERS`) and against Indonesian function words
   shared with Malay (:data:`FUNCTION_WORDS`: "yang", "dan", "di", "tidak", "ini", "itu"...).
   A third count is of the wider indoNLP lexicon (:func:`~damai.understand.normalise.
   indonesian_words`, about 6,000 mostly colloquial words). Then, by langid's guess:

   - "id", "ms" or "jv": "ms" if Malay markers outnumber the Indonesian (and Javanese) ones,
     "jv" if Javanese markers outnumber the Indonesian ones, else "id". A "ms" or "jv" guess
     needs one such marker to stand, an "id" guess is overturned only by two (and for "jv",
     only if they also outnumber the function words). langid calls many short Indonesian
     tweets Malay or Javanese, and Damai reads Indonesian feeds, so ties go to "id";
   - "en": with no English function word, "id" if any Indonesian word is present; else "id"
     only if Indonesian words (at least two) outnumber the English function words;
   - anything else: "jv" / "ms" with two markers that outnumber the Indonesian ones; "id" with
     one Indonesian marker, two function words, or half the words in the lexicon; else
     "other".

   Two or more Sundanese markers that outnumber the Indonesian and Javanese ones give "other"
   (the model has no Sundanese).

A text with fewer than :data:`MIN_LETTERS` letters once links, handles, the ``USER``/``URL``/
``RT`` masks and escapes are removed (empty, emoji-only, "ok") is "und".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from damai.understand.normalise import indonesian_words

__all__ = [
    "CANDIDATES",
    "FUNCTION_WORDS",
    "INDONESIAN_MARKERS",
    "JAVANESE_MARKERS",
    "LANGUAGES",
    "MALAY_MARKERS",
    "MAX_CHARS",
    "MIN_LETTERS",
    "SUNDANESE_MARKERS",
    "detect_batch",
    "detect_language",
]

#: every value :func:`detect_language` returns
LANGUAGES = ("id", "ms", "jv", "en", "other", "und")
#: the languages langid chooses among (py3langid has no Sundanese; "ace" is Acehnese)
CANDIDATES = ("id", "ms", "jv", "en", "ace", "tl", "nl", "de", "es", "fr", "pt", "it", "tr")
MIN_LETTERS = 3
MAX_CHARS = 2_000
_MAX_BYTES = 2_000
_BATCH, _SMALL = 1024, 16


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


INDONESIAN_MARKERS = _wordset(
    "gak ga nggak enggak engga ngga gk aja banget bgt udah udh gue gua gw lu lo elu dong deh "
    "sih kok nih tuh loh lho emang gimana kayak kalo bikin ngapain doang gitu gini uang paham "
    "bilang karena krn bisa besok ketemu cewek cowok kantor polisi mobil pemerintah presiden "
    "wkwk wkwkwk anjir gan ane ente bahwa berbagai")
MALAY_MARKERS = _wordset(
    "awak faham cakap kerana sahaja mahu mahupun nak je jer kat wang sikit korang kitorang "
    "diorang takde takpe xde camne macamana jom selepas jugak cikgu polis pejabat tahniah "
    "bahawa pelbagai menerusi tempoh kakitangan kerajaan")
JAVANESE_MARKERS = _wordset(
    "ora opo kowe koe arep mangan sego piye kepiye iki kuwi kui wis wes durung karo ning neng "
    "nang sing wae mung kabeh ngopo nggih mboten sampun kulo panjenengan sampeyan matur nuwun "
    "isih lan dadi nek ojo iso kudu ngene ngono koyo saiki mengko maneh")
SUNDANESE_MARKERS = _wordset(
    "urang naon kumaha teu abdi anjeun keur atuh euy pisan sareng nuju mah teh")
FUNCTION_WORDS = _wordset(
    "yang yg dan di ini itu tidak tdk ada dengan dgn untuk utk ke dari akan juga saya aku kita "
    "kami mereka dia kamu sudah belum kalau tapi atau jadi saja sama lagi bukan apa siapa mana "
    "pada oleh dalam sebagai adalah orang semua harus masih sangat banyak jangan jgn anda apakah "
    "para telah hanya sedang setelah sesudah sebelum mengapa bagaimana tetapi namun agar supaya "
    "lebih paling pernah ingin sekarang nanti semoga kalian bapak")
_ENGLISH = _wordset(
    "the a an and or but is are was were be been to of in on at for with this that these it "
    "i you he she we they my your his her our their me him them not no do does did have has "
    "what who why how when where if so just will would can could should from by as")

_ENOUGH_LETTERS = re.compile(rf"[^\W\d_](?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS - 1}}}")
_LETTERS = re.compile(r"[^\W\d_]+")
_LINKS = re.compile(r"(?<!\S)\S*?(?:://|www\.)\S*|@\w+|\\x[0-9a-fA-F]{2}|\\[nrt]")
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?[\\]^_`{|}~…“”‘’"
#: word kinds, in the order of :func:`_count`'s result; the last is indoNLP's wider lexicon
_KINDS = (INDONESIAN_MARKERS, MALAY_MARKERS, JAVANESE_MARKERS, SUNDANESE_MARKERS,
          FUNCTION_WORDS, _ENGLISH)
_LEXICON = len(_KINDS)


@cache
def _kind_of() -> dict[str, tuple[int, ...]]:
    index: dict[str, tuple[int, ...]] = {}
    for k, words in enumerate(_KINDS):
        for w in words:
            index[w] = (*index.get(w, ()), k)
    others = MALAY_MARKERS | JAVANESE_MARKERS | SUNDANESE_MARKERS | _ENGLISH
    for w in (indonesian_words() | FUNCTION_WORDS | INDONESIAN_MARKERS) - others:
        index[w] = (*index.get(w, ()), _LEXICON)
    return index


def detect_language(text: str) -> str:
    """The language of one text: one of :data:`LANGUAGES`."""
    return detect_batch([text])[0]


def detect_batch(texts: Sequence[str]) -> list[str]:
    """The language of each text (same answers as :func:`detect_language` on each)."""
    cleaned = [_clean(t) for t in texts]
    out = ["und"] * len(texts)
    todo: list[int] = []
    for i, text in enumerate(cleaned):
        if not _ENOUGH_LETTERS.search(text):
            continue
        if not text.isascii() and _mostly_foreign(text):
            out[i] = "other"
        else:
            todo.append(i)
    if todo:
        guesses = _identifier().classify([cleaned[i] for i in todo])
        for i, guess in zip(todo, guesses, strict=True):
            out[i] = _decide(guess, _count(cleaned[i]))
    return out


def _mostly_foreign(text: str) -> bool:
    """Whether most letters are outside the Latin script (Latin-1, Extended-A/B, Additional)."""
    latin = foreign = 0
    for run in _LETTERS.findall(text):
        c = run[0]
        if c <= "\u024f" or "\u1e00" <= c <= "\u1eff":
            latin += len(run)
        else:
            foreign += len(run)
    return foreign > latin


def _clean(text: str) -> str:
    """Lower-cased ``text`` without links, handles, escapes and the dataset masks."""
    text = text[:MAX_CHARS]
    if "\\" in text or "@" in text or "/" in text or "www." in text:
        text = _LINKS.sub(" ", text)
    if "USER" in text or "URL" in text:
        text = text.replace("USER", " ").replace("URL", " ")
    if text.startswith("RT "):
        text = text[3:]
    return text.lower()


def _count(text: str) -> list[int]:
    """Words of each kind (:data:`_KINDS`, then the lexicon, then all words) in the text."""
    counts = [0] * (len(_KINDS) + 2)
    get = _kind_of().get
    words = 0
    for word in text.split():
        if not word.isalpha():
            word = word.strip(_PUNCTUATION)
            if not word.isalpha():
                continue
        words += 1
        kinds = get(word)
        if kinds:
            for k in kinds:
                counts[k] += 1
    counts[-1] = words
    return counts


def _decide(guess: str, counts: list[int]) -> str:
    """Correct langid's guess with marker words (the rules in the module docstring)."""
    n_id, n_ms, n_jv, n_su, n_fn, n_en, lexicon, words = counts
    indonesian = n_id + n_fn
    if n_su >= 2 and n_su > n_id and n_su > n_jv:
        return "other"
    if guess in ("id", "ms", "jv"):
        least = 2 if guess == "id" else 1
        if n_ms >= least and n_ms > n_id and n_ms >= n_jv:
            return "ms"
        if n_jv >= least and n_jv > (indonesian if guess == "id" else n_id):
            return "jv"
        return "id"
    if guess == "en":
        if n_en == 0:
            return "id" if indonesian or lexicon else "en"
        return "id" if indonesian >= 2 and indonesian > n_en else "en"
    if n_jv >= 2 and n_jv > n_id:
        return "jv"
    if n_ms >= 2 and n_ms > n_id:
        return "ms"
    if n_id or n_fn >= 2 or 2 * lexicon >= words:
        return "id"
    return "other"


class _Identifier:
    """py3langid's model restricted to :data:`CANDIDATES`, scored a batch at a time."""

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        model: Any = LanguageIdentifier.from_model_file(MODEL_FILE)
        model.set_languages(list(CANDIDATES))
        self.model = model
        self.classes: list[str] = list(model.nb_classes)
        self.ptc = np.asarray(model.nb_ptc, dtype=np.float32)
        self.pc = np.asarray(model.nb_pc, dtype=np.float32)
        # a view, not a copy: the transition table has ~10M entries
        self.nextmove = np.frombuffer(model.tk_nextmove, dtype=np.uint32)
        self.rowbase = np.asarray(model.tk_row, dtype=np.uint32) << 8
        self.output = np.asarray(model.tk_output, dtype=np.int64)

    def classify(self, texts: Sequence[str]) -> list[str]:
        """langid's best candidate for each text."""
        encoded = [_encode(t) for t in texts]
        if len(encoded) < _SMALL:  # the numpy walk pays off from a few dozen texts on
            return [str(self.model.classify(b)[0]) for b in encoded]
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        out = [""] * len(encoded)
        for start in range(0, len(order), _BATCH):
            part = order[start:start + _BATCH]
            best = self.scores([encoded[i] for i in part]).argmax(axis=1)
            for i, k in zip(part, best.tolist(), strict=True):
                out[i] = self.classes[k]
        return out

    def scores(self, data: Sequence[bytes]) -> npt.NDArray[np.float32]:
        """Naive Bayes log-scores (texts x classes) for UTF-8 byte strings.

        The automaton advances every text one byte per step; the grid holds byte ``t`` of text
        ``i`` at ``[t, i]``, and texts are sorted by length so the live ones form a suffix.
        """
        n = len(data)
        order = np.argsort([len(b) for b in data], kind="stable")
        data = [data[i] for i in order.tolist()]
        lengths = np.fromiter(map(len, data), dtype=np.int64, count=n)
        width = int(lengths[-1]) if n else 0
        flat = np.frombuffer(b"".join(data), dtype=np.uint8)
        starts = np.cumsum(lengths) - lengths
        grid = np.zeros((width, n), dtype=np.uint32)
        grid[np.arange(len(flat)) - np.repeat(starts, lengths),
             np.repeat(np.arange(n), lengths)] = flat
        first = np.searchsorted(lengths, np.arange(width), side="right")
        states = np.zeros((width, n), dtype=np.uint32)
        state = np.zeros(n, dtype=np.uint32)
        nextmove, rowbase = self.nextmove, self.rowbase
        for t, j in enumerate(first.tolist()):
            state[j:] = nextmove[rowbase[state[j:]] + grid[t, j:]]
            states[t, j:] = state[j:]
        result = np.empty((n, len(self.classes)), dtype=np.float32)
        result[order] = self._naive_bayes(states, n)
        return result

    def _naive_bayes(self, states: npt.NDArray[np.uint32], n: int) -> npt.NDArray[np.float32]:
        """Sum log1p(count) x P(feature | class) over each text's features, plus the prior."""
        features = self.output[states]
        steps, rows = np.nonzero(features >= 0)
        size = len(self.ptc)
        keys, counts = np.unique(rows * size + features[steps, rows], return_counts=True)
        scores = np.tile(self.pc, (n, 1))
        if len(keys):
            key_rows = keys // size
            contrib = np.log1p(counts.astype(np.float32))[:, None] * self.ptc[keys % size]
            first = np.flatnonzero(np.r_[True, key_rows[1:] != key_rows[:-1]])
            scores[key_rows[first]] += np.add.reduceat(contrib, first, axis=0)
        return scores


def _encode(text: str) -> bytes:
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text.encode("utf-8", "surrogatepass")[:_MAX_BYTES]


_LOCK = threading.Lock()
_INSTANCE: list[_Identifier] = []


def _identifier() -> _Identifier:
    """Load the langid model once (about 0.7 s), on first use."""
    if not _INSTANCE:
        with _LOCK:
            if not _INSTANCE:
                _INSTANCE.append(_Identifier())
    return _INSTANCE[0]
