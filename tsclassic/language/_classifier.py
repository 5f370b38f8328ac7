"""NGramClassifier: one n-gram language model per class over SAX words; the class whose
model gives a series the highest likelihood wins."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from tsclassic._params import POSITIVE_INT, Integral, Interval, StrOptions
from tsclassic._validation import check_positive_int
from tsclassic.base import PanelMixin, Tags
from tsclassic.language._ngram import NGramLM
from tsclassic.language._sax import paa, sax_breakpoints
from tsclassic.language._smoothing import SMOOTHINGS

__all__ = ["NGramClassifier"]


class NGramClassifier(PanelMixin, ClassifierMixin, BaseEstimator):
    """Likelihood classifier: SAX words scored by one n-gram model per class.

    Each series is z-normalised (when ``normalize``), reduced to ``n_segments`` PAA
    means and binned into ``alphabet_size`` SAX symbols: a word. One :class:`NGramLM`
    per class, over one shared closed alphabet, learns the words of that class; a new
    series goes to the class whose model gives its word the highest log-likelihood, and
    ``predict_proba`` normalises the likelihoods (a softmax of the log-likelihoods, no
    class prior).

    Parameters
    ----------
    n_segments : int, default 16
        Symbols per series (at most the series length).
    alphabet_size : int, default 4
        Number of SAX symbols (at least 2).
    order : int, default 3
        n-gram order of the class models.
    smoothing : str, default "modified_kneser_ney"
        Smoothing of the class models (see :class:`NGramLM`).
    normalize : bool, default True
        z-normalise each series before PAA, as SAX assumes (a constant series becomes 0).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    models_ : list of NGramLM
        The fitted model of each class, in the order of ``classes_``.

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

    _tags: ClassVar[Tags] = Tags()

    # Parameter rules checked first in fit (tsclassic._params).
    _parameter_constraints: ClassVar[dict] = {
        "n_segments": [POSITIVE_INT],
        "alphabet_size": [Interval(Integral, 2, None, closed="left")],
        "order": [POSITIVE_INT],
        "smoothing": [StrOptions(set(SMOOTHINGS))],
        "normalize": ["boolean"],
    }

    def __init__(
        self,
        n_segments: int = 16,
        alphabet_size: int = 4,
        order: int = 3,
        *,
        smoothing: str = "modified_kneser_ney",
        normalize: bool = True,
    ):
        self.n_segments = n_segments
        self.alphabet_size = alphabet_size
        self.order = order
        self.smoothing = smoothing
        self.normalize = normalize

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [
            {"n_segments": 2, "alphabet_size": 6, "order": 3, "normalize": False},
            {"n_segments": 2, "alphabet_size": 4, "order": 2, "smoothing": "witten_bell"},
        ]

    @classmethod
    def _xfail_checks(cls) -> dict[str, str]:
        return {
            "check_classifiers_train":
                "with normalize=True a series of 2 points z-normalises to (-1, 1) or (1, -1) "
                "whatever its level, and the test's blobs differ by level only",
        }

    def _words(self, panel: np.ndarray) -> list[list[int]]:
        values = panel[:, 0, :]
        if self.normalize:
            centred = values - values.mean(axis=1, keepdims=True)
            std = centred.std(axis=1, keepdims=True)
            values = centred / np.where(std == 0, 1.0, std)  # a constant series becomes 0
        means = paa(values, self.n_segments)
        return np.searchsorted(sax_breakpoints(self.alphabet_size), means, side="right").tolist()

    def _check_params(self, length: int) -> None:
        n_segments = check_positive_int(self.n_segments, "n_segments")
        check_positive_int(self.alphabet_size, "alphabet_size", minimum=2)
        check_positive_int(self.order, "order")
        if length < n_segments:
            raise ValueError(
                f"X has series of length {length} (n_features = {length}) but "
                f"n_segments={n_segments}; pass series at least n_segments long or lower "
                f"n_segments."
            )

    def fit(self, X: Any, y: Any) -> NGramClassifier:
        """Fit one n-gram model per class.

        Parameters
        ----------
        X : array-like of shape (n_series, length)
        y : array-like of shape (n_series,)

        Returns
        -------
        self
        """
        panel = self._validate_panel(X, reset=True)
        self._check_params(panel.shape[2])
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None: "
                f"pass the class label of each series in X."
            )
        y = column_or_1d(y, warn=True)
        if len(y) != panel.shape[0]:
            raise ValueError(
                f"y has {len(y)} labels but X has {panel.shape[0]} series; pass one label per "
                f"series."
            )
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        words = self._words(panel)
        alphabet = list(range(self.alphabet_size))
        self.models_ = [
            NGramLM(self.order, self.smoothing, vocabulary=alphabet).fit(
                [words[i] for i in np.flatnonzero(codes == c)]
            )
            for c in range(len(self.classes_))
        ]
        return self

    def _log_likelihoods(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "models_")
        panel = self._validate_panel(X, reset=False)
        words = self._words(panel)
        return np.column_stack([m._logprobs(words) for m in self.models_])

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-likelihood of each series under each class model, shape (n_series,
        n_classes) (for two classes, the log-likelihood ratio of the second class)."""
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
