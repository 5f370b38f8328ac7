"""The estimator contract: forecasters, panel estimators and sequence models.

Public methods validate the input once, remember the pandas index, and call private
``_fit``/``_predict`` methods that see NumPy arrays only. Capability tags are a small
frozen dataclass on the class (``_tags``), read with :func:`get_tags`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from tsclassic._index import IndexInfo, continue_index
from tsclassic._params import check_params
from tsclassic._validation import (
    align_exog,
    check_coverage,
    check_exog,
    check_future_exog,
    check_h,
    check_panel,
    check_sequence,
    check_sequences,
    check_series,
)

__all__ = [
    "Tags",
    "get_tags",
    "BaseForecaster",
    "PanelMixin",
    "BaseSequenceModel",
    "BaseGlobalForecaster",
    "BaseTrajectoryModel",
]


@dataclass(frozen=True)
class Tags:
    """What an estimator accepts; five booleans, no registry.

    Attributes
    ----------
    exogenous : bool
        Forecasters only: uses regressors ``X`` in ``fit`` and ``predict``.
    allow_nan : bool
        Accepts NaN in the target or the panel.
    multivariate : bool
        Panel estimators: accepts several channels per series (trajectory models always
        do: one column per state).
    intervals : bool
        Forecasters and trajectory models: implements ``predict_interval``.
    unequal_length : bool
        Panel estimators: accepts series of different lengths (a list of arrays).
    """

    exogenous: bool = False
    allow_nan: bool = False
    multivariate: bool = False
    intervals: bool = False
    unequal_length: bool = False


def get_tags(estimator: Any) -> Tags:
    """The capability tags of an estimator or estimator class."""
    return getattr(estimator, "_tags", Tags())


def _version() -> str:
    from tsclassic import __version__

    return __version__


class _VersionedPickleMixin:
    """Pickles carry the library version; loading under another version warns."""

    def __getstate__(self) -> dict:
        state = super().__getstate__() if hasattr(super(), "__getstate__") else self.__dict__.copy()
        state = dict(state)
        state["_tsclassic_version"] = _version()
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        saved = state.pop("_tsclassic_version", None)
        if saved is not None and saved != _version():
            warnings.warn(
                f"This {type(self).__name__} was saved with tsclassic {saved} and is loaded "
                f"with {_version()}; results may differ: refit to be safe.",
                UserWarning,
                stacklevel=2,
            )
        if hasattr(super(), "__setstate__"):
            super().__setstate__(state)
        else:
            self.__dict__.update(state)


class _FittedMixin:
    """One way to say "fitted", shared by every base class.

    Each base class names, in ``_fitted_attribute``, what its public ``fit`` records from
    the input (``n_obs_`` for a forecaster, ``n_channels_`` for a panel estimator, ...), so
    that :func:`sklearn.utils.validation.check_is_fitted` works for every estimator (through
    ``__sklearn_is_fitted__``) and ``_check_fitted`` raises one message everywhere; no
    estimator tests an attribute of its own.
    """

    _fitted_attribute: ClassVar[str]
    _fit_call: ClassVar[str] = "fit"

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, self._fitted_attribute)

    def _check_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call "
                f"{self._fit_call} first."
            )


class BaseForecaster(_FittedMixin, _VersionedPickleMixin, BaseEstimator):
    """Base class of every forecaster.

    Subclasses implement ``_fit(y, X)`` and ``_predict(h, X)`` on NumPy arrays
    (``y`` 1-D float, ``X`` 2-D float or ``None``), and never override ``fit``: the base
    sets ``index_info_``, ``n_obs_`` and ``exog_columns_`` (the regressors' names) before
    calling ``_fit``; those with ``_tags.intervals``
    implement ``_predict_interval(h, X, coverage)`` returning ``(lower, upper)``.
    ``_min_length()`` gives the fewest observations the model needs, with a reason.

    A ``pd.Series`` in gives a ``pd.Series`` out whose index continues the input's at the
    same frequency and keeps its name; NumPy in gives NumPy out.
    """

    _tags: ClassVar[Tags] = Tags()
    # Parameter rules checked first in fit (see tsclassic._params).
    _parameter_constraints: ClassVar[dict[str, list]] = {}
    _fitted_attribute: ClassVar[str] = "n_obs_"
    _fit_call: ClassVar[str] = "fit(y)"

    # -- hooks for subclasses -------------------------------------------------
    def _min_length(self) -> tuple[int, str]:
        return 1, ""

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        raise NotImplementedError

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError

    def _predict_interval(
        self, h: int, X: np.ndarray | None, coverage: float
    ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    # -- public contract ------------------------------------------------------
    def fit(self, y: Any, X: Any = None) -> BaseForecaster:
        """Fit the forecaster to the series ``y``.

        Parameters
        ----------
        y : pd.Series or 1-D array-like
            The target. A pandas index must be a regular DatetimeIndex, PeriodIndex or
            integer index, sorted and without duplicates.
        X : pd.DataFrame or 2-D array-like, optional
            Exogenous regressors, one row per observation of ``y`` (only for forecasters
            whose tags say ``exogenous=True``). When both ``y`` and ``X`` are pandas objects
            their rows are matched by index label: ``X`` must hold every label of ``y``
            (it may hold more, e.g. the future rows); a default ``RangeIndex`` beside a
            date-like ``y`` is read by position. NumPy ``X`` is read by position.

        Returns
        -------
        self
        """
        check_params(self)
        tags = get_tags(self)
        owner = type(self).__name__
        min_length, reason = self._min_length()
        y_values, info = check_series(
            y, "y", allow_nan=tags.allow_nan, min_length=min_length, owner=owner, reason=reason
        )
        X_values, columns = None, None
        if X is not None:
            if not tags.exogenous:
                raise ValueError(
                    f"{owner} does not use exogenous regressors; drop X, or use a forecaster "
                    f"that accepts it (e.g. SARIMAXForecaster)."
                )
            labels = y.index if isinstance(y, (pd.Series, pd.DataFrame)) else None
            X = align_exog(X, labels, "X", "y")
            X_values, columns = check_exog(X, len(y_values), "X", owner=owner)
        # What the input tells is recorded before _fit, so that no subclass keeps its own
        # copy (the length, the regressors' names); a failed _fit leaves none of it.
        self.index_info_: IndexInfo = info
        self.exog_columns_ = columns
        self.n_obs_ = len(y_values)
        try:
            self._fit(y_values, X_values)
        except BaseException:
            for name in ("index_info_", "exog_columns_", "n_obs_"):
                self.__dict__.pop(name, None)
            raise
        return self

    def min_length(self) -> tuple[int, str]:
        """The fewest observations ``fit`` accepts with these parameters, and why.

        The parameters are read as given, not validated (``fit`` checks them), so that a
        composite can ask every member before fitting and drop the ones that fail then.

        Returns
        -------
        (int, str)
            The count and the reason ("" when any non-empty series will do).

        Examples
        --------
        >>> from tsclassic import SeasonalNaive
        >>> SeasonalNaive(season_length=12).min_length()[0]
        12
        """
        return self._min_length()

    def _future_X(self, h: int, X: Any) -> np.ndarray | None:
        info = self.index_info_
        if X is not None and self.exog_columns_ is not None and info.kind == "pandas":
            # Future rows are matched to the forecast's index labels, as at fit.
            X = align_exog(X, continue_index(info, h), "X", "the forecast")
        return check_future_exog(X, h, self.exog_columns_, type(self).__name__)

    def _wrap(self, values: np.ndarray) -> np.ndarray | pd.Series:
        info = self.index_info_
        if info.kind != "pandas":
            return values
        return pd.Series(values, index=continue_index(info, len(values)), name=info.name)

    def predict(self, h: int, X: Any = None) -> np.ndarray | pd.Series:
        """Forecast the next ``h`` values.

        Parameters
        ----------
        h : int
            Number of steps ahead.
        X : pd.DataFrame or 2-D array-like, optional
            Future exogenous regressors (at least ``h`` rows) when the model was fitted
            with ``X``; a pandas ``X`` after a pandas ``y`` is matched to the forecast's
            index labels, as in :meth:`fit`.

        Returns
        -------
        pd.Series or ndarray of shape (h,)
            A Series indexed by the ``h`` time points after the training data when ``y``
            was a Series; an array otherwise.
        """
        self._check_fitted()
        h = check_h(h)
        X_future = self._future_X(h, X)
        values = np.asarray(self._predict(h, X_future), dtype=np.float64).reshape(h)
        return self._wrap(values)

    def predict_interval(
        self, h: int, X: Any = None, coverage: float = 0.9
    ) -> np.ndarray | pd.DataFrame:
        """Prediction interval of the next ``h`` values.

        Parameters
        ----------
        h : int
            Number of steps ahead.
        X : pd.DataFrame or 2-D array-like, optional
            Future exogenous regressors, as for :meth:`predict`.
        coverage : float, default 0.9
            Nominal probability that the interval holds the future value.

        Returns
        -------
        pd.DataFrame with columns ``lo`` and ``hi``, or ndarray of shape (h, 2)
        """
        if not get_tags(self).intervals:
            raise NotImplementedError(
                f"{type(self).__name__} gives point forecasts only; use a forecaster whose "
                f"tags say intervals=True (e.g. Naive or SARIMAXForecaster)."
            )
        self._check_fitted()
        h = check_h(h)
        coverage = check_coverage(coverage)
        X_future = self._future_X(h, X)
        lower, upper = self._predict_interval(h, X_future, coverage)
        bounds = np.column_stack([np.reshape(lower, h), np.reshape(upper, h)]).astype(float)
        info = self.index_info_
        if info.kind != "pandas":
            return bounds
        return pd.DataFrame(bounds, index=continue_index(info, h), columns=["lo", "hi"])


def _forgets_on_failure(fit: Any) -> Any:
    """``fit``, dropping the panel's fitted marker when it raises."""
    import functools

    if getattr(fit, "_forgets_on_failure", False):
        return fit

    @functools.wraps(fit)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fit(self, *args, **kwargs)
        except BaseException:
            self.__dict__.pop(PanelMixin._fitted_attribute, None)
            raise

    guarded._forgets_on_failure = True
    return guarded


class PanelMixin(_FittedMixin):
    """Validation for estimators over panels of series (classifiers, regressors, transformers).

    ``_validate_panel(X, reset)`` returns a ``(n_series, n_channels, length)`` float array
    (or a list of ``(n_channels, length_i)`` arrays for unequal lengths when the tags
    allow it) and, at fit (``reset=True``), records ``n_channels_`` and, for equal-length
    input, ``n_features_in_`` (the length, as scikit-learn expects for 2-D input).
    """

    _tags: ClassVar[Tags] = Tags()
    _parameter_constraints: ClassVar[dict[str, list]] = {}
    _fitted_attribute: ClassVar[str] = "n_channels_"

    @property
    def _fit_call(self) -> str:  # transformers need no target
        return "fit(X)" if hasattr(self, "transform") else "fit(X, y)"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Panel estimators write their own fit, and _validate_panel records n_channels_
        # first: a fit that fails after it must not leave the estimator looking fitted.
        super().__init_subclass__(**kwargs)
        if "fit" in cls.__dict__:
            cls.fit = _forgets_on_failure(cls.__dict__["fit"])

    def _min_series_length(self) -> int:
        return 1

    def _validate_panel(self, X: Any, reset: bool) -> np.ndarray | list[np.ndarray]:
        if reset:
            check_params(self)
        tags = get_tags(self)
        owner = type(self).__name__
        panel = check_panel(
            X, "X", allow_nan=tags.allow_nan, unequal_length=tags.unequal_length,
            min_length=self._min_series_length(), owner=owner,
        )
        n_channels = panel.shape[1] if isinstance(panel, np.ndarray) else panel[0].shape[0]
        if n_channels > 1 and not tags.multivariate:
            raise ValueError(
                f"X has {n_channels} channels but {owner} handles univariate series only; pass "
                f"a 2-D array (n_series, length) or one channel."
            )
        if reset:
            self.n_channels_ = n_channels
            if isinstance(panel, np.ndarray):
                self.n_features_in_ = panel.shape[2]
            elif hasattr(self, "n_features_in_"):
                del self.n_features_in_
        else:
            if n_channels != self.n_channels_:
                raise ValueError(
                    f"X has {n_channels} channels but {owner} was fitted on {self.n_channels_}; "
                    f"pass series with the same channels as at fit."
                )
            fitted_length = getattr(self, "n_features_in_", None)
            if (
                not tags.unequal_length and fitted_length is not None
                and isinstance(panel, np.ndarray) and panel.shape[2] != fitted_length
            ):
                raise ValueError(
                    f"X has {panel.shape[2]} features, but {owner} is expecting {fitted_length} "
                    f"features as input (the series length seen at fit); pass series of that "
                    f"length."
                )
        return panel


class BaseSequenceModel(_FittedMixin, _VersionedPickleMixin, BaseEstimator):
    """Base class of generative models over token sequences (words, characters, symbols).

    One rule in every method: a *sequence* is a list (tuple, array) of tokens, strings or
    integers, and a *corpus* a list of sequences. ``fit``, ``score`` and ``perplexity``
    take a corpus, ``predict`` (the context) and ``logprob`` one sequence. A ``str`` is
    never a sequence (is ``"the cat"`` two words or seven characters?): pass
    ``text.split()`` or ``list(text)``.

    Subclasses implement ``_fit(corpus)``, ``_score(corpus)`` (total natural-log
    likelihood; ``_score_samples(corpus)``, one per sequence, defaults to one ``_score``
    call per sequence), ``_predict(context)`` (a ``pd.Series`` of next-token probabilities,
    most probable first, the end-of-sequence token included, so that the chain rule over
    ``predict`` gives ``score``), ``_end_token()`` (that token's label, public as
    ``end_token_``) and ``_sample(n, rng)`` (a list of token lists). ``_fit`` sets ``vocabulary_``, the tokens the model knows, which says it is
    fitted.
    """

    _tags: ClassVar[Tags] = Tags()
    _parameter_constraints: ClassVar[dict[str, list]] = {}
    _fitted_attribute: ClassVar[str] = "vocabulary_"
    _fit_call: ClassVar[str] = "fit(sequences)"

    def _fit(self, corpus: list[list[Any]]) -> None:
        raise NotImplementedError

    def _score(self, corpus: list[list[Any]]) -> float:
        raise NotImplementedError

    def _score_samples(self, corpus: list[list[Any]]) -> np.ndarray:
        # One sequence at a time; a model that scores a corpus in one pass overrides it.
        return np.array([self._score([seq]) for seq in corpus], dtype=np.float64)

    def _predict(self, context: list[Any]) -> pd.Series:
        raise NotImplementedError

    def _sample(self, n: int, rng: np.random.Generator) -> list[list[Any]]:
        raise NotImplementedError

    def _end_token(self) -> Any:
        raise NotImplementedError

    @property
    def end_token_(self) -> Any:
        """The label of the end of a sequence in :meth:`predict`'s distribution, so that
        ``predict(seq)[model.end_token_]`` is the probability that ``seq`` ends there."""
        self._check_fitted()
        return self._end_token()

    def fit(self, sequences: Any) -> BaseSequenceModel:
        """Fit the model to a corpus: a list of token sequences (token lists)."""
        check_params(self)
        corpus = check_sequences(sequences, "sequences")
        try:
            self._fit(corpus)
        except BaseException:  # a failed fit does not look fitted
            self.__dict__.pop("vocabulary_", None)
            raise
        return self

    def score(self, sequences: Any) -> float:
        """Total log-likelihood (natural log) of a corpus under the model."""
        self._check_fitted()
        return float(self._score(check_sequences(sequences, "sequences")))

    def score_samples(self, sequences: Any) -> np.ndarray:
        """Log-likelihood (natural log) of each sequence of a corpus, its end included.

        Parameters
        ----------
        sequences : list of sequences
            A corpus, as for :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_sequences,)
            One log-likelihood per sequence; their sum is :meth:`score`.
        """
        self._check_fitted()
        corpus = check_sequences(sequences, "sequences")
        return np.asarray(self._score_samples(corpus), dtype=np.float64).reshape(len(corpus))

    def perplexity(self, sequences: Any) -> float:
        """``exp(-score / N)``, ``N`` the predicted tokens: every token plus one end token
        per sequence (the start of a sequence is context, not predicted)."""
        self._check_fitted()
        corpus = check_sequences(sequences, "sequences")
        n_tokens = sum(len(seq) + 1 for seq in corpus)
        with np.errstate(over="ignore"):
            return float(np.exp(-self._score(corpus) / n_tokens))

    def logprob(self, sequence: Any) -> float:
        """Natural-log probability of one sequence (a token list), its end included.

        An empty sequence has the probability of ending at once.
        """
        self._check_fitted()
        return float(self._score([check_sequence(sequence, "sequence")]))

    def predict(self, context: Any) -> pd.Series:
        """The distribution of the next token after ``context`` (one sequence: a token
        list, read as the beginning of a sequence; ``None`` or ``[]`` for the first token)."""
        self._check_fitted()
        context = [] if context is None else check_sequence(context, "context")
        return self._predict(context)

    def sample(self, n: int, random_state: Any = None) -> list[list[Any]]:
        """Draw ``n`` sequences from the model, reproducibly from ``random_state``."""
        from tsclassic._random import rng_from
        from tsclassic._validation import check_positive_int

        self._check_fitted()
        n = check_positive_int(n, "n")
        return self._sample(n, rng_from(random_state))



class BaseGlobalForecaster(_FittedMixin, _VersionedPickleMixin, BaseEstimator):
    """Base class of global forecasters: one model fitted across every series of a panel.

    The panel is a long ``DataFrame`` with columns ``unique_id``, ``ds`` and ``y`` (the
    statsforecast convention); ``ds`` holds timestamps of a regular frequency or integer
    steps, each series sorted or not. :func:`tsclassic.forecast_many` is the other way to
    forecast a panel: one clone of a forecaster per series.

    Subclasses implement ``_fit(series)`` on a list of 1-D float arrays (one per series, in
    the order of ``unique_ids_``), ``_predict(h)`` returning an ``(n_series, h)`` array and,
    with ``_tags.intervals``, ``_predict_interval(h, coverage)`` returning ``(lower, upper)``
    of that shape; ``_min_length()`` gives the fewest observations a series needs, with a
    reason. Calendar features, where a model uses them, come from ``index_infos_``.
    """

    _tags: ClassVar[Tags] = Tags()
    _parameter_constraints: ClassVar[dict[str, list]] = {}
    _fitted_attribute: ClassVar[str] = "n_series_"
    _fit_call: ClassVar[str] = "fit(df)"

    def _min_length(self) -> tuple[int, str]:
        return 1, ""

    def _fit(self, series: list[np.ndarray]) -> None:
        raise NotImplementedError

    def _predict(self, h: int) -> np.ndarray:
        raise NotImplementedError

    def _predict_interval(self, h: int, coverage: float) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def fit(self, df: Any) -> BaseGlobalForecaster:
        """Fit one model to every series of the long frame ``df``.

        Parameters
        ----------
        df : pd.DataFrame
            Columns ``unique_id``, ``ds`` and ``y``; other columns are refused.

        Returns
        -------
        self
        """
        from tsclassic._long_frame import split_long_frame

        check_params(self)
        min_length, reason = self._min_length()
        ids, series, infos = split_long_frame(
            df, "df", min_length=min_length, owner=type(self).__name__, reason=reason
        )
        # Recorded before _fit, as BaseForecaster does; a failed _fit leaves none of it.
        self.unique_ids_ = ids
        self.index_infos_ = infos
        self.n_series_ = len(ids)
        try:
            self._fit(series)
        except BaseException:
            for name in ("unique_ids_", "index_infos_", "n_series_"):
                self.__dict__.pop(name, None)
            raise
        return self

    def _long(self, h: int, columns: dict[str, np.ndarray]) -> pd.DataFrame:
        from tsclassic._long_frame import future_times

        frame = pd.DataFrame({
            "unique_id": np.repeat(np.asarray(self.unique_ids_, dtype=object), h),
            "ds": future_times(self.index_infos_, h),
        })
        for name, values in columns.items():
            frame[name] = np.asarray(values, dtype=np.float64).reshape(-1)
        return frame

    def predict(self, h: int) -> pd.DataFrame:
        """Forecast the next ``h`` values of every series.

        Parameters
        ----------
        h : int
            Number of steps ahead.

        Returns
        -------
        pd.DataFrame
            Columns ``unique_id``, ``ds`` (each series' times continued at its frequency)
            and ``yhat``; ``h`` rows per series, in the order of ``unique_ids_``.
        """
        self._check_fitted()
        h = check_h(h)
        values = np.asarray(self._predict(h), dtype=np.float64).reshape(self.n_series_, h)
        return self._long(h, {"yhat": values})

    def predict_interval(self, h: int, coverage: float = 0.9) -> pd.DataFrame:
        """Prediction intervals of the next ``h`` values of every series.

        Parameters
        ----------
        h : int
            Number of steps ahead.
        coverage : float, default 0.9
            Nominal probability that the interval holds the future value.

        Returns
        -------
        pd.DataFrame
            Columns ``unique_id``, ``ds``, ``lo`` and ``hi``.
        """
        if not get_tags(self).intervals:
            raise NotImplementedError(
                f"{type(self).__name__} gives point forecasts only; use a global forecaster "
                f"whose tags say intervals=True."
            )
        self._check_fitted()
        h = check_h(h)
        coverage = check_coverage(coverage)
        lower, upper = self._predict_interval(h, coverage)
        shape = (self.n_series_, h)
        return self._long(h, {"lo": np.reshape(lower, shape), "hi": np.reshape(upper, shape)})


# -- trajectory models ------------------------------------------------------------------
class BaseTrajectoryModel(_FittedMixin, _VersionedPickleMixin, BaseEstimator):
    """Base class of trajectory models: equations fitted to one multivariate trajectory.

    A trajectory is a ``pd.DataFrame`` whose index is the time (integers or floats as they
    are, a DatetimeIndex counted in days, a PeriodIndex counted in periods), one column per
    observed state; or an array of shape ``(n_obs, n_columns)`` with the times in ``t``
    (default 0, 1, ...). ``predict(h)`` integrates the fitted equations ``h`` steps past
    the last observation and returns a DataFrame whose index continues the input's at its
    step (an array for NumPy input); ``predict_interval(h, coverage)`` bounds the future
    observations; ``simulate(t, y0)`` solves the equations at any times.

    Subclasses implement, on NumPy arrays:

    - ``_fit(values, times)``: ``values`` of shape ``(n_obs, n_columns)``, ``times`` the
      ``n_obs`` model times; sets ``state_names_`` (the output columns). The input's
      column labels are ``self.trajectory_.columns``.
    - ``_solve(start, t_start, times)``: the states at ``times`` from ``start`` at
      ``t_start``, shape ``(len(times), n_states)``.
    - ``_initial_state()`` and ``_final_state()``: the fitted states at the first and the
      last observation time, where ``simulate`` and ``predict`` start.
    - with ``_tags.intervals``, ``_predict_interval(times, coverage)`` returning
      ``(lower, upper)``, each of shape ``(len(times), n_states)``.
    - ``_min_length(n_columns)``: the fewest time points the model needs, with a reason.

    The base checks the parameters first, validates the trajectory once and records
    ``trajectory_`` (the validated values, times and how to continue the index) and
    ``n_obs_`` before calling ``_fit``; ``n_obs_`` is what says "fitted".
    """

    _tags: ClassVar[Tags] = Tags(multivariate=True)
    _parameter_constraints: ClassVar[dict[str, list]] = {}
    _fitted_attribute = "n_obs_"
    _fit_call = "fit(y)"

    # -- hooks for subclasses -------------------------------------------------
    def _min_length(self, n_columns: int) -> tuple[int, str]:
        return 1, ""

    def _fit(self, values: np.ndarray, times: np.ndarray) -> None:
        raise NotImplementedError

    def _solve(self, start: np.ndarray, t_start: float, times: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _initial_state(self) -> np.ndarray:
        raise NotImplementedError

    def _final_state(self) -> np.ndarray:
        raise NotImplementedError

    def _predict_interval(
        self, times: np.ndarray, coverage: float
    ) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    # -- public contract ------------------------------------------------------
    def fit(self, y: Any, t: Any = None) -> BaseTrajectoryModel:
        """Fit the equations to the trajectory ``y``.

        Parameters
        ----------
        y : pd.DataFrame or array-like of shape (n_obs, n_columns)
            One column per observed state. A pandas index is the time: numbers as they
            are, a DatetimeIndex in days since the first row, a PeriodIndex in periods;
            strictly increasing, numeric columns only.
        t : float or array-like of shape (n_obs,), optional
            NumPy input only: the time step (a number) or the observation times.
            Default: 0, 1, ...

        Returns
        -------
        self
        """
        from tsclassic.dynamics._frames import check_trajectory

        check_params(self)
        owner = type(self).__name__
        traj = check_trajectory(y, t, "y", owner)
        n, k = traj.values.shape
        min_length, reason = self._min_length(k)
        if n < min_length:
            raise ValueError(
                f"y has {n} time points but {owner} needs at least {min_length}"
                f"{': ' + reason if reason else ''}; pass a longer trajectory."
            )
        # What the input tells is recorded before _fit; a failed _fit leaves none of it.
        self.trajectory_ = traj
        self.n_obs_ = n
        try:
            self._fit(traj.values, traj.times)
        except BaseException:
            for name in ("trajectory_", "n_obs_"):
                self.__dict__.pop(name, None)
            raise
        return self

    def _future(self, h: Any) -> tuple[int, np.ndarray, pd.Index | None]:
        from tsclassic.dynamics._frames import future_times

        self._check_fitted()
        h = check_h(h)
        times, index = future_times(self.trajectory_, h, type(self).__name__)
        return h, times, index

    def predict(self, h: int) -> np.ndarray | pd.DataFrame:
        """Integrate the fitted equations ``h`` steps past the last observation.

        Parameters
        ----------
        h : int
            Number of steps ahead, at the step of ``y``'s index.

        Returns
        -------
        pd.DataFrame or ndarray of shape (h, n_states)
            One column per state (``state_names_``), indexed by the ``h`` times after the
            training data when ``y`` was a DataFrame; an array otherwise.
        """
        from tsclassic.dynamics._frames import wrap

        h, times, index = self._future(h)
        path = self._solve(self._final_state(), float(self.trajectory_.times[-1]), times)
        return wrap(np.asarray(path, dtype=np.float64).reshape(h, -1), index, self.state_names_)

    def predict_interval(self, h: int, coverage: float = 0.9) -> np.ndarray | pd.DataFrame:
        """Prediction interval of the next ``h`` observations of every state.

        Parameters
        ----------
        h : int
            Number of steps ahead.
        coverage : float, default 0.9
            Nominal probability that the interval holds the future observation.

        Returns
        -------
        pd.DataFrame or ndarray of shape (h, n_states, 2)
            A DataFrame on the forecast's index (as :meth:`predict`) with two column
            levels, ``state`` (``state_names_``) and ``bound`` (``"lo"``, ``"hi"``), so
            that ``band[state]`` is a forecaster's ``lo``/``hi`` frame and
            ``band.xs("lo", axis=1, level="bound")`` has the columns of ``predict(h)``;
            for NumPy input an array whose last axis is (lo, hi).
        """
        if not get_tags(self).intervals:
            raise NotImplementedError(
                f"{type(self).__name__} gives point forecasts only; use a trajectory model "
                f"whose tags say intervals=True."
            )
        h, times, index = self._future(h)
        coverage = check_coverage(coverage)
        lower, upper = self._predict_interval(times, coverage)
        shape = (h, len(self.state_names_))
        bounds = np.stack([np.reshape(lower, shape), np.reshape(upper, shape)], axis=-1)
        if index is None:
            return bounds.astype(np.float64)
        columns = pd.MultiIndex.from_product([self.state_names_, ["lo", "hi"]],
                                             names=["state", "bound"])
        return pd.DataFrame(bounds.reshape(h, -1), index=index, columns=columns)

    def simulate(self, t: Any, y0: Any = None) -> np.ndarray | pd.DataFrame:
        """Solve the fitted equations at the times ``t``.

        Parameters
        ----------
        t : array-like or pd.DatetimeIndex/PeriodIndex
            Increasing times on the model's clock (the index values of ``y``).
        y0 : dict, pd.Series or sequence, optional
            The state at ``t[0]``, every state of ``state_names_`` (by name, or in that
            order). Default: the fitted state at the first observation time (then ``t``
            must not start before it).

        Returns
        -------
        pd.DataFrame or ndarray of shape (len(t), n_states)
        """
        from tsclassic.dynamics._frames import model_times, wrap

        self._check_fitted()
        traj = self.trajectory_
        times, index = model_times(traj, t)
        if y0 is None:
            t_start, start = float(traj.times[0]), self._initial_state()
            if times[0] < t_start:
                raise ValueError(
                    f"t starts at {times[0]:g}, before the first observation ({t_start:g}) "
                    f"where the fitted initial state lives; start t there or pass y0."
                )
        else:
            t_start, start = float(times[0]), self._given_state(y0)
        return wrap(self._solve(start, t_start, times), index, self.state_names_)

    def _given_state(self, y0: Any) -> np.ndarray:
        names = list(self.state_names_)
        expected = f"y0 must hold the {len(names)} states {names} (by name or in that order)"
        if isinstance(y0, (dict, pd.Series)):
            given = {str(k): v for k, v in y0.items()}
            if set(given) != set(names):
                raise ValueError(f"{expected}; got the names {sorted(given)}.")
            y0 = [given[s] for s in names]
        try:
            start = np.array(y0, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise TypeError(f"{expected}, as numbers; got {y0!r}.") from None
        if start.shape != (len(names),) or not np.all(np.isfinite(start)):
            raise ValueError(f"{expected}, finite; got {y0!r}.")
        return start
