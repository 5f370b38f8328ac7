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


def timed(fn, df) -> tuple[float, float, pd.DataFrame]:
    """Wall and CPU seconds of one run in this process (on a shared machine the CPU time is
    the steadier measure of the work on one core)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(df)
    return time.perf_counter() - wall, time.process_time() - cpu, out


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
    rows, fc, sf = [], None, None
    for n in args.sizes:
        df = panel(n)
        best = {"ours": [np.inf, np.inf], "peer": [np.inf, np.inf]}
        for _ in range(args.repeats):  # interleaved, so both see the same load
            for name, fn in (("ours", ours), ("peer", peer)):
                wall, cpu, out = timed(fn, df)
                best[name] = [min(best[name][0], wall), min(best[name][1], cpu)]
                fc, sf = (out, sf) if name == "ours" else (fc, out)
        diff = agree(fc, sf)
        t_dask, same = on_dask(df, fc, args.dask_workers)
        rows.append((n, *best["ours"], *best["peer"], diff, t_dask, same))
        (w_o, c_o), (w_p, c_p) = best["ours"], best["peer"]
        print(f"{n:>8,d} series: tsclassic {w_o:7.2f} s wall, {c_o:7.2f} s CPU "
              f"({1e3 * c_o / n:.3f} ms/series); statsforecast {w_p:7.2f} s wall, {c_p:7.2f} s "
              f"CPU ({1e3 * c_p / n:.3f} ms/series); CPU ours/peer {c_o / c_p:5.2f}, max |diff| "
              f"{diff:.1e}; Dask ({args.dask_workers} processes) {t_dask:6.2f} s, identical: "
              f"{same}", flush=True)
    write(args, rows)
    return 0 if all(r[7] and r[5] < 1e-9 for r in rows) else 1


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
        f"h = {H}, one core (n_jobs=1), best of {args.repeats} interleaved runs, wall and CPU "
        f"time of this process (on a shared machine the CPU time is the steadier measure of "
        f"the cost on one core; ms/series is CPU). "
        f"'max |diff|': largest difference between the two libraries' forecasts. 'Dask': the "
        f"same forecast_many call inside joblib.parallel_config(backend='dask') on a "
        f"distributed.LocalCluster of {args.dask_workers} worker processes (one thread each), "
        f"cluster start-up excluded; 'identical': pd.testing.assert_frame_equal against the "
        f"one-core output.", "",
        "| series | tsclassic wall / CPU (s) | ms/series | statsforecast wall / CPU (s) | "
        "ms/series | tsclassic / statsforecast (CPU) | max abs diff | Dask wall (s) | identical |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n, w_o, c_o, w_p, c_p, diff, t_dask, same in rows:
        lines.append(f"| {n:,d} | {w_o:.2f} / {c_o:.2f} | {1e3 * c_o / n:.3f} | {w_p:.2f} / "
                     f"{c_p:.2f} | {1e3 * c_p / n:.3f} | {c_o / c_p:.2f} | {diff:.1e} | "
                     f"{t_dask:.2f} | {'yes' if same else 'NO'} |")
    path = Path(args.out)
    previous = path.read_text() if path.exists() else ""
    kept = previous[previous.find("\n## Before and after"):] if "## Before and after" in previous else ""
    path.write_text("\n".join(lines) + "\n" + kept)
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
