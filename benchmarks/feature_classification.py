"""FeatureClassifier on the 16 UCR data sets in data/ucr, beside aeon's QUANT and the
published accuracies.

Fits every configuration on each data set's fixed train split, predicts its test split,
with three seeds (``--seeds N``: seeds 0..N-1, the spectral variant on the first three
only), interleaving the configurations data set by data set so that each sees the same
machine load; prints accuracy and fit+predict time beside aeon's
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
(--quick: four data sets, one seed unless --seeds, default and quant only, nothing written).

``--variants`` instead measures candidate changes to the default over ``--seeds`` seeds
(default 10) on features computed once per data set, so that each forest costs only its
own fit: the seed-to-seed spread of one 200-tree forest (about 0.003 in the mean over the
16 sets, mostly Beef and BeetleFly with 30 and 20 test cases) is as large as the
differences, so a change is judged on the mean over many seeds, not on three. Variants
(``--only a,b`` runs those and the default, keeping the other rows from the CSV the last
run wrote):

  default         QuantileFeatures(divisor=2) + ExtraTrees(200, max_features=0.1, entropy)
  paper           QUANT as published: divisor 4, the same trees
  500 trees, 1000 trees  the default's features and trees, one forest of that size (grown
                  from the default's by warm start, which scikit-learn makes identical to
                  a forest of that size fitted at once with the same seed)
  + moments       the default's features plus the mean and standard deviation of every
                  interval of every representation
  + divisor-1 forest  the default's forest averaged with a second one on QuantileFeatures(
                  divisor=1) (the probabilities, equal weights)
  + spectral      the default's features with SpectralFeatures appended, the same trees
  + ridge         the default's forest averaged with a ridge classifier on the same
                  features (standardised; one-vs-rest targets; the penalty chosen by
                  leave-one-out error over 10 values in 1e-3..1e3, its decision values
                  turned into probabilities by a softmax whose temperature minimises the
                  leave-one-out log-loss), as QUANT's sibling methods (ROCKET, Hydra) classify
  500 trees + ridge, 1000 trees + ridge  the larger forests averaged with that ridge

The criterion a variant must meet to become the default was fixed before these runs:
mean accuracy over the seeds at least 0.926, each of seeds 0, 1 and 2 at least 0.926, and
fit + predict over the 16 sets under 60 s on 2 cores (the CPU seconds on one thread, an
upper bound, are reported); the written table says which variants meet it.
Results to benchmarks/results/feature_classification_variants.md.
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
    if seed in SEEDS:
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
    def cell(v: Any) -> str:
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        return "" if pd.isna(v) else f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v)

    body = ["| " + " | ".join([str(i)] + [cell(v) for v in row]) + " |"
            for i, row in zip(frame.index, frame.to_numpy(dtype=object))]
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


def _moments(X: np.ndarray, depth: int = 6) -> np.ndarray:
    """The mean and standard deviation of every interval of every QUANT representation."""
    from tsclassic.ml._quantiles import _REPRESENTATIONS, _represent, dyadic_intervals

    out = []
    for kind in _REPRESENTATIONS:
        Z = _represent(X, kind)
        for a, b in dyadic_intervals(Z.shape[1], depth):
            out += [Z[:, a:b].mean(axis=1), Z[:, a:b].std(axis=1)]
    return np.stack(out, axis=1)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ridge_proba(F: np.ndarray, y: np.ndarray, F_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Classes and test probabilities of a ridge classifier (see the module docstring),
    with its exact leave-one-out predictions from one eigendecomposition of the kernel."""
    classes, codes = np.unique(y, return_inverse=True)
    Y = -np.ones((len(y), len(classes)))
    Y[np.arange(len(y)), codes] = 1.0
    mu, sd = F.mean(axis=0), F.std(axis=0)
    sd[sd == 0] = 1.0
    Z, Z_test = (F - mu) / sd, (F_test - mu) / sd
    offset = Y.mean(axis=0)
    s, U = np.linalg.eigh(Z @ Z.T)
    s = np.clip(s, 0.0, None)
    UtY = U.T @ (Y - offset)
    best = None
    for alpha in np.logspace(-3, 3, 10):
        g = s / (s + alpha)
        fitted = U @ (g[:, None] * UtY) + offset
        leverage = (U**2) @ g + 1.0 / len(y)  # the intercept's share of the hat matrix
        loo = Y - (Y - fitted) / (1.0 - leverage)[:, None]
        error = float(((Y - loo) ** 2).sum())
        if best is None or error < best[0]:
            best = (error, alpha, loo)
    _, alpha, loo = best
    decision = Z_test @ (Z.T @ (U @ ((1.0 / (s + alpha))[:, None] * UtY))) + offset
    temps = np.logspace(-1, 2.5, 36)
    loss = [-np.mean(np.log(_softmax(t * loo)[np.arange(len(y)), codes] + 1e-12)) for t in temps]
    return classes, _softmax(temps[int(np.argmin(loss))] * decision)


