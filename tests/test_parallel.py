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
    assert list(out.columns) == ["unique_id", "ds", "yhat", "lo", "hi", "error", "warning"]
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


def _last_x():
    """A forecaster that predicts its first regressor (if fit saw one row per observation)."""
    from tsclassic.base import BaseForecaster, Tags

    class LastX(BaseForecaster):
        _tags = Tags(exogenous=True)

        def _fit(self, y, X):
            self.ok_ = X.shape[0] == len(y)

        def _predict(self, h, X):
            return X[:, 0] * self.ok_

    return LastX()


def test_exogenous_long_frame_is_split_per_series():
    df = _long(n_series=2, n=10)
    X = _long(n_series=2, n=13).rename(columns={"y": "x"})
    out = forecast_many(_last_x(), df, 3, X=X, progress=False)
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


# -- the grouped path equals the per-series one ----------------------------------------

def _per_series(forecaster, df, h, coverage=None):
    """forecast_many as it was: one pd.Series per series, fitted and predicted alone."""
    from sklearn.base import clone

    from tsclassic._index import as_time_index

    rows = []
    for uid, group in df.groupby("unique_id", sort=False):
        group = group.sort_values("ds", kind="stable")
        y = pd.Series(group["y"].to_numpy(), index=as_time_index(group["ds"].to_numpy()), name="y")
        try:
            model = clone(forecaster).fit(y)
            mean = model.predict(h)
            out = pd.DataFrame({"unique_id": uid, "ds": mean.index, "yhat": mean.to_numpy()})
            if coverage is not None:
                bounds = model.predict_interval(h, coverage=coverage)
                out["lo"], out["hi"] = bounds["lo"].to_numpy(), bounds["hi"].to_numpy()
            out["error"] = None
        except Exception as err:  # noqa: BLE001
            out = pd.DataFrame({"unique_id": [uid] * h, "yhat": np.nan, "error": f"{type(err).__name__}: {err}"})
        rows.append(out)
    return rows


def _mixed_panel(freq, n_series=6, n=30, seed=0):
    rng = np.random.default_rng(seed)
    if freq == "int":
        times = np.arange(3, 3 + 2 * n, 2)
    elif freq == "period":
        times = pd.period_range("2001-01", periods=n, freq="M")
    elif freq == "tz":
        times = pd.date_range("2024-03-20", periods=n, freq="D", tz="Europe/Paris")
    else:
        times = pd.date_range("2001-01-01", periods=n, freq=freq)
    frames = [pd.DataFrame({"unique_id": f"s{i}", "ds": times, "y": rng.normal(size=n).cumsum()})
              for i in range(n_series)]
    df = pd.concat(frames, ignore_index=True)
    df.loc[df["unique_id"] == "s1", "y"] = np.nan  # fails in fit
    df = df[~((df["unique_id"] == "s2") & (df.index % n > 3))]  # too short for the season
    return df.sample(frac=1.0, random_state=seed)  # any row order


@pytest.mark.parametrize("freq", ["D", "h", "W-MON", "MS", "ME", "QS", "int", "period", "tz"])
def test_same_forecasts_and_errors_as_one_series_at_a_time(freq):
    df = _mixed_panel(freq)
    model = SeasonalNaive(season_length=7)
    out = forecast_many(model, df, h=5, coverage=0.8, progress=False)
    expected = _per_series(model, df, 5, coverage=0.8)
    assert out["unique_id"].unique().tolist() == [e["unique_id"].iloc[0] for e in expected]
    for (uid, got), want in zip(out.groupby("unique_id", sort=False), expected):
        got = got.reset_index(drop=True)
        assert got["error"].tolist() == want["error"].tolist(), uid
        assert np.array_equal(got["yhat"], want["yhat"], equal_nan=True)
        if want["error"].iloc[0] is None:
            assert got["ds"].tolist() == want["ds"].tolist()
            assert got[["lo", "hi"]].equals(want[["lo", "hi"]])
    assert out["ds"].dtype == (np.int64 if freq == "int" else df["ds"].dtype)
    assert out.loc[out["unique_id"] == "s1", "error"].str.contains(r"NaN values \(first at").all()


