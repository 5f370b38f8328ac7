"""Global forecasters: one model across every series of a long frame."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression, Ridge

import tsclassic
from tsclassic.ml import GlobalReductionForecaster


def sine_panel(n_series=4, length=80, period=8, seed=0, noise=0.0):
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    frames = []
    for i in range(n_series):
        level, amplitude = 10.0 ** (i + 1), 2.0 ** i
        y = level + amplitude * np.sin(2 * np.pi * t / period) + rng.normal(0, noise, length)
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": t, "y": y}))
    return pd.concat(frames, ignore_index=True)


def test_one_linear_model_forecasts_shapes_shared_across_levels_exactly():
    df = sine_panel()
    model = GlobalReductionForecaster(LinearRegression(), window_length=16, max_horizon=8,
                                      calibration=None).fit(df)
    fc = model.predict(8)
    t = np.arange(80, 88)
    for i in range(4):
        expected = 10.0 ** (i + 1) + 2.0 ** i * np.sin(2 * np.pi * t / 8)
        got = fc.loc[fc.unique_id == f"s{i}", "yhat"].to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-6)
    assert list(fc.ds[:8]) == list(t)


@pytest.mark.parametrize("strategy", ["direct", "recursive"])
def test_default_gradient_boosting_tracks_the_season(strategy):
    df = sine_panel(noise=0.01)
    model = GlobalReductionForecaster(window_length=16, max_horizon=8, strategy=strategy,
                                      calibration=None, random_state=0).fit(df)
    fc = model.predict(8)
    t = np.arange(80, 88)
    for i in range(4):
        expected = 10.0 ** (i + 1) + 2.0 ** i * np.sin(2 * np.pi * t / 8)
        got = fc.loc[fc.unique_id == f"s{i}", "yhat"].to_numpy()
        assert np.max(np.abs(got - expected)) < 0.25 * 2.0 ** i


def test_each_series_times_continue_at_its_own_frequency_and_end():
    a = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=50, freq="h"),
                      "y": np.arange(50.0)})
    b = pd.DataFrame({"unique_id": "b", "ds": pd.date_range("2024-03-01", periods=60, freq="h"),
                      "y": np.arange(60.0) * 2})
    df = pd.concat([b, a]).sample(frac=1.0, random_state=0)  # shuffled rows
    fc = GlobalReductionForecaster(Ridge(), window_length=6, max_horizon=3).fit(df).predict(3)
    first_seen = list(df.unique_id.unique())  # series keep their order of first appearance
    assert list(fc.unique_id) == [uid for uid in first_seen for _ in range(3)]
    by_id = {uid: list(g.ds) for uid, g in fc.groupby("unique_id")}
    assert by_id["b"] == list(pd.date_range("2024-03-03 12:00", periods=3, freq="h"))
    assert by_id["a"] == list(pd.date_range("2024-01-03 02:00", periods=3, freq="h"))
    bounds = GlobalReductionForecaster(Ridge(), window_length=6, max_horizon=3).fit(df)
    assert list(bounds.predict_interval(3).columns) == ["unique_id", "ds", "lo", "hi"]


def test_conformal_intervals_cover_close_to_nominal_on_held_data():
    rng = np.random.default_rng(1)
    n_series, length, H = 300, 60, 4
    frames, future = [], []
    for i in range(n_series):
        scale = 10.0 ** rng.uniform(0, 3)
        e = rng.normal(0, 1, length + H)
        y = np.empty(length + H)
        y[0] = e[0]
        for t in range(1, length + H):
            y[t] = 0.7 * y[t - 1] + e[t]
        y = scale * (5 + y)
        frames.append(pd.DataFrame({"unique_id": i, "ds": np.arange(length), "y": y[:length]}))
        future.append(y[length:])
    model = GlobalReductionForecaster(Ridge(), window_length=12, max_horizon=H,
                                      random_state=0).fit(pd.concat(frames))
    bounds = model.predict_interval(H, coverage=0.9)
    truth = np.concatenate(future)
    inside = (bounds.lo.to_numpy() <= truth) & (truth <= bounds.hi.to_numpy())
    assert 0.86 <= inside.mean() <= 0.95


def test_seasonal_scale_narrows_the_intervals_of_seasonal_series():
    # Seasonal series whose noise, not their seasonal swing, sets the forecast error: the
    # seasonal difference measures the noise, the lag-1 difference mostly the swing.
    rng = np.random.default_rng(2)
    m, length, H = 12, 120, 6
    frames, future, noises = [], [], []
    for i in range(200):
        t = np.arange(length + H)
        noise = 10.0 ** rng.uniform(-1, 0.5)
        noises.append(np.full(H, noise))
        y = 50 + 10 * np.sin(2 * np.pi * t / m) + rng.normal(0, noise, length + H)
        frames.append(pd.DataFrame({"unique_id": i, "ds": t[:length], "y": y[:length]}))
        future.append(y[length:])
    df, truth = pd.concat(frames), np.concatenate(future)
    scores = {}
    for season in (1, m):
        model = GlobalReductionForecaster(Ridge(), window_length=2 * m, max_horizon=H,
                                          season_length=season, random_state=0).fit(df)
        bounds = model.predict_interval(H, coverage=0.9)
        lo, hi = bounds.lo.to_numpy(), bounds.hi.to_numpy()
        # The interval score (width plus 2/alpha times a miss), in units of each series'
        # noise, as MSIS scales it by the series' own errors.
        miss = np.maximum(lo - truth, 0) + np.maximum(truth - hi, 0)
        score = ((hi - lo + 2 / 0.1 * miss) / np.concatenate(noises)).mean()
        scores[season] = ((lo <= truth) & (truth <= hi)).mean(), score
    assert 0.85 <= scores[m][0] <= 0.95 and 0.85 <= scores[1][0]
    assert scores[m][1] < 0.8 * scores[1][1], scores


def test_calendar_features_need_timestamps_and_use_them():
    # Three lags cannot tell Wednesday-Friday (a weekend follows) from Monday-Wednesday;
    # the origin's day of week can.
    t = pd.date_range("2023-01-02", periods=364, freq="D")  # a Monday
    weekly = np.where(t.day_of_week >= 5, 2.0, 1.0)
    df = pd.concat([pd.DataFrame({"unique_id": k, "ds": t, "y": 10.0 ** k * weekly})
                    for k in range(3)])
    future = np.tile(np.r_[np.ones(5), 2.0, 2.0], 1)  # 2024-01-01 is a Monday
    errors = {}
    for features in (None, "calendar"):
        model = GlobalReductionForecaster(HistGradientBoostingRegressor(), window_length=3,
                                          features=features, strategy="recursive",
                                          calibration=None, random_state=0).fit(df)
        got = model.predict(7).yhat.to_numpy().reshape(3, 7) / 10.0 ** np.arange(3)[:, None]
        errors[features] = np.abs(got - future).max()
    assert errors["calendar"] < 0.05 < errors[None]
    steps = df.assign(ds=np.tile(np.arange(len(t)), 3))
    with pytest.raises(ValueError, match="calendar"):
        GlobalReductionForecaster(window_length=3, max_horizon=2, features="calendar").fit(steps)


def test_window_features_join_the_lags():
    df = sine_panel(noise=0.01)
    model = GlobalReductionForecaster(Ridge(), window_length=16, max_horizon=4,
                                      features=["timedomain"], calibration=None).fit(df)
    assert len(model.transformers_) == 1
    assert np.isfinite(model.predict(4).yhat).all()


def test_bad_frames_are_refused_naming_the_argument_and_the_fix():
    df = sine_panel()
    model = GlobalReductionForecaster(Ridge(), window_length=16, max_horizon=4)
    with pytest.raises(TypeError, match="df must be a long"):
        model.fit(df["y"])
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['ds'\]"):
        model.fit(df.rename(columns={"ds": "time"}))
    with pytest.raises(ValueError, match=r"extra column\(s\) \['promo'\]"):
        model.fit(df.assign(promo=1.0))
    with pytest.raises(ValueError, match="unique_id'\\] is missing on 1 row"):
        model.fit(df.assign(unique_id=df.unique_id.where(df.index != 3)))
    bad = df.copy()
    bad.loc[5, "y"] = np.nan
    with pytest.raises(ValueError, match="series 's0'"):
        model.fit(bad)
    short = pd.concat([df, pd.DataFrame({"unique_id": "tiny", "ds": [0, 1, 2], "y": [1.0] * 3})])
    with pytest.raises(ValueError, match="series 'tiny'.*window_length"):
        model.fit(short)
    fitted = model.fit(df)
    with pytest.raises(ValueError, match="exceeds max_horizon"):
        fitted.predict(5)
    with pytest.raises(ValueError, match="'window_length' parameter"):
        GlobalReductionForecaster(Ridge(), window_length=0).fit(df)


def test_registered_in_its_own_family():
    assert ("GlobalReductionForecaster", GlobalReductionForecaster) in tsclassic.all_estimators("global")
    assert "GlobalReductionForecaster" not in dict(tsclassic.all_estimators("forecaster"))


def test_without_calibration_the_tag_says_no_intervals_and_asking_names_the_remedy():
    from tsclassic.base import get_tags

    assert get_tags(GlobalReductionForecaster).intervals
    assert get_tags(GlobalReductionForecaster(calibration="holdout")).intervals
    model = GlobalReductionForecaster(Ridge(), window_length=8, max_horizon=4, calibration=None)
    assert not get_tags(model).intervals
    model.fit(sine_panel())
    with pytest.raises(NotImplementedError, match="calibration=None keeps no held-out errors.*'refit'"):
        model.predict_interval(4)
    # Calibration asked for after a fit without it: the fit kept no errors either.
    with pytest.raises(NotImplementedError, match="calibration=None keeps no held-out errors"):
        model.set_params(calibration="refit").predict_interval(4)


def test_calibration_refit_forecasts_as_the_uncalibrated_model():
    # The refit is the uncalibrated fit (same windows, same seeds): its points are the
    # same, so a benchmark may calibrate a model without changing its point scores.
    df = sine_panel(noise=0.1)
    points = [GlobalReductionForecaster(window_length=16, max_horizon=4, calibration=c,
                                        random_state=0).fit(df).predict(4)["yhat"].to_numpy()
              for c in (None, "refit")]
    np.testing.assert_array_equal(points[0], points[1])


@pytest.mark.parametrize("name", ["GlobalMLPForecaster", "GlobalRNNForecaster"])
def test_global_networks_learn_a_shape_shared_across_levels(name):
    pytest.importorskip("torch")
    from tsclassic import deep

    df = sine_panel(noise=0.01)
    small = {"GlobalMLPForecaster": dict(n_blocks=2, layer_width=32),
             "GlobalRNNForecaster": dict(hidden_size=16)}[name]
    model = getattr(deep, name)(window_length=16, max_horizon=8, max_epochs=60, batch_size=32,
                                learning_rate=1e-2, patience=None, random_state=0,
                                verbose=False, **small).fit(df)
    fc = model.predict(8)
    t = np.arange(80, 88)
    for i in range(4):
        expected = 10.0 ** (i + 1) + 2.0 ** i * np.sin(2 * np.pi * t / 8)
        got = fc.loc[fc.unique_id == f"s{i}", "yhat"].to_numpy()
        assert np.max(np.abs(got - expected)) < 0.3 * 2.0 ** i
    assert model.history_.stopped == "max_epochs" and model.n_epochs_ == 60
    with pytest.raises(ValueError, match="exceeds max_horizon"):
        model.predict(9)


def weekly_hourly_panel(n_series=6, weeks=6, seed=0):
    """Hourly series with a daily cycle and a weekend drop: a weekly season of 168."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=168 * weeks, freq="h")
    hour, weekend = ds.hour.to_numpy(), ds.day_of_week.to_numpy() >= 5
    frames = []
    for i in range(n_series):
        level = 100.0 * (i + 1)
        y = level * (1 + 0.2 * np.sin(2 * np.pi * hour / 24) - 0.5 * weekend)
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds,
                                    "y": y + rng.normal(0, 0.01 * level, len(ds))}))
    return pd.concat(frames, ignore_index=True)


