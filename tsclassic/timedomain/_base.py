"""A transformer that maps each series of a panel to a row of named features.

Shared by the time-domain, spectral and wavelet feature transformers: it validates the
panel once (equal or unequal lengths, one or several channels), calls
``_series_features`` on every channel of every series, each on its own length, and
returns a ``pd.DataFrame`` with one row per series and one named column per feature
(``<channel>__<feature>`` when there are several channels).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from tsclassic._validation import check_panel_lengths, panel_channel_names
from tsclassic.base import PanelMixin, Tags


class SeriesFeatureTransformer(PanelMixin, TransformerMixin, BaseEstimator):
    """Base of transformers giving one row of named features per series.

    Subclasses implement ``_check_params()`` (the checks ``_parameter_constraints``
    cannot express), ``_feature_names()`` (the column names of one channel, fixed by the
    parameters alone) and ``_series_features(y)`` (a 1-D float array of the same length as
    the names, for one 1-D channel); ``_min_length()`` says how short a series may be,
    and why.
    """

    _tags: ClassVar[Tags] = Tags(multivariate=True, unequal_length=True)

    def _check_params(self) -> None:
        """Validate the parameters (raise ValueError naming the bad one)."""

    def _min_length(self) -> tuple[int, str]:
        """The fewest points a series needs, and why."""
        return 1, ""

    def _feature_names(self) -> list[str]:
        raise NotImplementedError

    def _series_features(self, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def fit(self, X: Any, y: Any = None) -> SeriesFeatureTransformer:
        """Check the parameters and the panel; the features learn nothing from the data.

        Parameters
        ----------
        X : 2-D array (n_series, length), 3-D array (n_series, n_channels, length), list
            of series (1-D or (n_channels, length) arrays), or DataFrame
            The panel; series may differ in length.
        y : ignored

        Returns
        -------
        self
        """
        panel = self._validate_panel(X, reset=True)
        self._check_params()
        self._check_lengths(panel)
        self.channel_names_ = panel_channel_names(X, self.n_channels_)
        names = self._feature_names()
        if self.n_channels_ > 1:
            names = [f"{c}__{n}" for c in self.channel_names_ for n in names]
        self.feature_names_out_ = np.asarray(names, dtype=object)
        return self

    def transform(self, X: Any) -> pd.DataFrame:
        """The features of each series: every channel's features, channel after channel.

        Returns
        -------
        pd.DataFrame of shape (n_series, n_channels * n_features)
            Indexed like ``X`` when ``X`` is a DataFrame, by 0..n-1 otherwise.
        """
        self._check_fitted()
        panel = self._validate_panel(X, reset=False)
        self._check_lengths(panel)
        names = panel_channel_names(X, self.n_channels_)
        if isinstance(X, pd.DataFrame) and self.n_channels_ > 1 and names != self.channel_names_:
            raise ValueError(
                f"X has channels {names} but {type(self).__name__} was fitted on "
                f"{self.channel_names_}; pass the same channels in the same order."
            )
        width = len(self.feature_names_out_) // self.n_channels_
        values = np.empty((len(panel), len(self.feature_names_out_)))
        with np.errstate(all="ignore"):
            for i, series in enumerate(panel):
                for c, channel in enumerate(series):
                    values[i, c * width:(c + 1) * width] = self._series_features(channel)
        index = X.index if isinstance(X, pd.DataFrame) else None
        return pd.DataFrame(values, columns=list(self.feature_names_out_), index=index)

    def _check_lengths(self, panel: np.ndarray | list[np.ndarray]) -> None:
        min_length, reason = self._min_length()
        if min_length > 1:
            check_panel_lengths(panel, min_length, reason, owner=type(self).__name__)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The names of the output columns."""
        self._check_fitted()
        return self.feature_names_out_.copy()

    @classmethod
    def _xfail_checks(cls) -> dict[str, str]:
        any_length = (
            "series of any length are accepted at transform (unequal-length panels), so a "
            "different number of columns than at fit is not an error; the features do not "
            "depend on the length seen at fit (fit_transform == fit().transform is tested in "
            "the module's own tests)"
        )
        return {
            "check_n_features_in_after_fitting": any_length,
            "check_transformer_general": any_length,
            "check_transformer_preserve_dtypes": (
                "transform returns a pd.DataFrame of named float64 columns, which has no single "
                "dtype attribute; the float64 output is tested in the module's own tests"
            ),
        }
