"""NGramClassifier: one n-gram language model per class over SAX words; the class whose
model gives a series the highest likelihood wins."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin

from tsclassic._params import Integral, Interval, StrOptions, renamed_params
from tsclassic._validation import check_panel_lengths, check_panel_target, panel_by_length
from tsclassic.base import PanelMixin, Tags
from tsclassic.language._ngram import NGramLM
from tsclassic.language._sax import paa, symbolize
from tsclassic.language._smoothing import SMOOTHINGS

__all__ = ["NGramClassifier"]


@renamed_params({"normalize": ("normalize", {True: "series", False: None})},
                positional=("alphabet_size", "order"))
class NGramClassifier(PanelMixin, ClassifierMixin, BaseEstimator):
    """Likelihood classifier: SAX words scored by one n-gram model per class.

    Each series is z-normalised (``normalize="series"``), reduced to ``n_segments`` PAA
    means and binned into ``alphabet_size`` SAX symbols: a word. One :class:`NGramLM`
    per class, over one shared closed alphabet, learns the words of that class; a new
    series goes to the class whose model gives its word the highest log-likelihood, and
    ``predict_proba`` normalises the likelihoods (a softmax of the log-likelihoods, no
    class prior).

    Several channels: each channel is symbolised on its own (z-normalised over its own
    values) and has its own n-gram model per class; the channels are scored jointly, a
    series' log-likelihood under a class being the sum of its channels' log-likelihoods
    (the channels' words taken as independent given the class).

    Unequal lengths: every series gives a word of ``n_segments`` symbols whatever its
    length (PAA over its own points), so series of any lengths of at least
    ``n_segments`` points are compared on one footing.

    Parameters
    ----------
    n_segments : int, default 16
        Symbols per series (at most the length of the shortest series).
    alphabet_size : int, default 4
        Number of SAX symbols (at least 2).
    order : int, default 3
        n-gram order of the class models.
    smoothing : str, default "modified_kneser_ney"
        Smoothing of the class models (see :class:`NGramLM`).
    normalize : {"series"} or None, default "series"
        ``"series"`` z-normalises each series (each channel) before PAA, as SAX assumes (a
        constant series becomes 0); ``None`` keeps the raw values (``True`` and ``False``
        in tsclassic 0.1).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    models_ : list of list of NGramLM
        ``models_[k][c]``: the fitted model of class ``classes_[k]`` for channel ``c``.

    See Also
    --------
    SAX, NGramLM

    References
    ----------
    Lin, Keogh, Wei & Lonardi (2007), "Experiencing SAX", DMKD 15(2).

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.language import NGramClassifier
    >>> t = np.linspace(0, 1, 32)
    >>> X = np.vstack([np.sin(2 * np.pi * t + p) for p in np.linspace(0, 0.3, 6)]
    ...               + [t + 0.01 * p for p in range(6)])
    >>> y = np.array([0] * 6 + [1] * 6)
    >>> clf = NGramClassifier(n_segments=8, alphabet_size=4, order=2).fit(X, y)
    >>> clf.predict(X[[0, -1]]).tolist()
    [0, 1]
    """

    _tags: ClassVar[Tags] = Tags(multivariate=True, unequal_length=True)
    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_segments": [Interval(Integral, 1, None, closed="left")],
        "alphabet_size": [Interval(Integral, 2, None, closed="left")],
        "order": [Interval(Integral, 1, None, closed="left")],
        "smoothing": [StrOptions(set(SMOOTHINGS))],
        "normalize": [StrOptions({"series"}), None],
    }

    def __init__(
        self,
        n_segments: int = 16,
        *,
        alphabet_size: int = 4,
        order: int = 3,
        smoothing: str = "modified_kneser_ney",
        normalize: str | None = "series",
    ):
        self.n_segments = n_segments
        self.alphabet_size = alphabet_size
        self.order = order
        self.smoothing = smoothing
        self.normalize = normalize

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [
            {"n_segments": 2, "alphabet_size": 6, "order": 3, "normalize": None},
            {"n_segments": 2, "alphabet_size": 4, "order": 2, "smoothing": "witten_bell"},
        ]

    @classmethod
    def _xfail_checks(cls) -> dict[str, str]:
        return {
            "check_classifiers_train":
                "with normalize='series' a series of 2 points z-normalises to (-1, 1) or (1, -1) "
                "whatever its level, and the test's blobs differ by level only",
            "check_n_features_in_after_fitting":
                "series of any length (at least n_segments) are accepted at predict: every "
                "series gives a word of n_segments symbols",
        }

    def _words(self, panel: np.ndarray | list[np.ndarray]) -> list[list[list[int]]]:
        """SAX words, ``words[c][i]`` for channel ``c`` of series ``i``."""
        check_panel_lengths(panel, self.n_segments, f"n_segments={self.n_segments}: one "
                            f"point per symbol", owner=type(self).__name__)
        words: list[list[Any]] = [[None] * len(panel) for _ in range(self.n_channels_)]
        for rows, values in panel_by_length(panel):
            if self.normalize:
                centred = values - values.mean(axis=2, keepdims=True)
                std = centred.std(axis=2, keepdims=True)
                values = centred / np.where(std == 0, 1.0, std)  # a constant series becomes 0
            symbols = symbolize(paa(values, self.n_segments), self.alphabet_size)
            for j, i in enumerate(rows):
                for c in range(self.n_channels_):
                    words[c][i] = symbols[j, c].tolist()
        return words

    def fit(self, X: Any, y: Any) -> NGramClassifier:
        """Fit one n-gram model per class (and per channel).

        Parameters
        ----------
        X : 2-D or 3-D array, list of series, or DataFrame of one row per series
            Series of at least ``n_segments`` points, of any lengths.
        y : array-like of shape (n_series,)

        Returns
        -------
        self
        """
        panel = self._validate_panel(X, reset=True)
        y = check_panel_target(y, len(panel), owner=type(self).__name__)
        self.classes_, codes = np.unique(y, return_inverse=True)
        words = self._words(panel)
        alphabet = list(range(self.alphabet_size))
        self.models_ = [
            [
                NGramLM(self.order, smoothing=self.smoothing, vocabulary=alphabet).fit(
                    [channel[i] for i in np.flatnonzero(codes == k)]
                )
                for channel in words
            ]
            for k in range(len(self.classes_))
        ]
        return self

    def _log_likelihoods(self, X: Any) -> np.ndarray:
        self._check_fitted()
        panel = self._validate_panel(X, reset=False)
        words = self._words(panel)
        # Channels are scored jointly: the sum of their log-likelihoods.
        return np.column_stack([
            np.sum([m.score_samples(channel) for m, channel in zip(models, words)], axis=0)
            for models in self.models_
        ])

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-likelihood of each series under each class model (summed over channels),
        shape (n_series, n_classes) (for two classes, the log-likelihood ratio of the
        second class)."""
        scores = self._log_likelihoods(X)
        return scores[:, 1] - scores[:, 0] if len(self.classes_) == 2 else scores

    def predict_proba(self, X: Any) -> np.ndarray:
        """Normalised likelihoods, shape (n_series, n_classes)."""
        scores = self._log_likelihoods(X)
        return np.exp(scores - logsumexp(scores, axis=1, keepdims=True))

    def predict(self, X: Any) -> np.ndarray:
        """The class of highest likelihood for each series."""
        scores = self._log_likelihoods(X)
        return self.classes_[np.argmax(scores, axis=1)]
