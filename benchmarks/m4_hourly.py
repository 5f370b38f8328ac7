"""M4 Hourly benchmark of tsclassic.arima and tsclassic.decomposition.

Every forecaster runs on the M4 Hourly series (h = 48, MASE with m = 24) through
``tsclassic.parallel.forecast_many``; sMAPE, MASE and OWA (relative to our Naive2 on the
same series) are printed beside the official M4 figures and, where statsforecast is
installed, beside its ``AutoARIMA(season_length=24)`` and ``AutoETS`` run in this script.
The slow exact-likelihood models run on a fixed 20-series subset (every 21st series),
with the tsclassic and statsforecast models compared on the same subset.

Run with ``OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/m4_hourly.py`` (about ten
minutes on 2 cores); ``--quick`` uses 40 series and skips the subset models.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from tsclassic.arima import (
    AutoSARIMAX,
    ExponentialSmoothingForecaster,
    SARIMAXForecaster,
    ThetaForecaster,
)
from tsclassic.baselines import Naive, Naive2, SeasonalNaive
from tsclassic.datasets import load_m4
from tsclassic.decomposition import DecompositionForecaster
from tsclassic.metrics import mase, smape
from tsclassic.parallel import forecast_many

H, M = 48, 24
# sMAPE, MASE, OWA from the M4 "Evaluation and Ranks.xlsx" (Hourly).
OFFICIAL = {
    "Naive": (43.003, 11.608, 3.593), "SeasonalNaive": (13.912, 1.193, 0.627),
    "Naive2": (18.383, 2.395, 1.000), "SES (M4)": (18.094, 2.385, 0.990),
    "Holt (M4)": (29.249, 9.356, 2.749), "Damped (M4)": (19.265, 2.956, 1.141),
    "Theta (M4)": (18.138, 2.455, 1.006),
}


def m4_adjusted(forecaster):
    """The M4 benchmarks' scheme: 90% ACF test, classical multiplicative adjustment."""
    return DecompositionForecaster(M, trend_forecaster=forecaster, method="classical", model="multiplicative",
                                   seasonal_test=True)


def full_models():
    return {
        "Naive": Naive(),
        "SeasonalNaive": SeasonalNaive(M),
        "Naive2": Naive2(M),
        "SES (M4)": m4_adjusted(ExponentialSmoothingForecaster()),
        "Holt (M4)": m4_adjusted(ExponentialSmoothingForecaster(trend="add")),
        "Damped (M4)": m4_adjusted(ExponentialSmoothingForecaster(trend="add", damped_trend=True)),
        "Theta (M4)": ThetaForecaster(M),
        "MSTL[24,168]+Damped": DecompositionForecaster([24, 168]),
        "MSTL[24,168]+Theta": DecompositionForecaster([24, 168], trend_forecaster=ThetaForecaster()),
        "AutoSARIMAX(24, css)": AutoSARIMAX(M, method="css"),
    }


def subset_models():
    return {
        "SARIMAX(1,0,1)(1,1,1,24)": SARIMAXForecaster((1, 0, 1), seasonal_order=(1, 1, 1, M)),
        "AutoSARIMAX(24, css)": AutoSARIMAX(M, method="css"),
        "AutoSARIMAX(24, css-ml)": AutoSARIMAX(M, method="css-ml"),
    }


def score(forecasts: pd.DataFrame, train: dict, test: dict, column: str) -> tuple[float, float, int]:
    smapes, mases = [], []
    for uid, group in forecasts.groupby("unique_id", sort=False):
        pred = group[column].to_numpy()
        if not np.isfinite(pred).all():
            continue
        smapes.append(smape(test[uid], pred))
        mases.append(mase(test[uid], pred, train[uid], season_length=M))
    return float(np.mean(smapes)), float(np.mean(mases)), len(smapes)


def run_tsclassic(models, df, train, test, n_jobs):
    rows = {}
    for name, model in models.items():
        start = time.perf_counter()
        out = forecast_many(model, df, h=H, n_jobs=n_jobs, progress=False)
        wall = time.perf_counter() - start
        failed = int(out.groupby("unique_id")["error"].first().notna().sum())
        s, m, n = score(out, train, test, "yhat")
        rows[name] = {"sMAPE": s, "MASE": m, "series": n, "failed": failed, "wall_s": wall}
        print(f"  {name:28s} sMAPE {s:7.3f} MASE {m:6.3f} wall {wall:7.1f}s", flush=True)
    return rows


def run_statsforecast(names, df, train, test, n_jobs):
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoARIMA, AutoETS
    except ImportError:
        print("  statsforecast not installed: peers skipped")
        return {}
    makers = {"statsforecast AutoARIMA(24)": lambda: AutoARIMA(season_length=M),
              "statsforecast AutoETS(24)": lambda: AutoETS(season_length=M)}
    rows = {}
    for name in names:
        model = makers[name]()
        start = time.perf_counter()
        sf = StatsForecast(models=[model], freq=1, n_jobs=n_jobs)
        out = sf.forecast(df=df[["unique_id", "ds", "y"]], h=H).reset_index()
        wall = time.perf_counter() - start
        column = [c for c in out.columns if c not in ("unique_id", "ds", "index")][0]
        s, m, n = score(out, train, test, column)
        rows[name] = {"sMAPE": s, "MASE": m, "series": n, "failed": 0, "wall_s": wall}
        print(f"  {name:28s} sMAPE {s:7.3f} MASE {m:6.3f} wall {wall:7.1f}s", flush=True)
    return rows


