"""The cache key and report helpers of benchmarks/competitions.py (no model is benchmarked)."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsclassic.baselines import Naive

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "competitions.py"


@pytest.fixture(scope="module")
def comp():
    spec = importlib.util.spec_from_file_location("competitions_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look modules up by name
    spec.loader.exec_module(module)
    return module


class NaiveWithExtras(Naive):
    """Naive plus a method and a warning: new code, the same forecasts."""

    def describe_me(self) -> str:
        return "a naive forecaster"

    def fit(self, y, X=None):
        import warnings

        warnings.warn("an added warning", UserWarning, stacklevel=2)
        return super().fit(y, X)


class NaiveShifted(Naive):
    """Naive whose forecasts moved by one part in a thousand: a change in behaviour."""

    def predict(self, h, X=None):
        return super().predict(h, X) * 1.001


def test_probe_series_are_fixed_and_long_enough(comp):
    for m in (1, 4, 12, 24):
        first, again = comp.probe_series(m), comp.probe_series(m)
        pd.testing.assert_frame_equal(first, again)
        lengths = first.groupby("unique_id").size()
        assert lengths.max() >= 2 * max(m, 168 if m == 24 else m)
        assert (first["y"] > 0).all()  # multiplicative models must run on them


def test_fingerprint_ignores_code_that_does_not_change_forecasts(comp):
    assert comp.fingerprint(NaiveWithExtras(), 12, 18) == comp.fingerprint(Naive(), 12, 18)


def test_fingerprint_changes_with_behaviour_parameters_and_horizon(comp):
    base = comp.fingerprint(Naive(), 12, 18)
    assert comp.fingerprint(NaiveShifted(), 12, 18) != base
    assert comp.fingerprint(Naive(), 12, 8) != base
    assert comp.fingerprint(comp.SeasonalNaive(12), 12, 18) != base


def test_cache_keeps_a_cell_while_its_key_matches(comp, tmp_path):
    data = {"M1 yearly": comp.load("M1 yearly", quick=True)}
    key = comp.cell_key("M1 yearly", "Naive", "ours", Naive(), data)
    assert "fingerprint" in key and "code" not in key
    scores = pd.DataFrame({"unique_id": ["a"], "h": [6], "smape": [1.0], "mase": [1.0],
                           "msis": [np.nan], "coverage": [np.nan], "error": [None]})
    meta = {"wall_s": 1.0, "cpu_s": 1.0, "n_jobs": 1, "kind": "ours", "date": "2026-12-02 00:00 UTC"}
    cache = comp.Cache(tmp_path, rerun=["Nai"])
    cache.put("M1 yearly", "Naive", scores, meta, key)
    assert cache.get("M1 yearly", "Naive", key) is None  # asked to rerun
    assert cache.get("M1 yearly", "Naive", key, rerun=False) is not None
    shifted = comp.cell_key("M1 yearly", "Naive", "ours", NaiveShifted(), data)
    assert cache.get("M1 yearly", "Naive", {**key, "fingerprint": shifted["fingerprint"]}, rerun=False) is None


def test_speed_gives_the_peers_cpu_and_wall_over_ours_per_set(comp):
    scores = pd.DataFrame({"unique_id": ["a"], "h": [48], "smape": [1.0], "mase": [1.0],
                           "msis": [np.nan], "coverage": [np.nan], "error": [None]})

    def cell(wall, cpu, kind):
        return scores, {"wall_s": wall, "cpu_s": cpu, "n_jobs": 1, "kind": kind}

    cells = {"M4 hourly": {"AutoETS": cell(10.0, 4.0, "ours"), "R forecast::ets": cell(30.0, 20.0, "R")},
             comp.SUBSET: {"AutoETS": cell(2.0, 1.0, "ours"),
                           "R forecast::ets": cell(3.0, np.nan, "R")}}
    row = next(line for line in comp.speed({}, cells).splitlines() if "R forecast::ets" in line)
    # M1 (no cells), all 414 (CPU 20 / 4, wall 30 / 10), the subset (no peer CPU: blank).
    assert row == "| AutoETS | R forecast::ets |  | 5.00 / 3.00 |  / 1.50 |"


def test_report_survives_no_current_cell_and_lists_the_stale(comp, tmp_path):
    data = comp.load_sets("M1 yearly", quick=True)
    cache = comp.Cache(tmp_path, rerun=[])
    scores = pd.DataFrame({"unique_id": ["x"], "h": [6], "smape": [1.0], "mase": [1.0],
                           "msis": [np.nan], "coverage": [np.nan], "error": [None]})
    old_key = {"dataset": "M1 yearly", "code": "an old source hash"}
    cache.put("M1 yearly", "Naive", scores, {"wall_s": 1.0, "n_jobs": 1, "kind": "ours",
                                            "date": "2026-12-01 00:00 UTC"}, old_key)
    args = argparse.Namespace(skip_conformal=True, n_jobs=2)
    cells, stale = comp.current_cells(cache, data, "not installed", args)
    assert cells == {} and "Naive" in stale["M1 yearly"]
    text = comp.report(cells, args, "not installed", stale, [])
    assert "no cell is current" in text
    stale_line = next(line for line in text.splitlines() if line.startswith("- M1 yearly (stale"))
    assert "Naive" in stale_line


def test_stamp_verified_rekeys_only_reproduced_cells(comp, tmp_path):
    data = comp.load_sets("M1 yearly", quick=True)
    train_df, train, test, h = data["M1 yearly"]
    frame, _, _ = comp.run_ours(Naive(), train_df, h, n_jobs=1)
    true_scores = comp.score(frame, train, test, 1)
    key = comp.cell_key("M1 yearly", "Naive", "ours", Naive(), data)
    old_key = {k: v for k, v in key.items() if k != "fingerprint"} | {"code": "old", "tsclassic": "0"}
    cache = comp.Cache(tmp_path, rerun=[])
    meta = {"wall_s": 1.0, "n_jobs": 1, "kind": "ours", "date": "2026-12-01 00:00 UTC"}
    cache.put("M1 yearly", "Naive", true_scores, meta, old_key)
    wrong = true_scores.assign(smape=true_scores["smape"] * 1.01)
    cache.put("M1 yearly", "SeasonalNaive", wrong, meta,
              {**old_key, "model": comp.describe(comp.SeasonalNaive(1))})
    args = argparse.Namespace(skip_conformal=True, n_jobs=1)
    lines = comp.stamp_verified(cache, data, "not installed", args)
    assert any(line.startswith("M1 yearly, Naive: re-keyed") for line in lines)
    assert any(line.startswith("M1 yearly, SeasonalNaive: stale (not reproduced") for line in lines)
    assert cache.get("M1 yearly", "Naive", key) is not None
    rekeyed = json.loads(cache._paths("M1 yearly", "Naive")[1].read_text())
    assert "reproduces its scores" in rekeyed["key_stamped"]


def test_a_terminated_run_takes_its_subprocess_group_with_it(tmp_path):
    # The benchmark's own handler and run_killable, in a process of its own that is then
    # sent SIGTERM while its child (a shell with background children, like R's forks) runs.
    code = textwrap.dedent(f"""
        import importlib.util, signal, sys
        spec = importlib.util.spec_from_file_location("c", {str(SCRIPT)!r})
        c = importlib.util.module_from_spec(spec); spec.loader.exec_module(c)
        signal.signal(signal.SIGTERM, c._terminate_as_interrupt)
        c.run_killable(["sh", "-c", "sleep 60 & sleep 60 & echo started > {tmp_path / 'go'}; wait"])
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "PYTHONWARNINGS": "ignore"})
    deadline = time.monotonic() + 120
    while not (tmp_path / "go").exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    import psutil

    group = psutil.Process(proc.pid).children()[0].pid  # the shell leads its own group
    assert os.getpgid(group) == group != os.getpgid(proc.pid)
    assert len(_running_in_group(group)) == 3  # the shell and its two children
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) != 0
    time.sleep(0.5)
    assert _running_in_group(group) == []


def _running_in_group(group: int) -> list[int]:
    """Live (not zombie: killed, waiting to be reaped) processes of a process group."""
    import psutil

    out = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == group and proc.status() != psutil.STATUS_ZOMBIE:
                out.append(proc.pid)
        except (ProcessLookupError, psutil.Error):
            pass
    return out
