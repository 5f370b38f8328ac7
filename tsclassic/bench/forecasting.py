"""Forecasting suite: classical forecasters against deep ones on M4 Hourly, M1 (yearly,
quarterly, monthly) and AirPassengers, scored with sMAPE, MASE, OWA (against Naive2 on
the same series) and MSE, and, for models whose tags say ``intervals=True``, the MSIS
and coverage of their 95% intervals.

M4 official figures (Makridakis et al. 2020, ``Evaluation and Ranks.xlsx`` of
``Mcompetitions/M4-methods``) are stored beside ours where the method is the same.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from tsclassic import metrics
from tsclassic.bench._models import Nested, budget_record, make_estimator, warm_up_torch

logger = logging.getLogger("tsclassic.bench")

SUITE = "forecasting"
M4_SOURCE = "M4 official, Makridakis et al. 2020 (Evaluation and Ranks.xlsx)"
# Official M4 Hourly figures: sMAPE, MASE, OWA.
M4_HOURLY_OFFICIAL = {
    "Naive": (43.003, 11.608, 3.593),
    "SeasonalNaive": (13.912, 1.193, 0.627),
    "Naive2": (18.383, 2.395, 1.000),
    "SES": (18.094, 2.385, 0.990),
    "Holt": (29.249, 9.356, 2.749),
    "Damped": (19.265, 2.956, 1.141),
    "Theta": (18.138, 2.455, 1.006),
    "RNN-LSTM": (14.698, 3.048, 1.036),
}
# N-BEATS on M4 Hourly: the paper gives its sMAPE on the 414 hourly series (appendix C.1,
# Table 13: the Hourly row has one cell, series type "Other"; 1.132 below Smyl's, so the
# M4 winner's 9.329) but no MASE or OWA of Hourly alone: its OWA tables (11, 12) pool
# Weekly, Daily and Hourly as "Others" (5k series; N-BEATS-G sMAPE 3.574, OWA 0.822).
NBEATS_SOURCE = ("Oreshkin et al. 2020 (ICLR, arXiv:1905.10437), App. C.1 Table 13: N-BEATS "
                 "sMAPE on M4 Hourly (configuration not named there); no Hourly MASE/OWA "
                 "published: Tables 11-12 pool Weekly+Daily+Hourly as Others (N-BEATS-G "
                 "sMAPE 3.574, OWA 0.822)")
M4_HOURLY_PUBLISHED_DEEP = {"Global N-BEATS-G": (8.197, None, None)}


def published_reference(dataset: str, model: str) -> dict:
    """The published M4 Hourly figures (sMAPE, MASE, OWA; None where not published) of a
    bench model and their source, as the cell's ``reference*`` columns."""
    official = M4_HOURLY_OFFICIAL.get(model) if dataset == "M4-Hourly" else None
    deep = M4_HOURLY_PUBLISHED_DEEP.get(model) if dataset == "M4-Hourly" else None
    figures, source = (official, M4_SOURCE) if official else (deep, NBEATS_SOURCE)
    figures = figures or (None, None, None)
    return {"reference": figures[0], "reference_mase": figures[1], "reference_owa": figures[2],
            "reference_source": source if figures[0] is not None else None}


@dataclass(frozen=True)
class ForecastModel:
    """One model of the suite: a tsclassic estimator name and its parameters.

    ``light`` models are cheap enough for every M4 series in ``--quick``; a dataset with
    more than ``max_series`` series is skipped (the RNNs train one network per series on
    the CPU, so they run on AirPassengers and a fixed M4 subset, beside every classical
    model on the same subset).
    """

    name: str
    estimator: str
    params: dict = field(default_factory=dict)
    family: str = "classical"
    light: bool = True
    max_series: int = 10_000
    is_global: bool = False  # one model across the data set's series (a long frame)
    quick_max_series: int = 10_000  # max_series in --quick
    # The cell is heavy (a full run does it after every light cell of every suite) on a
    # data set of more training values in all than this; None: never heavy.
    heavy_above: int | None = None

    def heavy_on(self, train: list[np.ndarray]) -> bool:
        return self.heavy_above is not None and sum(map(len, train)) > self.heavy_above


