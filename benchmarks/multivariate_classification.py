"""Multivariate classification on the UEA sets in data/uea: tsclassic beside aeon, same run.

On each set's fixed split, fit on train and predict test with

  ours   1-NN DTW dependent (one warping path over all channels, full window) and
         independent (the sum of per-channel DTW distances), the default FeatureClassifier,
         the default NGramClassifier, and the deep FCNClassifier (Wang et al. 2017; here
         ``--fcn-epochs`` epochs, not the review's 2000, to fit a shared 2-core machine);
  aeon   KNeighborsTimeSeriesClassifier(distance="dtw") (dependent, full window),
         QUANTClassifier and Catch22Classifier (where aeon has them).

Accuracy and fit + predict time are measured in one run, the methods interleaved within
each repetition and the best of ``--repeat`` kept (the FCN once: its training is the
cost), every compiled method warmed up first. Beside them, the published 1-NN DTW_D and
DTW_I accuracies of Ruiz et al. (2021) from data/uea/published_accuracy.csv, and whether
our dependent DTW predicts exactly as aeon's, and where the default FeatureClassifier's
CPU time goes (features, forest, and the same forest on one feature: scikit-learn's
floor for 200 trees). A method that cannot run (a missing peer, or
input it refuses) is listed with the reason instead of a row.

Run with the benchmark environment, single thread::

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 PYTHONPATH=$PWD \\
        /work/main/.venv-bench/bin/python benchmarks/multivariate_classification.py

``--quick`` (two sets, one repetition, a 3-epoch FCN) checks the script and writes nothing.
The tables are printed and written to benchmarks/results/multivariate_classification.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
# Keep the compiled kernels of this environment's numba apart from the development one's.
os.environ.setdefault("NUMBA_CACHE_DIR", "/tmp/tsclassic-bench-numba-cache")

from feature_classification import to_markdown  # noqa: E402  (this script's folder is on the path)

from tsclassic.datasets import data_dir, list_uea, load_uea  # noqa: E402

QUICK = ["BasicMotions", "ERing"]
PUBLISHED = {"1NN-DTW-D": "published: DTW-D (Ruiz 2021)",
             "1NN-DTW-I": "published: DTW-I (Ruiz 2021)"}


def ours(fcn_epochs: int) -> dict[str, Callable[[], Any]]:
    """Our methods, each a factory (so that an unsupported parameter is reported per row)."""
    from tsclassic.deep import FCNClassifier
    from tsclassic.language import NGramClassifier
    from tsclassic.ml import FeatureClassifier
    from tsclassic.neighbors import KNeighborsDTWClassifier

    return {
        "ours: DTW-D": lambda: KNeighborsDTWClassifier(),
        "ours: DTW-I": lambda: KNeighborsDTWClassifier(multivariate="independent"),
        "ours: FeatureClassifier": lambda: FeatureClassifier(random_state=0),
        "ours: NGramClassifier": lambda: NGramClassifier(),
        "ours: FCN": lambda: FCNClassifier(max_epochs=fcn_epochs, random_state=0,
                                           verbose=False, n_jobs=1),
    }


def peers() -> tuple[dict[str, Callable[[], Any]], dict[str, str]]:
    """aeon's classifiers that are installed, and the reason for those that are not."""
    found, missing = {}, {}
    try:
        from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier

        found["aeon: 1NN-DTW"] = lambda: KNeighborsTimeSeriesClassifier(distance="dtw")
    except ImportError as err:
        missing["aeon: 1NN-DTW"] = f"aeon is not installed here ({err})"
    try:
        from aeon.classification.interval_based import QUANTClassifier

        found["aeon: QUANT"] = lambda: QUANTClassifier(random_state=0)
    except ImportError as err:
        missing["aeon: QUANT"] = f"not in this aeon ({err})"
    try:
        from aeon.classification.feature_based import Catch22Classifier

        found["aeon: Catch22"] = lambda: Catch22Classifier(random_state=0, n_jobs=1)
    except ImportError as err:
        missing["aeon: Catch22"] = f"not in this aeon ({err})"
    return found, missing


