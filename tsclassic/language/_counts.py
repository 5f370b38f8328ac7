"""Vectorised n-gram counting and look-up on integer ids.

An n-gram of order ``k >= 2`` is the pair (id of its first ``k - 1`` tokens, last token),
packed into one int64 key ``prefix_id * V + token``; the ids of order ``k`` are the ranks
of the sorted unique keys. Counting is one ``np.unique`` per order, look-up one
``np.searchsorted`` per order, whatever the corpus size: no Python object per n-gram.
The same trie-like numbering is what KenLM and SRILM use on disk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["NGramTable", "count_ngrams", "lookup_ngrams", "context_ids"]


@dataclass
class NGramTable:
    """The distinct n-grams of one order ``k >= 2``.

    Attributes
    ----------
    keys : ndarray of int64, sorted
        ``context_id * V + token``; the n-gram id is the position in ``keys``.
    count : ndarray of int64
        Raw count of each n-gram.
    suffix : ndarray of int64
        Id (of order ``k - 1``) of the n-gram without its first token.
    bos_start : ndarray of bool
        Whether the n-gram starts with the sentence-start token (nothing can precede it,
        so Kneser-Ney keeps its raw count).
    """

    keys: np.ndarray
    count: np.ndarray
    suffix: np.ndarray
    bos_start: np.ndarray

    def context(self, vocab_size: int) -> np.ndarray:
        """Id (of order ``k - 1``) of each n-gram's context."""
        return self.keys // vocab_size


def count_ngrams(
    tokens: np.ndarray, offsets: np.ndarray, order: int, vocab_size: int
) -> list[NGramTable]:
    """Count the n-grams of orders 2..``order`` of an encoded corpus.

    Parameters
    ----------
    tokens, offsets : ndarray of int64
        From :func:`~tsclassic.language._vocab.encode_corpus`.
    order : int
    vocab_size : int
        ``V``, the number of token ids.

    Returns
    -------
    list of NGramTable
        Element ``k - 2`` holds order ``k``.
    """
    ids = tokens  # id of the n-gram of the current order ending at each position
    tables = []
    for k in range(2, order + 1):
        pos = np.flatnonzero(offsets >= k - 1)
        keys = ids[pos - 1] * vocab_size + tokens[pos]
        uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        tables.append(
            NGramTable(
                keys=uniq,
                count=np.bincount(inverse, minlength=len(uniq)).astype(np.int64),
                suffix=ids[pos[first]],
                bos_start=offsets[pos[first]] == k - 1,
            )
        )
        ids = np.full(len(tokens), -1, dtype=np.int64)
        ids[pos] = inverse
    return tables


def _find(keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Position of each query in the sorted ``keys``, or -1."""
    if len(keys) == 0:
        return np.full(len(query), -1, dtype=np.int64)
    at = np.searchsorted(keys, query)
    at[at == len(keys)] = 0
    return np.where(keys[at] == query, at, -1)


def lookup_ngrams(
    tables: list[NGramTable], tokens: np.ndarray, offsets: np.ndarray, vocab_size: int
) -> list[np.ndarray]:
    """Ids of the n-grams ending at each position of an encoded corpus.

    Returns
    -------
    list of ndarray of int64
        Element ``k - 1`` holds, per position, the id of the order-``k`` n-gram ending
        there, or -1 when it is absent from the tables or longer than the position's
        context. Element 0 is ``tokens`` itself.
    """
    ids = [tokens]
    for k, table in enumerate(tables, start=2):
        prev = np.full(len(tokens), -1, dtype=np.int64)
        prev[1:] = ids[-1][:-1]
        ok = (offsets >= k - 1) & (prev >= 0)
        found = np.full(len(tokens), -1, dtype=np.int64)
        found[ok] = _find(table.keys, prev[ok] * vocab_size + tokens[ok])
        ids.append(found)
    return ids


def context_ids(tables: list[NGramTable], history: np.ndarray, vocab_size: int) -> list[int]:
    """Ids of the suffixes of ``history`` up to the longest context the tables serve.

    Element ``j`` is the id (of order ``j + 1``) of the last ``j + 1`` tokens, or -1 when
    that n-gram never occurred in training.
    """
    result: list[int] = []
    n = len(history)
    for length in range(1, min(n, len(tables)) + 1):
        cur = int(history[n - length])
        for t, table in zip(history[n - length + 1:], tables):
            if cur < 0:
                break
            cur = int(_find(table.keys, np.array([cur * vocab_size + int(t)]))[0])
        result.append(cur)
    return result