# Deep budgets in epochs, so that a cell is reproducible from random_state; the wall-clock
# limit is only a safety stop, and a cell it stops is flagged in the report.
RNN_EPOCHS, SAFETY_SECONDS = 50, 60.0
GLOBAL_EPOCHS = 30
# M4 Hourly has 373,000 training values: the cells that take minutes on it (measured one
# at a time, one thread: MSTL decomposition with its interval probes 5 CPU s a series,
# N-BEATS 17 CPU s an epoch, the global LSTM 56 at 200 windows a series) are heavy.
HEAVY_VALUES = 100_000
# The global LSTM reads 64 windows a series, as the GBM does (a third of its default 200):
# at 200 its 30 epochs on M4 Hourly took 28 CPU minutes.
GLOBAL_RNN = {"max_windows": 64}
# The global networks' safety stop in a full run: 30 epochs of N-BEATS on M4 Hourly are
# 510 CPU s, so the former 600 s stopped it (and the LSTM) by the clock on a loaded
# machine (15 of 30 epochs on 2026-12-02, flagged time-limited); 1800 s stops a runaway.
GLOBAL_SAFETY_SECONDS = 1800.0
QUICK_GLOBAL = {"batch_size": 32, "max_epochs": 100}
# Half-width N-BEATS layers in --quick: on the 8 hourly series 12.8 CPU s for OWA 0.985
# (AirPassengers 0.459), where the 256-wide stack took about four times as long (0.912).
QUICK_NBEATS = {"layer_width": 128}
# The recursive GBM in --quick: one model of the next hour instead of 48, one per step
# ahead; on the 8 quick hourly series (window 168) OWA 0.850 in 0.7 CPU s, where the
# direct strategy gives 0.812 in 43.6 CPU s, a sixth of the quick run.
QUICK_GBM = {"strategy": "recursive"}
# Intervals are scored at 95%, the M4 competition's MSIS level.
INTERVAL_COVERAGE = 0.95


def global_window(h: int, season_length: int, long_season: int | None, typical: int) -> int:
    """The global models' window: two horizons, two seasons or the longest season, whichever
    is longest, less where the median series (``typical`` values) is too short for it
    and a horizon of targets; shorter series are padded (see :func:`_fit_predict_global`).

    Why the median and not the shortest series: M1 has yearly series of 9 values, and the
    shortest would leave every series of the set one lag (the rule's former window).

    Why the longest season: on M4 Hourly a window of two horizons (96 hours) misses the
    weekly season, and the global GBM scores OWA 0.532 where 168 hours give 0.462
    (benchmarks/results/global_forecasting.md)."""
    wanted = max(2 * h, 2 * season_length, long_season or 1)
    return max(1, min(wanted, typical - h))


def global_models(h: int, season_length: int, typical: int, quick: bool = False,
                  long_season: int | None = None) -> list[ForecastModel]:
    """The global models of a data set whose median training series has ``typical``
    values, with the window of :func:`global_window`.

    The quick data sets have a few hundred windows in all, which batches of 256 would turn
    into one or two steps an epoch: there the networks take batches of 32 and more epochs
    (at the full run's settings the RNN does worse than Naive2 on AirPassengers)."""
    window = global_window(h, season_length, long_season, typical)
    common = {"window_length": window, "max_horizon": h, "random_state": 0}
    deep = {**common, "max_epochs": GLOBAL_EPOCHS,
            "max_time": 10 * SAFETY_SECONDS if quick else GLOBAL_SAFETY_SECONDS,
            "verbose": False, **(QUICK_GLOBAL if quick else {})}
    return [
        # Points only (calibration=None): the suite scores point forecasts, and calibrating
        # would fit every model twice.
        ForecastModel("Global GBM", "GlobalReductionForecaster",
                      {**common, "calibration": None, **(QUICK_GBM if quick else {})},
                      light=False, is_global=True),
        ForecastModel("Global N-BEATS-G", "GlobalMLPForecaster",
                      {**deep, **(QUICK_NBEATS if quick else {})}, family="deep",
                      light=False, is_global=True, heavy_above=HEAVY_VALUES),
        ForecastModel("Global RNN-LSTM", "GlobalRNNForecaster",
                      {**deep, **({} if quick else GLOBAL_RNN)}, family="deep",
                      light=False, is_global=True, heavy_above=HEAVY_VALUES),
    ]


