"""AutoETS on all of M1 beside R's ``forecast::ets`` and statsforecast's ``AutoETS``.

The 1,001 M1 series (181 yearly, 203 quarterly, 617 monthly; season 1 / 4 / 12, horizon
6 / 8 / 18) are fitted by the three, each with its defaults (model "ZZZ", the model by
AICc). Printed: how often each picks R's model, sMAPE and MASE per frequency, and the
time per series. Times are CPU seconds of the process (the machine is shared, so wall
time says little): ours and statsforecast's in this process, interleaved, best of
``--repeats`` passes after a warm-up (numba compilation excluded for both); R's inside
Rscript around its own loop (one pass, start-up excluded), run beside the Python passes.

Run with ``OMP_NUM_THREADS=1 /work/main/.venv-bench/bin/python benchmarks/autoets.py``
(``PYTHONPATH`` at the repository root); ``--quick`` takes the first 30 series of each
frequency. R is skipped with a message where ``Rscript`` or its ``forecast`` package is
missing, statsforecast where it is not installed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from tsclassic.arima import AutoETS
from tsclassic.metrics import mase, smape

FREQUENCIES = {"yearly": (1, 6), "quarterly": (4, 8), "monthly": (12, 18)}
SHARED = Path("/work/shared/data/m1")
RESULTS = Path(__file__).parent / "results" / "autoets.md"

R_SCRIPT = r"""
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = c("character", "numeric", "numeric"))
m <- as.integer(args[2]); h <- as.integer(args[3])
ids <- unique(d$unique_id)
out <- matrix(NA_real_, length(ids), h)
method <- character(length(ids))
start <- proc.time()
for (i in seq_along(ids)) {
  y <- ts(d$y[d$unique_id == ids[i]], frequency = m)
  fit <- ets(y)
  method[i] <- fit$method
  out[i, ] <- forecast(fit, h = h)$mean
}
used <- proc.time() - start
elapsed <- used[["user.self"]] + used[["sys.self"]]
res <- data.frame(unique_id = ids, method = method, out)
write.csv(res, args[4], row.names = FALSE)
cat(elapsed, file = args[5])
"""


def load(frequency: str) -> tuple[list[str], list[np.ndarray], list[np.ndarray]]:
    """The M1 train and test series of one frequency, in Mcomp's order."""
    try:
        from tsclassic.datasets import load_m1

        train, test, _ = load_m1(frequency=frequency)
    except ImportError:
        train = pd.read_csv(SHARED / f"{frequency}_train.csv", dtype={"unique_id": str})
        test = pd.read_csv(SHARED / f"{frequency}_test.csv", dtype={"unique_id": str})
    ids = list(dict.fromkeys(train["unique_id"]))
    y_train = dict(tuple(train.groupby("unique_id", sort=False)["y"]))
    y_test = dict(tuple(test.groupby("unique_id", sort=False)["y"]))
    return ids, [y_train[i].to_numpy(float) for i in ids], [y_test[i].to_numpy(float) for i in ids]


def r_name(method: str) -> str:
    """'ETS(M,Ad,N)' -> 'MAdN'."""
    return method.replace("ETS(", "").replace(")", "").replace(",", "")


def run_ours(series: list[np.ndarray], m: int, h: int) -> tuple[list[str], np.ndarray]:
    names, forecasts = [], []
    for y in series:
        est = AutoETS(season_length=m).fit(y)
        names.append(est.model_)
        forecasts.append(est.predict(h))
    return names, np.array(forecasts)


def run_statsforecast(series: list[np.ndarray], m: int, h: int) -> tuple[list[str], np.ndarray]:
    from statsforecast.models import AutoETS as SFAutoETS

    names, forecasts = [], []
    for y in series:
        model = SFAutoETS(season_length=m).fit(y)
        names.append(r_name(model.model_["method"]))
        forecasts.append(model.predict(h)["mean"])
    return names, np.array(forecasts)


