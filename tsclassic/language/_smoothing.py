"""Smoothing: from n-gram counts to per-order probability pieces.

Every method is written in one interpolated form. For an n-gram ``c w`` of order ``k``
(context ``c``, token ``w``) a method gives a discounted weight ``u(c w)`` and a
back-off weight ``gamma(c)`` such that

    p_k(w | c) = u(c w) + gamma(c) * p_{k-1}(w | c'),      p_0(w) = 1 / |V|,

where ``c'`` drops the first token of ``c`` and ``|V|`` counts every token that can be
predicted (the vocabulary with the unknown and end tokens, without the start token).
A context never seen in training has ``u = 0`` and ``gamma = 1``. Add-k and MLE are not
interpolated: they use the longest available level only, over the uniform base.

References
----------
Kneser & Ney (1995), "Improved backing-off for m-gram language modeling", ICASSP.
Chen & Goodman (1999), "An empirical study of smoothing techniques for language
modeling", Computer Speech & Language 13(4) (modified Kneser-Ney, Witten-Bell).
Heafield et al. (2013), "Scalable modified Kneser-Ney language model estimation", ACL
(KenLM's ``lmplz``: n-grams that start with ``<s>`` keep their raw counts; the unigrams
are interpolated with the uniform distribution).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tsclassic.language._counts import NGramTable
from tsclassic.language._vocab import BOS

__all__ = ["SMOOTHINGS", "Level", "estimate", "modified_kn_discounts"]

SMOOTHINGS = ("modified_kneser_ney", "kneser_ney", "witten_bell", "add_k", "mle")
INTERPOLATED = {"modified_kneser_ney": True, "kneser_ney": True, "witten_bell": True,
                "add_k": False, "mle": False}
# KenLM's --discount_fallback values, used when count-of-counts cannot give discounts
# (tiny corpora, where some n_i is zero).
FALLBACK = np.array([0.5, 1.0, 1.5])


@dataclass
class Level:
    """The pieces of one order: ``u`` per n-gram id, ``gamma`` per context id."""

    u: np.ndarray
    gamma: np.ndarray


def modified_kn_discounts(adjusted: np.ndarray) -> np.ndarray:
    """``[D1, D2, D3+]`` from the count-of-counts of the adjusted counts (Chen & Goodman).

    ``Y = n1 / (n1 + 2 n2)``, ``D_i = i - (i + 1) Y n_{i+1} / n_i``. Falls back to KenLM's
    ``0.5, 1, 1.5`` when a count-of-count is zero or a discount leaves ``[0, i]``.
    """
    n = np.bincount(np.minimum(adjusted, 5), minlength=6)[1:5].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = n[0] / (n[0] + 2 * n[1])
        d = np.array([i - (i + 1) * y * n[i] / n[i - 1] for i in (1, 2, 3)])
    if not np.all(np.isfinite(d)) or np.any(d < 0) or np.any(d > [1, 2, 3]):
        return FALLBACK.copy()
    return d


def _kn_discounts(adjusted: np.ndarray) -> np.ndarray:
    n1, n2 = (np.count_nonzero(adjusted == i) for i in (1, 2))
    if n1 == 0 or n2 == 0:
        return np.full(3, FALLBACK[0])
    return np.full(3, n1 / (n1 + 2 * n2))


def _adjusted_counts(
    unigram_counts: np.ndarray, tables: list[NGramTable], vocab_size: int
) -> list[np.ndarray]:
    """Kneser-Ney counts: raw at the top order and for n-grams starting with ``<s>``,
    the number of distinct one-token left extensions otherwise."""
    order = len(tables) + 1
    counts = [unigram_counts, *(t.count for t in tables)]
    adjusted = []
    for k in range(1, order):
        n_ids = vocab_size if k == 1 else len(tables[k - 2].keys)
        cont = np.bincount(tables[k - 1].suffix, minlength=n_ids).astype(np.int64)
        if k >= 2:
            bos = tables[k - 2].bos_start
            cont[bos] = counts[k - 1][bos]
        adjusted.append(cont)
    adjusted.append(counts[-1].astype(np.int64))
    adjusted[0][BOS] = 0
    return adjusted


def _contexts(k: int, tables: list[NGramTable], vocab_size: int) -> tuple[np.ndarray, int]:
    """Context id of each order-``k`` n-gram, and the number of possible context ids."""
    if k == 1:
        return np.zeros(vocab_size, dtype=np.int64), 1
    n_ctx = vocab_size if k == 2 else len(tables[k - 3].keys)
    return tables[k - 2].context(vocab_size), n_ctx


def estimate(
    smoothing: str,
    unigram_counts: np.ndarray,
    tables: list[NGramTable],
    vocab_size: int,
    k: float = 1.0,
) -> tuple[list[Level], np.ndarray | None]:
    """The per-order pieces of the model.

    Parameters
    ----------
    smoothing : str
        One of :data:`SMOOTHINGS`.
    unigram_counts : ndarray of int64, shape (V,)
        Raw unigram counts (0 for ``<s>``).
    tables : list of NGramTable
        Orders 2..N.
    vocab_size : int
        ``V``, including ``<s>``.
    k : float
        Pseudo-count of add-k.

    Returns
    -------
    levels : list of Level
        Orders 1..N.
    discounts : ndarray of shape (N, 3) or None
        ``D1, D2, D3+`` per order for the Kneser-Ney methods.
    """
    order = len(tables) + 1
    n_predictable = vocab_size - 1  # every token but <s>
    if smoothing in ("modified_kneser_ney", "kneser_ney"):
        counts = _adjusted_counts(unigram_counts, tables, vocab_size)
    else:
        counts = [unigram_counts.copy(), *(t.count for t in tables)]
        counts[0][BOS] = 0
    levels, discounts = [], []
    for level in range(1, order + 1):
        a = counts[level - 1].astype(np.float64)
        ctx, n_ctx = _contexts(level, tables, vocab_size)
        total = np.bincount(ctx, weights=a, minlength=n_ctx)
        if smoothing in ("modified_kneser_ney", "kneser_ney"):
            ai = counts[level - 1]
            d = modified_kn_discounts(ai) if smoothing == "modified_kneser_ney" else _kn_discounts(ai)
            discounts.append(d)
            per_ngram = np.where(ai > 0, np.concatenate([[0.0], d])[np.minimum(ai, 3)], 0.0)
            numerator = a - per_ngram
            mass = np.bincount(ctx, weights=per_ngram, minlength=n_ctx)
            denominator = total
        elif smoothing == "witten_bell":
            numerator = a
            mass = np.bincount(ctx, weights=(a > 0).astype(float), minlength=n_ctx)
            denominator = total + mass
        else:  # add_k (k > 0) and mle (k = 0): (c + k) / (S + k |V|)
            pseudo = k if smoothing == "add_k" else 0.0
            numerator = a
            mass = np.full(n_ctx, pseudo * n_predictable)
            denominator = total + mass
        seen = total > 0
        safe = np.where(seen, denominator, 1.0)
        gamma = np.where(seen, mass / safe, 1.0)
        u = numerator / safe[ctx]
        levels.append(Level(u=u, gamma=gamma))
    return levels, (np.array(discounts) if discounts else None)
