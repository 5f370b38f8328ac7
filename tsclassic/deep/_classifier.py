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

    _tags: ClassVar[Tags] = Tags(multivariate=True)

    def _build(self, n_channels: int, n_classes: int) -> Any:
        raise NotImplementedError

    def _to_input(self, panel: np.ndarray, torch: Any) -> Any:
        """(n, channels, length) array, already scaled, to the network's input tensor."""
        raise NotImplementedError

    def _check_params(self) -> None:
        """Rules across parameters, checked after the declared ones."""

    @classmethod
    def _xfail_checks(cls) -> dict[str, str]:
        return {}

    def fit(self, X: Any, y: Any) -> _DeepClassifier:
        """Train the network on the panel ``X`` with class labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_series, length) or (n_series, n_channels, length)
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
        # Per-channel standardisation from the training panel: gradients behave the same on
        # series measured in millimetres or kilometres.
        self.channel_mean_ = panel.mean(axis=(0, 2))
        self.channel_scale_ = panel.std(axis=(0, 2))
        self.channel_scale_[self.channel_scale_ == 0] = 1.0
        scaled = self._scale(panel)
        seed = seed_from(self.random_state)
        rng = np.random.default_rng(seed)
        fit_idx, valid_idx = split_validation(len(scaled), self.validation_fraction, rng, codes)
        with torch_session(seed, self.n_jobs, type(self).__name__) as torch:
            net = self._build(panel.shape[1], len(self.classes_))
            xs = self._to_input(scaled, torch)
            ys = torch.as_tensor(codes, dtype=torch.long)
            # Batches of two series at least: batch normalisation (FCN) cannot train on one.
            train_on_arrays(self, net, xs, ys, fit_idx, valid_idx, torch.nn.CrossEntropyLoss(),
                            seed, type(self).__name__, min_batch=2)
        return self

    def _scale(self, panel: np.ndarray) -> np.ndarray:
        return (panel - self.channel_mean_[None, :, None]) / self.channel_scale_[None, :, None]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Returns
        -------
        ndarray of shape (n_series, n_classes)
        """
        self._check_fitted()
        panel = self._scale(self._validate_panel(X, reset=False))
        with torch_session(0, self.n_jobs, type(self).__name__) as torch:
            with torch.no_grad():
                logits = []
                for i in range(0, len(panel), 256):
                    logits.append(to_numpy(self.network_(self._to_input(panel[i : i + 256], torch))))
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


@_CLASSIFIER_TRAINING
class RNNClassifier(_DeepClassifier):
    """A recurrent classifier: an LSTM, GRU or Elman RNN reads the whole series and its last
    hidden state goes through a linear softmax layer.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default "lstm"
    hidden_size : int, default 64
    num_layers : int, default 1
    {training_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    network_ : torch.nn.Module
    history_ : TrainingHistory
    n_epochs_ : int
    n_channels_, n_features_in_ : int

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
        num_layers: int = 1,
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
        self.num_layers = num_layers
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
        from tsclassic.deep._networks import ManyToOne

        return ManyToOne(self.cell, n_channels, self.hidden_size, self.num_layers, n_classes)

    def _to_input(self, panel, torch):
        return torch.tensor(np.ascontiguousarray(panel.transpose(0, 2, 1)), dtype=torch.float32)


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

    def _to_input(self, panel, torch):
        return torch.tensor(panel, dtype=torch.float32)