def start_r(ids: list[str], series: list[np.ndarray], m: int, h: int):
    """Start R's ets on every series in the background: (process, folder), or None."""
    if shutil.which("Rscript") is None:
        return None
    tmp = Path(tempfile.mkdtemp(prefix="autoets_r_"))
    frame = pd.concat(
        [pd.DataFrame({"unique_id": i, "ds": np.arange(1, len(y) + 1), "y": y})
         for i, y in zip(ids, series)]
    )
    frame.to_csv(tmp / "train.csv", index=False, float_format="%.17g")
    (tmp / "ets.R").write_text(R_SCRIPT)
    process = subprocess.Popen(
        ["Rscript", str(tmp / "ets.R"), str(tmp / "train.csv"), str(m), str(h),
         str(tmp / "out.csv"), str(tmp / "time.txt")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    return process, tmp


def finish_r(started):
    """R's (names, forecasts, CPU seconds), or None where R failed or is missing."""
    if started is None:
        return None
    process, tmp = started
    _, err = process.communicate()
    try:
        if process.returncode != 0:
            print(f"R skipped: Rscript failed ({err.strip()[-300:]})")
            return None
        out = pd.read_csv(tmp / "out.csv", dtype={"unique_id": str})
        seconds = float((tmp / "time.txt").read_text())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [r_name(s) for s in out["method"]], out.iloc[:, 2:].to_numpy(float), seconds


def scores(forecasts: np.ndarray, train: list[np.ndarray], test: list[np.ndarray], m: int):
    s = np.mean([smape(t, f) for t, f in zip(test, forecasts)])
    q = np.mean([mase(t, f, y, season_length=m) for t, f, y in zip(test, forecasts, train)])
    return float(s), float(q)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="first 30 series per frequency")
    parser.add_argument("--repeats", type=int, default=2, help="timed passes (best kept)")
    args = parser.parse_args()
    try:
        import statsforecast  # noqa: F401

        have_sf = True
    except ImportError:
        print("statsforecast skipped: not installed (use /work/main/.venv-bench)")
        have_sf = False

    # Warm-up: compile both numba code paths before any timing.
    warm = [np.abs(np.random.default_rng(0).normal(10, 1, 40)) + 1]
    for m in (1, 4, 12):
        run_ours(warm, m, 3)
        if have_sf:
            run_statsforecast(warm, m, 3)

    data = {}
    for frequency in FREQUENCIES:
        ids, train, test = load(frequency)
        if args.quick:
            ids, train, test = ids[:30], train[:30], test[:30]
        data[frequency] = ids, train, test
    # R runs beside the timed Python passes; every time is CPU time of its own process.
    r_started = {f: start_r(d[0], d[1], *FREQUENCIES[f]) for f, d in data.items()}
    if any(v is None for v in r_started.values()):
        print("R skipped: Rscript with the forecast package is not available")

    rows, lines = [], []
    totals = {"ours": 0.0, "statsforecast": 0.0, "R": 0.0}
    agree_all = {"ours": [], "statsforecast": []}
    n_all = 0
    for frequency, (m, h) in FREQUENCIES.items():
        ids, train, test = data[frequency]
        n_all += len(ids)
        best = {"ours": np.inf, "statsforecast": np.inf}
        result = {}
        for _ in range(args.repeats):
            for name, runner in (("ours", run_ours), ("statsforecast", run_statsforecast)):
                if name == "statsforecast" and not have_sf:
                    continue
                start = time.process_time()
                result[name] = runner(train, m, h)
                best[name] = min(best[name], time.process_time() - start)
        r = finish_r(r_started[frequency])
        if r is not None:
            result["R"] = r[:2]
            best["R"] = r[2]
        for name, (models, fc) in result.items():
            s, q = scores(fc, train, test, m)
            agree = np.nan
            if "R" in result and name != "R":
                hits = [a == b for a, b in zip(models, result["R"][0])]
                agree_all[name] += hits
                agree = 100 * np.mean(hits)
            totals[name] += best[name]
            rows.append((frequency, len(ids), name, s, q, agree, 1000 * best[name] / len(ids)))
    header = "| frequency | series | model | sMAPE | MASE | same model as R (%) | CPU ms per series |"
    lines += [header, "|---|---|---|---|---|---|---|"]
    for freq, n, name, s, q, agree, ms in rows:
        agree_text = "" if np.isnan(agree) else f"{agree:.1f}"
        lines.append(f"| {freq} | {n} | {name} | {s:.3f} | {q:.3f} | {agree_text} | {ms:.1f} |")
    lines.append("")
    for name, hits in agree_all.items():
        if hits:
            lines.append(f"- {name} picks R's model on {100 * np.mean(hits):.1f}% of the "
                         f"{len(hits)} series.")
    per = {k: 1000 * v / n_all for k, v in totals.items() if v > 0}
    for name, ms in per.items():
        lines.append(f"- {name}: {ms:.1f} CPU ms per series over all {n_all} series.")
    if "statsforecast" in per:
        lines.append(f"- time per series, ours / statsforecast: {per['ours'] / per['statsforecast']:.2f}")
    if "R" in per:
        lines.append(f"- time per series, ours / R: {per['ours'] / per['R']:.2f}")
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        RESULTS.parent.mkdir(exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        RESULTS.write_text(
            f"# AutoETS on M1 beside R's forecast::ets and statsforecast's AutoETS\n\n"
            f"{stamp}; {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"shared with other jobs (timings are indicative); Python {sys.version.split()[0]}.\n"
            f"Command: `OMP_NUM_THREADS=1 PYTHONPATH=. /work/main/.venv-bench/bin/python "
            f"benchmarks/autoets.py --repeats {args.repeats}`\n\n"
            f"All three with their defaults (model 'ZZZ', AICc). Times are CPU time of each "
            f"process: ours and statsforecast's in one process, interleaved, best of "
            f"{args.repeats} passes after a warm-up; R's inside Rscript around its loop, "
            f"one pass, run beside them.\n\n{text}\n"
        )


if __name__ == "__main__":
    main()
