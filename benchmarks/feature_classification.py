"""FeatureClassifier on the 16 UCR data sets in data/ucr, beside published accuracies.

Fits every configuration on each data set's fixed train split, predicts its test split,
and prints accuracy and time beside the published figures in
data/ucr/published_accuracy.csv (catch22 + RF, FreshPRINCE, QUANT, 1-NN DTW, FCN, ResNet).
The table goes to benchmarks/results/feature_classification.md.

Configurations:
  quant  FeatureClassifier("quantiles", ExtraTrees(200, max_features=0.1, entropy)):
         QUANT-style interval quantiles of the series, its smoothed first and second
         differences and its Fourier magnitude (Dempster et al. 2024), our implementation.
  quant+spectral  the same with SpectralFeatures appended to the quantiles.
  default  FeatureClassifier() : time-domain + spectral features, random forest (200 trees).

Run:  OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/feature_classification.py [--quick]
(--quick: four data sets and the quant configuration only).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import ExtraTreesClassifier

from tsclassic.datasets import data_dir, list_ucr, load_ucr
from tsclassic.ml import FeatureClassifier

PUBLISHED = ["Catch22-RF", "FreshPRINCE", "QUANT", "1NN-DTW-full", "FCN", "ResNet"]
# Where a method has several sources, prefer the one quoted in the issue: Fawaz et al.
# (mean of 10 runs) for the deep models, the bake-off redux (resample 0) otherwise.
SOURCE_ORDER = ["default (2015 archive copy)", "resample 0 (= default split)", "default"]


def configs(quick: bool) -> dict[str, FeatureClassifier]:
    out = {
        "quant": FeatureClassifier(
            "quantiles",
            ExtraTreesClassifier(n_estimators=200, max_features=0.1, criterion="entropy"),
            random_state=0,
        ),
    }
    if not quick:
        out["quant+spectral"] = FeatureClassifier(
            ["quantiles", "spectral"],
            ExtraTreesClassifier(n_estimators=200, max_features=0.1, criterion="entropy"),
            random_state=0,
        )
        out["default"] = FeatureClassifier(random_state=0)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    names = list_ucr()
    if args.quick:
        names = ["GunPoint", "ItalyPowerDemand", "ECG200", "Coffee"]
    rows, totals = [], {}
    for cname, clf in configs(args.quick).items():
        total = 0.0
        for name in names:
            X, y = load_ucr(name)
            X_test, y_test = load_ucr(name, "test")
            start = time.perf_counter()
            acc = float((clf.fit(X, y).predict(X_test) == y_test).mean())
            seconds = time.perf_counter() - start
            total += seconds
            rows.append({"dataset": name, "config": cname, "accuracy": acc, "seconds": seconds})
            print(f"{cname:8s} {name:24s} acc={acc:.4f} {seconds:6.2f}s", flush=True)
        totals[cname] = total
    seed_means = {}
    if not args.quick:
        # How much the headline depends on the forest's seed: refit quant with others.
        for seed in (1, 2, 3):
            clf = configs(True)["quant"].set_params(random_state=seed)
            accs = [float((clf.fit(load_ucr(n)[0], load_ucr(n)[1]).predict(load_ucr(n, "test")[0])
                           == load_ucr(n, "test")[1]).mean()) for n in names]
            seed_means[seed] = float(np.mean(accs))
            print(f"quant random_state={seed}: mean {seed_means[seed]:.4f}", flush=True)
    ours = pd.DataFrame(rows).pivot(index="dataset", columns="config", values="accuracy")
    times = pd.DataFrame(rows).pivot(index="dataset", columns="config", values="seconds")
    ours.columns = [f"ours:{c}" for c in ours.columns]
    table = ours.join(published(), how="left")
    table.loc["MEAN"] = table.mean()
    lines = [
        "# FeatureClassifier on the UCR developer sets",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores ({platform.machine()}), Python {platform.python_version()}, "
        "shared with other jobs (timings are noisy), OMP_NUM_THREADS="
        f"{os.environ.get('OMP_NUM_THREADS', 'unset')}",
        f"- command: `OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/feature_classification.py"
        f"{' --quick' if args.quick else ''}`",
        "- ours: fitted on the archive's train split, scored on its test split, random_state=0; "
        "published: data/ucr/published_accuracy.csv (FCN/ResNet: Fawaz et al. 2019 mean of 10 runs; "
        "others: bake-off redux resample 0 or the UCR archive summary)",
        "",
        "## Accuracy",
        "",
        to_markdown(table.round(4)),
        "",
        "## Time (fit on train + predict on test, seconds)",
        "",
        to_markdown(times.round(2)),
        "",
        "Totals (all data sets): " + ", ".join(f"{k}: {v:.1f} s" for k, v in totals.items()),
        "",
    ]
    if seed_means:
        lines += ["Mean accuracy of quant with other random_state values (same run): "
                  + ", ".join(f"{k}: {v:.4f}" for k, v in seed_means.items()), ""]
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        out = Path(__file__).resolve().parent / "results" / "feature_classification.md"
        out.write_text(text)
        print(f"written {out}", file=sys.stderr)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
