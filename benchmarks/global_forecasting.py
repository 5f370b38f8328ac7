"""Global forecasters on all 414 M4 Hourly series: one model across every series.

GlobalReductionForecaster (one gradient-boosting model per step ahead on windows pooled
across the series), GlobalMLPForecaster (N-BEATS generic) and GlobalRNNForecaster, beside
the per-series Naive2 and SeasonalNaive run in this script and, where statsforecast is
installed, its per-series AutoETS(24) timed in the same run. sMAPE, MASE and OWA as in M4
(OWA against our Naive2 on the same series); MSIS and coverage for 95% intervals where a
model has them. The deep models train under an epoch budget; the table says how many
epochs each ran and whether the budget stopped it while its validation loss still fell.

Run with ``OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/global_forecasting.py``;
``--skip-deep`` and ``--skip-peers`` leave those rows out.
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

from tsclassic.baselines import Naive2, SeasonalNaive
from tsclassic.datasets import load_m4
from tsclassic.metrics import coverage, mase, msis, smape
from tsclassic.ml import GlobalReductionForecaster
from tsclassic.parallel import forecast_many

H, M = 48, 24
# The M4 Hourly figures the verdict is read against (Makridakis et al. 2020): the winner,
# Smyl's hybrid of exponential smoothing and one RNN across series, and the best pure
# combination of statistical methods.
M4_HOURLY_REFERENCE = {"M4 winner (ES-RNN, Smyl 2020)": 0.440,
                       "best statistical combination in M4": 0.444,
                       "per-series AutoSARIMAX (benchmarks/results/m4_hourly.md)": 0.514}


def scores(frame: pd.DataFrame, train: dict, test: dict) -> dict:
    rows = {"sMAPE": [], "MASE": [], "MSIS": [], "coverage": []}
    for uid, group in frame.groupby("unique_id", sort=False):
        pred = group["yhat"].to_numpy()
        rows["sMAPE"].append(smape(test[uid], pred))
        rows["MASE"].append(mase(test[uid], pred, train[uid], season_length=M))
        if "lo" in group:
            lo, hi = group["lo"].to_numpy(), group["hi"].to_numpy()
            rows["MSIS"].append(msis(test[uid], lo, hi, train[uid], season_length=M, alpha=0.05))
            rows["coverage"].append(coverage(test[uid], lo, hi))
    return {k: float(np.mean(v)) if v else float("nan") for k, v in rows.items()}


def run_global(name: str, model, df: pd.DataFrame, train: dict, test: dict) -> dict:
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(df)
    frame = model.predict(H)
    if getattr(model, "calibration", None) is not None:
        bounds = model.predict_interval(H, coverage=0.95)
        frame = frame.assign(lo=bounds["lo"].to_numpy(), hi=bounds["hi"].to_numpy())
    row = {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
           **scores(frame, train, test)}
    history = getattr(model, "history_", None)
    if history is not None:
        improving = len(history.valid_loss) >= 2 and history.valid_loss[-1] <= min(history.valid_loss)
        row["budget"] = (f"{model.n_epochs_}/{model.max_epochs} epochs, stopped: {history.stopped}"
                         + (" (budget-limited: validation loss still falling)"
                            if history.stopped in ("max_epochs", "max_time") and improving else ""))
    print(f"  {name:40s} sMAPE {row['sMAPE']:7.3f} MASE {row['MASE']:6.3f} "
          f"wall {row['wall_s']:7.1f}s", flush=True)
    return row


def run_per_series(name: str, model, df: pd.DataFrame, train: dict, test: dict) -> dict:
    start, cpu = time.perf_counter(), time.process_time()
    from tsclassic.base import get_tags

    frame = forecast_many(model, df, h=H, coverage=0.95 if get_tags(model).intervals else None,
                          progress=False)
    row = {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
           **scores(frame, train, test)}
    print(f"  {name:40s} sMAPE {row['sMAPE']:7.3f} MASE {row['MASE']:6.3f}", flush=True)
    return row


def run_statsforecast(df: pd.DataFrame, train: dict, test: dict) -> dict | None:
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS
    except ImportError:
        print("  statsforecast not installed: the peer row is skipped")
        return None
    start, cpu = time.perf_counter(), time.process_time()
    out = StatsForecast(models=[AutoETS(season_length=M)], freq=1, n_jobs=1).forecast(
        df=df, h=H).reset_index()
    out = out.rename(columns={"AutoETS": "yhat"})
    row = {"wall_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
           **scores(out, train, test)}
    print(f"  {'statsforecast AutoETS(24), per series':40s} sMAPE {row['sMAPE']:7.3f}", flush=True)
    return row


def models(args) -> dict:
    out = {"GlobalReductionForecaster(window 168, HGB)": GlobalReductionForecaster(
        window_length=168, max_horizon=H, season_length=M, random_state=0)}
    if not args.skip_deep:
        from tsclassic.deep import GlobalMLPForecaster, GlobalRNNForecaster

        budget = dict(window_length=168, max_horizon=H, max_epochs=args.epochs, patience=5,
                      random_state=0, verbose=False)
        out["GlobalMLPForecaster (N-BEATS-G, 6x256)"] = GlobalMLPForecaster(**budget)
        if args.rnn:
            out["GlobalRNNForecaster (LSTM 64)"] = GlobalRNNForecaster(**budget)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-deep", action="store_true")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--epochs", type=int, default=30, help="the deep models' epoch budget")
    parser.add_argument("--rnn", action="store_true", help="also the global LSTM (slow on a CPU)")
    args = parser.parse_args()

    df = load_m4(frequency="hourly", split="train")
    train = {k: g["y"].to_numpy() for k, g in df.groupby("unique_id", sort=False)}
    test = {k: g["y"].to_numpy() for k, g in load_m4(frequency="hourly", split="test").groupby("unique_id", sort=False)}
    rows = {"Naive2 (per series)": run_per_series("Naive2", Naive2(M), df, train, test),
            "SeasonalNaive (per series)": run_per_series("SeasonalNaive", SeasonalNaive(M), df,
                                                         train, test)}
    for name, model in models(args).items():
        rows[name] = run_global(name, model, df, train, test)
    if not args.skip_peers:
        peer = run_statsforecast(df, train, test)
        if peer is not None:
            rows["statsforecast AutoETS(24), per series"] = peer

    naive2 = rows["Naive2 (per series)"]
    peer = rows.get("statsforecast AutoETS(24), per series")
    lines = ["| model | sMAPE | MASE | OWA | MSIS (95%) | coverage (95%) | wall (s) | CPU (s) | "
             "statsforecast AutoETS CPU / this CPU | budget |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in rows.items():
        owa = 0.5 * (r["sMAPE"] / naive2["sMAPE"] + r["MASE"] / naive2["MASE"])
        ratio = f"{peer['cpu_s'] / r['cpu_s']:.2f}" if peer and r["cpu_s"] > 0 else ""
        interval = (f"{r['MSIS']:.2f} | {r['coverage']:.3f}" if np.isfinite(r["MSIS"])
                    else " | ")
        lines.append(f"| {name} | {r['sMAPE']:.3f} | {r['MASE']:.3f} | {owa:.3f} | {interval} | "
                     f"{r['wall_s']:.1f} | {r['cpu_s']:.1f} | {ratio} | {r.get('budget', '')} |")
    reference = "\n".join(f"- {k}: OWA {v:.3f}" for k, v in M4_HOURLY_REFERENCE.items())
    text = (
        f"# Global forecasters on M4 Hourly (414 series, h = 48, m = 24)\n\n"
        f"Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. Machine: {os.cpu_count()} "
        f"cores, shared with other jobs (wall times are noisy; CPU time is this process's), "
        f"{platform.machine()}, Python {platform.python_version()}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}.\n\n"
        f"Command: `OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '')} "
        f"{Path(sys.executable).parent.parent.name}/bin/python benchmarks/global_forecasting.py "
        f"{' '.join(sys.argv[1:])}`\n\n"
        "OWA against our Naive2 on the same series. The global models fit one model on "
        "windows from all 414 series (at most 64 per series for the GBM, 200 for the network), each window scaled by its own "
        "mean and spread; the GBM's 95% intervals are split-conformal on the last 48 hours "
        "of each series, held out, its errors in units of each series' mean absolute "
        "seasonal difference (the MASE scale).\n\n" + "\n".join(lines)
        + f"\n\nReference points (M4 Hourly OWA):\n\n{reference}\n"
    )
    print(text)
    out = Path(__file__).parent / "results" / "global_forecasting.md"
    out.write_text(text)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
