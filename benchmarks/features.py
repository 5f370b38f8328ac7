"""Feature extraction time: tsclassic beside tsfresh (EfficientFCParameters) and pycatch22.

All extractors run in this one process on the same panel of UCR series (train and test
splits of a few data sets, concatenated per data set), single-threaded
(tsfresh with n_jobs=0), and the script prints each time and its ratio to ours. The table
goes to benchmarks/results/features.md.

Run:  OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/features.py [--quick]
(--quick: 40 series per data set instead of all).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from tsclassic.datasets import load_ucr
from tsclassic.ml import QuantileFeatures
from tsclassic.spectral import SpectralFeatures, WaveletFeatures
from tsclassic.timedomain import TimeDomainFeatures

DATASETS = ["GunPoint", "ECG200", "CBF", "ArrowHead"]


def panel(name: str, limit: int | None) -> np.ndarray:
    X = np.vstack([load_ucr(name)[0], load_ucr(name, split="test")[0]])
    return X[:limit] if limit else X


def ours_td_spectral(X: np.ndarray) -> int:
    a = TimeDomainFeatures().fit_transform(X)
    b = SpectralFeatures().fit_transform(X)
    c = WaveletFeatures().fit_transform(X)
    return a.shape[1] + b.shape[1] + c.shape[1]


def ours_quantiles(X: np.ndarray) -> int:
    return QuantileFeatures().fit_transform(X).shape[1]


def tsfresh_efficient(X: np.ndarray) -> int:
    from tsfresh import extract_features
    from tsfresh.feature_extraction import EfficientFCParameters

    long = pd.DataFrame({"id": np.repeat(np.arange(len(X)), X.shape[1]),
                         "time": np.tile(np.arange(X.shape[1]), len(X)),
                         "value": X.ravel()})
    out = extract_features(long, column_id="id", column_sort="time",
                           default_fc_parameters=EfficientFCParameters(), n_jobs=0,
                           disable_progressbar=True)
    return out.shape[1]


def catch22(X: np.ndarray) -> int:
    import pycatch22

    n = 0
    for x in X:
        n = len(pycatch22.catch22_all(x.tolist())["values"])
    return n


def timed(fn, X) -> tuple[float, int]:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        n_features = fn(X)
    return time.perf_counter() - start, n_features


def to_markdown(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join([str(frame.index.name or "")] + [str(c) for c in frame.columns]) + " |"
    rule = "|" + "---|" * (len(frame.columns) + 1)
    body = ["| " + " | ".join([str(i)] + [v if isinstance(v, str) else f"{v:g}" for v in row]) + " |"
            for i, row in zip(frame.index, frame.to_numpy(dtype=object))]
    return "\n".join([head, rule, *body])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    limit = 40 if args.quick else None
    extractors = {"tsclassic td+spectral+wavelet": ours_td_spectral,
                  "tsclassic quantiles": ours_quantiles}
    peers = {}
    try:
        import tsfresh  # noqa: F401

        peers["tsfresh Efficient"] = tsfresh_efficient
    except ImportError:
        print("tsfresh not installed: skipped", file=sys.stderr)
    try:
        import pycatch22  # noqa: F401

        peers["pycatch22"] = catch22
    except ImportError:
        print("pycatch22 not installed: skipped", file=sys.stderr)
    ours_td_spectral(panel("GunPoint", 5))  # compile the numba kernel outside the timing
    rows = []
    for name in DATASETS:
        X = panel(name, limit)
        row = {"dataset": name, "series x length": f"{X.shape[0]} x {X.shape[1]}"}
        for label, fn in {**extractors, **peers}.items():
            seconds, n_features = timed(fn, X)
            row[f"{label} (s)"] = round(seconds, 3)
            row[f"{label} #features"] = n_features
            print(f"{name:12s} {label:30s} {seconds:8.3f}s {n_features:5d} features", flush=True)
        base = row["tsclassic td+spectral+wavelet (s)"]
        for label in peers:
            row[f"{label} / ours td"] = round(row[f"{label} (s)"] / base, 1)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("dataset")
    total = table.filter(like="(s)").sum()
    ratios = {label: total[f"{label} (s)"] / total["tsclassic td+spectral+wavelet (s)"] for label in peers}
    lines = [
        "# Feature extraction time",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()}, "
        f"shared with other jobs (timings are noisy; ratios are from the same run), OMP_NUM_THREADS="
        f"{os.environ.get('OMP_NUM_THREADS', 'unset')}",
        f"- command: `OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/features.py"
        f"{' --quick' if args.quick else ''}`",
        "- panel: train + test series of each data set; every extractor single-threaded "
        "(tsfresh n_jobs=0); times in seconds",
        "",
        to_markdown(table),
        "",
        "Total seconds: " + ", ".join(f"{k[:-4]}: {v:.2f}" for k, v in total.items()),
        "",
        "Ratio of total time to tsclassic td+spectral+wavelet: "
        + ", ".join(f"{k}: {v:.1f}x" for k, v in ratios.items()),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        out = Path(__file__).resolve().parent / "results" / "features.md"
        out.write_text(text)
        print(f"written {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