def fit_predict(make: Callable[[], Any], X: np.ndarray, y: np.ndarray, Xt: np.ndarray
                ) -> tuple[float, float, np.ndarray]:
    """Wall and CPU seconds of fit + predict, and the predictions. On a machine shared
    with other jobs the CPU time of these single-threaded runs is the steadier figure."""
    wall, cpu = time.perf_counter(), time.process_time()
    pred = np.asarray(make().fit(X, y).predict(Xt))
    return time.perf_counter() - wall, time.process_time() - cpu, pred


def warm_up(methods: dict[str, Callable[[], Any]], missing: dict[str, str]) -> None:
    """Compile every method's kernels on a few cases; a method that fails here is missing."""
    X, y = load_uea("BasicMotions")
    X, y = X[::4], y[::4]  # ten cases, all four classes
    for name in list(methods):
        if name == "ours: FCN":
            continue  # nothing to compile; its first epoch is part of its cost
        try:
            fit_predict(methods[name], X, y, X[:3])
        except Exception as err:  # reported in the results file, not hidden
            missing[name] = f"{type(err).__name__}: {err}"
            del methods[name]


def run(names: list[str], methods: dict[str, Callable[[], Any]], repeat: int,
        missing: dict[str, str]
        ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, float]]:
    acc = pd.DataFrame(index=list(methods), columns=names, dtype=float)
    sec, cpu = acc.copy(), acc.copy()
    agree = {}
    for name in names:
        X, y = load_uea(name, split="train")
        Xt, yt = load_uea(name, split="test")
        preds: dict[str, np.ndarray] = {}
        for rep in range(repeat):
            for method, make in methods.items():
                if method in missing or (rep > 0 and method == "ours: FCN"):
                    continue
                try:
                    seconds, cpu_seconds, pred = fit_predict(make, X, y, Xt)
                except Exception as err:  # reported in the results file, not hidden
                    missing[method] = f"{type(err).__name__} on {name}: {err}"
                    continue
                if rep == 0:
                    preds[method] = pred
                    acc.loc[method, name] = float(np.mean(pred == yt))
                sec.loc[method, name] = np.nanmin([sec.loc[method, name], seconds])
                cpu.loc[method, name] = np.nanmin([cpu.loc[method, name], cpu_seconds])
        if "ours: DTW-D" in preds and "aeon: 1NN-DTW" in preds:
            agree[name] = float(np.mean(preds["ours: DTW-D"] == preds["aeon: 1NN-DTW"]))
        print(f"{name}: " + ", ".join(f"{m} {acc.loc[m, name]:.4f} ({sec.loc[m, name]:.2f} s)"
                                      for m in methods if m in preds), flush=True)
    kept = [m for m in methods if m not in missing]
    return acc.loc[kept], sec.loc[kept], cpu.loc[kept], agree


def _best_cpu(work: Callable[[], Any], repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def _parts(X: Any, y: np.ndarray, Xt: Any, repeat: int) -> dict[str, float]:
    """The CPU seconds of one set's pieces, for :func:`breakdown`."""
    from sklearn.base import clone

    from tsclassic.ml import FeatureClassifier
    from tsclassic.neighbors import KNeighborsDTWClassifier

    model = FeatureClassifier(random_state=0).fit(X, y)
    features, forest = model.transformers_[0], model.estimator_
    F, Ft = features.transform(X), features.transform(Xt)
    return {
        "features": _best_cpu(lambda: (clone(features).fit(X).transform(X),
                                       features.transform(Xt)), repeat),
        "forest": _best_cpu(lambda: clone(forest).fit(F, y).predict(Ft), repeat),
        "forest on 1 feature (floor)": _best_cpu(
            lambda: clone(forest).fit(F[:, :1], y).predict(Ft[:, :1]), repeat),
        "FeatureClassifier (all)": _best_cpu(
            lambda: FeatureClassifier(random_state=0).fit(X, y).predict(Xt), repeat),
        "DTW-D": _best_cpu(lambda: KNeighborsDTWClassifier().fit(X, y).predict(Xt), repeat),
    }


def breakdown(names: list[str], repeat: int) -> pd.DataFrame:
    """Where the default FeatureClassifier's CPU time goes, per set (best of ``repeat``):
    its features (fit + transform of train, transform of test), its forest (fit +
    predict on those features), and the same forest on one feature column, which is
    scikit-learn's fixed cost of 200 trees whatever the features; dependent DTW beside."""
    out = pd.DataFrame({name: _parts(*load_uea(name, split="train"), load_uea(name, split="test")[0],
                                     repeat) for name in names})
    out["total"] = out.sum(axis=1)
    out.index.name = "CPU seconds"
    return out


def _per_tree_cpu(repeat: int) -> tuple[float, float]:
    """CPU milliseconds per tree of a 200-tree ExtraTrees fit + predict on 40 cases of one
    feature, through the forest and as a bare loop of single trees (no input checks): what
    scikit-learn costs per tree whatever the data."""
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.tree import ExtraTreeClassifier

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 1)).astype(np.float32), np.arange(40) % 4

    def bare() -> None:
        trees = [ExtraTreeClassifier(max_features=0.1, criterion="entropy", random_state=i)
                 .fit(X, y, check_input=False) for i in range(200)]
        sum(tree.tree_.predict(X) for tree in trees)

    forest = ExtraTreesClassifier(n_estimators=200, max_features=0.1, criterion="entropy",
                                  random_state=0)
    return (1e3 * _best_cpu(lambda: forest.fit(X, y).predict(X), repeat) / 200,
            1e3 * _best_cpu(bare, repeat) / 200)