def table(rows: dict, naive2: tuple[float, float], n_series: int, n_jobs: int, official: bool) -> str:
    peers = [name for name in rows if name.startswith("statsforecast")]
    peer = rows[peers[0]] if peers else None
    peer_label = f"{peers[0]} time / this time" if peers else "peer time / this time"
    lines = [f"| model | series | sMAPE | MASE | OWA | wall (s) | s/series/core | {peer_label} | "
             "official sMAPE / MASE / OWA |", "|---|---|---|---|---|---|---|---|---|"]
    for name, r in rows.items():
        owa = 0.5 * (r["sMAPE"] / naive2[0] + r["MASE"] / naive2[1])
        per = r["wall_s"] * n_jobs / n_series
        ref = OFFICIAL.get(name) if official else None
        ref_text = " / ".join(f"{v:.3f}" for v in ref) if ref else ""
        failed = f" ({r['failed']} failed)" if r["failed"] else ""
        # Same series, same run, same n_jobs: the ratio of wall times is the speed-up.
        ratio = f"{peer['wall_s'] / r['wall_s']:.2f}" if peer else ""
        lines.append(f"| {name} | {r['series']}{failed} | {r['sMAPE']:.3f} | {r['MASE']:.3f} | "
                     f"{owa:.3f} | {r['wall_s']:.1f} | {per:.2f} | {ratio} | {ref_text} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 series, no subset models")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--skip-peers", action="store_true")
    args = parser.parse_args()

    df = load_m4(frequency="hourly", split="train")
    test_df = load_m4(frequency="hourly", split="test")
    ids = df["unique_id"].unique()
    if args.quick:
        ids = ids[::10][:40]
        df = df[df["unique_id"].isin(ids)]
    train = {k: g["y"].to_numpy() for k, g in df.groupby("unique_id", sort=False)}
    test = {k: g["y"].to_numpy() for k, g in test_df.groupby("unique_id", sort=False)}

    print(f"Full set: {len(ids)} series", flush=True)
    full = run_tsclassic(full_models(), df, train, test, args.n_jobs)
    if not args.skip_peers:
        full.update(run_statsforecast(["statsforecast AutoETS(24)"], df, train, test, args.n_jobs))
    naive2_full = (full["Naive2"]["sMAPE"], full["Naive2"]["MASE"])
    sections = [f"## All {len(ids)} series\n\nOWA relative to Naive2 on the same series.\n\n"
                + table(full, naive2_full, len(ids), args.n_jobs, official=not args.quick)]

    if not args.quick:
        sub_ids = ids[::21][:20]
        sub = df[df["unique_id"].isin(sub_ids)]
        print(f"Subset: {len(sub_ids)} series", flush=True)
        rows = run_tsclassic({"Naive2": Naive2(M), "SeasonalNaive": SeasonalNaive(M),
                              **subset_models()}, sub, train, test, args.n_jobs)
        if not args.skip_peers:
            rows.update(run_statsforecast(["statsforecast AutoARIMA(24)"], sub, train, test,
                                          args.n_jobs))
        naive2_sub = (rows["Naive2"]["sMAPE"], rows["Naive2"]["MASE"])
        sections.append(
            f"## Fixed subset of {len(sub_ids)} series (every 21st: {', '.join(sub_ids[:3])}, ...)"
            "\n\nOWA relative to Naive2 on the subset.\n\n"
            + table(rows, naive2_sub, len(sub_ids), args.n_jobs, official=False))

    header = (
        f"# M4 Hourly benchmark\n\nDate: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. "
        f"Machine: {os.cpu_count()} cores (shared with other jobs: timings are noisy), "
        f"{platform.machine()}, Python {platform.python_version()}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, n_jobs={args.n_jobs}.\n\n"
        f"Command: `OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '')} "
        f"{Path(sys.executable).parent.parent.name}/bin/python benchmarks/m4_hourly.py "
        f"{' '.join(sys.argv[1:])}`\n\n"
        "h = 48, MASE with m = 24. 's/series/core' = wall time x n_jobs / series. "
        "'(M4)' models are the M4 benchmarks' scheme: the 90% ACF seasonality test and a "
        "classical multiplicative adjustment (DecompositionForecaster(24, ..., "
        "method='classical', model='multiplicative', seasonal_test=True)).\n"
    )
    text = header + "\n" + "\n\n".join(sections) + "\n"
    print(text)
    if not args.quick:
        out = Path(__file__).parent / "results" / "m4_hourly.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"written to {out}")


if __name__ == "__main__":
    main()
