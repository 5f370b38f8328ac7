"""The classification and generation bench suites, on tiny subsets."""

from __future__ import annotations

import logging
import math
from types import SimpleNamespace

import numpy as np
import pytest

from tsclassic.bench import ResultStore
from tsclassic.bench import classification as cls_suite
from tsclassic.bench import generation as gen_suite
from tsclassic.datasets import load_ucr


class CountingStore(ResultStore):
    """A real store that also counts its saves."""

    def __init__(self, out_dir):
        super().__init__(out_dir)
        self.saved = []

    def save(self, record, config=None):
        self.saved.append(record)
        super().save(record, config)


TINY_DEEP = {"max_epochs": 3, "random_state": 0, "verbose": False}


@pytest.fixture
def tiny_classification(monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.setattr(cls_suite, "datasets", lambda quick: ["ItalyPowerDemand"])
    monkeypatch.setattr(cls_suite, "models", lambda quick: [
        cls_suite.ClassifierModel("1NN-DTW", "KNeighborsDTWClassifier", {"n_neighbors": 1},
                                  published="1NN-DTW-full"),
        cls_suite.ClassifierModel("FCN", "FCNClassifier",
                                  {"filters": (8, 8), "kernel_sizes": (3, 3), **TINY_DEEP},
                                  family="deep", published="FCN"),
        cls_suite.ClassifierModel("Missing", "NoSuchClassifier"),
    ])


def test_classification_suite_records_cells_and_resumes(tiny_classification, tmp_path, caplog):
    store = CountingStore(tmp_path)
    with caplog.at_level(logging.WARNING, logger="tsclassic.bench"):
        cls_suite.run(store, quick=True, n_jobs=1)
    assert "NoSuchClassifier is not available" in caplog.text
    results = store.load().set_index("model")
    # the missing model records nothing; the majority-class baseline is recorded per set
    assert set(results.index) == {"1NN-DTW", "FCN", "Majority"}
    assert dict(results["family"]) == {"1NN-DTW": "classical", "FCN": "deep",
                                       "Majority": "baseline"}
    _, y_test = load_ucr("ItalyPowerDemand", split="test")
    majority = results.loc["Majority"]
    assert majority["accuracy"] == pytest.approx(np.mean(y_test == "1"))  # "1" leads the train set
    assert majority["log_loss"] == pytest.approx(np.log(2), abs=0.01)  # 34 and 33 of 67
    for _, row in results.drop(index="Majority").iterrows():
        assert 0 <= row["accuracy"] <= 1 and row["log_loss"] > 0
        assert row["fit_time_s"] >= 0 and row["predict_time_s"] > 0
        assert row["n_train"] == 67 and row["n_test"] == 1029
    # 1-NN DTW (full window) on the archive's split is the archive's own figure.
    dtw = results.loc["1NN-DTW"]
    assert dtw["reference"] == pytest.approx(0.9504)
    assert dtw["accuracy"] == pytest.approx(dtw["reference"], abs=0.002)
    assert "Dau et al. 2019" in dtw["reference_source"]
    assert results.loc["FCN", "reference"] == pytest.approx(0.961)
    assert "Fawaz" in results.loc["FCN", "reference_source"]
    assert results.loc["FCN", "n_epochs"] == 3 and math.isnan(dtw["n_epochs"])
    # A rerun finds every cell finished and trains nothing.
    first = len(store.saved)
    cls_suite.run(store, quick=True, n_jobs=1)
    assert len(store.saved) == first == 3
    table = cls_suite.table(store.load())
    assert list(table.columns[:4]) == ["dataset", "model", "family", "accuracy"]


def test_a_failing_model_is_logged_and_not_recorded(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(cls_suite, "datasets", lambda quick: ["ItalyPowerDemand"])
    monkeypatch.setattr(cls_suite, "models", lambda quick: [
        cls_suite.ClassifierModel("Broken", "KNeighborsDTWClassifier", {"n_neighbors": -3})])
    store = CountingStore(tmp_path)
    with caplog.at_level(logging.WARNING, logger="tsclassic.bench"):
        cls_suite.run(store, quick=True, n_jobs=None)
    # only the majority-class baseline is recorded
    assert [r["model"] for r in store.saved] == ["Majority"]
    assert "Broken on ItalyPowerDemand failed" in caplog.text


def test_an_interrupted_deep_fit_stops_the_bench_without_recording():
    class Interrupted:
        classes_ = np.array(["a", "b"])

        def fit(self, X, y=None):
            self.history_ = SimpleNamespace(stopped="interrupted", train_loss=[1.0])
            return self

    X = np.zeros((4, 5))
    with pytest.raises(KeyboardInterrupt):
        cls_suite.evaluate(Interrupted(), X, np.array(["a", "b"] * 2), X, np.array(["a"] * 4))
    with pytest.raises(KeyboardInterrupt):
        gen_suite.evaluate(Interrupted(), [["a"]], [["a"]])


def test_published_references_use_the_default_split():
    table = cls_suite.published_accuracy()
    assert table["split"].str.startswith("default").all()
    assert cls_suite.reference(table, "GunPoint", "1NN-DTW-full")[0] == pytest.approx(0.9067)
    assert cls_suite.reference(table, "GunPoint", "FCN")[0] == pytest.approx(1.0)
    assert cls_suite.reference(table, "GunPoint", None) == (None, None)
    assert cls_suite.reference(table, "NoSuchSet", "FCN") == (None, None)


def test_quick_runs_use_small_sets_and_budgets():
    from tsclassic.datasets import list_ucr

    assert cls_suite.datasets(True) == list(cls_suite.QUICK_DATASETS)
    assert cls_suite.datasets(False) == list_ucr()
    for spec in cls_suite.models(True):
        if spec.family == "deep":
            # the budget is in epochs; the time limit is a generous safety stop only
            assert spec.params["max_epochs"] <= 100 and spec.params["random_state"] == 0
            assert spec.params["max_time"] >= 60
    quick = gen_suite.datasets(True)
    assert [level for _, level, *_ in quick] == ["words", "chars"]
    for _name, level, train, test, _vocabulary in quick:
        assert gen_suite.count_tokens(train) < 10_000 and test
        assert all(len(tok) == 1 for seq in train for tok in seq) == (level == "chars")
    words_vocabulary = quick[0][4]
    # PTB's 10,000-entry vocabulary is 9,999 words and the end-of-sentence marker.
    assert len(words_vocabulary) == 9_999 and "<unk>" in words_vocabulary


def test_count_tokens_counts_one_end_token_per_sequence():
    assert gen_suite.count_tokens([["a", "b"], ["c"]]) == 5
    assert gen_suite.count_tokens(["abc"]) == 4


@pytest.fixture
def tiny_generation(monkeypatch):
    pytest.importorskip("torch")
    from tsclassic.datasets import load_ptb

    train, test = load_ptb(split="train")[:40], load_ptb(split="test")[:10]
    chars_train, chars_test = gen_suite._as_characters(train[:10]), gen_suite._as_characters(test[:3])
    vocabulary = sorted({w for s in train + test for w in s})
    monkeypatch.setattr(gen_suite, "datasets", lambda quick: [
        ("PTB-words", "words", train, test, vocabulary),  # named as the full set: references
        ("PTB-chars[10]", "chars", chars_train, chars_test, None),
    ])
    real_models = gen_suite.models

    def tiny_models(level, quick, vocabulary=None):
        specs = []
        for spec in real_models(level, quick, vocabulary):
            params = dict(spec.params)
            if spec.family == "deep":
                params.update(embedding_size=4, hidden_size=8, n_layers=1, max_epochs=2)
            specs.append(gen_suite.LanguageModel(spec.name, spec.estimator, params, spec.family,
                                                 spec.published))
        return [*specs, gen_suite.LanguageModel("Missing", "NoSuchLM")]

    monkeypatch.setattr(gen_suite, "models", tiny_models)


def test_generation_suite_records_perplexities_and_resumes(tiny_generation, tmp_path, caplog):
    store = CountingStore(tmp_path)
    with caplog.at_level(logging.WARNING, logger="tsclassic.bench"):
        gen_suite.run(store, quick=True, n_jobs=None)
    assert "NoSuchLM is not available" in caplog.text
    results = store.load().set_index(["dataset", "model"])
    assert set(results.index) == {
        ("PTB-words", "NGramLM-1"), ("PTB-words", "NGramLM-KN5"), ("PTB-words", "RNN-LSTM"),
        ("PTB-chars[10]", "NGramLM-1"), ("PTB-chars[10]", "NGramLM-7"),
        ("PTB-chars[10]", "RNN-LSTM")}
    for _, row in results.iterrows():
        assert 1 < row["perplexity"] < 1e6 and row["fit_time_s"] > 0
    words = results.loc["PTB-words"]
    assert words.loc["NGramLM-KN5", "reference"] == 141.2
    assert words.loc["RNN-LSTM", "reference"] == 114.5
    assert "Zaremba" in words.loc["RNN-LSTM", "reference_source"]
    assert results.loc[("PTB-chars[10]", "RNN-LSTM"), "reference"] is None or math.isnan(
        results.loc[("PTB-chars[10]", "RNN-LSTM"), "reference"])
    assert words.loc["RNN-LSTM", "n_tokens"] == words.loc["NGramLM-KN5", "n_tokens"]
    # the perplexity is exp(-log-likelihood / n_tokens), recomputed from the n-gram model
    from tsclassic import NGramLM

    _, _, train, test, vocabulary = gen_suite.datasets(True)[0]
    lm = NGramLM(order=5, vocabulary=vocabulary).fit(train)
    assert words.loc["NGramLM-KN5", "perplexity"] == pytest.approx(lm.perplexity(test))
    first = len(store.saved)
    gen_suite.run(store, quick=True, n_jobs=None)
    assert len(store.saved) == first == 6
    assert list(gen_suite.table(store.load()).columns[:4]) == ["dataset", "model", "family",
                                                                "perplexity"]


@pytest.mark.slow
@pytest.mark.parametrize("suite", [cls_suite, gen_suite])
def test_the_real_quick_suites_run(suite, tmp_path):
    pytest.importorskip("torch")
    store = ResultStore(tmp_path)
    suite.run(store, quick=True, n_jobs=1)
    results = store.load()
    assert set(results["family"]) == {"classical", "deep", "baseline"}
    assert results["fit_time_s"].notna().all()


def test_a_deep_forecast_interrupted_by_ctrl_c_stops_the_suite():
    from tsclassic import Naive
    from tsclassic.bench import forecasting as fc_suite

    class StoppedByCtrlC(Naive):
        def fit(self, y, X=None):
            super().fit(y, X)
            self.history_ = SimpleNamespace(stopped="interrupted", train_loss=[1.0], best_epoch=1)
            return self

    y = np.arange(30.0)
    with pytest.raises(KeyboardInterrupt):
        fc_suite._score(StoppedByCtrlC(), [y], [y[:3]], 3, 1, n_jobs=1)


def test_the_global_window_covers_the_weekly_season_of_hourly_data():
    from tsclassic.bench import forecasting as fc_suite

    # M4 Hourly: h = 48, m = 24, a week of 168 hours, the shortest series 700 values.
    windows = {s.name: s.params["window_length"]
               for s in fc_suite.global_models(48, 24, 700, False, long_season=168)}
    assert windows == dict.fromkeys(["Global GBM", "Global N-BEATS-G", "Global RNN-LSTM"], 168)
    assert fc_suite.global_window(48, 24, None, 700) == 96  # two horizons without a week
    assert fc_suite.global_window(48, 24, 168, 200) == 152  # what a 200-value series allows
    # M1 Monthly: h = 18, m = 12, median series 66 values: three years of lags
    assert fc_suite.global_window(18, 12, None, 66) == 36


def test_a_global_model_forecasts_a_series_shorter_than_its_window():
    from sklearn.linear_model import Ridge

    from tsclassic.bench import forecasting as fc_suite
    from tsclassic.bench._models import make_estimator

    t = np.arange(60.0)
    train = [10 + np.sin(t), 50 + 5 * np.sin(t), 10 + np.sin(t[:20])]  # the last too short
    test = [10 + np.sin(np.arange(60, 63)), 50 + 5 * np.sin(np.arange(60, 63)),
            10 + np.sin(np.arange(20, 23))]
    model = make_estimator("GlobalReductionForecaster", {
        "estimator": Ridge(alpha=1e-6), "window_length": 24, "max_horizon": 3,
        "calibration": None})
    scores = fc_suite._score(model, train, test, 3, 1, n_jobs=1, is_global=True)
    assert scores["n_series"] == 3 and scores["smape"] < 5.0
    assert len(train[2]) == 20  # the caller's series is not padded


def test_a_full_run_does_every_light_cell_before_a_heavy_one(monkeypatch, tmp_path):
    import tsclassic.bench as bench

    calls = []

    def fake(name):
        return SimpleNamespace(run=lambda store, quick, n_jobs, heavy, deep: calls.append(
            (name, heavy, deep, n_jobs)))

    monkeypatch.setattr(bench, "_suite_module", fake)
    monkeypatch.setattr(bench, "_write_report_uninterrupted", lambda results, out, **kw: None)
    bench.run_bench(["forecasting", "classification"], out_dir=tmp_path)
    cores = bench.available_cores()
    # light cells, then heavy deep ones, then heavy classical ones, each across the suites
    assert calls == [(suite, heavy, deep, cores)
                     for heavy, deep in [(False, None), (True, True), (True, False)]
                     for suite in ("forecasting", "classification")]
    calls.clear()
    bench.run_bench(["forecasting"], quick=True, out_dir=tmp_path, n_jobs=1)
    assert calls == [("forecasting", None, None, 1)]


def test_heavy_cells_are_those_of_minutes():
    from tsclassic.bench import forecasting as fc_suite

    m4 = [np.zeros(900)] * 414
    specs = {s.name: s for s in [*fc_suite.models(24, 168),
                                 *fc_suite.global_models(48, 24, 700, False, 168)]}
    heavy = {name for name, s in specs.items() if s.heavy_on(m4)}
    assert heavy == {"DecompositionForecaster", "Global N-BEATS-G", "Global RNN-LSTM",
                     "RNN-LSTM", "RNN-GRU"}
    assert not any(s.heavy_on([np.zeros(144)]) for s in specs.values()
                   if s.name.startswith("Global"))  # AirPassengers
    assert {s.name for s in cls_suite.models(quick=False) if s.heavy} == {"1NN-DTW-learned", "FCN"}


def test_a_fit_warning_is_counted_in_the_cell():
    # Damped (AAdN) on a 9-value series, as 4 of M1-Yearly's: AutoETS warns and fits
    # undamped Holt as R does; the cell says on how many series, with the first warning.
    from tsclassic.arima import AutoETS
    from tsclassic.bench import forecasting as fc_suite

    short = np.array([2067.0, 2261, 2102, 1590, 1768, 2246, 1602, 2074, 1546])
    longer = 100 + np.arange(20.0) + np.sin(np.arange(20.0))
    scores = fc_suite._score(AutoETS(model="AAdN"), [short, longer], [short[:3], longer[:3]], 3,
                             1, n_jobs=1)
    assert scores["n_warned"] == 1 and "Holt's linear trend (AAN)" in scores["first_warning"]
    assert np.isfinite(scores["smape"])
