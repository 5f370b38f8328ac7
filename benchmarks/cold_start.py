"""The first call of each estimator in a fresh process: cold (empty numba cache) and warm.

Each case runs in its own subprocess, first with an empty ``NUMBA_CACHE_DIR`` (what a new
user meets after install: every compiled kernel the call needs is compiled), then again in
a fresh process with that cache filled (what every later session meets: the kernels are
loaded from disk). Reported per case, each timed inside the subprocess (the interpreter's
own start is not counted): the import of the estimator's module with its data, and the
first call (fit, then predict or transform), the issue's "first call". The first call
includes whatever it imports on the way: numba itself for ``tsclassic.neighbors`` (whose
import defers it, so that importing the package does not load numba), scipy.signal for
the peak features; numba's start on its first compilation or first cache load (its
typing and lowering registries) falls there too. Import and first call are both given in
CPU seconds, so that nothing moved from one to the other goes unseen.
Targets: the first call at most 5 s cold and 0.5 s warm.

The cache directory is set by this script, never taken from the environment: without it,
numba caches next to the sources (``__pycache__``), so a checkout that has run before is
never cold.

Run single-threaded::

    OMP_NUM_THREADS=1 python benchmarks/cold_start.py [--repeat N] [--only NAME ...]

``--repeat`` takes the median of N cold and N warm runs (a new empty cache for each cold
one): on a shared machine a compilation's CPU time varies by a third from run to run. The
table is printed and written to benchmarks/results/cold_start.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_UCR = "from tsclassic.datasets import load_ucr\nX, y = load_ucr('GunPoint')\n"
_AIR = "from tsclassic.datasets import load_airline\ny = load_airline()\n"

# name: (setup: imports and data, timed as "import"; call: the first call, timed alone)
CASES = {
    "KNeighborsDTWClassifier (full window)": (
        "from tsclassic.neighbors import KNeighborsDTWClassifier\n" + _UCR,
        "KNeighborsDTWClassifier().fit(X, y).predict(X)",
    ),
    "KNeighborsDTWClassifier (window=0.1)": (
        "from tsclassic.neighbors import KNeighborsDTWClassifier\n" + _UCR,
        "KNeighborsDTWClassifier(window=0.1).fit(X, y).predict(X)",
    ),
    "AnalogueForecaster (AirPassengers)": (
        "from tsclassic.neighbors import AnalogueForecaster\n" + _AIR,
        "AnalogueForecaster().fit(y).predict(12)",
    ),
    "NGramLM": (
        "from tsclassic.language import NGramLM\n"
        "text = [list(w) for w in ['abracadabra', 'abba', 'cadabra', 'barbara'] * 20]\n",
        "NGramLM(order=3).fit(text).predict(list('ab'))",
    ),
    "SINDy": (
        "import numpy as np\nfrom tsclassic.dynamics import SINDy\n"
        "t = np.linspace(0, 10, 1001)\ny = np.column_stack([np.cos(t), np.sin(t)])\n",
        "SINDy().fit(y, t=t).predict(10)",
    ),
    "TimeDomainFeatures": (
        "from tsclassic.timedomain import TimeDomainFeatures\n" + _UCR,
        "TimeDomainFeatures().fit_transform(X)",
    ),
    "SpectralFeatures": (
        "from tsclassic.spectral import SpectralFeatures\n" + _UCR,
        "SpectralFeatures().fit_transform(X)",
    ),
    "WaveletFeatures": (
        "from tsclassic.spectral import WaveletFeatures\n" + _UCR,
        "WaveletFeatures().fit_transform(X)",
    ),
    "QuantileFeatures": (
        "from tsclassic.ml import QuantileFeatures\n" + _UCR,
        "QuantileFeatures().fit_transform(X)",
    ),
}

_CHILD = """
import json, time, warnings
warnings.filterwarnings("ignore")
start, start_cpu = time.perf_counter(), time.process_time()
exec({setup!r})
imported, imported_cpu = time.perf_counter(), time.process_time()
exec({call!r})
done, done_cpu = time.perf_counter(), time.process_time()
print(json.dumps({{"import": imported - start, "call": done - imported,
                  "import_cpu": imported_cpu - start_cpu, "call_cpu": done_cpu - imported_cpu}}))
"""

COLD_TARGET, WARM_TARGET = 5.0, 0.5


def run_case(setup: str, call: str, cache_dir: str) -> dict:
    """Run one case in a fresh interpreter with ``cache_dir`` as numba's cache."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, PYTHONPATH=str(ROOT),
               OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    out = subprocess.run(
        [sys.executable, "-c", _CHILD.format(setup=setup, call=call)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"case failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(setup: str, call: str, repeat: int) -> dict:
    cold, warm = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="tsclassic-cold-") as cache:
            cold.append(run_case(setup, call, cache))
            warm.append(run_case(setup, call, cache))
    median = {}
    for label, runs in (("cold", cold), ("warm", warm)):
        for key in runs[0]:
            median[f"{label}_{key}"] = statistics.median(r[key] for r in runs)
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="median of this many runs")
    parser.add_argument("--only", nargs="*", help="case names (substrings) to run")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "cold_start.md"))
    args = parser.parse_args()
    names = [n for n in CASES if not args.only or any(s in n for s in args.only)]
    header = ("| case | import, CPU (s) | first call, cold, CPU (s) | first call, warm, CPU (s) "
              "| first call, cold, wall (s) | first call, warm, wall (s) | targets met (CPU) |")
    lines = [header, "|---|---|---|---|---|---|---|"]
    print(header, flush=True)
    for name in names:
        r = measure(*CASES[name], args.repeat)
        ok = r["cold_call_cpu"] <= COLD_TARGET and r["warm_call_cpu"] <= WARM_TARGET
        line = (f"| {name} | {r['warm_import_cpu']:.2f} | {r['cold_call_cpu']:.2f} "
                f"| {r['warm_call_cpu']:.3f} | {r['cold_call']:.2f} | {r['warm_call']:.3f} "
                f"| {'yes' if ok else 'no'} |")
        lines.append(line)
        print(line, flush=True)
    command = "OMP_NUM_THREADS=1 python benchmarks/cold_start.py" + (
        f" --repeat {args.repeat}" if args.repeat > 1 else "")
    text = "\n".join([
        "# The first call: cold (empty numba cache) and warm",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{sys.version.split()[0]}; shared with other jobs while it ran (load average "
        f"{os.getloadavg()[0]:.0f} at the end), so wall times are inflated several times over: "
        "the CPU columns (the subprocess's own CPU time for the first call) are the ones to "
        "judge, and what an unloaded machine's wall time comes close to",
        f"- command: `{command}`",
        "- each case in a fresh process with an empty NUMBA_CACHE_DIR (cold), then in another "
        "fresh process with that cache (warm); 'import': importing the estimator and loading "
        "its data (CPU, the warm run's); 'first call': fit, then predict or transform, with "
        "what it imports on the way (numba for tsclassic.neighbors) and numba's start (CPU "
        "time, and wall time); median of the runs; targets: first call at most "
        f"{COLD_TARGET:g} s cold and {WARM_TARGET:g} s warm",
        "",
        *lines,
        "",
    ])
    print(f"written to {args.out}")
    Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
