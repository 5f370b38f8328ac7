"""A scikit-learn transformer that decomposes every series of a panel."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from tsclassic._params import StrOptions, renamed_params
from tsclassic.base import PanelMixin, Tags
from tsclassic.decomposition._decompose import (
    DECOMPOSE_CONSTRAINTS,
    check_decompose_params,
    decompose_array,
)

__all__ = ["Decomposer"]

COMPONENTS = ("adjusted", "trend", "seasonal", "resid")

_SHORT_DATA_CHECKS = (
    "check_dict_unchanged", "check_dont_overwrite_parameters", "check_estimators_dtypes",
    "check_estimators_fit_returns_self", "check_estimators_overwrite_params",
    "check_estimators_pickle", "check_f_contiguous_array_estimator", "check_fit2d_1feature",
    "check_fit2d_predict1d", "check_fit_check_is_fitted", "check_fit_idempotent",
    "check_fit_score_takes_y", "check_estimators_nan_inf", "check_methods_sample_order_invariance",
    "check_methods_subset_invariance", "check_n_features_in", "check_n_features_in_after_fitting",
    "check_pipeline_consistency", "check_positive_only_tag_during_fit",
    "check_readonly_memmap_input", "check_transformer_data_not_an_array",
    "check_transformer_general",
    "check_transformer_preserve_dtypes",
)


@renamed_params({"periods": "season_length"}, positional=("periods", "component"))
class Decomposer(PanelMixin, TransformerMixin, BaseEstimator):
    """Replace each series of a panel by one component of its decomposition.

    Each series is decomposed on its own (see :func:`decompose`); nothing is learned
    across series, so ``fit`` only checks the parameters and the input.

    Parameters
    ----------
    method : {"classical", "stl", "mstl"}, default "stl"
    season_length : int or list of int, default 12
        The seasonal period(s), in observations (``periods`` in tsclassic 0.1).
    component : {"adjusted", "trend", "seasonal", "resid"}, default "adjusted"
        What ``transform`` returns: the seasonally adjusted series (``y`` minus, or
        divided by, all seasonal components), the trend, the sum (product) of the
        seasonal components, or the residuals. The classical trend and residuals are NaN
        over half a period at each end.
    model : {"additive", "multiplicative"}, default "additive"
    seasonal_window : int or list of int, optional
    robust : bool, default False

    Attributes
    ----------
    n_features_in_ : int
        The series length seen at fit.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.decomposition import Decomposer
    >>> X = np.arange(24.0) + np.tile([1.0, -1.0], 12) * np.array([[1.0], [2.0]])
    >>> Decomposer(method="classical", season_length=2).fit_transform(X)[:, :4].round(2)
    array([[0., 1., 2., 3.],
           [0., 1., 2., 3.]])
    """

    _tags: ClassVar[Tags] = Tags()
    _parameter_constraints: ClassVar[dict] = {
        **DECOMPOSE_CONSTRAINTS,
        "component": [StrOptions(set(COMPONENTS))],
    }

    def __init__(
        self,
        method: str = "stl",
        *,
        season_length: int | list[int] = 12,
        component: str = "adjusted",
        model: str = "additive",
        seasonal_window: int | list[int] | None = None,
        robust: bool = False,
    ):
        self.method = method
        self.season_length = season_length
        self.component = component
        self.model = model
        self.seasonal_window = seasonal_window
        self.robust = robust

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{"method": "classical", "season_length": 4},
                {"method": "stl", "season_length": 4, "component": "seasonal"}]

    @classmethod
    def _xfail_checks(cls) -> dict[str, str]:
        short = (
            "scikit-learn's generic data has 1 to 4 features, i.e. series shorter than the "
            "two full seasons a decomposition needs; Decomposer raises a ValueError there"
        )
        return {
            **{name: short for name in _SHORT_DATA_CHECKS},
        }

    def _check_params(self) -> tuple[int, ...]:
        return check_decompose_params(self.method, self.season_length, self.model)

    def _min_series_length(self) -> int:
        return 2 * self._check_params()[-1]

    def fit(self, X: Any, y: Any = None) -> Decomposer:
        """Check the parameters and the panel; nothing is learned."""
        self._validate_panel(X, reset=True)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The chosen component of every series.

        Parameters
        ----------
        X : array-like of shape (n_series, length)

        Returns
        -------
        ndarray of shape (n_series, length)
        """
        self._check_fitted()
        periods = self._check_params()
        panel = self._validate_panel(X, reset=False)
        out = np.empty((panel.shape[0], panel.shape[2]))
        multiplicative = self.model == "multiplicative"
        for i, series in enumerate(panel[:, 0, :]):
            parts = decompose_array(series, periods, self.method, self.model,
                                    self.seasonal_window, self.robust)
            seasonal = np.ones(len(series)) if multiplicative else np.zeros(len(series))
            for p in periods:
                seasonal = seasonal * parts[f"seasonal_{p}"] if multiplicative else seasonal + parts[f"seasonal_{p}"]
            if self.component == "seasonal":
                out[i] = seasonal
            elif self.component == "adjusted":
                out[i] = series / seasonal if multiplicative else series - seasonal
            else:
                out[i] = parts[self.component]
        return out