def test_the_default_window_covers_the_weekly_season_of_hourly_data():
    df = weekly_hourly_panel()
    model = GlobalReductionForecaster(Ridge(alpha=1e-3), max_horizon=24, calibration=None)
    assert model.fit(df).window_length_ == 168
    # Integer steps say no season: two horizons, with a warning; season_length=24 says
    # hourly data, and its week.
    steps = df.assign(ds=df.groupby("unique_id").cumcount())
    with pytest.warns(UserWarning, match="found no season.*using two horizons, 48 lags"):
        assert model.fit(steps).window_length_ == 48
    assert model.set_params(season_length=24).fit(steps).window_length_ == 168
    assert model.set_params(season_length=12).fit(steps).window_length_ == 48
    assert GlobalReductionForecaster(window_length=30, max_horizon=24, calibration=None).fit(
        df).window_length_ == 30


def test_the_weekly_default_window_forecasts_the_weekend_that_two_days_miss():
    # The 24 hours to forecast are a Saturday's: a window of 48 hours (Thursday and
    # Friday) holds no weekend, so it cannot tell a Friday from a Saturday ahead.
    df = weekly_hourly_panel()
    df = df[df["ds"] < pd.Timestamp("2024-02-11")]  # ends on Saturday 10 February, 23:00
    train = df[df["ds"] < pd.Timestamp("2024-02-10")]
    actual = df[df["ds"] >= pd.Timestamp("2024-02-10")]["y"].to_numpy()
    errors = {}
    for window in (None, 48):
        model = GlobalReductionForecaster(Ridge(alpha=1e-3), window_length=window,
                                          max_horizon=24, calibration=None).fit(train)
        errors[window] = np.mean(np.abs(model.predict(24)["yhat"].to_numpy() - actual))
    assert errors[None] < 0.5 * errors[48], errors