def _floor_notes(parts: pd.DataFrame) -> list[str]:
    """Why the time target is out of reach on sets this small, from the figures measured."""
    features, dtw = parts.loc["features", "total"], parts.loc["DTW-D", "total"]
    forest_ms, bare_ms = _per_tree_cpu(3)
    n_sets = len(parts.columns) - 1
    return [
        f"- the features alone take {features / dtw:.2f}x dependent DTW's whole fit + predict "
        f"({features:.3f} s against {dtw:.3f} s): "
        + ("no classifier on them can take a fraction of its time on these sets"
           if features >= dtw else "a classifier on them costs at least that"),
        f"- scikit-learn's cost per tree: {forest_ms:.2f} ms CPU through ExtraTreesClassifier, "
        f"{bare_ms:.2f} ms as a bare loop of single trees without input checks; at that rate "
        f"dependent DTW's {dtw:.3f} s buys {dtw / (bare_ms / 1e3) / n_sets:.0f} trees per set "
        f"(the default has 200); more threads (n_jobs) spread this CPU time, they do not "
        f"remove it",
    ]


def published(names: list[str]) -> pd.DataFrame:
    table = pd.read_csv(data_dir() / "uea" / "published_accuracy.csv")
    table = table[(table["split"] == "default train/test (resample 0)")
                  & table["method"].isin(list(PUBLISHED))]
    out = table.pivot(index="method", columns="dataset", values="accuracy")
    return out.loc[list(PUBLISHED), names].rename(index=PUBLISHED)