def models(season_length: int, long_season: int | None) -> list[ForecastModel]:
    m = season_length
    seasons = [m] if long_season is None else [m, long_season]
    rnn = {"window_length": 2 * m, "hidden_size": 32, "max_epochs": RNN_EPOCHS,
           "max_time": SAFETY_SECONDS, "random_state": 0, "verbose": False}
    return [
        ForecastModel("Naive", "Naive"),
        ForecastModel("SeasonalNaive", "SeasonalNaive", {"season_length": m}),
        ForecastModel("Naive2", "Naive2", {"season_length": m}),
        ForecastModel("Drift", "Drift"),
        # The M4 benchmarks smooth the series adjusted by the 90% ACF test and a classical
        # multiplicative decomposition, as Naive2 does.
        # Without a season (yearly data) they smooth the series itself.
        # SES, Holt and Damped are ETS(A,N,N), (A,A,N) and (A,Ad,N) by maximum likelihood,
        # as R's forecast::ses/holt that M4 ran; AutoETS with the model fixed fits them in
        # a third of statsmodels' time (40 hourly series: 1.7-2.0 s against 5.6-6.5 s).
        # On a series too short for the model (Damped on M1's 9-value yearly series)
        # AutoETS warns and fits undamped Holt by least squares as R does; the cell's
        # n_warned counts those series.
        *(ForecastModel(name, "AutoETS", ets) if m == 1 else
          ForecastModel(name, "DecompositionForecaster",
                        {"season_length": m, "trend_forecaster": Nested("AutoETS", ets),
                         "method": "classical", "model": "multiplicative", "seasonal_test": True})
          for name, ets in [("SES", {"model": "ANN"}),
                            ("Holt", {"model": "AAN", "damped_trend": False}),
                            ("Damped", {"model": "AAdN"})]),
        ForecastModel("Theta", "ThetaForecaster", {"season_length": m}),
        ForecastModel("AutoSARIMAX", "AutoSARIMAX", {"season_length": m, "method": "css"},
                      light=False),
        # MSTL of two seasons with the interval's 16 perturbed refits: 5 CPU s an hourly
        # series, so in --quick on AirPassengers only (on the 8 hourly series it was 50
        # CPU s, a sixth of the quick run).
        ForecastModel("DecompositionForecaster", "DecompositionForecaster",
                      {"season_length": seasons}, light=False, heavy_above=HEAVY_VALUES,
                      quick_max_series=1),
        ForecastModel("HarmonicForecaster", "HarmonicForecaster",
                      {"season_length": seasons, "n_harmonics": 4}, light=False),
        ForecastModel("AnalogueForecaster", "AnalogueForecaster",
                      {"window_length": 2 * m}, light=False),
        ForecastModel("ReductionForecaster", "ReductionForecaster",
                      {"window_length": 2 * m, "random_state": 0}, light=False),
        ForecastModel("NGramForecaster", "NGramForecaster",
                      {"alphabet_size": 8, "order": 3, "differences": 1}, light=False),
        # In --quick the per-series RNNs run on AirPassengers only: on the 8 hourly series
        # (700 values, h=48) 50 epochs leave them behind Naive2 (RNN-LSTM OWA 1.146
        # recursive, 1.063 direct) at 30 CPU seconds each, a third of the quick run.
        ForecastModel("RNN-LSTM", "RNNForecaster", {"cell": "lstm", **rnn}, family="deep",
                      light=False, max_series=20, quick_max_series=1, heavy_above=1_000),
        ForecastModel("RNN-GRU", "RNNForecaster", {"cell": "gru", **rnn}, family="deep",
                      light=False, max_series=20, quick_max_series=1, heavy_above=1_000),
    ]


def _fit_predict(estimator: Any, y: np.ndarray, h: int) -> tuple:
    """(forecast, fit seconds, predict seconds, error, training history or None, the 95%
    interval as an ``(h, 2)`` array or None where the model gives points only, the fit's
    first warning or None)."""
    from sklearn.base import clone

    from tsclassic.base import get_tags

    model = clone(estimator)
    try:
        start = time.perf_counter()
        # A warning of the fit (e.g. AutoETS's short-series fallback) is counted in the
        # cell: in a worker process it would otherwise be lost.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(y)
        fitted = time.perf_counter()
        forecast = np.asarray(model.predict(h), dtype=float)
        predicted = time.perf_counter()
        # The interval is scored but not timed: the time columns compare point forecasts.
        interval = (np.asarray(model.predict_interval(h, coverage=INTERVAL_COVERAGE), dtype=float)
                    if get_tags(model).intervals else None)
        warned = next((str(w.message) for w in caught if issubclass(w.category, UserWarning)),
                      None)
        return (forecast, fitted - start, predicted - fitted, None,
                getattr(model, "history_", None), interval, warned)
    except Exception as err:  # noqa: BLE001 - recorded per series, never hidden
        return np.full(h, np.nan), 0.0, 0.0, f"{type(err).__name__}: {err}", None, None, None


