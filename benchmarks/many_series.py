"""Many series: forecast_many's cost per series beside statsforecast's, and on Dask.

A long ``unique_id, ds, y`` frame of random walks of length 40 (daily timestamps, rows
shuffled so the grouping is real work) is forecast 14 days ahead with SeasonalNaive(7):
tsclassic's ``forecast_many(SeasonalNaive(7), df, h=14, n_jobs=1)`` beside statsforecast's
``StatsForecast(models=[SeasonalNaive(season_length=7)], freq="D", n_jobs=1).forecast``, on
one core, interleaved, best of ``--repeats``; the two forecasts are checked equal. Then the
same ``forecast_many`` call runs inside ``joblib.parallel_config(backend="dask")`` on a
local ``distributed.LocalCluster`` of worker processes and its output is checked identical.

Run with ``OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/many_series.py`` (a few
minutes on 2 cores; it needs statsforecast and dask[distributed]); ``--quick`` runs 2,000
and 10,000 series once.
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
from joblib import parallel_config

from tsclassic.baselines import SeasonalNaive
from tsclassic.parallel import forecast_many

LENGTH, SEASON, H = 40, 7, 14


def panel(n_series: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2020-01-01", periods=LENGTH, freq="D")
    df = pd.DataFrame({
        "unique_id": np.repeat([f"s{i}" for i in range(n_series)], LENGTH),
        "ds": np.tile(ds, n_series),
        "y": rng.normal(size=n_series * LENGTH).cumsum(),
    })
    return df.sample(frac=1.0, random_state=seed, ignore_index=True)


def ours(df: pd.DataFrame) -> pd.DataFrame:
    return forecast_many(SeasonalNaive(SEASON), df, h=H, n_jobs=1, progress=False)


def peer(df: pd.DataFrame) -> pd.DataFrame:
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalNaive as SFSeasonalNaive

    sf = StatsForecast(models=[SFSeasonalNaive(season_length=SEASON)], freq="D", n_jobs=1)
    return sf.forecast(df=df, h=H)


def agree(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Largest absolute difference between our forecasts and statsforecast's."""
    merged = a.merge(b, on=["unique_id", "ds"], how="outer")
    if len(merged) != len(a):
        return float("inf")
    return float(np.max(np.abs(merged["yhat"] - merged["SeasonalNaive"])))


def timed(fn, df) -> tuple[float, pd.DataFrame]:
    start = time.perf_counter()
    out = fn(df)
    return time.perf_counter() - start, out


def on_dask(df: pd.DataFrame, expected: pd.DataFrame, workers: int) -> tuple[float, bool]:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster, Client(cluster):
        with parallel_config(backend="dask"):
            forecast_many(SeasonalNaive(SEASON), df.iloc[:4 * LENGTH], h=H, progress=False)
            start = time.perf_counter()
            out = forecast_many(SeasonalNaive(SEASON), df, h=H, progress=False)
            wall = time.perf_counter() - start
    try:
        pd.testing.assert_frame_equal(out, expected)
        return wall, True
    except AssertionError:
        return wall, False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dask-workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "many_series.md"))
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeats = [2_000, 10_000], 1

    small = panel(50)
    ours(small), peer(small)  # imports and statsforecast's compilation, outside the timings
    rows = []
    for n in args.sizes:
        df = panel(n)
        t_ours, t_peer = float("inf"), float("inf")
        for _ in range(args.repeats):  # interleaved, so both see the same load
            t, fc = timed(ours, df)
            t_ours = min(t_ours, t)
            t, sf = timed(peer, df)
            t_peer = min(t_peer, t)
        diff = agree(fc, sf)
        t_dask, same = on_dask(df, fc, args.dask_workers)
        rows.append((n, t_ours, t_peer, diff, t_dask, same))
        print(f"{n:>8,d} series: tsclassic {t_ours:7.2f} s ({1e3 * t_ours / n:.3f} ms/series), "
              f"statsforecast {t_peer:7.2f} s ({1e3 * t_peer / n:.3f} ms/series), "
              f"ours/peer {t_ours / t_peer:5.2f}, max |diff| {diff:.1e}; Dask "
              f"({args.dask_workers} processes) {t_dask:6.2f} s, identical: {same}", flush=True)
    write(args, rows)
    return 0 if all(r[5] and r[3] < 1e-9 for r in rows) else 1


def write(args, rows) -> None:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Many series: forecast_many beside statsforecast", "",
        f"Date: {now}. Machine: {os.cpu_count()} cores, shared with other jobs (timings are "
        f"noisy), {platform.machine()}, Python {platform.python_version()}, pandas "
        f"{pd.__version__}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}.", "",
        f"Command: `OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/many_series.py "
        f"{' '.join(sys.argv[1:])}`", "",
        f"SeasonalNaive({SEASON}) on random walks of length {LENGTH} (daily, rows shuffled), "
        f"h = {H}, one core (n_jobs=1), best of {args.repeats} interleaved runs. "
        f"'max |diff|': largest difference between the two libraries' forecasts. 'Dask': the "
        f"same forecast_many call inside joblib.parallel_config(backend='dask') on a "
        f"distributed.LocalCluster of {args.dask_workers} worker processes (one thread each), "
        f"cluster start-up excluded; 'identical': pd.testing.assert_frame_equal against the "
        f"one-core output.", "",
        "| series | tsclassic (s) | ms/series | statsforecast (s) | ms/series | tsclassic / "
        "statsforecast | max abs diff | Dask (s) | identical |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n, t_ours, t_peer, diff, t_dask, same in rows:
        lines.append(f"| {n:,d} | {t_ours:.2f} | {1e3 * t_ours / n:.3f} | {t_peer:.2f} | "
                     f"{1e3 * t_peer / n:.3f} | {t_ours / t_peer:.2f} | {diff:.1e} | "
                     f"{t_dask:.2f} | {'yes' if same else 'NO'} |")
    path = Path(args.out)
    previous = path.read_text() if path.exists() else ""
    kept = previous[previous.find("\n## Before and after"):] if "## Before and after" in previous else ""
    path.write_text("\n".join(lines) + "\n" + kept)
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