def test_numbers_in_numbers_out_match_the_series_path_across_batches():
    df = _long(n_series=300, n=20)  # several batches
    out = forecast_many(Naive(), df, h=3, coverage=0.9, progress=False)
    expected = pd.concat(_per_series(Naive(), df, 3, coverage=0.9), ignore_index=True)
    pd.testing.assert_frame_equal(out.drop(columns="warning"), expected, check_dtype=False)


def test_missing_ids_are_refused_with_a_count():
    df = _long()
    df.loc[[0, 5, 40], "unique_id"] = None
    with pytest.raises(ValueError, match=r"3 rows whose 'unique_id' is missing.*dropna"):
        forecast_many(Naive(), df, 2, progress=False)


def test_failed_series_keep_the_time_column_dtype():
    ints = _long(n_series=3).assign(ds=lambda d: d.groupby("unique_id").cumcount() + 1)
    ints.loc[ints["unique_id"] == "s0", "y"] = np.nan  # the model fails, the times are fine
    out = forecast_many(Naive(), ints, 2, progress=False)
    assert out["ds"].dtype == np.int64 and out["ds"].tolist() == [31, 32] * 3
    ints["y"] = 1.0
    ints.loc[ints.index[0], "ds"] = -5  # s0's steps are uneven: no future times
    out = forecast_many(Naive(), ints, 2, progress=False)
    assert str(out["ds"].dtype) == "Int64" and out["ds"].isna().sum() == 2
    assert out["error"].iloc[0].startswith("ValueError: y has an integer index with uneven steps")
    dates = _long(n_series=3)
    dates = dates.drop(index=[3, 4])  # s0 has a gap
    out = forecast_many(Naive(), dates, 2, progress=False)
    assert out["ds"].dtype == dates["ds"].dtype and out["ds"].isna().sum() == 2
    test = _long(n_series=3, n=32).groupby("unique_id").tail(2)
    merged = out.merge(test, on=["unique_id", "ds"])  # the notebook's merge
    assert len(merged) == 4


def test_a_series_whose_X_lacks_a_row_fails_alone():
    df = _long(n_series=4, n=10)
    X = _long(n_series=4, n=13).rename(columns={"y": "x"}).sample(frac=1.0, random_state=1)
    X = X.drop(index=X.index[(X["unique_id"] == "s1") & (X["ds"] == "2024-01-04")])
    X = X[~((X["unique_id"] == "s2") & (X["ds"] > "2024-01-11"))]
    X = X[X["unique_id"] != "s3"]
    out = forecast_many(_last_x(), df, 3, X=X, progress=False)
    assert out["yhat"].tolist()[:3] == [10.0, 11.0, 12.0]
    errors = out.groupby("unique_id", sort=False)["error"].first()
    assert errors["s0"] is None
    assert "X lacks 1 of this series' 10 training times (first: 2024-01-04" in errors["s1"]
    assert "X has 1 rows after this series' last time" in errors["s2"]
    assert "X has no rows for this series" in errors["s3"]
    with pytest.raises(ValueError, match="does not use exogenous"):
        forecast_many(Naive(), df, 3, X=X, progress=False)


# -- Ctrl-C, resuming, warnings ---------------------------------------------------------

