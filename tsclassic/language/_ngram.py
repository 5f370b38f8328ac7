"""NGramLM: an interpolated n-gram language model over any token stream.

Words, characters or SAX symbols: the model sees integer ids only. Counting is a sort
per order (:mod:`._counts`), smoothing a handful of ``bincount`` calls
(:mod:`._smoothing`), and scoring a corpus one ``searchsorted`` per order.
"""

from __future__ import annotations

import os
from collections.abc import Hashable
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from tsclassic._params import POSITIVE_INT, POSITIVE_REAL, Integral, StrOptions, renamed_params
from tsclassic._validation import check_positive_int, check_sequence
from tsclassic.base import BaseSequenceModel
from tsclassic.language._counts import context_ids, count_ngrams, lookup_ngrams
from tsclassic.language._smoothing import INTERPOLATED, SMOOTHINGS, estimate
from tsclassic.language._vocab import BOS, EOS, build_vocabulary, encode_corpus, encode_tokens

__all__ = ["NGramLM"]


def _arpa_order(path: str | os.PathLike) -> int:
    """The highest order an ARPA file announces in its header."""
    with open(path, encoding="utf-8") as fh:
        orders = [int(line.split("=")[0].split()[1]) for line in fh
                  if line.startswith("ngram ") and "=" in line]
    if not orders:
        raise ValueError(f"{os.fspath(path)!r} has no ARPA header (\\data\\ with ngram k=n lines).")
    return max(orders)


def _gather(values: np.ndarray, ids: np.ndarray, default: float) -> np.ndarray:
    """``values[ids]`` where ``ids >= 0``, ``default`` where ``ids`` is -1 (absent)."""
    out = np.full(len(ids), default)
    found = ids >= 0
    out[found] = values[ids[found]]
    return out