def _fit_predict_global(estimator: Any, train: list[np.ndarray], h: int) -> list[tuple]:
    """One model on every series: its forecasts, and its times split evenly per series.

    A series shorter than the model needs (its window and targets) is padded on the left
    with its first value, as N-BEATS pads short histories (Oreshkin et al. 2020): its own
    values stay as they are, and its scores use the series itself."""
    from sklearn.base import clone

    # The window and the targets of the direct strategy (the bench fits no calibration).
    params = estimator.get_params(deep=False)
    need = params["window_length"] + params["max_horizon"]
    train = [np.pad(y, (need - len(y), 0), mode="edge") if len(y) < need else y
             for y in train]
    frame = pd.DataFrame({
        "unique_id": np.repeat(np.arange(len(train)), [len(y) for y in train]),
        "ds": np.concatenate([np.arange(len(y)) for y in train]),
        "y": np.concatenate(train),
    })
    model = clone(estimator)
    start = time.perf_counter()
    model.fit(frame)
    fitted = time.perf_counter()
    forecasts = model.predict(h)["yhat"].to_numpy().reshape(len(train), h)
    predict_time = time.perf_counter() - fitted
    history = getattr(model, "history_", None)
    n = len(train)
    return [(f, (fitted - start) / n, predict_time / n, None, history if i == 0 else None, None,
             None) for i, f in enumerate(forecasts)]


def _interval_scores(results: list[tuple], test: list[np.ndarray], train: list[np.ndarray],
                     season_length: int) -> dict:
    """Mean MSIS and coverage of the 95% intervals, where every series has one."""
    intervals = [r[5] for r in results]
    if any(i is None for i in intervals):
        return {}
    alpha = 1 - INTERVAL_COVERAGE
    return {
        "msis": float(np.mean([metrics.msis(a, i[:, 0], i[:, 1], y, season_length=season_length,
                                            alpha=alpha)
                               for a, i, y in zip(test, intervals, train)])),
        "coverage": float(np.mean([metrics.coverage(a, i[:, 0], i[:, 1])
                                   for a, i in zip(test, intervals)])),
    }


def _score(
    estimator: Any, train: list[np.ndarray], test: list[np.ndarray], h: int,
    season_length: int, n_jobs: int | None, is_global: bool = False,
) -> dict:
    if is_global:
        results = _fit_predict_global(estimator, train, h)
    else:
        results = Parallel(n_jobs=n_jobs)(delayed(_fit_predict)(estimator, y, h) for y in train)
    if any(r[4] is not None and r[4].stopped == "interrupted" for r in results):
        # A deep fit kept its best weights on Ctrl-C, but a cell trained for less than its
        # budget is not a finished cell: stop the bench and record nothing.
        raise KeyboardInterrupt
    errors = [r[3] for r in results if r[3] is not None]
    if errors:
        raise RuntimeError(f"{len(errors)} of {len(train)} series failed; first: {errors[0]}")
    forecasts = [r[0] for r in results]
    params = estimator.get_params(deep=False)
    warned = [r[6] for r in results if r[6] is not None]
    return {
        "n_warned": len(warned),
        "first_warning": warned[0] if warned else None,
        **budget_record([r[4] for r in results if r[4] is not None],
                        params.get("max_epochs"), params.get("max_time")),
        "smape": float(np.mean([metrics.smape(a, f) for a, f in zip(test, forecasts)])),
        "mase": float(np.mean([metrics.mase(a, f, y, season_length=season_length)
                               for a, f, y in zip(test, forecasts, train)])),
        "mse": float(np.mean([metrics.mse(a, f) for a, f in zip(test, forecasts)])),
        **_interval_scores(results, test, train, season_length),
        "fit_time_s": float(sum(r[1] for r in results)),
        "predict_time_s": float(sum(r[2] for r in results)),
        "n_series": len(train),
    }


# M1 per frequency: (horizon from load_m1, season length); the quick run takes the first
# QUICK_M1_SERIES series of each, with the light models.
M1_SEASONS = {"yearly": 1, "quarterly": 4, "monthly": 12}
QUICK_M1_SERIES = 10


def _series(frame: pd.DataFrame, ids: Any) -> list[np.ndarray]:
    groups = {key: g["y"].to_numpy() for key, g in frame.groupby("unique_id", sort=False)}
    return [groups[key] for key in ids]


