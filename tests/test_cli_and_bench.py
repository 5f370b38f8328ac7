"""The tsclassic command end to end, and the bench's resumable store and report."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from tsclassic.bench import ResultStore, run_bench
from tsclassic.bench import forecasting as forecasting_suite
from tsclassic.cli import main


@pytest.fixture
def series_csv(tmp_path):
    path = tmp_path / "sales.csv"
    ds = pd.date_range("2023-01-01", periods=30, freq="D")
    pd.DataFrame({"date": ds, "sales": np.arange(30.0) % 7 + 10}).to_csv(path, index=False)
    return path


def test_forecast_command(series_csv, tmp_path, capsys):
    out = tmp_path / "fc.csv"
    code = main(["forecast", str(series_csv), "--model", "SeasonalNaive", "--season-length", "7",
                 "-h", "3", "--time-col", "date", "--target-col", "sales", "--output", str(out)])
    assert code == 0
    frame = pd.read_csv(out)
    assert frame["date"].tolist() == ["2023-01-31", "2023-02-01", "2023-02-02"]
    assert frame["yhat"].tolist() == [12.0, 13.0, 14.0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["forecast", "missing.csv", "-h", "2"], "does not exist"),
        (["forecast", "{csv}", "-h", "2"], "column 'ds' is not in"),
        (["forecast", "{csv}", "-h", "2", "--time-col", "date", "--target-col", "sales",
          "--model", "Prophet"], "unknown forecaster 'Prophet'; known: .*Naive"),
        (["forecast", "{bad}", "-h", "2", "--time-col", "date", "--target-col", "sales"], "not a readable CSV|no rows|NaN|numeric"),
        (["forecast", "{csv}", "-h", "0", "--time-col", "date", "--target-col", "sales"], "h must be a positive integer"),
        (["classify", "{csv}", "missing.csv"], "does not exist"),
    ],
)
def test_bad_input_gives_a_message_and_exit_2(args, message, series_csv, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,sales\n2023-01-01,1\n2023-01-02,\"oops\n")
    args = [a.format(csv=series_csv, bad=bad) for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("tsclassic") and "Traceback" not in err
    assert pd.Series([err]).str.contains(message).all(), err


def _write(path, frame):
    frame.to_csv(path, index=False)
    return str(path)


def _monthly(n=36, shift=0.0):
    ds = pd.date_range("2018-01-01", periods=n, freq="MS").strftime("%Y-%m-%d")
    return pd.DataFrame({"date": ds, "sales": np.arange(n) % 12 + 10.0 + shift})


def test_a_long_file_is_forecast_series_by_series(tmp_path, capsys):
    long = pd.concat([_monthly(shift=100.0 * k).assign(store=s) for k, s in enumerate("abc")])
    path = _write(tmp_path / "long.csv", long)
    out = tmp_path / "fc.csv"
    assert main(["forecast", path, "-h", "2", "--time-col", "date", "--target-col", "sales",
                 "--id-col", "store", "--output", str(out)]) == 0
    frame = pd.read_csv(out)
    assert frame["store"].tolist() == ["a", "a", "b", "b", "c", "c"]
    assert frame["yhat"].tolist() == [10.0, 11.0, 110.0, 111.0, 210.0, 211.0]
    assert frame["date"].tolist() == ["2021-01-01", "2021-02-01"] * 3
    # without --id-col the duplicated times are refused, naming the way out
    assert main(["forecast", path, "-h", "2", "--time-col", "date", "--target-col", "sales"]) == 2
    assert "--id-col (one of ['store']?)" in capsys.readouterr().err


@pytest.mark.parametrize(("freq", "period"), [("MS", 12), ("QS", 4), ("h", 24), ("D", 7),
                                              ("W", 52), ("YS", 1), ("int", 1)])
def test_the_season_length_defaults_from_the_frequency(freq, period, tmp_path, capsys):
    n = 3 * max(period, 2)
    times = np.arange(1, n + 1) if freq == "int" else pd.date_range("2020-01-01", periods=n, freq=freq)
    path = _write(tmp_path / "y.csv", pd.DataFrame({"ds": times, "y": np.arange(n) % period}))
    assert main(["forecast", path, "-h", str(period)]) == 0
    captured = capsys.readouterr()
    assert f"season length {period} (from " in captured.err
    yhat = pd.read_csv(io.StringIO(captured.out))["yhat"]
    assert yhat.tolist() == list(np.arange(period) % period * 1.0)  # one season repeated


def test_dates_are_iso_8601_unless_a_format_is_given(tmp_path, capsys):
    days = pd.DataFrame({"ds": ["03/01/2020", "04/01/2020", "05/01/2020", "06/01/2020"],
                         "y": [1.0, 2, 3, 4]})
    path = _write(tmp_path / "days.csv", days)
    assert main(["forecast", path, "-h", "1", "--model", "Naive"]) == 2
    err = capsys.readouterr().err
    assert "'03/01/2020' at row 1 (line 2 of the file), which is not" in err and "--date-format" in err
    assert main(["forecast", path, "-h", "1", "--model", "Naive", "--date-format", "%d/%m/%Y"]) == 0
    assert "2020-01-07" in capsys.readouterr().out  # day first: 3 to 6 January, then the 7th


def _panel_csv(path, labels, with_label=True):
    rng = np.random.default_rng(len(labels))
    shape = np.sin(np.linspace(0, 6, 16))
    X = np.array([shape * (1 + 2 * np.nan_to_num(v)) for v in labels]) + 0.01 * rng.normal(size=(len(labels), 16))
    frame = pd.DataFrame(X, columns=[f"t{i}" for i in range(16)])
    if with_label:
        frame.insert(0, "label", labels)
    return _write(path, frame)


def test_classify_scores_labels_of_either_type_and_predicts_without_them(tmp_path, capsys):
    train = _panel_csv(tmp_path / "train.csv", [0.0, 1.0] * 6)  # written 0.0, 1.0
    test = _panel_csv(tmp_path / "test.csv", [1, 0, 0, 1])       # written 0, 1
    assert main(["classify", train, test]) == 0
    captured = capsys.readouterr()
    assert "accuracy 1.0000" in captured.err
    assert pd.read_csv(io.StringIO(captured.out))["true"].tolist() == [1, 0, 0, 1]
    unlabelled = _panel_csv(tmp_path / "new.csv", [1, 0, 0, 1], with_label=False)
    out = tmp_path / "pred.csv"
    assert main(["classify", train, unlabelled, "--output", str(out)]) == 0
    assert pd.read_csv(out)["predicted"].tolist() == [1, 0, 0, 1]
    assert "no labels" in capsys.readouterr().err
    _panel_csv(tmp_path / "nan.csv", [1.0, np.nan, 0.0, 1.0])
    assert main(["classify", train, str(tmp_path / "nan.csv")]) == 2
    assert "label column 'label' of the test file has 1 empty values (first at row 2" in capsys.readouterr().err


def test_user_errors_are_one_line(tmp_path, capsys):
    monthly = _monthly()
    monthly["sales"] = monthly["sales"].astype(object)
    monthly.loc[4, "sales"] = "oops"
    bad = _write(tmp_path / "bad.csv", monthly)
    good = _write(tmp_path / "good.csv", _monthly())
    cases = [
        (["forecast", bad, "-h", "2", "--time-col", "date", "--target-col", "sales"],
         "column 'sales' of the input file has the non-numeric value 'oops' at row 5"),
        (["forecast", str(tmp_path), "-h", "2"], "is a directory; pass a CSV file"),
        (["forecast", good, "-h", "2", "--time-col", "date", "--target-col", "sales",
          "--output", str(tmp_path / "missing" / "fc.csv")], "does not exist; create it first"),
        (["forecast", good, "-h", "2", "--time-col", "date", "--target-col", "sales",
          "--output", str(tmp_path)], "is a directory; pass a file path"),
        (["bench", "--out", good], "is a file; pass a folder"),
    ]
    for args, message in cases:
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("tsclassic") and message in err, err


def test_store_is_resumable(tmp_path):
    store = ResultStore(tmp_path)
    record = {"suite": "forecasting", "dataset": "d/1", "model": "m", "family": "classical",
              "smape": float("nan"), "owa": np.float64(0.5)}
    assert not store.done("forecasting", "d/1", "m")
    store.save(record)
    assert store.done("forecasting", "d/1", "m")
    cell = json.loads(next((tmp_path / "cells").glob("*.json")).read_text())
    assert cell["smape"] is None and cell["owa"] == 0.5
    with pytest.raises(ValueError, match="record lacks"):
        store.save({"suite": "x"})


def test_a_cell_is_reused_only_in_its_mode_and_with_its_configuration(tmp_path):
    record = {"suite": "classification", "dataset": "GunPoint", "model": "FCN", "family": "deep"}
    quick = ResultStore(tmp_path, mode="quick")
    quick.save(record, config={"max_epochs": 5})
    full = ResultStore(tmp_path, mode="full")
    assert not full.done("classification", "GunPoint", "FCN", {"max_epochs": 5})
    assert len(full.load()) == 0 and list(quick.load()["mode"]) == ["quick"]
    assert not quick.done("classification", "GunPoint", "FCN", {"max_epochs": 50})
    assert quick.done("classification", "GunPoint", "FCN", {"max_epochs": 5})


@pytest.fixture
def tiny_forecasting(monkeypatch):
    from tsclassic.datasets import load_airline

    air = load_airline().to_numpy()
    monkeypatch.setattr(forecasting_suite, "_datasets", lambda quick: [
        ("AirPassengers", [air[:-12]], [air[-12:]], 12, 12, None, "all")])
    monkeypatch.setattr(forecasting_suite, "models", lambda m, long_season: [
        forecasting_suite.ForecastModel("SeasonalNaive", "SeasonalNaive", {"season_length": m}),
        forecasting_suite.ForecastModel("Naive", "Naive"),
        forecasting_suite.ForecastModel("Missing", "NoSuchForecaster")])
    monkeypatch.setattr(forecasting_suite, "global_models", lambda h, m, shortest, quick, long_season=None: [])


def test_bench_command_writes_the_report_and_resumes(tiny_forecasting, tmp_path, capsys):
    out = tmp_path / "bench"
    assert main(["bench", "--suite", "forecasting", "--quick", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "SeasonalNaive" in printed and "report.html" in printed
    for name in ("results.csv", "results.md", "report.html", "forecasting.png"):
        assert (out / name).exists(), name
    results = pd.read_csv(out / "results.csv")
    assert set(results["model"]) == {"SeasonalNaive", "Naive"}  # the missing model is skipped
    snaive = results.set_index("model").loc["SeasonalNaive"]
    assert snaive["owa"] < 1.6 and snaive["n_series"] == 1
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html
    # the cell that has no figure is named, in both reports
    assert "forecasting / AirPassengers: Missing" in (out / "results.md").read_text()
    assert "forecasting / AirPassengers: Missing" in html
    # a rerun skips finished cells
    stamp = {p.name: p.stat().st_mtime_ns for p in (out / "cells").glob("*.json")}
    run_bench(["forecasting"], quick=True, out_dir=out)
    assert stamp == {p.name: p.stat().st_mtime_ns for p in (out / "cells").glob("*.json")}


def test_forecasting_suite_scores_a_global_model_across_the_series(monkeypatch, tmp_path):
    from tsclassic.datasets import load_m4

    train_df, test_df = load_m4(frequency="hourly", split="train"), load_m4(frequency="hourly", split="test")
    ids = list(train_df["unique_id"].unique()[:6])
    train = [g["y"].to_numpy() for _, g in train_df.groupby("unique_id", sort=False)][:6]
    test = [g["y"].to_numpy() for _, g in test_df.groupby("unique_id", sort=False)][:6]
    monkeypatch.setattr(forecasting_suite, "_datasets", lambda quick: [
        (f"M4-Hourly[{ids[0]}..]", train, test, 48, 24, None, "all")])
    monkeypatch.setattr(forecasting_suite, "models", lambda m, long_season: [
        forecasting_suite.ForecastModel("SeasonalNaive", "SeasonalNaive", {"season_length": m})])
    monkeypatch.setattr(forecasting_suite, "global_models", lambda h, m, shortest, quick, long_season=None: [
        forecasting_suite.ForecastModel(
            "Global ridge", "GlobalReductionForecaster",
            {"estimator": Ridge(), "window_length": 48, "max_horizon": h, "calibration": None},
            is_global=True)])
    store = ResultStore(tmp_path, mode="quick")
    forecasting_suite.run(store, quick=True, n_jobs=1)
    cells = store.load().set_index("model")
    assert cells.loc["Global ridge", "n_series"] == 6
    assert cells.loc["Global ridge", "owa"] < 1.0  # beats Naive2 on these hourly series


def test_unknown_suite():
    with pytest.raises(ValueError, match="unknown suite 'speech'"):
        run_bench(["speech"])