def _interrupting(at):
    """A Naive that raises KeyboardInterrupt on the series whose first value is ``at``."""

    class Interrupting(Naive):
        def _fit(self, y, X):
            if y[0] == at:
                raise KeyboardInterrupt
            super()._fit(y, X)

    return Interrupting()


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_ctrl_c_returns_what_finished_and_a_rerun_resumes(n_jobs, tmp_path):
    df = _long(n_series=40, n=10)  # series i starts at 100 * i
    with pytest.warns(UserWarning, match=r"interrupted: \d+ of 40 series finished.*Rerun with out="):
        first = forecast_many(_interrupting(at=2500.0), df, 2, n_jobs=n_jobs, progress=False,
                              out=tmp_path / "fc")
    stopped = first["error"].fillna("").str.startswith("KeyboardInterrupt")
    assert stopped.any() and (~stopped).any()
    assert first.loc[first["unique_id"] == "s25", "error"].iloc[0].startswith(
        "KeyboardInterrupt: interrupted while forecasting")
    assert first.loc[~stopped, "yhat"].notna().all() and first.loc[stopped, "yhat"].isna().all()
    assert len(first) == 80 and first["ds"].notna().all()
    # the rerun skips the stored series: a model interrupting on one of them would show it
    # (which batches finish first is up to the workers, so take one that did)
    done_before = first.loc[~stopped, "unique_id"].unique()
    at = 100.0 * int(done_before[0][1:])
    second = forecast_many(_interrupting(at=at), df, 2, n_jobs=n_jobs, progress=False,
                           out=tmp_path / "fc")
    assert second["error"].isna().all()
    whole = forecast_many(Naive(), df, 2, progress=False)
    pd.testing.assert_frame_equal(second, whole)


def test_out_refuses_another_call_or_a_file(tmp_path):
    df = _long()
    forecast_many(Naive(), df, 2, progress=False, out=tmp_path / "fc")
    again = forecast_many(Naive(), df, 2, progress=False, out=tmp_path / "fc")
    pd.testing.assert_frame_equal(again, forecast_many(Naive(), df, 2, progress=False))
    with pytest.raises(ValueError, match=r"another call .*\['h'\]"):
        forecast_many(Naive(), df, 3, progress=False, out=tmp_path / "fc")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file; pass a folder"):
        forecast_many(Naive(), df, 2, progress=False, out=tmp_path / "file")


def _warning_model():
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    class Warns(Naive):
        def _fit(self, y, X):
            if y[0] >= 100:
                import warnings

                warnings.warn("did not converge", ConvergenceWarning, stacklevel=2)
            super()._fit(y, X)

    return Warns()


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_model_warnings_go_to_the_warning_column(n_jobs, capfd):
    import warnings

    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    df = _long(n_series=30, n=10)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = forecast_many(_warning_model(), df, 2, n_jobs=n_jobs, progress=False)
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    summary = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert len(summary) == 1 and "29 of 30 series raised warnings" in summary[0]
    assert "ConvergenceWarning" not in capfd.readouterr().err
    per_series = out.groupby("unique_id", sort=False)["warning"].first()
    assert per_series["s0"] is None
    assert (per_series.iloc[1:] == "ConvergenceWarning: did not converge").all()
    assert out["yhat"].notna().all()


def test_continue_many_in_one_pass_equals_series_by_series():
    from tsclassic._index import _continue_one, continue_many

    rng = np.random.default_rng(3)
    blocks, lengths = [], []
    for _ in range(60):
        n = int(rng.integers(1, 6))
        step = [pd.Timedelta("1D"), pd.Timedelta("7D"), pd.Timedelta("3h"), pd.Timedelta("90s")][rng.integers(4)]
        start = pd.Timestamp("2020-01-01") + int(rng.integers(0, 500)) * pd.Timedelta("1h")
        block = pd.DatetimeIndex([start + k * step for k in range(n)])
        if rng.random() < 0.2 and n > 2:
            block = block.delete(1)  # a gap
        blocks.append(block)
        lengths.append(len(block))
    times = blocks[0].append(blocks[1:])
    future, errors = continue_many(times, np.array(lengths), 4)
    for i, block in enumerate(blocks):
        want, error = _continue_one(block, 4, "y")
        assert errors[i] == error
        got = future[4 * i:4 * (i + 1)]
        assert pd.isna(got).all() if want is None else list(got) == list(want)
