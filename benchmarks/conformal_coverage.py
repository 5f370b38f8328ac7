"""Coverage of conformal and analytic 95% intervals of every automatic model on M1.

Every automatic forecaster of tsclassic (ThetaForecaster, AutoTheta, AutoETS,
AutoSARIMAX and the two best EnsembleForecaster recipes of ``competitions.py``) runs on
the M1 series (Makridakis et al. 1982: yearly h = 6, quarterly h = 8, monthly h = 18)
through ``tsclassic.forecast_many`` (``--n-jobs``, default 1), once with its own (analytic or
simulated) 95% intervals and once wrapped in ``ConformalIntervals``. Printed per model
and frequency: the coverage of the test points (pooled over the points), MSIS (M4's,
alpha = 0.05, the mean over the series), CPU and wall time.

The sample is every ``--every``-th series of each frequency in file order (1: all 1,001),
starting from the ``--offset``-th (default 0), so that the runs with offsets 0 to every - 1
together cover all 1,001 series: the report then adds a table of their union.
Each cell (model, intervals, frequency, sample) is cached under
``benchmarks/results/conformal_coverage/`` as per-series scores, keyed by the model's
parameters, the sample, the level and a hash of the source of tsclassic it ran on, so
that a rerun skips the finished ones and a code change recomputes them. The report is
written to ``benchmarks/results/conformal_coverage.md``.

Run: ``OMP_NUM_THREADS=1 PYTHONPATH=. nice -n 10 /work/main/.venv/bin/python
benchmarks/conformal_coverage.py --every 10`` (``--only NAME`` runs the cells whose label
contains NAME; ``--main`` only each model's own and default conformal intervals;
``--report-only`` writes the report from the cache).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import platform
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

import tsclassic
from tsclassic import ConformalIntervals, EnsembleForecaster, forecast_many
from tsclassic.arima import AutoETS, AutoSARIMAX, AutoTheta, ThetaForecaster
from tsclassic.datasets import load_m1
from tsclassic.metrics import msis

ROOT = Path(__file__).parent / "results"
CACHE = ROOT / "conformal_coverage"
LEVEL = 0.95
N_JOBS = 1  # --n-jobs: the machine is shared, one process by default
FREQUENCIES = {"yearly": 1, "quarterly": 4, "monthly": 12}


def models(m: int) -> dict:
    """The automatic models, built as ``competitions.py`` builds them."""
    members = {"AutoETS": AutoETS(m, random_state=0), "AutoTheta": AutoTheta(m, random_state=0),
               "AutoSARIMAX": AutoSARIMAX(m), "DOTM": AutoTheta(m, model="DOTM", random_state=0)}

    def median(*names):
        return EnsembleForecaster([(n.lower(), members[n]) for n in names], aggregate="median")

    return {
        "ThetaForecaster": ThetaForecaster(m),
        "AutoTheta": members["AutoTheta"],
        "AutoETS": members["AutoETS"],
        "AutoSARIMAX": members["AutoSARIMAX"],
        "SCUM = median(AutoETS, AutoSARIMAX, DOTM)": median("AutoETS", "AutoSARIMAX", "DOTM"),
        "median(AutoETS, AutoTheta, AutoSARIMAX)": median("AutoETS", "AutoTheta", "AutoSARIMAX"),
    }


# Interval variants: None is the model's own; else ConformalIntervals' keyword arguments.
VARIANTS = {
    "analytic": None,
    "conformal scaled, selected": {"method": "scaled", "refit": "selected"},
    "conformal scaled, full": {"method": "scaled", "refit": "full"},
    "conformal normalized, selected": {"method": "normalized", "refit": "selected"},
    "conformal split, selected": {"method": "split", "refit": "selected"},
}
# The variants beyond the first two run for the cheap models only: "full" refits the
# whole automatic procedure in every window, 31 fits of an ensemble (with its
# AutoSARIMAX) per series, hours on 2 shared cores.
CHEAP = ("ThetaForecaster", "AutoTheta", "AutoETS")
N_WINDOWS = 30  # ConformalIntervals' default


def cells(main: bool = False) -> list[tuple[str, str]]:
    """(model, variant): every model's own and default conformal intervals first, then
    (unless ``main``) the comparisons, so that a stopped run has whole rows."""
    names, variants = list(models(1)), list(VARIANTS)
    first = [(m, v) for m in names for v in variants[:2]]
    return first + [(m, v) for v in variants[2:] for m in CHEAP] * (not main)


def build(model: str, variant: str, m: int):
    base = models(m)[model]
    options = VARIANTS[variant]
    return base if options is None else ConformalIntervals(base, n_windows=N_WINDOWS,
                                                           season_length=m, **options)


def source_hash() -> str:
    """What decides a figure besides the parameters: the code of tsclassic (its syntax
    trees without docstrings, so that a figure written into a docstring keeps the cache)."""
    digest = hashlib.sha1()
    for path in sorted(Path(tsclassic.__file__).parent.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
                node.body = body[1:] or [ast.Pass()]
        digest.update(ast.dump(tree).encode())
    return digest.hexdigest()[:12]


def sample(freq: str, every: int, offset: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    train, test, h = load_m1(frequency=freq)
    keep = train["unique_id"].unique()[offset::every]
    return train[train.unique_id.isin(keep)], test[test.unique_id.isin(keep)], h


def workers_cpu() -> float:
    """CPU seconds of this process and its worker processes (loky keeps them alive
    between calls, so the difference over a call is the call's)."""
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.Error:
            pass
    return total


def score(frame: pd.DataFrame, train: pd.DataFrame, test: pd.DataFrame, m: int) -> pd.DataFrame:
    """Per series: test points, points inside the interval, MSIS, the error if any."""
    past = {k: g["y"].to_numpy() for k, g in train.groupby("unique_id", sort=False)}
    actual = {k: g["y"].to_numpy() for k, g in test.groupby("unique_id", sort=False)}
    rows = []
    for uid, group in frame.groupby("unique_id", sort=False):
        y, lo, hi = actual[uid], group["lo"].to_numpy(float), group["hi"].to_numpy(float)
        row = {"unique_id": uid, "points": len(y), "inside": np.nan, "msis": np.nan,
               "unbounded": False, "error": group["error"].iloc[0]}
        if len(lo) == len(y) and not (np.isnan(lo).any() or np.isnan(hi).any()):
            row["inside"] = int(np.sum((y >= lo) & (y <= hi)))
            # An infinite bound (no finite conformal quantile) covers but has no score.
            row["unbounded"] = not (np.isfinite(lo).all() and np.isfinite(hi).all())
            if not row["unbounded"]:
                row["msis"] = msis(y, lo, hi, past[uid], season_length=m, alpha=1 - LEVEL)
        rows.append(row)
    return pd.DataFrame(rows)


def cell_key(model: str, variant: str, freq: str, every: int, code: str, offset: int = 0,
             n_jobs: int | None = None) -> str:
    spec = repr(build(model, variant, FREQUENCIES[freq]).get_params(deep=True))
    # Offset 0 keeps the key it had before offsets existed, and with it the cached cells.
    sample_id = every if offset == 0 else [every, offset]
    n_jobs = N_JOBS if n_jobs is None else n_jobs
    text = json.dumps([model, variant, freq, sample_id, LEVEL, n_jobs, code, spec])
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).strip("_")


