"""Hashed word and character n-gram features, fast enough for a firehose.

The feature family is the classic strong baseline for noisy short text (word 1-2 grams plus
character 2-5 grams inside word boundaries), computed differently: the n-gram ids of each
distinct token are computed once and cached, bigram ids are arithmetic on unigram ids, and the
sparse matrix is built in one go with NumPy. Tweets repeat words heavily, so most tokens are a
dictionary hit. Each block is sub-linear TF times IDF, L2-normalised, as in the reference.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.utils import murmurhash3_32

__all__ = ["FeatureConfig", "Featurizer", "tokenize"]

_TOKEN = re.compile(r"_[a-z]+_|[^\W_]+|[^\w\s]", re.UNICODE)
_CACHE_LIMIT = 400_000


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    word_bits: int = 19
    char_bits: int = 19
    char_min: int = 2
    char_max: int = 5
    #: 1 + log(count) instead of the raw count; needs summing repeated features (a sort)
    sublinear: bool = True

    @property
    def n_word(self) -> int:
        return 1 << self.word_bits

    @property
    def n_features(self) -> int:
        return (1 << self.word_bits) + (1 << self.char_bits)


#: one token's unigram id, its character n-gram ids as int32 bytes, and how many there are
_Entry = tuple[int, bytes, int]
_word_of, _chars_of, _nchars_of = itemgetter(0), itemgetter(1), itemgetter(2)


class Featurizer:
    """Texts (already normalised) to a CSR matrix of ``config.n_features`` columns.

    With ``sublinear`` (the default) repeated features are summed and weighted 1 + log(count),
    which matters for long forum posts; without it they stay repeated entries (linear term
    frequency, no sort, faster). Everything after tokenising is done with NumPy over the batch.
    """

    def __init__(self, config: FeatureConfig, idf: NDArray[np.float32] | None = None) -> None:
        self.config = config
        self.idf = idf
        self._cache: dict[str, _Entry] = {}

    def _entry(self, token: str) -> _Entry:
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        cfg = self.config
        word = murmurhash3_32("w" + token, positive=True) & (cfg.n_word - 1)
        padded = f" {token[:30]} "
        mask, offset = (1 << cfg.char_bits) - 1, cfg.n_word  # locals: read once per token
        chars = [offset + (murmurhash3_32(padded[i:i + n], positive=True) & mask)
                 for n in range(cfg.char_min, cfg.char_max + 1)
                 for i in range(len(padded) - n + 1)]
        entry = (word, np.asarray(chars, dtype=np.int32).tobytes(), len(chars))
        self._cache[token] = entry
        return entry

    def entry(self, token: str) -> _Entry:
        return self._cache.get(token) or self._entry(token)

    def word_pair_id(self, a: str, b: str) -> int:
        """The bigram feature id of two adjacent tokens (as built in ``counts``)."""
        first, second = self.entry(a)[0], self.entry(b)[0]
        return ((first * 1_000_003) ^ second) & (self.config.n_word - 1)

    def entries(self, text: str) -> list[_Entry]:
        get, miss = self._cache.get, self._entry
        return [get(t) or miss(t) for t in tokenize(text)]

    # -- matrices --------------------------------------------------------------------------
    def counts(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Occurrence matrices (one entry per occurrence) for the word and char blocks."""
        docs = [self.entries(text) for text in texts]
        n, width = len(texts), self.config.n_features
        flat = list(chain.from_iterable(docs))
        tok_ptr = _ptr(np.fromiter(map(len, docs), dtype=np.int64, count=n))
        unigrams = np.fromiter(map(_word_of, flat), dtype=np.int64, count=len(flat))
        pair_ok = np.ones(max(len(flat) - 1, 0), dtype=bool)
        ends = tok_ptr[1:-1] - 1
        pair_ok[ends[(ends >= 0) & (ends < len(pair_ok))]] = False
        mask = self.config.n_word - 1
        bigrams = (((unigrams[:-1] * 1_000_003) ^ unigrams[1:]) & mask)[pair_ok]
        big_ptr = _ptr(np.maximum(np.diff(tok_ptr) - 1, 0))
        words = _hstack_rows(_csr(unigrams.astype(np.int32), tok_ptr, width),
                             _csr(bigrams.astype(np.int32), big_ptr, width))
        nchars = _ptr(np.fromiter(map(_nchars_of, flat), dtype=np.int64, count=len(flat)))
        char_ids = np.frombuffer(b"".join(map(_chars_of, flat)), dtype=np.int32).copy()
        chars = _csr(char_ids, nchars[tok_ptr], width)
        return words, chars

    def fit_idf(self, texts: Sequence[str]) -> NDArray[np.float32]:
        words, chars = self.counts(texts)
        df = np.zeros(self.config.n_features, dtype=np.int64)
        for block in (words, chars):
            block.sum_duplicates()
            df += np.bincount(block.indices, minlength=self.config.n_features)
        n = len(texts)
        self.idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
        return self.idf

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.idf is None:
            raise ValueError("fit_idf first")
        words, chars = self.counts(texts)
        for block in (words, chars):
            if self.config.sublinear:
                block.sum_duplicates()
                block.data = ((1.0 + np.log(block.data)) * self.idf[block.indices]).astype(
                    np.float32)
            else:
                block.data = self.idf[block.indices]
            _l2_rows(block)
        return _hstack_rows(words, chars)


def _ptr(lengths: NDArray[np.int64]) -> NDArray[np.int64]:
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    return indptr


def _hstack_rows(a: sp.csr_matrix, b: sp.csr_matrix) -> sp.csr_matrix:
    """``a + b`` for matrices whose columns do not overlap, without sorting any index."""
    indptr = a.indptr + b.indptr
    order = np.concatenate([np.repeat(a.indptr[:-1] + b.indptr[:-1], np.diff(a.indptr))
                            + _within(a.indptr),
                            np.repeat(a.indptr[1:] + b.indptr[:-1], np.diff(b.indptr))
                            + _within(b.indptr)])
    indices = np.empty(len(order), dtype=np.int32)
    indices[order] = np.concatenate([a.indices, b.indices])
    data = np.empty(len(order), dtype=np.float32)
    data[order] = np.concatenate([a.data, b.data])
    return sp.csr_matrix((data, indices, indptr), shape=a.shape)


def _within(indptr: NDArray[np.int64]) -> NDArray[np.int64]:
    """Position of each entry inside its row."""
    counts = np.diff(indptr)
    return np.arange(int(indptr[-1]), dtype=np.int64) - np.repeat(indptr[:-1], counts)


def _csr(indices: NDArray[np.int32], indptr: NDArray[np.int64], width: int) -> sp.csr_matrix:
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, width))


def _l2_rows(matrix: sp.csr_matrix) -> None:
    lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(len(lengths)), lengths)
    sums = np.bincount(rows, weights=matrix.data.astype(np.float64) ** 2, minlength=len(lengths))
    sums[sums == 0] = 1.0
    matrix.data = (matrix.data / np.repeat(np.sqrt(sums), lengths)).astype(np.float32)
