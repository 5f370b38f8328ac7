"""GlobalEnsembleForecaster: the median or mean of global and per-series forecasters."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import clone

from tsclassic._params import Integral, StrOptions
from tsclassic.base import BaseForecaster, BaseGlobalForecaster, Tags, get_tags
from tsclassic.compose import EnsembleForecaster, _all_tags, _MemberTags

__all__ = ["GlobalEnsembleForecaster"]


class GlobalEnsembleForecaster(BaseGlobalForecaster):
    """Combine global forecasters and per-series forecasters across a panel.

    A global member (such as :class:`GlobalReductionForecaster`) is cloned and fitted once
    on the whole long frame; a per-series member (any forecaster, such as
    ``AutoSARIMAX``) is run on every series by :func:`tsclassic.forecast_many`, one clone
    per series, when the horizon is asked for (``predict``), since it fits and forecasts
    in one pass. Each series' forecasts are then combined step by step by the median or
    the mean, and so are the bounds of ``predict_interval``. Models of different kinds
    err differently: on all 414 M4 Hourly series the mean of the global gradient-boosting
    model and AutoSARIMAX gives a lower OWA than either (see
    ``benchmarks/results/competitions.md``).

    A member that fails to fit or to forecast is dropped with a warning naming it, and
    the ensemble fails only when every member does. A per-series member that fails on
    some series only is left out of those series' combination, with a warning saying
    which; a series on which every member fails is an error.

    Parameters
    ----------
    forecasters : list of forecasters or of (name, forecaster) pairs
        The members: global forecasters and per-series forecasters, mixed freely.
        Unnamed members are named after their class in lower case (``"autosarimax"``,
        then ``"autosarimax_2"``), as in :class:`EnsembleForecaster`.
    aggregate : {"median", "mean"}, default "median"
        How the members' forecasts and bounds are combined at each step. With two
        members the two agree.
    n_jobs : int, optional
        Parallel jobs of :func:`tsclassic.forecast_many` for the per-series members
        (``-1``: every core). Global members use their own settings.

    Attributes
    ----------
    forecasters_ : list of (name, forecaster)
        The members kept: global ones fitted, per-series ones as given (they are fitted
        per series by ``forecast_many`` at ``predict``).
    failed_ : dict
        Name of each dropped member and its error.
    panel_ : pd.DataFrame
        The ``unique_id``, ``ds`` and ``y`` columns of the training frame (a copy), which
        the per-series members are run on.

    See Also
    --------
    EnsembleForecaster : the same combination for one series at a time.

    Examples
    --------
    >>> import pandas as pd
    >>> from tsclassic import Drift, Naive
    >>> from tsclassic.ml import GlobalEnsembleForecaster
    >>> df = pd.DataFrame({"unique_id": ["a"] * 3 + ["b"] * 3, "ds": [1, 2, 3] * 2,
    ...                    "y": [1.0, 2, 3, 10, 20, 30]})
    >>> GlobalEnsembleForecaster([Naive(), Drift()], aggregate="mean").fit(df).predict(2)
      unique_id  ds  yhat
    0         a   4   3.5
    1         a   5   4.0
    2         b   4  35.0
    3         b   5  40.0
    """

    _tags: ClassVar[Any] = _MemberTags(Tags())
    _parameter_constraints: ClassVar[dict] = {
        "forecasters": [list, tuple],
        "aggregate": [StrOptions({"median", "mean"})],
        "n_jobs": [Integral, None],
    }

    def __init__(self, forecasters: list, *, aggregate: str = "median", n_jobs: int | None = None):
        self.forecasters = forecasters
        self.aggregate = aggregate
        self.n_jobs = n_jobs

    # The members are validated and named as EnsembleForecaster does it.
    _named = EnsembleForecaster._named

    def _members(self) -> list[tuple[str, Any]]:
        named = self._named()
        for name, member in named:
            if not isinstance(member, (BaseGlobalForecaster, BaseForecaster)):
                raise TypeError(
                    f"forecasters member {name!r} is a {type(member).__name__}, neither a global "
                    f"forecaster (fit(df)) nor a per-series forecaster (fit(y)); pass e.g. "
                    f"GlobalReductionForecaster() or AutoSARIMAX()."
                )
        return named

    def _member_tags(self) -> Tags:
        try:
            members = [m for _, m in self._members()]
        except (TypeError, ValueError):
            members = []
        return Tags(intervals=_all_tags(members, "intervals"))

    @classmethod
    def _conformance_data(cls) -> Any:
        from tsclassic.ml._global import GlobalReductionForecaster

        return GlobalReductionForecaster._conformance_data()

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        from sklearn.linear_model import Ridge

        from tsclassic.baselines import Drift, Naive, SeasonalNaive
        from tsclassic.ml._global import GlobalReductionForecaster

        return [
            {"forecasters": [Naive(), Drift()]},
            {"forecasters": [("gbm", GlobalReductionForecaster(estimator=Ridge(), window_length=8,
                                                               max_horizon=4, random_state=0)),
                             ("snaive", SeasonalNaive(4)), ("drift", Drift())],
             "aggregate": "mean"},
        ]

    # -- fitting -------------------------------------------------------------
    def fit(self, df: Any) -> GlobalEnsembleForecaster:
        """Fit the global members on the long frame ``df`` (columns ``unique_id``, ``ds``,
        ``y``) and keep a copy of it for the per-series members; returns self."""
        self._frame = df  # read by _fit: the global members fit on the frame itself
        try:
            return super().fit(df)
        finally:
            del self._frame

    def _fit(self, series: list[np.ndarray]) -> None:
        self.failed_: dict[str, str] = {}
        self.panel_ = self._frame[["unique_id", "ds", "y"]].copy()
        kept = []
        for name, member in self._members():
            if isinstance(member, BaseGlobalForecaster):
                try:
                    member = clone(member).fit(self.panel_)
                except Exception as err:  # noqa: BLE001 - a failing member is dropped, with a warning
                    self._drop(name, err, "fit")
                    continue
            kept.append((name, member))
        if not kept:
            raise self._none_left()
        self.forecasters_ = kept

    def _drop(self, name: str, err: Exception, stage: str) -> None:
        self.failed_[name] = f"{type(err).__name__}: {err}"
        warnings.warn(
            f"GlobalEnsembleForecaster: member {name!r} failed to {stage} and is left out of "
            f"the combination ({type(err).__name__}: {err}).", UserWarning, stacklevel=5,
        )

    _none_left = EnsembleForecaster._none_left  # the same error when no member is left

    # -- forecasting ---------------------------------------------------------
    def _member_values(self, name: str, member: Any, h: int, coverage: float | None) -> np.ndarray:
        """One member's forecasts (``(n_series, h)``) or bounds (``(n_series, h, 2)``), in
        the order of ``unique_ids_``, NaN on a series where it failed."""
        columns = ["yhat"] if coverage is None else ["lo", "hi"]
        if isinstance(member, BaseGlobalForecaster):
            frame = member.predict(h) if coverage is None else member.predict_interval(h, coverage=coverage)
        else:
            from tsclassic.parallel import forecast_many

            frame = forecast_many(member, self.panel_, h=h, n_jobs=self.n_jobs, coverage=coverage,
                                  progress=False)
        rows = pd.Index(self.unique_ids_).get_indexer(frame["unique_id"])
        steps = frame.groupby("unique_id", sort=False).cumcount().to_numpy()
        values = np.full((self.n_series_, h, len(columns)), np.nan)
        values[rows, steps] = frame[columns].to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values).all(axis=(1, 2))
        if bad.all():
            raise ValueError(f"no finite forecast on any of the {self.n_series_} series")
        if bad.any():
            shown = ", ".join(str(i) for i in np.asarray(self.unique_ids_, dtype=object)[bad][:5])
            warnings.warn(
                f"GlobalEnsembleForecaster: member {name!r} failed on {int(bad.sum())} of "
                f"{self.n_series_} series ({shown}{', ...' if bad.sum() > 5 else ''}); they are "
                f"combined from the other members.", UserWarning, stacklevel=5,
            )
            values[bad] = np.nan
        return values if coverage is not None else values[..., 0]

    def _combine(self, h: int, coverage: float | None) -> np.ndarray:
        outputs = []
        for name, member in self.forecasters_:
            try:
                outputs.append(self._member_values(name, member, h, coverage))
            except Exception as err:  # noqa: BLE001 - as at fit
                self._drop(name, err, "forecast")
        if not outputs:
            raise self._none_left()
        stack = np.stack(outputs)
        orphans = np.isnan(stack).all(axis=0).reshape(self.n_series_, -1).any(axis=1)
        if orphans.any():
            ids = list(np.asarray(self.unique_ids_, dtype=object)[orphans][:5])
            raise ValueError(
                f"every member failed on the series {ids}{' and more' if orphans.sum() > 5 else ''}; "
                f"add a member that suits them (e.g. Naive()) or drop them from df."
            )
        # NaN marks a member that failed on that series: it is left out there only.
        return np.nanmedian(stack, axis=0) if self.aggregate == "median" else np.nanmean(stack, axis=0)

    def _predict(self, h: int) -> np.ndarray:
        return self._combine(h, None)

    def predict_interval(self, h: int, coverage: float = 0.9) -> pd.DataFrame:
        """Prediction intervals of every series: the median or mean of the members'
        bounds (columns ``unique_id``, ``ds``, ``lo``, ``hi``); every member must have
        intervals."""
        without = [name for name, m in self._members() if not get_tags(m).intervals]
        if without:
            raise ValueError(
                f"forecasters {without} have no prediction intervals, so the ensemble cannot "
                f"combine bounds; wrap a per-series one in ConformalIntervals(...), give a "
                f"global one its calibration, or drop them."
            )
        return super().predict_interval(h, coverage)

    def _predict_interval(self, h: int, coverage: float) -> tuple[np.ndarray, np.ndarray]:
        bounds = self._combine(h, coverage)
        return bounds[..., 0], bounds[..., 1]