def run_cell(model: str, variant: str, freq: str, every: int, code: str, offset: int = 0) -> dict:
    key = cell_key(model, variant, freq, every, code, offset)
    part = f"every{every}" + f"from{offset}" * (offset != 0)
    path = CACHE / f"{slug(model)}__{slug(variant)}__{freq}__{part}__{key}"
    if path.with_suffix(".json").exists():
        return {"offset": 0, **json.loads(path.with_suffix(".json").read_text()),
                "scores": pd.read_csv(path.with_suffix(".csv"), dtype={"unique_id": str})}
    m = FREQUENCIES[freq]
    train, test, h = sample(freq, every, offset)
    estimator = build(model, variant, m)
    cpu, start = workers_cpu(), time.perf_counter()
    with warnings.catch_warnings():
        # Short series fit fewer windows than asked, with a warning per series; the
        # report counts them instead.
        warnings.simplefilter("ignore")
        frame = forecast_many(estimator, train, h=h, n_jobs=N_JOBS, coverage=LEVEL, progress=False)
    wall, cpu = time.perf_counter() - start, workers_cpu() - cpu
    scores = score(frame, train, test, m)
    meta = {"model": model, "variant": variant, "frequency": freq, "every": every, "offset": offset,
            "n_jobs": N_JOBS,
            "series": int(train.unique_id.nunique()), "wall_s": wall, "cpu_s": cpu,
            "code": code, "key": key, "n_windows": N_WINDOWS if VARIANTS[variant] else None,
            "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    CACHE.mkdir(parents=True, exist_ok=True)
    scores.to_csv(path.with_suffix(".csv"), index=False, float_format="%.6g")
    path.with_suffix(".json").write_text(json.dumps(meta, indent=1))
    return {**meta, "scores": scores}


def summary(result: dict) -> dict:
    s = result["scores"]
    ran = s[s["inside"].notna()]
    # An infinite bound covers trivially: such series count apart, not as covered.
    ok = ran[~ran["unbounded"].astype(bool)]
    return {"series": result["series"], "failed": int(result["series"] - len(ran)),
            "points": int(ok["points"].sum()), "inside": float(ok["inside"].sum()),
            "msis_sum": float(ok["msis"].sum()), "msis_n": int(ok["msis"].notna().sum()),
            "unbounded": int(len(ran) - len(ok)), "cpu_s": result["cpu_s"], "wall_s": result["wall_s"]}


def fmt(part: dict) -> str:
    cov = part["inside"] / part["points"] if part["points"] else np.nan
    msis_mean = part["msis_sum"] / part["msis_n"] if part["msis_n"] else np.nan
    extra = [f"{part['failed']} failed"] * bool(part["failed"]) + \
            [f"{part['unbounded']} unbounded"] * bool(part["unbounded"])
    return f"{cov:.1%} / {msis_mean:.2f}" + (f" ({', '.join(extra)})" if extra else "")


def report(results: list[dict], every: int, command: str, code: str, title: bool = True,
           union: bool = False) -> str:
    by_cell: dict[tuple[str, str], dict[str, dict]] = {}
    for r in results:
        by_cell.setdefault((r["model"], r["variant"]), {})[r["frequency"]] = summary(r)
    series = {f: sample(f, 1 if union else every)[0].unique_id.nunique() for f in FREQUENCIES}
    measured = sorted(r["measured"] for r in results)
    jobs = " or ".join(str(n) for n in sorted({_n_jobs(r) for r in results}))
    heading = (f"## All 1,001 series: the union of the {every} samples of every {every}th series"
               f" (offsets 0 to {every - 1})" if union else
               f"## Sample: every {every}{'th' if every > 1 else ''} series")
    lines = [
        *(["# Conformal and analytic 95% intervals of the automatic models on M1", ""] * title),
        heading, "",
        f"Report written {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}; cells measured "
        f"{measured[0]} to {measured[-1]} (cached in `benchmarks/results/conformal_coverage/`, "
        f"tsclassic source hash {code}). Machine: {os.cpu_count()} cores shared with other jobs "
        f"(timings are noisy and slower than on an idle machine), {platform.machine()}, "
        f"Python {platform.python_version()}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
        f"`forecast_many(..., n_jobs={jobs})`.", "",
        f"Command: `{command}`", "",
        f"Sample: every {every}th series of each frequency in file order "
        f"({series['yearly']} yearly, {series['quarterly']} quarterly, {series['monthly']} monthly: "
        f"{sum(series.values())} of 1,001)" if every > 1 and not union else
        f"Sample: all 1,001 series ({series['yearly']} yearly, {series['quarterly']} quarterly, "
        f"{series['monthly']} monthly); per-series scores of the {every} runs pooled, CPU and "
        f"wall times summed over them.", "",
        f"Each entry: coverage of the test points (pooled over points) / MSIS (mean over series, "
        f"alpha = 0.05). Conformal: `ConformalIntervals(model, n_windows={N_WINDOWS}, "
        f"season_length=m, method=..., refit=...)`; 'selected' refits only the structure the "
        f"model chose on the whole series in the calibration windows, 'full' the whole automatic "
        f"procedure. 'unbounded': series whose conformal quantile was infinite (windows whose "
        f"history has a zero seasonal-naive MAE, e.g. a first year repeated), left out of "
        f"coverage and MSIS; 'failed': series with no interval (too short for one "
        f"calibration window), left out. CPU: seconds of the process and its "
        f"workers ({jobs}) over the three frequencies.", "",
        "| model | intervals | M1 (points) | yearly | quarterly | monthly | CPU (s) | wall (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (model, variant), parts in by_cell.items():
        if len(parts) < len(FREQUENCIES):
            continue
        total = {k: sum(p[k] for p in parts.values()) for k in parts["yearly"]}
        lines.append(f"| {model} | {variant} | {fmt(total)} | {fmt(parts['yearly'])} | "
                     f"{fmt(parts['quarterly'])} | {fmt(parts['monthly'])} | {total['cpu_s']:.0f} | "
                     f"{total['wall_s']:.0f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    global N_JOBS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--only", default=None)
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--main", action="store_true")
    parser.add_argument("--n-jobs", type=int, default=N_JOBS)
    args = parser.parse_args()
    N_JOBS = args.n_jobs
    code = source_hash()
    results = []
    for model, variant in cells(args.main):
        label = f"{model} | {variant}"
        for freq in FREQUENCIES:
            key = cell_key(model, variant, freq, args.every, code, args.offset)
            cached = any(CACHE.glob(f"*__{key}.json"))
            # The report gathers every finished cell of this sample and code.
            if not cached and (args.report_only or (args.only and args.only not in label)):
                continue
            r = run_cell(model, variant, freq, args.every, code, args.offset)
            results.append(r)
            s = summary(r)
            print(f"{label} | {freq}: {fmt(s)}  cpu {s['cpu_s']:.0f} s, wall {s['wall_s']:.0f} s"
                  f"{' (cached)' if cached else ''}", flush=True)
    if results:
        print(write_report(code))


def write_report(code: str) -> str:
    """The tables of all 1,001 series pooled from offsets (where every offset finished),
    then one table per sample (``--every``, offset 0) with finished cells of this code, the
    largest sample first, and the hand-written findings of the previous report kept."""
    metas = [json.loads(p.read_text()) for p in CACHE.glob("*.json")]
    sections = union_sections(metas, code)
    for every in sorted({m["every"] for m in metas if m["code"] == code}):
        results = []
        for model, variant in cells():
            for freq in FREQUENCIES:
                found = finished(metas, code, model, variant, freq, every)
                if 0 in found:
                    results.append(_load(found[0]))
        if not results:
            continue
        main_only = not any(r["variant"] in list(VARIANTS)[2:] for r in results)
        jobs = {_n_jobs(r) for r in results}
        command = ("OMP_NUM_THREADS=1 PYTHONPATH=. nice -n 10 /work/main/.venv/bin/python "
                   f"benchmarks/conformal_coverage.py --every {every}" + " --main" * main_only
                   + "".join(f" --n-jobs {n}" for n in jobs if n != 1))
        sections.append(report(results, every, command, code, title=not sections))
    path = ROOT / "conformal_coverage.md"
    old = path.read_text() if path.exists() else ""
    findings = old[old.index("\n## Findings"):] if "\n## Findings" in old else ""
    text = "\n".join(sections) + findings
    path.write_text(text)
    return text


def union_sections(metas: list[dict], code: str) -> list[str]:
    """A table of all 1,001 series for every ``--every`` whose offsets 0 to every - 1 all
    finished a cell on this code. Cells are matched by what they measured (model, intervals,
    frequency, sample; see ``finished``)."""
    sections = []
    for every in sorted({m["every"] for m in metas if m["code"] == code and m["every"] > 1}):
        results = []
        for model, variant in cells():
            for freq in FREQUENCIES:
                parts = finished(metas, code, model, variant, freq, every)
                if len(parts) < every:
                    continue
                scored = [_load(meta) for _, meta in sorted(parts.items())]
                results.append({**scored[0], "series": sum(r["series"] for r in scored),
                                "cpu_s": sum(r["cpu_s"] for r in scored),
                                "wall_s": sum(r["wall_s"] for r in scored),
                                "measured": min(r["measured"] for r in scored),
                                "scores": pd.concat([r["scores"] for r in scored], ignore_index=True)})
        if results:
            command = ("OMP_NUM_THREADS=1 PYTHONPATH=. nice -n 5 /work/main/.venv/bin/python "
                       f"benchmarks/conformal_coverage.py --every {every} --main --offset K, "
                       f"for K = 0 to {every - 1}")
            sections.append(report(results, every, command, code, title=not sections, union=True))
    return sections


def finished(metas: list[dict], code: str, model: str, variant: str, freq: str,
             every: int) -> dict[int, dict]:
    """The finished cells of a sample on this code, by offset. Matched by what they
    measured, not by key: the key also holds ``--n-jobs``, which changes only the times."""
    parts: dict[int, dict] = {}
    for meta in metas:
        if (meta["code"], meta["model"], meta["variant"], meta["frequency"],
                meta["every"]) == (code, model, variant, freq, every):
            parts.setdefault(meta.get("offset", 0), meta)
    return parts


def _n_jobs(meta: dict) -> int:
    """The ``--n-jobs`` a cell ran with: recorded, or (cells from before it was) the one
    that reproduces its key."""
    if "n_jobs" in meta:
        return meta["n_jobs"]
    return next(n for n in range(1, 65) if cell_key(
        meta["model"], meta["variant"], meta["frequency"], meta["every"], meta["code"],
        meta.get("offset", 0), n_jobs=n) == meta["key"])


def _load(meta: dict) -> dict:
    """A finished cell read from its files, by its metadata."""
    offset = meta.get("offset", 0)
    part = f"every{meta['every']}" + f"from{offset}" * bool(offset)
    path = CACHE / f"{slug(meta['model'])}__{slug(meta['variant'])}__{meta['frequency']}__{part}__{meta['key']}"
    return {**meta, "scores": pd.read_csv(path.with_suffix(".csv"), dtype={"unique_id": str})}


if __name__ == "__main__":
    main()
