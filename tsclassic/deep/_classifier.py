"""Deep classifiers of whole series: a recurrent network and the fully convolutional
network (FCN), the strong baseline of the deep-learning review of Fawaz et al.

References
----------
Wang, Yan & Oates (2017), "Time series classification from scratch with deep neural
networks: a strong baseline", IJCNN, pp. 1578-1585.
Ismail Fawaz, Forestier, Weber, Idoumghar & Muller (2019), "Deep learning for time series
classification: a review", Data Mining and Knowledge Discovery 33(4):917-963.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from tsclassic._params import renamed_params
from tsclassic._validation import check_panel_target, check_positive_int
from tsclassic.base import PanelMixin, Tags
from tsclassic.deep._torch import seed_from, to_numpy, torch_session
from tsclassic.deep._training import (
    RNN_CONSTRAINTS,
    TRAINING_CONSTRAINTS,
    split_validation,
    train_on_arrays,
    training_parameters,
)

__all__ = ["RNNClassifier", "FCNClassifier"]


class _DeepClassifier(PanelMixin, ClassifierMixin, BaseEstimator):
    """Shared fit/predict of the deep classifiers; subclasses build the network."""

    _tags: ClassVar[Tags] = Tags(multivariate=True, unequal_length=True)

    def _build(self, n_channels: int, n_classes: int) -> Any:
        raise NotImplementedError

    def _check_params(self) -> None:
        """Rules across parameters, checked after the declared ones."""

    @classmethod
    def _xfail_checks(cls) -> dict[str, str]:
        reason = ("series of any length are accepted at predict (unequal-length panels), so a "
                  "different number of columns than at fit is not an error")
        return {"check_n_features_in_after_fitting": reason,
                "check_classifiers_train": "it asserts that predict rejects X with a different "
                                           "number of columns; " + reason}

    def fit(self, X: Any, y: Any) -> _DeepClassifier:
        """Train the network on the panel ``X`` with class labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_series, length) or (n_series, n_channels, length), list
            of series (of any lengths), or DataFrame of one row per series
        y : array-like of shape (n_series,)

        Returns
        -------
        self
        """
        panel = self._validate_panel(X, reset=True)  # checks the declared rules first
        self._check_params()
        labels = check_panel_target(y, len(panel), owner=type(self).__name__)
        self.classes_, codes = np.unique(labels, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"y has 1 class ({self.classes_[0]!r}); {type(self).__name__} needs at least "
                f"two classes to learn from."
            )
        # Per-channel standardisation from every point of the training panel: gradients
        # behave the same on series measured in millimetres or kilometres.
        if isinstance(panel, np.ndarray):
            # Summed in this order since the first version: the same seed on the same
            # equal-length panel still gives the same network (a 1e-16 change in the
            # mean changes the float32 inputs, and training amplifies it).
            self.channel_mean_ = panel.mean(axis=(0, 2))
            self.channel_scale_ = panel.std(axis=(0, 2))
        else:
            points = np.concatenate(panel, axis=1)  # (channels, all points)
            self.channel_mean_ = points.mean(axis=1)
            self.channel_scale_ = points.std(axis=1)
        self.channel_scale_[self.channel_scale_ == 0] = 1.0
        seed = seed_from(self.random_state)
        rng = np.random.default_rng(seed)
        fit_idx, valid_idx = split_validation(len(panel), self.validation_fraction, rng, codes)
        with torch_session(seed, self.n_jobs, type(self).__name__) as torch:
            net = self._build(self.n_channels_, len(self.classes_))
            xs = self._padded(panel, torch)
            ys = torch.as_tensor(codes, dtype=torch.long)
            # Batches of two series at least: batch normalisation (FCN) cannot train on one.
            train_on_arrays(self, net, xs, ys, fit_idx, valid_idx, torch.nn.CrossEntropyLoss(),
                            seed, type(self).__name__, min_batch=2)
        return self

    def _padded(self, panel: np.ndarray | list[np.ndarray], torch: Any) -> Any:
        """The scaled series, zero-padded to the longest, with their lengths (a 3-D array
        needs no padding: a list of series of one length gives the same tensor)."""
        from tsclassic.deep._networks import Padded

        lengths = np.array([s.shape[1] for s in panel])
        values = np.zeros((len(panel), self.n_channels_, lengths.max()), dtype=np.float32)
        for i, s in enumerate(panel):
            values[i, :, : s.shape[1]] = (s - self.channel_mean_[:, None]) / self.channel_scale_[:, None]
        return Padded(torch.from_numpy(values), torch.as_tensor(lengths, dtype=torch.long))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Returns
        -------
        ndarray of shape (n_series, n_classes)
        """
        self._check_fitted()
        panel = self._validate_panel(X, reset=False)
        with torch_session(0, self.n_jobs, type(self).__name__) as torch:
            with torch.no_grad():
                logits = []
                for i in range(0, len(panel), 256):
                    # Each chunk padded to its own longest series; the networks ignore
                    # padding, so a series gets the same probabilities in any company.
                    logits.append(to_numpy(self.network_(self._padded(panel[i : i + 256], torch))))
        logits = np.concatenate(logits)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each series.

        Returns
        -------
        ndarray of shape (n_series,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


_CLASSIFIER_TRAINING = training_parameters(
    batch="Series", validation="a stratified draw of the training series (none by default, as "
                               "UCR training sets are small)")


@renamed_params({"num_layers": "n_layers"})
@_CLASSIFIER_TRAINING
class RNNClassifier(_DeepClassifier):
    """A recurrent classifier: an LSTM, GRU or Elman RNN reads the whole series and its last
    hidden state goes through a linear softmax layer.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default "lstm"
    hidden_size : int, default 64
    n_layers : int, default 1
        Stacked recurrent layers (``num_layers`` in tsclassic 0.1).
    {training_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    network_ : torch.nn.Module
    history_ : TrainingHistory
    n_epochs_ : int
    n_channels_, n_features_in_ : int

    Notes
    -----
    Unequal lengths: the series of a batch are padded with zeros to the longest, and the
    head reads each series' hidden state at its own last point (the network reads forward,
    so nothing it computed by then saw padding): a series gets the same prediction alone
    as beside longer ones.

    Examples
    --------
    >>> from tsclassic.datasets import load_ucr
    >>> from tsclassic.deep import RNNClassifier
    >>> X, y = load_ucr("ItalyPowerDemand")
    >>> clf = RNNClassifier(hidden_size=8, max_epochs=2, random_state=0, verbose=False)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: ClassVar[dict] = dict(RNN_CONSTRAINTS)

    def __init__(
        self,
        cell: str = "lstm",
        *,
        hidden_size: int = 64,
        n_layers: int = 1,
        max_epochs: int = 200,
        batch_size: int = 16,
        learning_rate: float = 1e-3,
        validation_fraction: float = 0.0,
        patience: int | None = 50,
        max_time: float | None = None,
        random_state: Any = None,
        verbose: bool = True,
        n_jobs: int | None = None,
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.max_time = max_time
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls) -> list[dict]:
        # Large batches and a high learning rate: a few steps clear scikit-learn's accuracy
        # check (0.83 on blobs) in well under a second.
        fast = dict(hidden_size=8, max_epochs=8, batch_size=64, learning_rate=0.05, verbose=False)
        return [fast, dict(fast, cell="gru", validation_fraction=0.2, patience=5)]

    def _build(self, n_channels, n_classes):
        from tsclassic.deep._networks import SeriesRNN

        return SeriesRNN(self.cell, n_channels, self.hidden_size, self.n_layers, n_classes)


@_CLASSIFIER_TRAINING
class FCNClassifier(_DeepClassifier):
    """The fully convolutional network (FCN) of Wang et al. (2017).

    Three convolution blocks (convolution, batch normalisation, ReLU) with 128, 256 and 128
    filters of widths 8, 5 and 3, global average pooling and a softmax layer, trained with
    Adam on the cross-entropy, keeping the weights of the best epoch, as in the review of
    Fawaz et al. (2019) (which trains 2000 epochs with batches of 16).

    Parameters
    ----------
    filters : tuple of int, default (128, 256, 128)
    kernel_sizes : tuple of int, default (8, 5, 3)
    {training_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    network_ : torch.nn.Module
    history_ : TrainingHistory
    n_epochs_ : int
    n_channels_, n_features_in_ : int

    Notes
    -----
    Unequal lengths: the series of a batch are padded with zeros to the longest, and a mask
    keeps the padding out of everything: before each convolution the points after a
    series' end are set to zero (what the "same" padding of that series alone would read),
    batch normalisation takes its training statistics over real points only, and the
    global average pooling averages each series over its own length. A series therefore
    gets the same prediction alone as beside longer ones.

    Examples
    --------
    >>> from tsclassic.datasets import load_ucr
    >>> from tsclassic.deep import FCNClassifier
    >>> X, y = load_ucr("ItalyPowerDemand")
    >>> clf = FCNClassifier(filters=(8, 8, 8), max_epochs=2, random_state=0, verbose=False)
    >>> clf.fit(X, y).predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: ClassVar[dict] = {
        **TRAINING_CONSTRAINTS,
        "filters": [tuple, list],  # one positive int per block, checked with kernel_sizes
        "kernel_sizes": [tuple, list],
    }

    def __init__(
        self,
        *,
        filters: tuple[int, ...] = (128, 256, 128),
        kernel_sizes: tuple[int, ...] = (8, 5, 3),
        max_epochs: int = 2000,
        batch_size: int = 16,
        learning_rate: float = 1e-3,
        validation_fraction: float = 0.0,
        patience: int | None = 50,
        max_time: float | None = None,
        random_state: Any = None,
        verbose: bool = True,
        n_jobs: int | None = None,
    ):
        self.filters = filters
        self.kernel_sizes = kernel_sizes
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.max_time = max_time
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [dict(filters=(8, 8), kernel_sizes=(3, 3), max_epochs=8, batch_size=64,
                     learning_rate=0.05, verbose=False)]

    def _check_params(self) -> None:
        filters, kernels = tuple(self.filters), tuple(self.kernel_sizes)
        if not filters or len(filters) != len(kernels):
            raise ValueError(
                f"filters and kernel_sizes must be non-empty and of the same length (one per "
                f"convolution block); got {len(filters)} and {len(kernels)}."
            )
        for name, values in (("filters", filters), ("kernel_sizes", kernels)):
            for v in values:
                check_positive_int(v, name)

    def _build(self, n_channels, n_classes):
        from tsclassic.deep._networks import FCN

        return FCN(n_channels, n_classes, tuple(self.filters), tuple(self.kernel_sizes))