def _staged(F: np.ndarray, y: np.ndarray, F_test: np.ndarray, seed: int,
            stages: tuple[int, ...]) -> dict[int, tuple[np.ndarray, np.ndarray, float]]:
    """Classes, test probabilities and CPU seconds (fit so far + this predict) of one
    extra-trees forest grown by warm start to each size in ``stages``: scikit-learn draws
    the trees' seeds in order, so each stage is exactly the forest of that many trees
    with ``random_state=seed`` (checked: the 200-tree stage predicts as the default)."""
    model = _trees().set_params(random_state=seed, warm_start=True)
    out, fit_cpu = {}, 0.0
    for n_trees in stages:
        start = time.process_time()
        model.set_params(n_estimators=n_trees).fit(F, y)
        fit_cpu += time.process_time() - start
        start = time.process_time()
        proba = model.predict_proba(F_test)
        out[n_trees] = (model.classes_, proba, fit_cpu + time.process_time() - start)
    return out


# What each variant averages: ("forest", features, n_trees) or ("ridge",), the
# probabilities of the parts averaged with equal weights.
VARIANTS: dict[str, list[tuple[Any, ...]]] = {
    "default": [("forest", "q2", 200)],
    "paper (divisor 4)": [("forest", "q4", 200)],
    "500 trees": [("forest", "q2", 500)],
    "1000 trees": [("forest", "q2", 1000)],
    "+ moments": [("forest", "q2+moments", 200)],
    "+ divisor-1 forest": [("forest", "q2", 200), ("forest", "q1", 200)],
    "+ spectral": [("forest", "q2+spectral", 200)],
    "+ ridge": [("forest", "q2", 200), ("ridge",)],
    "500 trees + ridge": [("forest", "q2", 500), ("ridge",)],
    "1000 trees + ridge": [("forest", "q2", 1000), ("ridge",)],
}
VARIANTS_CSV = Path(__file__).resolve().parent / "results" / "feature_classification_variants.csv"
FEATURES_CSV = VARIANTS_CSV.with_name("feature_classification_variants_features.csv")


