"""Nonlinear dynamics: the lynx-hare Lotka-Volterra fit, and SINDy beside pysindy.

1. LotkaVolterra(log_space=True) on the Hudson's Bay lynx-hare pelts 1900-1920: fit time
   and the fitted parameters beside the Stan case study's posterior (Carpenter 2018).
2. SINDy on a clean Lorenz trajectory (sigma 10, rho 28, beta 8/3, dt 0.002, start
   (-8, 8, 27)) of 5,000 points (10 time units) and 200,000 points (400 time units),
   beside pysindy 2.x configured identically (STLSQ threshold 0.1 alpha 0.05,
   PolynomialLibrary degree 2, SmoothedFiniteDifference = Savitzky-Golay 11/3 then
   second-order differences), in the same process; the coefficients are asserted equal
   and the time ratio printed. Times are the best of several repeats.

Run:  OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/dynamics.py [--quick]
(--quick: fewer repeats). The table goes to benchmarks/results/dynamics.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

from tsclassic.datasets import load_lynx_hare
from tsclassic.dynamics import LotkaVolterra, SINDy
from tsclassic.dynamics._presets import lorenz

STAN = {"alpha": (0.545, 0.465, 0.630), "beta": (0.028, 0.022, 0.033),
        "gamma": (0.803, 0.692, 0.926), "delta": (0.024, 0.020, 0.029)}


def best_time(fn, repeats: int) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def lorenz_trajectory(n: int, dt: float = 0.002) -> np.ndarray:
    t = np.arange(n) * dt
    sol = solve_ivp(lorenz, (0.0, t[-1]), [-8.0, 8.0, 27.0], t_eval=t, args=(10.0, 28.0, 8 / 3),
                    method="LSODA", rtol=1e-10, atol=1e-10)
    return sol.y.T


def pysindy_fit(x: np.ndarray, dt: float):
    import pysindy as ps

    model = ps.SINDy(
        optimizer=ps.STLSQ(threshold=0.1, alpha=0.05),
        feature_library=ps.PolynomialLibrary(degree=2),
        differentiation_method=ps.SmoothedFiniteDifference(),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, t=dt)
    return model.coefficients()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeats = 2 if args.quick else 5
    lines = []

    # 1. Lotka-Volterra on lynx-hare.
    y = load_lynx_hare()
    lv_time, model = best_time(lambda: LotkaVolterra(log_space=True).fit(y), max(repeats // 2, 1))
    print(f"lynx-hare LotkaVolterra(log_space=True) fit: {lv_time:.3f} s")
    lines += ["## Lotka-Volterra on the lynx-hare pelts (log-space least squares)", "",
              f"Fit time (best of {max(repeats // 2, 1)}): {lv_time:.3f} s", "",
              "| parameter | tsclassic | bse | Stan median | Stan 10% | Stan 90% | inside |",
              "|---|---|---|---|---|---|---|"]
    for name, (median, lo, hi) in STAN.items():
        value, bse = model.params_[name], model.bse_[name]
        inside = "yes" if lo <= value <= hi else "NO"
        print(f"  {name}: {value:.4f} (bse {bse:.4f}); Stan {median} [{lo}, {hi}] {inside}")
        lines.append(f"| {name} | {value:.4f} | {bse:.4f} | {median} | {lo} | {hi} | {inside} |")
    init = ", ".join(f"{k} {v:.2f}" for k, v in model.initial_state_.items())
    lines += ["", f"Initial state (1900): {init}; residual sd (log): "
              + ", ".join(f"{k} {v:.3f}" for k, v in model.sigma_.items()), ""]

    # 2. SINDy on Lorenz beside pysindy.
    try:
        import pysindy  # noqa: F401

        have_peer = True
    except ImportError:
        have_peer = False
    lines += ["## SINDy on Lorenz (degree 2, threshold 0.1), beside pysindy", "",
              "| points | tsclassic (s) | pysindy (s) | pysindy / tsclassic | max abs coef diff | "
              "nonzero terms |", "|---|---|---|---|---|---|"]
    dt = 0.002
    for n in (5_000, 200_000):
        x = lorenz_trajectory(n, dt)
        ours_t, ours = best_time(lambda x=x: SINDy().fit(x, t=dt), repeats)
        coef = ours.coefficients_.to_numpy()
        if have_peer:
            peer_t, peer = best_time(lambda x=x: pysindy_fit(x, dt), repeats)
            diff = float(np.max(np.abs(coef - peer)))
            assert np.array_equal(coef != 0, peer != 0), "different sparsity pattern"
            np.testing.assert_allclose(coef, peer, rtol=1e-7, atol=1e-9)
            ratio = peer_t / ours_t
            print(f"SINDy Lorenz n={n}: tsclassic {ours_t:.4f} s, pysindy {peer_t:.4f} s, "
                  f"pysindy/tsclassic = {ratio:.1f}x, max |coef diff| = {diff:.2e}")
            lines.append(f"| {n:,} | {ours_t:.4f} | {peer_t:.4f} | {ratio:.1f}x | {diff:.1e} | "
                         f"{int((coef != 0).sum())} |")
        else:
            print(f"SINDy Lorenz n={n}: tsclassic {ours_t:.4f} s (pysindy not installed)")
            lines.append(f"| {n:,} | {ours_t:.4f} | n/a | n/a | n/a | {int((coef != 0).sum())} |")
        for eq in ours.equations():
            print("   ", eq)
    lines += ["", "Equations recovered from 200,000 points:", "", "```", *ours.equations(), "```"]

    command = "OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/dynamics.py" + (
        " --quick" if args.quick else "")
    header = [
        "# Nonlinear dynamics: ODE fit and SINDy", "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}, shared with other jobs (timings are noisy; ratios are "
        f"from the same run), OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}",
        f"- command: `{command}`",
        f"- times: best of {repeats} repeats; pysindy configured identically "
        "(STLSQ(threshold=0.1, alpha=0.05), PolynomialLibrary(degree=2), "
        "SmoothedFiniteDifference()), coefficients asserted equal (rtol 1e-7)", "",
    ]
    out = Path(__file__).resolve().parent / "results" / "dynamics.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(header + lines) + "\n")
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
