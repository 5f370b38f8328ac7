"""Vocabulary: tokens to integer ids and a corpus to one flat id array.

Everything downstream (counting, smoothing, look-up) works on the ids in NumPy arrays;
the only hashing of Python objects happens here, once per token, through pandas' C hash
tables (``pd.factorize`` and ``Index.get_indexer``), not a Python dict per n-gram.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from itertools import chain

import numpy as np
import pandas as pd

__all__ = ["UNK", "BOS", "EOS", "build_vocabulary", "encode_corpus", "encode_tokens"]

# Fixed ids of the three special tokens; words follow from id 3.
UNK, BOS, EOS = 0, 1, 2


def _flat(corpus: Sequence[Sequence[Hashable]]) -> np.ndarray:
    flat = np.empty(sum(len(s) for s in corpus), dtype=object)
    flat[:] = list(chain.from_iterable(corpus))
    return flat


def build_vocabulary(
    corpus: Sequence[Sequence[Hashable]],
    min_count: int,
    unk_token: Hashable,
    bos_token: Hashable,
    eos_token: Hashable,
    name: str = "sequences",
) -> tuple[np.ndarray, np.ndarray]:
    """The vocabulary of a training corpus.

    Returns
    -------
    vocabulary : ndarray of object
        ``[unk_token, bos_token, eos_token, word, ...]``, words in order of first
        appearance, keeping those seen at least ``min_count`` times.
    counts : ndarray of int64
        Training counts of the vocabulary entries (the unknown token's count gathers the
        rare words and the literal unknown token; the boundary tokens count 0).
    """
    flat = _flat(corpus)
    codes, uniques = pd.factorize(flat)
    counts = np.bincount(codes, minlength=len(uniques))
    uniques = np.asarray(uniques, dtype=object)
    for arg, token in (("bos_token", bos_token), ("eos_token", eos_token)):
        hit = np.flatnonzero(uniques == token) if len(uniques) else []
        if len(hit):
            raise ValueError(
                f"{name} contains the reserved boundary token {token!r} ({arg}); the model "
                f"adds it itself: remove it from the data or choose another {arg}."
            )
    is_unk = uniques == unk_token
    keep = (counts >= min_count) & ~is_unk
    vocabulary = np.empty(3 + int(keep.sum()), dtype=object)
    vocabulary[:3] = [unk_token, bos_token, eos_token]
    vocabulary[3:] = uniques[keep]
    vocab_counts = np.zeros(len(vocabulary), dtype=np.int64)
    vocab_counts[3:] = counts[keep]
    vocab_counts[UNK] = int(counts[~keep].sum())
    return vocabulary, vocab_counts


def encode_tokens(tokens: np.ndarray, index: pd.Index) -> np.ndarray:
    """Ids of ``tokens`` (an object array) in the vocabulary ``index``; unknown -> UNK."""
    ids = index.get_indexer(tokens) if len(tokens) else np.empty(0, dtype=np.int64)
    ids = np.asarray(ids, dtype=np.int64)
    ids[ids < 0] = UNK
    return ids


def encode_corpus(
    corpus: Sequence[Sequence[Hashable]], index: pd.Index
) -> tuple[np.ndarray, np.ndarray]:
    """One flat id array for a corpus, each sequence framed as ``BOS w1 ... wn EOS``.

    Returns
    -------
    tokens : ndarray of int64
        The ids, sequences one after the other.
    offsets : ndarray of int64
        The position of each id within its framed sequence (0 for ``BOS``), which tells
        how long a context is available there.
    """
    lengths = np.fromiter((len(s) for s in corpus), dtype=np.int64, count=len(corpus))
    framed = lengths + 2
    starts = np.concatenate([[0], np.cumsum(framed)[:-1]])
    total = int(framed.sum())
    tokens = np.empty(total, dtype=np.int64)
    is_word = np.ones(total, dtype=bool)
    is_word[starts] = False
    is_word[starts + lengths + 1] = False
    tokens[starts] = BOS
    tokens[starts + lengths + 1] = EOS
    tokens[is_word] = encode_tokens(_flat(corpus), index)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(starts, framed)
    return tokens, offsets