def _datasets(quick: bool) -> list[tuple[str, list[np.ndarray], list[np.ndarray], int, int, int | None, str]]:
    """(name, train, test, h, season_length, long_season, scope): ``scope`` says which
    models run: "all", "light" or "light+global" (the light and the global models)."""
    from tsclassic.datasets import load_airline, load_m1, load_m4

    air = load_airline().to_numpy()
    out = [("AirPassengers", [air[:-12]], [air[-12:]], 12, 12, None, "all")]
    train_df, test_df = load_m4(frequency="hourly", split="train"), load_m4(frequency="hourly", split="test")
    ids = train_df["unique_id"].unique()
    train, test = _series(train_df, ids), _series(test_df, ids)
    out.append(("M4-Hourly", train, test, 48, 24, 168, "light" if quick else "all"))
    # A fixed subset on which every model runs, the RNNs included: every 21st series in
    # a full run (20 series), the first 8 in --quick.
    picks = list(range(8)) if quick else list(range(0, len(ids), 21))[:20]
    label = (f"M4-Hourly[{ids[0]}..{ids[7]}]" if quick else "M4-Hourly[every 21st, 20 series]")
    out.append((label, [train[i] for i in picks], [test[i] for i in picks], 48, 24, 168, "all"))
    for frequency, m in M1_SEASONS.items():
        m1_train, m1_test, h = load_m1(frequency=frequency)
        m1_ids = m1_train["unique_id"].unique()
        name = f"M1-{frequency.capitalize()}"
        if quick:
            m1_ids = m1_ids[:QUICK_M1_SERIES]
            name += f"[{m1_ids[0]}..{m1_ids[-1]}]"
        out.append((name, _series(m1_train, m1_ids), _series(m1_test, m1_ids), h, m, None,
                    "light" if quick else "light+global"))
    return out


def _in_scope(spec: ForecastModel, scope: str) -> bool:
    return scope == "all" or spec.light or (scope == "light+global" and spec.is_global)


def _cells(quick: bool, heavy: bool | None = None, deep: bool | None = None):
    """Per data set, ``(name, train, test, h, m, specs)``: the models the run scores on it,
    the heavy ones only (``heavy=True``), the others only (``False``), or all (``None``);
    of the deep family only (``deep=True``), the others (``False``), or both (``None``)."""
    for name, train, test, h, m, long_season, scope in _datasets(quick):
        typical = int(np.median([len(y) for y in train]))
        specs = [spec for spec in [*models(m, long_season),
                                   *global_models(h, m, typical, quick, long_season)]
                 if _in_scope(spec, scope)
                 and len(train) <= (spec.quick_max_series if quick else spec.max_series)
                 and (heavy is None or spec.heavy_on(train) == heavy)
                 and (deep is None or (spec.family == "deep") == deep)]
        yield name, train, test, h, m, specs


def planned(quick: bool = False) -> list[tuple[str, str, dict]]:
    """Every ``(dataset, model, configuration)`` cell of a run."""
    return [(name, spec.name, spec.params)
            for name, *_, specs in _cells(quick) for spec in specs]


def run(store: Any, quick: bool = False, n_jobs: int | None = None,
        heavy: bool | None = None, deep: bool | None = None) -> None:
    """Run every (dataset, model) cell not yet in ``store``: the heavy cells only
    (``heavy=True``), the others only (``False``), or all (``None``); of the deep models
    only (``deep=True``), the others only (``False``), or both (``None``)."""
    for name, train, test, h, m, specs in _cells(quick, heavy, deep):
        todo = [spec for spec in specs if not store.done(SUITE, name, spec.name, spec.params)]
        if not todo:
            continue
        naive2 = make_estimator("Naive2", {"season_length": m})
        reference = _score(naive2, train, test, h, m, n_jobs)
        for spec in todo:
            estimator = make_estimator(spec.estimator, spec.params)
            if estimator is None:
                continue
            if spec.family == "deep":
                warm_up_torch()
            logger.info("forecasting: %s on %s", spec.name, name)
            try:
                scores = _score(estimator, train, test, h, m, n_jobs, spec.is_global)
            except (RuntimeError, ValueError) as err:
                logger.warning("forecasting: %s on %s failed: %s", spec.name, name, err)
                continue
            store.save({
                "suite": SUITE, "dataset": name, "model": spec.name, "family": spec.family,
                **scores,
                "owa": metrics.owa(scores["smape"], scores["mase"], reference["smape"], reference["mase"]),
                **published_reference(name, spec.name),
            }, config=spec.params)


def table(results: pd.DataFrame) -> pd.DataFrame:
    """The suite's rows, one per (dataset, model), sorted by OWA."""
    rows = results[results["suite"] == SUITE]
    cols = ["dataset", "model", "family", "smape", "mase", "owa", "mse", "msis", "coverage",
            "fit_time_s",
            "predict_time_s", "reference", "reference_mase", "reference_owa"]
    cols = [c for c in cols if c in rows.columns]
    return rows[cols].sort_values(["dataset", "owa"]).reset_index(drop=True)
