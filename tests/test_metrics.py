from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import log_loss as sk_log_loss
from sklearn.metrics import mean_absolute_error, mean_squared_error

from tsclassic import metrics


def test_point_metrics_agree_with_sklearn():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=30), rng.normal(size=30)
    assert metrics.mse(a, b) == pytest.approx(mean_squared_error(a, b))
    assert metrics.rmse(a, b) == pytest.approx(np.sqrt(mean_squared_error(a, b)))
    assert metrics.mae(a, b) == pytest.approx(mean_absolute_error(a, b))


def test_m4_smape_and_mase_by_hand():
    assert metrics.smape([100.0, 200.0], [110.0, 180.0]) == pytest.approx(
        100 * (10 / 210 + 20 / 380))
    # seasonal naive scale with m = 2: |3-1|, |4-2| -> 2
    assert metrics.mase([5.0, 6.0], [4.0, 8.0], [1.0, 2.0, 3.0, 4.0], season_length=2) == 0.75
    assert metrics.smape([0.0], [0.0]) == 0.0


def test_log_loss_agrees_with_sklearn_and_perplexity():
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3]])
    y = ["a", "c", "b"]
    assert metrics.log_loss(y, proba, ["a", "b", "c"]) == pytest.approx(
        sk_log_loss(y, proba, labels=["a", "b", "c"]))
    assert metrics.perplexity(np.log(0.25) * 10, 10) == pytest.approx(4.0)
    assert metrics.accuracy([1, 2, 3], [1, 2, 0]) == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: metrics.mae([1.0], [1.0, 2.0]), "same length"),
        (lambda: metrics.mse([], []), "empty"),
        (lambda: metrics.mae([np.nan], [1.0]), "NaN"),
        (lambda: metrics.mase([1.0], [1.0], [1.0, 1.0, 1.0], season_length=1), "seasonal naive error is zero"),
        (lambda: metrics.mase([1.0], [1.0], [1.0, 2.0], season_length=24), "season_length=24"),
        (lambda: metrics.log_loss([1], [[0.5, 0.5]], [0, 2]), "not in classes"),
        (lambda: metrics.perplexity(-1.0, 0), "n_tokens"),
    ],
)
def test_metric_errors(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


_finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(arrays(np.float64, 8, elements=_finite), arrays(np.float64, 8, elements=_finite))
def test_smape_is_bounded_and_symmetric(a, b):
    value = metrics.smape(a, b)
    assert 0.0 <= value <= 200.0 + 1e-9
    assert value == pytest.approx(metrics.smape(b, a))


@given(arrays(np.float64, 8, elements=_finite), arrays(np.float64, 8, elements=_finite))
def test_rmse_dominates_mae(a, b):
    assert metrics.rmse(a, b) >= metrics.mae(a, b) - 1e-9


def test_msis_by_hand_with_a_seasonal_scale():
    # y_train seasonal naive (m=2) errors |3-1|, |4-2|, |7-3| -> scale 8/3.
    y_train = [1.0, 2.0, 3.0, 4.0, 7.0]
    y, lo, hi = [10.0, 0.0, 5.0], [8.0, 1.0, 4.0], [9.0, 2.0, 6.0]
    # widths 1, 1, 2; misses 1 above (10 > 9), 1 below (0 < 1); alpha 0.2 -> 2/alpha = 10.
    expected = ((1 + 10) + (1 + 10) + 2) / 3 / (8 / 3)
    assert metrics.msis(y, lo, hi, y_train, season_length=2, alpha=0.2) == pytest.approx(expected)
    # The M4 default alpha = 0.05: penalty 40 per unit outside.
    assert metrics.msis(y, lo, hi, y_train, season_length=2) == pytest.approx((41 + 41 + 2) / 3 / (8 / 3))


def test_coverage_counts_bounds_as_inside_and_rejects_swapped_bounds():
    assert metrics.coverage([1.0, 2.0, 3.0], [1.0, 0.0, 3.5], [1.0, 1.0, 4.0]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="lower"):
        metrics.coverage([1.0], [2.0], [1.0])
    with pytest.raises(ValueError, match="alpha"):
        metrics.msis([1.0], [0.0], [2.0], [1.0, 2.0], alpha=1.5)
    with pytest.raises(ValueError, match="MSIS is undefined"):
        metrics.msis([1.0], [0.0], [2.0], [1.0, 1.0])