def test_a_default_window_too_long_for_the_shortest_series_is_cut_with_a_warning():
    df = weekly_hourly_panel(weeks=2)
    short = df[(df["unique_id"] != "s0") | (df["ds"] < df["ds"].iloc[0] + pd.Timedelta(hours=100))]
    model = GlobalReductionForecaster(Ridge(), max_horizon=24, calibration="holdout")
    with pytest.warns(UserWarning, match="wants 168 lags.*weekly season.*using 52 lags"):
        model.fit(short)
    assert model.window_length_ == 52  # 100 values less 24 targets and 24 held out
    assert model.predict_interval(24, coverage=0.9).shape == (6 * 24, 4)


@pytest.mark.parametrize("name", ["GlobalMLPForecaster", "GlobalRNNForecaster"])
def test_global_networks_default_to_a_weekly_window_on_hourly_data(name):
    pytest.importorskip("torch")
    from tsclassic import deep

    small = {"GlobalMLPForecaster": dict(n_blocks=1, layer_width=8),
             "GlobalRNNForecaster": dict(hidden_size=4)}[name]
    model = getattr(deep, name)(max_horizon=24, max_epochs=1, max_windows=4, random_state=0,
                                verbose=False, **small).fit(weekly_hourly_panel(n_series=2))
    assert model.window_length_ == 168
    assert model.predict(24).shape == (48, 3)
