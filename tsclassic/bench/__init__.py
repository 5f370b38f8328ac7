"""Classical against deep, on the same data, split and metric: three suites.

``run_bench`` runs the chosen suites into an output folder (resumable: each finished
cell is stored at once and skipped on a rerun) and writes the report: ``results.csv``,
``results.md``, one PNG per suite and a self-contained ``report.html``.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from tsclassic.bench._store import ResultStore

__all__ = ["SUITES", "run_bench", "ResultStore"]

SUITES = ("forecasting", "classification", "generation")
logger = logging.getLogger("tsclassic.bench")


def _suite_module(name: str):
    if name not in SUITES:
        raise ValueError(f"unknown suite {name!r}; known suites: {', '.join(SUITES)}.")
    try:
        return importlib.import_module(f"tsclassic.bench.{name}")
    except ModuleNotFoundError as err:
        if err.name != f"tsclassic.bench.{name}":
            raise
        logger.warning("bench: suite %s is not available in this installation; skipped", name)
        return None


def run_bench(
    suites: Sequence[str] = SUITES,
    quick: bool = False,
    out_dir: str | Path = "bench_out",
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Run the benchmark suites and write the report.

    Parameters
    ----------
    suites : sequence of {"forecasting", "classification", "generation"}
    quick : bool, default False
        Small subsets, for a run of a few minutes.
    out_dir : path, default "bench_out"
        Folder of finished cells and the report; a rerun skips finished cells.
    n_jobs : int, optional
        Parallel jobs where a suite can use them (the per-series forecasts, the classical
        classifiers); default: the cores this process may use.

    Returns
    -------
    pd.DataFrame
        Every finished cell (also in ``out_dir/results.csv``).
    """
    modules = [(name, _suite_module(name)) for name in suites]
    store = ResultStore(out_dir, mode="quick" if quick else "full")
    if n_jobs is None:
        n_jobs = available_cores()
    # A full run does every suite's light cells before any heavy one (the cells of minutes
    # each: the FCN, the LSTM language model, the global deep models on M4 Hourly), so an
    # interrupted run holds every problem's classical side and baselines; then the heavy
    # deep cells, the bench's question; then the heavy classical ones (MSTL on M4 Hourly,
    # the learned DTW window), figures the per-series benchmarks also give. The quick run
    # has one pass, its cells being seconds each.
    passes = [(None, None)] if quick else [(False, None), (True, True), (True, False)]
    labels = {(None, None): "", (False, None): " (light cells)",
              (True, True): " (heavy deep cells)", (True, False): " (heavy classical cells)"}
    try:
        for heavy, deep in passes:
            for name, module in modules:
                if module is not None:
                    logger.info("bench: suite %s%s", name, labels[heavy, deep])
                    module.run(store, quick=quick, n_jobs=n_jobs, heavy=heavy, deep=deep)
    finally:
        results = store.load()
        try:
            missing = missing_cells(store, modules, quick)
        except KeyboardInterrupt:  # a second Ctrl-C: the report, without the list
            missing = None
        _write_report_uninterrupted(results, Path(out_dir), missing=missing)
    return results


def missing_cells(store: ResultStore, modules: list, quick: bool) -> list[tuple[str, str, str]]:
    """The ``(suite, dataset, model)`` cells of the run that ``store`` does not hold, in
    the suites' order (a model skipped as unavailable counts as missing)."""
    out = []
    for name, module in modules:
        if module is None or not hasattr(module, "planned"):
            continue
        out += [(name, dataset, model) for dataset, model, config in module.planned(quick)
                if not store.done(name, dataset, model, config)]
    return out


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def _write_report_uninterrupted(results: pd.DataFrame, out_dir: Path,
                                missing: list | None = None) -> None:
    """Write the report with Ctrl-C held back, so that a second Ctrl-C (the first one
    stopped the run) still leaves a report of what finished; it is raised afterwards."""
    import signal
    import threading

    from tsclassic.bench.report import write_report

    if threading.current_thread() is not threading.main_thread():
        write_report(results, out_dir, missing)  # signals reach the main thread only
        return
    pressed = []
    previous = signal.signal(signal.SIGINT, lambda *_: pressed.append(True))
    try:
        write_report(results, out_dir, missing)
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt
