"""Interval coverage of every trajectory model, on its own system with noise of known size.

For each trajectory model with intervals (``tsclassic.all_estimators("trajectory")``), the
conformance suite's measurement (:func:`tsclassic.testing.trajectory_coverage`): 90%
intervals, 5 steps ahead of noisy trajectories from the class's ``_coverage_data``, every
observed state. The suite runs it on ODEModel and SINDy at 30 replicates; the presets
share ODEModel's interval code and cost 10 to 40 s each, so they are measured here.

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

import tsclassic
from tsclassic.base import get_tags
from tsclassic.testing import test_params, trajectory_coverage


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
            coverage = trajectory_coverage(cls(**params), args.replicates)
            cpu = time.process_time() - start
            label = f"{name}({', '.join(f'{k}={v!r}' for k, v in params.items() if k != 'rhs')})"
            print(f"{label}: {coverage:.1%} in {cpu:.1f} s CPU", flush=True)
            rows.append(f"| {label} | {coverage:.1%} | {cpu:.1f} |")
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
        "| model (test parameters) | coverage | CPU s |", "|---|---|---|", *rows, "",
    ]
    out = Path(__file__).resolve().parent / "results" / "dynamics_coverage.md"
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