def variants(n_seeds: int, only: list[str] | None) -> None:
    """Candidate changes to the default, each over ``n_seeds`` seeds (module docstring).

    ``only``: the variants to run (the default always runs, as the reference); the
    per-seed rows of the others are kept from the CSV of earlier runs, so that the
    written table covers every variant."""
    from tsclassic.spectral import SpectralFeatures

    run_names = list(VARIANTS) if only is None else ["default", *[v for v in only if v != "default"]]
    unknown = [v for v in run_names if v not in VARIANTS]
    if unknown:
        raise SystemExit(f"--only: unknown variants {unknown}; known: {list(VARIANTS)}")
    parts = [p for v in run_names for p in VARIANTS[v]]
    keys = {k for p in parts if p[0] == "forest" for k in p[1].split("+")}
    names = list_ucr()
    features: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    labels = {}
    cpu_features: dict[str, float] = {}
    makers = {"q2": lambda: QuantileFeatures(divisor=2), "q4": lambda: QuantileFeatures(divisor=4),
              "q1": lambda: QuantileFeatures(divisor=1), "spectral": SpectralFeatures}
    for name in names:
        X, y, X_test, y_test = (*load_ucr(name), *load_ucr(name, split="test"))
        labels[name] = (y, y_test)
        features[name] = {}
        for key in sorted(keys | {"q2"}):
            start = time.process_time()
            if key == "moments":
                features[name][key] = (_moments(X), _moments(X_test))
            else:
                tr = makers[key]().fit(X)
                features[name][key] = (np.asarray(tr.transform(X)), np.asarray(tr.transform(X_test)))
            cpu_features[key] = cpu_features.get(key, 0.0) + time.process_time() - start

    # Forests per (features, seed): one warm-started forest to the largest size wanted.
    sizes: dict[str, set[int]] = {}
    for p in parts:
        if p[0] == "forest":
            sizes.setdefault(p[1], set()).add(p[2])
    cache: dict[tuple[str, int], dict[str, dict[int, tuple[np.ndarray, np.ndarray, float]]]] = {}

    def forest(key: str, seed: int, n_trees: int) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], float]:
        if (key, seed) not in cache:
            stages = tuple(sorted(sizes[key]))
            cache[key, seed] = {}
            for name in names:
                F = np.hstack([features[name][k][0] for k in key.split("+")])
                F_test = np.hstack([features[name][k][1] for k in key.split("+")])
                cache[key, seed][name] = _staged(F, labels[name][0], F_test, seed, stages)
        by_set = cache[key, seed]
        return ({name: by_set[name][n_trees][:2] for name in names},
                sum(by_set[name][n_trees][2] for name in names))

    ridge: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    ridge_cpu = 0.0
    if any(p[0] == "ridge" for p in parts):
        ridge_cpu = time.process_time()
        ridge = {name: _ridge_proba(features[name]["q2"][0], labels[name][0],
                                    features[name]["q2"][1]) for name in names}
        ridge_cpu = time.process_time() - ridge_cpu

    def accuracy(probas: list[dict[str, tuple[np.ndarray, np.ndarray]]]) -> float:
        scores = []
        for name in names:
            classes = probas[0][name][0]
            p = sum(pr[name][1] for pr in probas) / len(probas)
            scores.append(np.mean(classes[p.argmax(axis=1)] == labels[name][1]))
        return float(np.mean(scores))

    rows = []
    for seed in range(n_seeds):
        for variant in run_names:
            probas, cpu = [], 0.0
            for p in VARIANTS[variant]:
                proba, seconds = forest(p[1], seed, p[2]) if p[0] == "forest" else (ridge, ridge_cpu)
                probas.append(proba)
                cpu += seconds
            acc = accuracy(probas)
            rows.append({"variant": variant, "seed": seed, "accuracy": acc, "cpu": cpu})
            print(f"seed {seed} {variant:20s} {acc:.4f} (cpu {cpu:6.2f} s)", flush=True)
        for key in [k for k in cache if k[1] == seed]:
            del cache[key]  # the forests' probabilities of one seed are not needed again
    frame = pd.DataFrame(rows)
    feats = pd.DataFrame({"features": list(cpu_features), "cpu": list(cpu_features.values())})
    if only is not None and VARIANTS_CSV.exists():
        kept = pd.read_csv(VARIANTS_CSV)
        frame = pd.concat([kept[~kept["variant"].isin(run_names)], frame], ignore_index=True)
        if FEATURES_CSV.exists():
            old = pd.read_csv(FEATURES_CSV)
            feats = pd.concat([old[~old["features"].isin(feats["features"])], feats])
    frame.to_csv(VARIANTS_CSV, index=False)
    feats.to_csv(FEATURES_CSV, index=False)
    command = ("OMP_NUM_THREADS=1 PYTHONPATH=$PWD nice -n 10 /work/main/.venv-bench/bin/python "
               f"benchmarks/feature_classification.py --variants --seeds {n_seeds}"
               + (f" --only '{','.join(only)}'" if only else ""))
    write_variants(frame, feats, f"`{command}`" + ("; the rows of the other variants are kept "
                                                  "from earlier runs (the CSV files)" if only else ""))


