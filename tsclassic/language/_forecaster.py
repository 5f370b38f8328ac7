"""NGramForecaster: symbolise a series, predict the next symbols with an n-gram model,
map them back to values."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from tsclassic._params import (
    NON_NEGATIVE_INT,
    POSITIVE_INT,
    Integral,
    Interval,
    StrOptions,
    renamed_params,
)
from tsclassic.base import BaseForecaster, Tags
from tsclassic.language._ngram import NGramLM
from tsclassic.language._sax import paa, sax_midpoints, symbolize
from tsclassic.language._smoothing import SMOOTHINGS

__all__ = ["NGramForecaster"]

# Contexts carried from one step to the next; alphabet_size ** (order - 1) of them would
# be exact, which explodes for long orders (6 ** 12 for order 13).
_MAX_STATES = 256


@renamed_params(positional=("order",))
class NGramForecaster(BaseForecaster):
    """Forecast by symbols: SAX over time, an n-gram model of the symbol stream, and the
    expected value of the next symbols mapped back to values.

    The series (differenced ``differences`` times) is standardised with its mean and
    standard deviation, cut into blocks of ``segment_length`` observations whose means are
    binned into ``alphabet_size`` SAX symbols, and an :class:`NGramLM` learns the symbol
    stream. The forecast of each future block is the expectation, under the model, of the
    value of its symbol (the median of the symbol's bin): the distribution over the last
    ``order - 1`` symbols is carried forward step by step, so the forecast is the model's
    mean path rather than one greedy path (exact while at most 256 contexts are possible,
    e.g. ``alphabet_size=16, order=3``; beyond, the 256 most probable contexts carry it).
    Values are then unstandardised and integrated back.

    Parameters
    ----------
    alphabet_size : int, default 8
        Number of symbols (at least 2).
    order : int, default 3
        n-gram order: the next symbol depends on the last ``order - 1``.
    segment_length : int, default 1
        Observations per symbol; each forecast symbol covers that many steps.
    differences : int, default 0
        Times to difference the series first (1 removes a trend).
    smoothing : str, default "modified_kneser_ney"
        Smoothing of the symbol model (see :class:`NGramLM`).

    Attributes
    ----------
    model_ : NGramLM
        The symbol model.
    symbols_ : ndarray of int
        The training series as symbols.
    params_ : pd.Series
        ``mean`` and ``std`` of the standardisation.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.language import NGramForecaster
    >>> y = np.tile([0.0, 1.0, 2.0, 3.0], 12)
    >>> NGramForecaster(alphabet_size=4, order=3).fit(y).predict(4).round(1)
    array([0.3, 1.2, 1.8, 2.5])
    """

    _tags: ClassVar[Tags] = Tags()

    _parameter_constraints: ClassVar[dict] = {
        "alphabet_size": [Interval(Integral, 2, None, closed="left")],
        "order": [POSITIVE_INT],
        "segment_length": [POSITIVE_INT],
        "differences": [NON_NEGATIVE_INT],
        "smoothing": [StrOptions(set(SMOOTHINGS))],
    }

    def __init__(
        self,
        alphabet_size: int = 8,
        *,
        order: int = 3,
        segment_length: int = 1,
        differences: int = 0,
        smoothing: str = "modified_kneser_ney",
    ):
        self.alphabet_size = alphabet_size
        self.order = order
        self.segment_length = segment_length
        self.differences = differences
        self.smoothing = smoothing

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{}, {"alphabet_size": 5, "order": 2, "segment_length": 3, "differences": 1}]

    def _min_length(self) -> tuple[int, str]:
        order, seg, d = self.order, self.segment_length, self.differences
        n = d + seg * (order + 1)
        return n, (
            f"{order + 1} symbols of {seg} observations after {d} differences, for an "
            f"order-{order} model"
        )

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        import pandas as pd

        # The last value of each differencing level, to integrate the forecast back.
        self.tail_ = [float(np.diff(y, n=j)[-1]) for j in range(self.differences)]
        z = np.diff(y, n=self.differences)
        mean, std = float(z.mean()), float(z.std())
        std = std if std > 0 else 1.0  # a constant series: every symbol is the middle one
        self.params_ = pd.Series({"mean": mean, "std": std})
        seg = self.segment_length
        usable = (len(z) // seg) * seg  # whole blocks, aligned on the last observation
        blocks = paa((z[len(z) - usable:] - mean) / std, usable // seg)
        self.symbols_ = symbolize(blocks, self.alphabet_size)
        self.model_ = NGramLM(
            self.order, smoothing=self.smoothing, vocabulary=list(range(self.alphabet_size))
        ).fit([self.symbols_.tolist()])

    def _next_symbol(self, history: tuple[int, ...]) -> np.ndarray:
        """Probabilities of the ``alphabet_size`` symbols after ``history`` (the end and
        unknown tokens left out, the rest renormalised)."""
        dist = self.model_.predict(list(history))
        p = dist.reindex(range(self.alphabet_size), fill_value=0.0).to_numpy(dtype=np.float64)
        total = p.sum()
        return p / total if total > 0 else np.full(len(p), 1.0 / len(p))

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        seg = self.segment_length
        n_symbols = -(-h // seg)
        width = self.order - 1
        start = tuple(int(s) for s in self.symbols_[len(self.symbols_) - width:]) if width else ()
        # The distribution over the last order - 1 symbols, carried forward.
        states = {start: 1.0}
        cache: dict[tuple[int, ...], np.ndarray] = {}
        mid = sax_midpoints(self.alphabet_size)
        means = np.empty(n_symbols)
        for step in range(n_symbols):
            nxt: dict[tuple[int, ...], float] = {}
            expected = 0.0
            for state, weight in states.items():
                if state not in cache:
                    cache[state] = self._next_symbol(state)
                p = cache[state]
                expected += weight * float(p @ mid)
                for s in np.flatnonzero(p > 0):
                    key = (state + (int(s),))[1:] if width else ()
                    nxt[key] = nxt.get(key, 0.0) + weight * float(p[s])
            means[step] = expected
            if len(nxt) > _MAX_STATES:  # a beam: the most probable contexts, renormalised
                kept = sorted(nxt.items(), key=lambda kv: kv[1], reverse=True)[:_MAX_STATES]
                total = sum(w for _, w in kept)
                nxt = {state: w / total for state, w in kept}
            states = nxt
        z = np.repeat(means, seg)[:h] * self.params_["std"] + self.params_["mean"]
        for last in reversed(self.tail_):  # innermost difference first
            z = last + np.cumsum(z)
        return z
