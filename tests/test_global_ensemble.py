"""GlobalEnsembleForecaster: global and per-series members combined across a panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from tsclassic import Drift, Naive, SeasonalNaive, forecast_many
from tsclassic.base import get_tags
from tsclassic.ml import GlobalEnsembleForecaster, GlobalReductionForecaster, ReductionForecaster


def panel(ds=None) -> pd.DataFrame:
    t = np.arange(48)
    frames = [pd.DataFrame({"unique_id": uid, "ds": t if ds is None else ds,
                            "y": level * (1 + 0.2 * np.sin(2 * np.pi * t / 4)) + 0.3 * t})
              for uid, level in (("a", 5.0), ("b", 50.0), ("c", 500.0))]
    return pd.concat(frames, ignore_index=True)


def gbm(**kw) -> GlobalReductionForecaster:
    return GlobalReductionForecaster(estimator=Ridge(), window_length=8, max_horizon=6,
                                     random_state=0, **kw)


@pytest.mark.parametrize("aggregate", ["median", "mean"])
def test_combination_is_the_members_frames_combined(aggregate):
    df, h = panel(), 6
    members = [gbm(), SeasonalNaive(4), Drift()]
    out = GlobalEnsembleForecaster(members, aggregate=aggregate).fit(df).predict(h)
    frames = [gbm().fit(df).predict(h)["yhat"].to_numpy(),
              forecast_many(SeasonalNaive(4), df, h=h, progress=False)["yhat"].to_numpy(),
              forecast_many(Drift(), df, h=h, progress=False)["yhat"].to_numpy()]
    expected = np.median(frames, axis=0) if aggregate == "median" else np.mean(frames, axis=0)
    assert list(out.columns) == ["unique_id", "ds", "yhat"]
    if aggregate == "median":
        np.testing.assert_array_equal(out["yhat"].to_numpy(), expected)
    else:
        np.testing.assert_allclose(out["yhat"].to_numpy(), expected, rtol=1e-14)
    lo_hi = GlobalEnsembleForecaster(members, aggregate=aggregate).fit(df).predict_interval(h, coverage=0.8)
    bounds = [gbm().fit(df).predict_interval(h, coverage=0.8)[["lo", "hi"]].to_numpy(),
              *[forecast_many(m, df, h=h, coverage=0.8, progress=False)[["lo", "hi"]].to_numpy()
                for m in (SeasonalNaive(4), Drift())]]
    combine = np.median if aggregate == "median" else np.mean
    np.testing.assert_allclose(lo_hi[["lo", "hi"]].to_numpy(), combine(bounds, axis=0), rtol=1e-14)


def test_a_failing_member_is_dropped_with_a_warning_naming_it():
    df = panel()
    # h=8 beyond the global member's max_horizon=6: it fails to forecast, the others stand.
    model = GlobalEnsembleForecaster([("gbm", gbm()), ("naive", Naive()), ("drift", Drift())]).fit(df)
    with pytest.warns(UserWarning, match="member 'gbm' failed to forecast"):
        out = model.predict(8)
    expected = np.median([forecast_many(m, df, h=8, progress=False)["yhat"].to_numpy()
                          for m in (Naive(), Drift())], axis=0)
    np.testing.assert_allclose(out["yhat"].to_numpy(), expected)
    assert "gbm" in model.failed_


def test_a_member_failing_on_one_series_is_left_out_there_only():
    df = panel()
    short = pd.concat([df[df.unique_id != "c"], df[df.unique_id == "c"].head(5)], ignore_index=True)
    # SeasonalNaive(12) needs 12 values: it fails on the 5-value series only.
    model = GlobalEnsembleForecaster([Naive(), SeasonalNaive(12)], aggregate="mean").fit(short)
    with pytest.warns(UserWarning, match=r"'seasonalnaive' failed on 1 of 3 series \(c\)"):
        out = model.predict(3)
    naive = forecast_many(Naive(), short, h=3, progress=False)["yhat"].to_numpy()
    np.testing.assert_allclose(out.loc[out.unique_id == "c", "yhat"], naive[-3:])


def test_every_member_failing_is_an_error():
    with pytest.warns(UserWarning, match="failed to forecast"), \
            pytest.raises(ValueError, match="every member of forecasters failed"):
        GlobalEnsembleForecaster([gbm()]).fit(panel()).predict(8)


def test_pandas_timestamps_are_continued():
    ds = pd.date_range("2024-01-01", periods=48, freq="h")
    out = GlobalEnsembleForecaster([gbm(), Naive()]).fit(panel(ds)).predict(2)
    assert out["ds"].dtype == ds.dtype
    assert list(out.loc[out.unique_id == "a", "ds"]) == list(pd.date_range(ds[-1], periods=3, freq="h")[1:])


def test_bad_members_are_refused_with_the_remedy():
    with pytest.raises(ValueError, match="non-empty list"):
        GlobalEnsembleForecaster([]).fit(panel())
    with pytest.raises(TypeError, match="forecasters"):
        GlobalEnsembleForecaster([Ridge()]).fit(panel())
    model = GlobalEnsembleForecaster([Naive(), ("reduction", ReductionForecaster(Ridge(), window_length=4))])
    with pytest.raises(ValueError, match=r"\['reduction'\] have no prediction intervals"):
        model.fit(panel()).predict_interval(2)
    # A global member without its calibration: named before any member is run, rather
    # than dropped from the bounds while it stays in the points.
    uncalibrated = GlobalEnsembleForecaster([("gbm", gbm(calibration=None)), ("naive", Naive())])
    assert not get_tags(uncalibrated).intervals
    with pytest.raises(ValueError, match=r"\['gbm'\] have no prediction intervals.*calibration"):
        uncalibrated.fit(panel()).predict_interval(2)


def test_the_callers_frame_is_not_modified():
    df = panel()
    before = df.copy()
    GlobalEnsembleForecaster([gbm(), Naive()]).fit(df).predict(2)
    pd.testing.assert_frame_equal(df, before)