def write_variants(frame: pd.DataFrame, feats: pd.DataFrame, command: str) -> None:
    """The variants' tables and the verdict of the criterion (module docstring) from the
    per-seed rows, to feature_classification_variants.md."""
    acc = frame.pivot(index="variant", columns="seed", values="accuracy")
    order = [v for v in VARIANTS if v in acc.index]
    acc = acc.loc[order]
    feature_cpu = feats.set_index("features")["cpu"]
    models_cpu = frame.groupby("variant")["cpu"].mean()
    # Fit + predict of the whole classifier: its models plus the features it computes.
    def used(variant: str) -> set[str]:
        return {k for p in VARIANTS[variant]
                for k in (p[1].split("+") if p[0] == "forest" else ["q2"])}

    total_cpu = pd.Series({v: models_cpu[v] + sum(feature_cpu.get(k, np.nan) for k in used(v))
                           for v in order})
    table = pd.DataFrame({
        "seed 0": acc[0], "seed 1": acc[1], "seed 2": acc[2],
        "seeds": acc.notna().sum(axis=1),
        "mean of seeds": acc.mean(axis=1), "sd over seeds": acc.std(axis=1),
        "min": acc.min(axis=1), "max": acc.max(axis=1),
        "seeds at least 0.926": (acc >= 0.926).sum(axis=1),
        "mean minus default's": acc.mean(axis=1) - acc.loc["default"].mean(),
        "CPU s per seed (models)": models_cpu,
    }).loc[order]
    table.index.name = "variant"
    verdict = pd.DataFrame({
        "mean of seeds at least 0.926": acc.mean(axis=1) >= 0.926,
        "seeds 0, 1, 2 each at least 0.926": (acc[[0, 1, 2]] >= 0.926).all(axis=1),
        "fit + predict CPU s, one thread (16 sets)": total_cpu,
        "under 60 s on 2 cores": total_cpu < 60,
    })
    verdict["meets the criterion"] = verdict.drop(
        columns="fit + predict CPU s, one thread (16 sets)").all(axis=1)
    verdict.index.name = "variant"
    meets = [v for v in order if verdict.loc[v, "meets the criterion"]]
    closest = table["mean of seeds"].drop("default").idxmax()
    statement = (
        f"Variants that meet it: {', '.join(meets)}." if meets else
        "No variant meets it. The highest mean over the seeds is "
        f"{table.loc[closest, 'mean of seeds']:.4f} ({closest}, "
        f"{int(table.loc[closest, 'seeds at least 0.926'])} of "
        f"{int(table.loc[closest, 'seeds'])} seeds at least 0.926), against the default's "
        f"{table.loc['default', 'mean of seeds']:.4f}; the seed-to-seed spread of the "
        f"default's mean is {table.loc['default', 'sd over seeds']:.4f}.")
    if "paper (divisor 4)" in table.index:
        # The target is one draw of QUANT's trees; its mean over draws is the fair yardstick.
        statement += (
            " QUANT as published (paper (divisor 4)) averages "
            f"{table.loc['paper (divisor 4)', 'mean of seeds']:.4f} over the same seeds "
            f"(from {table.loc['paper (divisor 4)', 'min']:.4f} to "
            f"{table.loc['paper (divisor 4)', 'max']:.4f}): the target is one published run "
            "of QUANT, whose configuration the default beats on average by "
            f"{table.loc['default', 'mean of seeds'] - table.loc['paper (divisor 4)', 'mean of seeds']:.4f}.")
    feature_table = pd.DataFrame({"CPU s (16 sets, fit + transform train, transform test)":
                                  feature_cpu})
    feature_table.index.name = "features"
    lines = [
        "# FeatureClassifier variants on the UCR developer sets, over many seeds",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}, shared with other jobs (CPU seconds of this process "
        f"are the steady figure), OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}",
        f"- command: {command}",
        "- mean test accuracy over the 16 sets (archive train/test split) per seed "
        "(random_state of the trees; the features and the ridge are deterministic); "
        "features computed once per set; the variants are described in the script's "
        "docstring. The issue's target is 0.926 (the published QUANT, one draw of its trees)",
        "",
        "## Mean accuracy over the 16 sets",
        "",
        to_markdown(table.round(4)),
        "",
        "## The criterion for a new default (fixed before the runs)",
        "",
        "Mean over the seeds at least 0.926, each of seeds 0, 1 and 2 at least 0.926, fit + "
        "predict over the 16 sets under 60 s on 2 cores (judged on the CPU seconds on one "
        "thread, which bound the wall time on an idle machine).",
        "",
        to_markdown(verdict.round(2)),
        "",
        statement,
        "",
        "## Feature time",
        "",
        to_markdown(feature_table.round(2)),
        "",
        "## Accuracy per seed",
        "",
        to_markdown(acc.round(4)),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = Path(__file__).resolve().parent / "results" / "feature_classification_variants.md"
    out.write_text(text)
    print(f"written {out}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--variants", action="store_true")
    parser.add_argument("--seeds", type=int, default=None,
                        help="seeds 0..N-1 (default 3; 10 with --variants)")
    parser.add_argument("--report", action="store_true",
                        help="with --variants: rebuild the table from the CSV files, fit nothing")
    parser.add_argument("--only", default=None,
                        help="with --variants: comma-separated variants to run (the rest "
                             "are kept from the last run's CSV)")
    args = parser.parse_args()
    if args.variants and args.report:
        # The command of the run that measured the rows, from the table it wrote.
        md = VARIANTS_CSV.with_suffix(".md")
        measured = [line.removeprefix("- command: ") for line in
                    (md.read_text().splitlines() if md.exists() else [])
                    if line.startswith("- command: ")]
        write_variants(pd.read_csv(VARIANTS_CSV), pd.read_csv(FEATURES_CSV),
                       (measured[0].split("; table rebuilt")[0] if measured else
                        "not recorded") + "; table rebuilt from the CSV files with --report")
        return
    if args.variants:
        variants(args.seeds or 10, None if args.only is None else args.only.split(","))
        return
    names = list_ucr()
    seeds = tuple(range(args.seeds)) if args.seeds else SEEDS[:1] if args.quick else SEEDS
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
    values = by_seed.copy()
    by_seed["mean of seeds"] = values.mean(axis=1)
    by_seed["sd over seeds"] = values.std(axis=1)
    by_seed["seeds at least 0.926"] = (values >= 0.926).sum(axis=1)
    totals = frame.pivot_table(index="config", columns="seed", values="seconds", aggfunc="sum")
    totals.columns = [f"wall, seed {c}" for c in totals.columns]
    cpu = frame.pivot_table(index="config", columns="seed", values="cpu", aggfunc="sum")
    totals = totals[[f"wall, seed {c}" for c in cpu.columns[:3]]]
    for c in cpu.columns[:3]:
        totals[f"cpu, seed {c}"] = cpu[c]
    totals["cpu, mean over seeds"] = cpu.mean(axis=1)
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
        f"{' --quick' if args.quick else ''}{f' --seeds {args.seeds}' if args.seeds else ''}`",
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
        "## Fit + predict time over all data sets (seconds, first three seeds)",
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