@renamed_params(positional=("smoothing",))
class NGramLM(BaseSequenceModel):
    """Interpolated n-gram language model with modified Kneser-Ney smoothing.

    Each sequence is framed as ``<s> w1 ... wn </s>``: the end token is predicted (and
    counted by :meth:`perplexity`), the start token is context only. Tokens seen fewer
    than ``min_count`` times in training, and tokens unseen at query time, are read as
    the unknown token, which is predicted and counted like any other token.

    Parameters
    ----------
    order : int, default 3
        The n of the n-grams: the model conditions on the last ``order - 1`` tokens.
    smoothing : {"modified_kneser_ney", "kneser_ney", "witten_bell", "add_k", "mle"}
        ``"modified_kneser_ney"`` (Chen & Goodman; three discounts per order from the
        count-of-counts, exactly as KenLM's ``lmplz``), ``"kneser_ney"`` (one discount
        per order), ``"witten_bell"`` (interpolated), ``"add_k"`` (``(c + k) / (S + k|V|)``
        on the longest context) or ``"mle"`` (relative frequency on the longest context;
        an unseen context gives the uniform distribution, an unseen n-gram probability 0).
    k : float, default 1.0
        Pseudo-count of ``"add_k"`` (ignored otherwise).
    min_count : int, default 1
        Tokens rarer than this in training become the unknown token.
    vocabulary : sequence of tokens, optional
        A closed vocabulary (as KenLM's ``--limit_vocab_file``): every other token is
        the unknown token, and tokens of the list unseen in training keep a share of
        the probability. Models over one alphabet (e.g. one per class) then compare
        fairly. ``min_count`` is ignored when it is given.
    unk_token, bos_token, eos_token : hashable
        The unknown, sequence-start and sequence-end tokens. The unknown token may occur
        in the data (as in the Penn Treebank); the boundary tokens may not.

    Attributes
    ----------
    vocabulary_ : ndarray of object
        The tokens, starting with the unknown, start and end tokens.
    n_ngrams_ : pd.Series
        Number of distinct n-grams per order.
    ngrams_ : list of NGramTable
        The n-grams of orders 2..order: sorted integer keys, counts, suffix ids.
    levels_ : list of Level
        Per order, the discounted weights ``u`` per n-gram and back-off weights ``gamma``
        per context that define the interpolated probabilities.
    interpolated_ : bool
        Whether lower orders are interpolated (all but add-k and MLE).
    discounts_ : pd.DataFrame or None
        ``D1, D2, D3+`` per order (Kneser-Ney methods).

    Notes
    -----
    ``predict(context)`` reads ``context`` as the beginning of a sequence (after ``<s>``)
    and uses its last ``order - 1`` tokens; longer contexts are cut, unseen tokens are the
    unknown token. ``score``, ``logprob`` and ``perplexity`` count every word and one end
    token per sequence. ``sample(n, random_state, max_length=100)`` keeps the base
    class's argument order (``max_length`` is keyword-only).

    See Also
    --------
    NGramClassifier, NGramForecaster

    References
    ----------
    Chen & Goodman (1999), "An empirical study of smoothing techniques for language
    modeling", Computer Speech & Language 13(4). Heafield, Pouzyrevsky, Clark & Koehn
    (2013), "Scalable modified Kneser-Ney language model estimation", ACL.

    Examples
    --------
    >>> from tsclassic.language import NGramLM
    >>> lm = NGramLM(order=2).fit([list("abab"), list("abba"), list("baba")])
    >>> lm.predict(["a"]).index[0]
    'b'
    >>> round(lm.perplexity([list("abab")]), 3)
    2.317
    """

    _parameter_constraints: ClassVar[dict] = {
        "order": [POSITIVE_INT],
        "smoothing": [StrOptions(set(SMOOTHINGS))],
        "k": [POSITIVE_REAL],
        "min_count": [POSITIVE_INT],
        "vocabulary": [list, tuple, np.ndarray, pd.Index, None],
        "unk_token": [str, Integral],
        "bos_token": [str, Integral],
        "eos_token": [str, Integral],
    }

    def __init__(
        self,
        order: int = 3,
        *,
        smoothing: str = "modified_kneser_ney",
        k: float = 1.0,
        min_count: int = 1,
        vocabulary: Any = None,
        unk_token: Hashable = "<unk>",
        bos_token: Hashable = "<s>",
        eos_token: Hashable = "</s>",
    ):
        self.order = order
        self.smoothing = smoothing
        self.k = k
        self.min_count = min_count
        self.vocabulary = vocabulary
        self.unk_token = unk_token
        self.bos_token = bos_token
        self.eos_token = eos_token

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{"order": 3}, {"order": 2, "smoothing": "witten_bell"},
                {"order": 1, "smoothing": "add_k", "k": 0.5}]

    # -- fitting --------------------------------------------------------------
    def _check_params(self) -> None:
        specials = [self.unk_token, self.bos_token, self.eos_token]
        if len({repr(t) for t in specials}) != 3:
            raise ValueError(
                f"unk_token, bos_token and eos_token must differ; got {specials}."
            )

    def _fit(self, corpus: list[list[Any]]) -> None:
        self._check_params()
        if self.vocabulary is None:
            vocabulary, _ = build_vocabulary(
                corpus, self.min_count, self.unk_token, self.bos_token, self.eos_token
            )
        else:
            words = check_sequence(self.vocabulary, "vocabulary")
            if len(words) != len(set(map(repr, words))):
                raise ValueError("vocabulary must list each token once; drop the repeats.")
            vocabulary, _ = build_vocabulary(
                [words], 1, self.unk_token, self.bos_token, self.eos_token, name="vocabulary"
            )
        self.vocabulary_ = vocabulary
        size = len(vocabulary)
        tokens, offsets = encode_corpus(corpus, self._index())
        unigram = np.bincount(tokens[offsets >= 1], minlength=size).astype(np.int64)
        self.ngrams_ = count_ngrams(tokens, offsets, self.order, size)
        self.levels_, discounts = estimate(
            self.smoothing, unigram, self.ngrams_, size, float(self.k)
        )
        self.interpolated_ = INTERPOLATED[self.smoothing]
        orders = pd.RangeIndex(1, self.order + 1, name="order")
        self.n_ngrams_ = pd.Series(
            [int(np.count_nonzero(unigram))] + [len(t.keys) for t in self.ngrams_],
            index=orders, name="n_ngrams",
        )
        self.discounts_ = (
            None if discounts is None
            else pd.DataFrame(discounts, index=orders, columns=["D1", "D2", "D3+"])
        )

    def _index(self) -> pd.Index:
        return pd.Index(self.vocabulary_, dtype=object)

    # -- scoring --------------------------------------------------------------
    def _token_probabilities(self, corpus: list[list[Any]]) -> np.ndarray:
        """Probability of every predicted token (each word and each end token)."""
        size = len(self.vocabulary_)
        tokens, offsets = encode_corpus(corpus, self._index())
        ids = lookup_ngrams(self.ngrams_, tokens, offsets, size)
        pred = offsets >= 1
        p = np.full(len(tokens), 1.0 / (size - 1))
        # The longest level available at each position (fitted state only, so that a
        # set_params after fit cannot mismatch the tables).
        top = np.minimum(offsets + 1, len(self.levels_))
        for level, pieces in enumerate(self.levels_, start=1):
            active = pred & ((offsets >= level - 1) if self.interpolated_ else (top == level))
            at = np.flatnonzero(active)
            if level == 1:
                gamma = pieces.gamma[0]
                u = pieces.u[tokens[at]]
            else:
                # Unseen context: gamma 1 (nothing to interpolate); unseen n-gram: u 0.
                gamma = _gather(pieces.gamma, ids[level - 2][at - 1], 1.0)
                u = _gather(pieces.u, ids[level - 1][at], 0.0)
            p[at] = u + gamma * p[at]
        return p[pred]

    def _score(self, corpus: list[list[Any]]) -> float:
        with np.errstate(divide="ignore"):
            return float(np.log(self._token_probabilities(corpus)).sum())

    def _score_samples(self, corpus: list[list[Any]]) -> np.ndarray:
        # Every token of the corpus in one pass, then summed per sequence.
        with np.errstate(divide="ignore"):
            logp = np.log(self._token_probabilities(corpus))
        ends = np.cumsum([len(s) + 1 for s in corpus])
        return np.add.reduceat(logp, np.concatenate([[0], ends[:-1]]))

    def _end_token(self) -> Hashable:
        return self.eos_token

    # -- the ARPA format ------------------------------------------------------
    def to_arpa(self, path: str | os.PathLike) -> None:
        """Write the fitted model as an ARPA back-off file (KenLM, SRILM, NLTK read it).

        Every probability is written as ``log10`` of the model's interpolated
        ``p(w | c)`` and every context's back-off weight as ``log10 gamma(c)``, so that a
        back-off reader computes exactly this model's probabilities. The special tokens
        are written ``<unk>``, ``<s>``, ``</s>`` and the others as text (``str``). Only
        the interpolated smoothings (Kneser-Ney, Witten-Bell) have an ARPA form.

        Parameters
        ----------
        path : str or path-like
        """
        from tsclassic.language._arpa import write_arpa

        self._check_fitted()
        write_arpa(self, path)

    @classmethod
    def from_arpa(cls, path: str | os.PathLike, **params: Any) -> NGramLM:
        """Read an ARPA back-off file (e.g. from KenLM's ``lmplz`` or SRILM's ``ngram-count``).

        The model returned scores, predicts and samples exactly as a back-off reader of
        the file would: ``p(w | c)`` as listed, or ``b(c) p(w | c')`` when ``c w`` is not
        listed. Tokens are read as strings; ``<unk>``, ``<s>`` and ``</s>`` become the
        model's ``unk_token``, ``bos_token`` and ``eos_token``.

        Parameters
        ----------
        path : str or path-like
        **params
            Other parameters of the model (e.g. ``unk_token``); ``order`` is the file's.

        Returns
        -------
        NGramLM
            Fitted; ``discounts_`` is None (the file does not say how it was smoothed).

        Examples
        --------
        >>> import os, tempfile
        >>> from tsclassic.language import NGramLM
        >>> lm = NGramLM(order=2).fit([["a", "b"], ["a", "a", "b"]])
        >>> path = os.path.join(tempfile.mkdtemp(), "lm.arpa")
        >>> lm.to_arpa(path)
        >>> again = NGramLM.from_arpa(path)
        >>> abs(again.logprob(["a", "b"]) - lm.logprob(["a", "b"])) < 1e-6  # 7 digits in the file
        True
        """
        from tsclassic.language._arpa import read_arpa

        header = _arpa_order(path)
        model = cls(**{**params, "order": header})
        read_arpa(model, path)
        return model

    # -- next-token distribution and sampling ---------------------------------
    def _distribution(self, history: np.ndarray) -> np.ndarray:
        """Next-token probabilities over all ids (0 for ``<s>``) after ``<s> history``."""
        size = len(self.vocabulary_)
        hist = np.concatenate([[BOS], history]).astype(np.int64)
        hist = hist[max(0, len(hist) - len(self.levels_) + 1):]
        contexts = context_ids(self.ngrams_, hist, size)
        p = np.full(size, 1.0 / (size - 1))
        p[BOS] = 0.0
        top = len(hist) + 1
        for level, pieces in enumerate(self.levels_[:top], start=1):
            if not self.interpolated_ and level != top:
                continue
            if level == 1:
                p = pieces.u + pieces.gamma[0] * p
                continue
            ctx = contexts[level - 2]
            if ctx < 0:
                continue
            keys = self.ngrams_[level - 2].keys
            lo, hi = np.searchsorted(keys, [ctx * size, (ctx + 1) * size])
            p *= pieces.gamma[ctx]
            p[keys[lo:hi] % size] += pieces.u[lo:hi]
        return p

    def _predict(self, context: list[Any]) -> pd.Series:
        tail = context[max(0, len(context) - len(self.levels_) + 1):]  # last order - 1 tokens
        history = self._encode_context(tail, "context")
        p = self._distribution(history)
        keep = np.arange(len(p)) != BOS
        order = np.argsort(-p[keep], kind="stable")
        return pd.Series(
            p[keep][order], index=pd.Index(self.vocabulary_[keep][order], dtype=object),
            name="probability",
        )

    def _encode_context(self, tokens: list[Any], name: str) -> np.ndarray:
        for tok in tokens:
            if not isinstance(tok, (str, int, np.integer)) or isinstance(tok, bool):
                raise TypeError(
                    f"{name} contains {tok!r} of type {type(tok).__name__}; tokens must be "
                    f"strings or integers."
                )
        flat = np.empty(len(tokens), dtype=object)
        flat[:] = tokens
        return encode_tokens(flat, self._index())

    def sample(
        self, n: int, random_state: Any = None, *, max_length: int = 100
    ) -> list[list[Any]]:
        """Draw ``n`` sequences, each up to the end token or ``max_length`` tokens.

        Parameters
        ----------
        n : int
            Number of sequences.
        random_state : int, Generator or None
            Seed; the same seed gives the same sequences.
        max_length : int, default 100
            Longest sequence drawn (the end token is not included).

        Returns
        -------
        list of list
        """
        from tsclassic._random import rng_from

        self._check_fitted()
        n = check_positive_int(n, "n")
        max_length = check_positive_int(max_length, "max_length")
        # Seeded exactly as BaseSequenceModel.sample, which has no max_length.
        return self._sample(n, rng_from(random_state), max_length)

    def _sample(
        self, n: int, rng: np.random.Generator, max_length: int = 100
    ) -> list[list[Any]]:
        out = []
        for _ in range(n):
            history: list[int] = []
            while len(history) < max_length:
                cdf = np.cumsum(self._distribution(np.array(history, dtype=np.int64)))
                tok = min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")),
                          len(cdf) - 1)
                if tok == EOS:
                    break
                history.append(tok)
            out.append(self.vocabulary_[history].tolist())
        return out
