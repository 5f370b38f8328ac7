"""Interval coverage of every trajectory model, on its own system with noise of known size.

For each trajectory model with intervals (``tsclassic.all_estimators("trajectory")``), the
conformance suite's measurement (:func:`tsclassic.testing.trajectory_coverage`): 90%
intervals, 5 steps ahead of noisy trajectories from the class's ``_coverage_data``, every
observed state. The suite runs it on every model, at 30 replicates, or at the class's
``_coverage_replicates`` (12 for the presets, whose fits are dear): the "suite" column is
the coverage of those first replicates (the draws are seeded, so they are the suite's).

Run:  OMP_NUM_THREADS=1 .venv/bin/python benchmarks/dynamics_coverage.py [--replicates 30]
The table goes to benchmarks/results/dynamics_coverage.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from pathlib import Path

import numpy as np

import tsclassic
from tsclassic.base import get_tags
from tsclassic.testing import test_params, trajectory_hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=30)
    args = parser.parse_args()
    rows = []
    for name, cls in tsclassic.all_estimators("trajectory"):
        if not get_tags(cls).intervals:
            continue
        for params in test_params(cls):
            start = time.process_time()
            hits = trajectory_hits(cls(**params), args.replicates)
            cpu = time.process_time() - start
            coverage = float(np.mean(hits))
            suite_n = getattr(cls, "_coverage_replicates", 30)
            suite = f"{np.mean(hits[:suite_n]):.1%} ({suite_n})" if suite_n <= len(hits) else "-"
            label = f"{name}({', '.join(f'{k}={v!r}' for k, v in params.items() if k != 'rhs')})"
            print(f"{label}: {coverage:.1%}, suite {suite}, in {cpu:.1f} s CPU", flush=True)
            rows.append(f"| {label} | {coverage:.1%} | {suite} | {cpu:.1f} |")
    command = "OMP_NUM_THREADS=1 .venv/bin/python benchmarks/dynamics_coverage.py" + (
        f" --replicates {args.replicates}" if args.replicates != 30 else "")
    lines = [
        "# Interval coverage of the trajectory models", "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}, shared with other jobs (CPU times are noisy), "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}",
        f"- command: `{command}`",
        f"- {args.replicates} noisy trajectories per model (its `_coverage_data`), 90% "
        f"intervals 5 steps ahead, every observed state; nominal 90%. The hits of one "
        f"trajectory share its fit, so the standard error is about 2.5 points at 30.", "",
        f"| model (test parameters) | coverage ({args.replicates}) | suite (replicates) | "
        f"CPU s |", "|---|---|---|---|", *rows, "",
    ]
    out = Path(__file__).resolve().parent / "results" / "dynamics_coverage.md"
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
