"""forecast_many: long frame in, long frame out, failures reported, joblib and Dask."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config

from tsclassic import Naive, SeasonalNaive, forecast_many


def _long(n_series=3, n=30, start="2024-01-01", freq="D"):
    frames = []
    for i in range(n_series):
        ds = pd.date_range(start, periods=n, freq=freq)
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": np.arange(n) + 100.0 * i}))
    return pd.concat(frames, ignore_index=True)


def test_long_in_long_out_with_intervals():
    df = _long()
    before = df.copy()
    out = forecast_many(Naive(), df, h=4, coverage=0.8, progress=False)
    assert df.equals(before)
    assert list(out.columns) == ["unique_id", "ds", "yhat", "lo", "hi", "error"]
    assert len(out) == 12 and out["error"].isna().all()
    first = out[out["unique_id"] == "s1"]
    assert (first["yhat"] == 129.0).all()
    assert first["ds"].iloc[0] == pd.Timestamp("2024-01-31")
    assert (out["lo"] < out["yhat"]).all() and (out["hi"] > out["yhat"]).all()


def test_a_failing_series_is_reported_not_hidden():
    df = _long()
    df.loc[df["unique_id"] == "s2", "y"] = np.nan
    out = forecast_many(Naive(), df, h=2, progress=False)
    failed = out[out["unique_id"] == "s2"]
    assert failed["yhat"].isna().all() and failed["error"].str.contains("NaN").all()
    assert out[out["unique_id"] != "s2"]["error"].isna().all()


def test_results_equal_across_jobs_and_custom_columns():
    df = _long(n_series=4).rename(columns={"unique_id": "id", "ds": "t", "y": "v"})
    one = forecast_many(SeasonalNaive(7), df, 3, id_col="id", time_col="t", target_col="v", progress=False)
    two = forecast_many(SeasonalNaive(7), df, 3, id_col="id", time_col="t", target_col="v",
                        n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(one, two)
    assert list(one.columns[:3]) == ["id", "t", "yhat"]


def test_exogenous_long_frame_is_split_per_series():
    from tsclassic.base import BaseForecaster, Tags

    class LastX(BaseForecaster):
        _tags = Tags(exogenous=True)

        def _fit(self, y, X):
            self.ok_ = X.shape[0] == len(y)

        def _predict(self, h, X):
            return X[:, 0] * self.ok_

    df = _long(n_series=2, n=10)
    X = _long(n_series=2, n=13).rename(columns={"y": "x"})
    out = forecast_many(LastX(), df, 3, X=X, progress=False)
    assert out["yhat"].tolist() == [10.0, 11.0, 12.0, 110.0, 111.0, 112.0]


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['y'\]"):
        forecast_many(Naive(), _long().drop(columns="y"), 2)
    with pytest.raises(ValueError, match="no prediction intervals"):
        from tsclassic import Naive2

        forecast_many(Naive2(), _long(), 2, coverage=0.9)
    with pytest.raises(TypeError, match="long pd.DataFrame"):
        forecast_many(Naive(), np.ones((3, 3)), 2)


def test_runs_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None, processes=True) as cluster, \
            distributed.Client(cluster):
        with parallel_config(backend="dask"):
            out = forecast_many(Naive(), _long(n_series=5), 2, progress=False)
    expected = forecast_many(Naive(), _long(n_series=5), 2, progress=False)
    pd.testing.assert_frame_equal(out, expected)
