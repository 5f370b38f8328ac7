"""FeatureClassifier on the 16 UCR data sets in data/ucr, beside aeon's QUANT and the
published accuracies.

Fits every configuration on each data set's fixed train split, predicts its test split,
with three seeds, interleaving the configurations data set by data set so that each sees
the same machine load; prints accuracy and fit+predict time beside aeon's
QUANTClassifier (same run) and the published figures in data/ucr/published_accuracy.csv
(catch22 + RF, FreshPRINCE, QUANT, 1-NN DTW, FCN, ResNet). The tables go to
benchmarks/results/feature_classification.md.

Configurations:
  default    FeatureClassifier() : QuantileFeatures(divisor=2) + ExtraTrees(200,
             max_features=0.1, entropy): QUANT with twice its quantiles per interval.
  quant      FeatureClassifier("quantiles", the same trees): QUANT as published
             (Dempster et al. 2024, divisor 4), our implementation.
  default+spectral  the default's quantiles with SpectralFeatures appended.
  timedomain+spectral  FeatureClassifier(["timedomain", "spectral"], RandomForest(200)),
             the default before it was QUANT (first seed only).
  aeon-quant aeon's QUANTClassifier (when aeon is installed).

Run:  OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/feature_classification.py [--quick]
(--quick: four data sets, one seed, default and quant only).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

from tsclassic.datasets import data_dir, list_ucr, load_ucr
from tsclassic.ml import FeatureClassifier, QuantileFeatures

PUBLISHED = ["Catch22-RF", "FreshPRINCE", "QUANT", "1NN-DTW-full", "FCN", "ResNet"]
# Where a method has several sources, prefer the one quoted in the issue: Fawaz et al.
# (mean of 10 runs) for the deep models, the bake-off redux (resample 0) otherwise.
SOURCE_ORDER = ["default (2015 archive copy)", "resample 0 (= default split)", "default"]
SEEDS = (0, 1, 2)


def _trees() -> ExtraTreesClassifier:
    return ExtraTreesClassifier(n_estimators=200, max_features=0.1, criterion="entropy")


def configs(quick: bool, seed: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "default": FeatureClassifier(random_state=seed),
        "quant": FeatureClassifier("quantiles", estimator=_trees(), random_state=seed),
    }
    if quick:
        return out
    out["default+spectral"] = FeatureClassifier([QuantileFeatures(divisor=2), "spectral"],
                                                estimator=_trees(), random_state=seed)
    if seed == SEEDS[0]:
        out["timedomain+spectral"] = FeatureClassifier(
            ["timedomain", "spectral"], estimator=RandomForestClassifier(n_estimators=200),
            random_state=seed)
    try:
        from aeon.classification.interval_based import QUANTClassifier
    except ImportError:
        return out
    out["aeon-quant"] = QUANTClassifier(random_state=seed)
    return out


def published() -> pd.DataFrame:
    table = pd.read_csv(data_dir() / "ucr" / "published_accuracy.csv")
    table = table[table["method"].isin(PUBLISHED)].copy()
    table["rank"] = table["split"].map({s: i for i, s in enumerate(SOURCE_ORDER)})
    table = table.sort_values("rank").drop_duplicates(["dataset", "method"])
    return table.pivot(index="dataset", columns="method", values="accuracy")[PUBLISHED]


def to_markdown(frame: pd.DataFrame) -> str:
    """A pipe table (tabulate is not a dependency)."""
    head = "| " + " | ".join([str(frame.index.name or "")] + [str(c) for c in frame.columns]) + " |"
    rule = "|" + "---|" * (len(frame.columns) + 1)
    body = ["| " + " | ".join([str(i)] + ["" if pd.isna(v) else f"{v:g}" for v in row]) + " |"
            for i, row in zip(frame.index, frame.to_numpy())]
    return "\n".join([head, rule, *body])


def _run(clf: Any, name: str, X: np.ndarray, y: np.ndarray, X_test: np.ndarray,
         y_test: np.ndarray) -> tuple[float, float, float]:
    """Accuracy, wall seconds and CPU seconds (of this process: on a shared machine the
    CPU time is what the fit would take on a core of its own)."""
    if name == "aeon-quant":  # aeon takes (n_cases, n_channels, n_timepoints)
        X, X_test = X[:, None, :], X_test[:, None, :]
    start, cpu = time.perf_counter(), time.process_time()
    pred = clf.fit(X, y).predict(X_test)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return float((np.asarray(pred) == y_test).mean()), wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    names = list_ucr()
    seeds = SEEDS[:1] if args.quick else SEEDS
    if args.quick:
        names = ["GunPoint", "ItalyPowerDemand", "ECG200", "Coffee"]
    data = {n: (*load_ucr(n), *load_ucr(n, split="test")) for n in names}
    # Warm up every configuration once (imports, torch for aeon), outside the timings.
    for cname, clf in configs(args.quick, seeds[0]).items():
        _run(clf, cname, *data[names[0]])
    rows = []
    for seed in seeds:
        for name in names:
            for cname, clf in configs(args.quick, seed).items():
                acc, seconds, cpu = _run(clf, cname, *data[name])
                rows.append({"dataset": name, "config": cname, "seed": seed, "accuracy": acc,
                             "seconds": seconds, "cpu": cpu})
                print(f"seed {seed} {cname:20s} {name:24s} acc={acc:.4f} {seconds:6.2f}s "
                      f"(cpu {cpu:6.2f}s)", flush=True)
    frame = pd.DataFrame(rows)
    first = frame[frame["seed"] == seeds[0]]
    ours = first.pivot(index="dataset", columns="config", values="accuracy")
    ours.columns = [f"ours:{c}" if c != "aeon-quant" else c for c in ours.columns]
    table = ours.join(published(), how="left")
    table.loc["MEAN"] = table.mean()
    by_seed = frame.pivot_table(index="config", columns="seed", values="accuracy", aggfunc="mean")
    by_seed["mean of seeds"] = by_seed.mean(axis=1)
    totals = frame.pivot_table(index="config", columns="seed", values="seconds", aggfunc="sum")
    totals.columns = [f"wall, seed {c}" for c in totals.columns]
    cpu = frame.pivot_table(index="config", columns="seed", values="cpu", aggfunc="sum")
    for c in cpu.columns:
        totals[f"cpu, seed {c}"] = cpu[c]
    if "aeon-quant" in totals.index:
        for column in (f"wall, seed {seeds[0]}", f"cpu, seed {seeds[0]}"):
            totals[f"ours/aeon ({column})"] = totals[column] / totals.loc["aeon-quant", column]
    times = first.pivot(index="dataset", columns="config", values="seconds")
    lines = [
        "# FeatureClassifier on the UCR developer sets",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()}, "
        "shared with other jobs (load average above 8 on 2 cores during the run: timings are "
        f"noisy and pessimistic), OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
        "every model on one thread",
        f"- command: `OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/feature_classification.py"
        f"{' --quick' if args.quick else ''}`",
        "- fitted on the archive's train split, scored on its test split; configurations "
        "interleaved data set by data set; published: data/ucr/published_accuracy.csv "
        "(FCN/ResNet: Fawaz et al. 2019 mean of 10 runs; others: bake-off redux resample 0 or "
        "the UCR archive summary). The published QUANT column is one draw of its trees: "
        "aeon's QUANTClassifier with random_state=0 reproduces it data set by data set",
        "",
        f"## Accuracy (random_state={seeds[0]})",
        "",
        to_markdown(table.round(4)),
        "",
        "## Mean accuracy over the data sets, per seed",
        "",
        to_markdown(by_seed.round(4)),
        "",
        "## Fit + predict time over all data sets (seconds, per seed)",
        "",
        "Wall time on the shared machine, and the process's CPU time (one thread each: what "
        "the same work takes on a core of its own).",
        "",
        to_markdown(totals.round(2)),
        "",
        f"## Time per data set (fit on train + predict on test, seconds, random_state={seeds[0]})",
        "",
        to_markdown(times.round(2)),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        out = Path(__file__).resolve().parent / "results" / "feature_classification.md"
        out.write_text(text)
        print(f"written {out}", file=sys.stderr)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