def summary(acc: pd.DataFrame, sec: pd.DataFrame, cpu: pd.DataFrame) -> list[str]:
    """The issue's target, and our time beside the peer's as ratios (wall clock)."""
    lines = []
    mean, total, total_cpu = acc.mean(axis=1), sec.sum(axis=1), cpu.sum(axis=1)
    if {"ours: FeatureClassifier", "ours: DTW-D"} <= set(acc.index):
        f, d = "ours: FeatureClassifier", "ours: DTW-D"
        lines.append(f"- target, accuracy (the default FeatureClassifier at least matches "
                     f"dependent DTW's mean): {mean[f]:.4f} against {mean[d]:.4f}: "
                     f"{'met' if mean[f] >= mean[d] else 'NOT met'}")
        lines.append(f"- target, time (at a fraction of dependent DTW's): total {total[f]:.2f} s "
                     f"against {total[d]:.2f} s wall ({total[f] / total[d]:.2f}x), "
                     f"{total_cpu[f]:.2f} s against {total_cpu[d]:.2f} s CPU "
                     f"({total_cpu[f] / total_cpu[d]:.2f}x): "
                     f"{'met' if total[f] < total[d] and total_cpu[f] < total_cpu[d] else 'NOT met'}")
    for a, b in [("ours: DTW-D", "aeon: 1NN-DTW"), ("ours: FeatureClassifier", "aeon: 1NN-DTW"),
                 ("ours: FeatureClassifier", "aeon: QUANT"),
                 ("ours: FeatureClassifier", "aeon: Catch22")]:
        if a in sec.index and b in sec.index:
            ratio = (sec.loc[a] / sec.loc[b]).round(3)
            lines.append(f"- time {a} / {b}: total {total[a] / total[b]:.3f}; per set "
                         + ", ".join(f"{k} {v:g}" for k, v in ratio.items()))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fcn-epochs", type=int, default=100)
    args = parser.parse_args()
    names = QUICK if args.quick else list_uea()
    repeat, epochs = (1, 3) if args.quick else (args.repeat, args.fcn_epochs)
    methods, missing = peers()
    methods = {**ours(epochs), **methods}
    order = list(methods) + list(missing)
    warm_up(methods, missing)
    acc, sec, cpu, agree = run(names, methods, repeat, missing)
    acc = pd.concat([acc, published(names)])
    acc["mean"] = acc.mean(axis=1)
    sec["total"], cpu["total"] = sec.sum(axis=1), cpu.sum(axis=1)
    acc.index.name = sec.index.name = cpu.index.name = "method"
    lines = [
        "# Multivariate classification on the UEA sets in data/uea",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}, shared with other jobs (timings are noisy), "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}",
        "- command: `OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 PYTHONPATH=$PWD "
        "/work/main/.venv-bench/bin/python benchmarks/multivariate_classification.py"
        + ("" if (args.repeat, args.fcn_epochs) == (3, 100)
           else f" --repeat {args.repeat} --fcn-epochs {args.fcn_epochs}") + "`",
        "- fitted on the archive's train split, scored on its test split; raw values as the "
        "archive gives them; random_state=0 where a method has one; time = fit + predict, best "
        f"of {repeat} interleaved runs after a warm-up (compilation excluded), the FCN "
        f"({epochs} epochs, patience 50, one thread) timed once",
        "- published: Ruiz et al. (2021), \"The great multivariate time series classification "
        "bake off\", DMKD 35:401-449, resample 0, via data/uea/published_accuracy.csv",
        "",
        "## Accuracy",
        "",
        to_markdown(acc.round(4)),
        "",
        "## Time (fit on train + predict on test, seconds)",
        "",
        to_markdown(sec.round(3)),
        "",
        "## CPU time (fit + predict, seconds of this process, best of the same runs)",
        "",
        to_markdown(cpu.round(3)),
        "",
        "## Summary",
        "",
        *summary(acc.drop(columns="mean"), sec.drop(columns="total"),
                 cpu.drop(columns="total")),
    ]
    if agree:
        lines.append("- our dependent DTW predicts as aeon's 1-NN DTW on "
                     + ", ".join(f"{k} {v:.1%}" for k, v in agree.items())
                     + " of the test cases")
    parts = breakdown(names, repeat)
    lines += [
        "",
        "## Where the default FeatureClassifier's time goes (CPU seconds, best of "
        f"{repeat})",
        "",
        "Its features (QuantileFeatures(divisor=2): fit and transform of train, transform "
        "of test), its forest (ExtraTrees, 200 trees, fit and predict on them), and the "
        "same forest on a single feature column: scikit-learn's cost of building and "
        "querying 200 trees whatever the features, a floor for any 200-tree forest.",
        "",
        to_markdown(parts.round(3)),
        "",
        f"- the floor alone is {parts.loc['forest on 1 feature (floor)', 'total']:.2f} s "
        f"against dependent DTW's {parts.loc['DTW-D', 'total']:.2f} s "
        f"({parts.loc['forest on 1 feature (floor)', 'total'] / parts.loc['DTW-D', 'total']:.1f}x); "
        f"the features alone {parts.loc['features', 'total']:.2f} s",
        *_floor_notes(parts),
    ]
    lines += ["", "## Methods not run", ""]
    lines += [f"- {m}: {missing[m]}" for m in order if m in missing] or ["- none"]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.quick:
        out = Path(__file__).resolve().parent / "results" / "multivariate_classification.md"
        out.write_text(text)
        print(f"written {out}", file=sys.stderr)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
