"""Helpers shared by the statsmodels-backed forecasters of :mod:`tsclassic.arima`.

The fitted statsmodels results object is large (a SARIMAX results object pickles to
megabytes, mostly smoother output), and statsmodels' ``remove_data`` leaves it unable to
forecast. So the forecasters keep only the training arrays and the fitted parameters,
which pickle small, and rebuild the results object on demand by running the filter at
those parameters (milliseconds; no optimisation).
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Any

import numpy as np

from tsclassic._validation import check_positive_int


@contextmanager
def quiet_statsmodels():
    """Silence statsmodels' warnings and pin BLAS to one thread inside a fit.

    The warnings (frequency, convergence) are ones the user cannot act on: the index is
    ours, handed over as plain arrays, and non-convergence shows up in ``converged_``.
    The state-space matrices are small (tens of rows), so BLAS threads only add
    contention: under load they made the same fit up to twenty times slower.
    """
    from threadpoolctl import threadpool_limits

    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            yield


def check_order(value: Any, name: str, size: int) -> tuple[int, ...]:
    """Validate an order tuple of ``size`` non-negative integers."""
    try:
        items = tuple(value)
    except TypeError:
        items = ()
    if len(items) != size or any(
        isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0 for v in items
    ):
        example = "(p, d, q)" if size == 3 else "(P, D, Q, m)"
        raise ValueError(
            f"{name} must be a tuple of {size} non-negative integers {example}; got {value!r}."
        )
    return tuple(int(v) for v in items)


def check_season_length(value: Any, name: str = "season_length") -> int:
    """Validate a seasonal period (an integer >= 1)."""
    return check_positive_int(value, name)


class ResultsCache:
    """Keep a statsmodels results object out of pickles, rebuilding it on first use.

    Subclasses set ``self._results`` at fit and implement ``_rebuild_results()``.
    """

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_results", None)
        return state

    def _get_results(self) -> Any:
        results = getattr(self, "_results", None)
        if results is None:
            with quiet_statsmodels():
                results = self._rebuild_results()
            self._results = results
        return results

    def _rebuild_results(self) -> Any:
        raise NotImplementedError
