"""How much faster than brute force can exact 1-NN DTW classification be? An oracle's bound.

For each UCR set in data/ whose archive-learned window is not zero, an oracle is told, for
every test series, the DTW ``D`` of its nearest training series and that series' class. It
still does what no exact search built from tsclassic's bounds and recursion can skip:
prepare the query and bound every training series from below (``bound_all``: LB_PAA and
LB_Kim, as the search does); measure one series at distance ``D`` (the nearest, its
recursion pruned against ``D``); and, for every series of another class whose bound does
not exceed ``D``, run LB_Keogh both ways and then the recursion pruned against ``D``
(``item_sq``) until it is sure to be farther. Series of the nearest one's class it
skips. Its time against brute force (every DTW computed in full by the plain kernel) is
the most that this cascade (these bounds, then the pruned recursion) can gain, whatever
the order of the visits and the first threshold; the search's own ratio
(``nearest_labels``, what ``predict`` runs) stands beside it. A faster search would need
cheaper or tighter bounds, or a cheaper pruned recursion.

Run with the benchmark environment, single thread::

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 .venv-bench/bin/python benchmarks/dtw_search_ceiling.py

The table is printed and written to benchmarks/results/dtw_search_ceiling.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import warnings
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore")
# Keep the compiled kernels of this environment's numba apart from the development one's.
os.environ.setdefault("NUMBA_CACHE_DIR", "/tmp/tsclassic-bench-numba-cache")

from dtw_knn import best_time  # noqa: E402  (this script's folder is on the path)
from numba import njit  # noqa: E402

from tsclassic.datasets import list_ucr, load_ucr  # noqa: E402
from tsclassic.neighbors import KNeighborsDTWClassifier  # noqa: E402
from tsclassic.neighbors._checks import pack  # noqa: E402
from tsclassic.neighbors._kernels import band_radius, bound_part, item_sq  # noqa: E402
from tsclassic.neighbors._search import (  # noqa: E402
    build_index,
    knn_search,
    make_work,
    nearest_labels,
)


@njit(cache=True)
def _oracle(q_flat, q_off, index, labels, nearest, nearest_sq, work):
    n_train = index.offsets.shape[0] - 1
    measured = 0
    zero = np.int64(0)  # not a literal: the search's kernels compile for int64
    for i in range(q_off.shape[0] - 1):
        q = q_flat[q_off[i] : q_off[i + 1]]
        n = q.shape[0]
        bound_part(q, zero, band_radius(n, n, index.window), index, work)
        limit = nearest_sq[i] * (1.0 + 1e-12)  # the search's own allowance for rounding
        for j in range(n_train):
            if j != nearest[i]:
                if labels[j] == labels[nearest[i]] or work.lb[j] > limit:
                    continue
                measured += 1
            item_sq(q_flat, q_off, i, index.flat, index.offsets, index.split, index.window,
                    index.lower, index.upper, work.q_lower, work.q_upper, work.tail,
                    work.tail_reverse, work.prev, work.curr, j, nearest_sq[i])
    return measured


def oracle_search(queries, train, window, labels, nearest, nearest_sq):
    """The oracle's work for every query, with the search's index (built here, as the
    search's own timing includes it); returns how many other-class series it measured."""
    index = build_index(train, window)
    work = make_work(index, int(queries.lengths.max()))
    return _oracle(queries.flat, queries.offsets, index, labels, nearest, nearest_sq, work)


def run_set(name, repeat):
    X, y = load_ucr(name, "train")
    Xt, _ = load_ucr(name, "test")
    window = KNeighborsDTWClassifier(window="learn").fit(X, y).window_
    if window == 0:
        return None
    train, queries = pack(X[:, None, :]), pack(Xt[:, None, :])
    labels = np.unique(y, return_inverse=True)[1].astype(np.int64)
    index = build_index(train, window)
    brute_s, (dist, idx) = best_time(
        lambda: knn_search(queries, index, 1, None, brute=True), repeat)
    ours_s, classes = best_time(
        lambda: nearest_labels(queries, build_index(train, window), labels, None), repeat)
    assert np.array_equal(classes, labels[idx[:, 0]])
    args = (queries, train, window, labels, np.ascontiguousarray(idx[:, 0]),
            np.ascontiguousarray(dist[:, 0]))
    oracle_s, measured = best_time(lambda: oracle_search(*args), repeat)
    return {"set": name, "window": window, "n_train": train.n, "brute": brute_s, "ours": ours_s,
            "oracle": oracle_s, "measured": measured / queries.n}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    X, _ = load_ucr("GunPoint", "train")
    warm = pack(X[:6, None, :])  # compile every kernel before timing
    oracle_search(warm, warm, 0.1, np.zeros(6, dtype=np.int64), np.ones(6, dtype=np.int64),
                  np.ones(6))
    index = build_index(warm, 0.1)
    knn_search(warm, index, 1, None, brute=True)
    nearest_labels(warm, index, np.arange(6, dtype=np.int64), None)
    header = ("| set | learned w | n train | brute (s) | ours (s) | brute/ours | oracle (s) "
              "| brute/oracle | other-class series measured per query |")
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    print(header, flush=True)
    for name in list_ucr():
        r = run_set(name, args.repeat)
        if r is None:
            continue
        line = (f"| {name} | {r['window']:.2f} | {r['n_train']} | {r['brute']:.4f} "
                f"| {r['ours']:.4f} | {r['brute'] / r['ours']:.1f}x | {r['oracle']:.4f} "
                f"| {r['brute'] / r['oracle']:.1f}x | {r['measured']:.2f} |")
        lines.append(line)
        print(line, flush=True)
    write(lines, args)


def write(lines, args):
    out = Path(__file__).resolve().parent / "results" / "dtw_search_ceiling.md"
    out.parent.mkdir(exist_ok=True)
    command = ("OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 .venv-bench/bin/python "
               "benchmarks/dtw_search_ceiling.py" + (f" --repeat {args.repeat}"
                                                     if args.repeat != 3 else ""))
    text = "\n".join([
        "# 1-NN DTW at the learned window: the search, and an oracle's bound on any search",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{sys.version.split()[0]}; single thread, best of {args.repeat}",
        f"- command: `{command}`",
        "- sets: those of data/ whose archive-learned window is not zero (at a zero band the "
        "search screens distances from one matrix product instead, see dtw_knn.md)",
        "- 'brute': every DTW at the learned window computed in full by the plain kernel; "
        "'ours': the 1-NN classification (`nearest_labels`, what predict runs); 'oracle': told "
        "each test series' nearest distance and class beforehand, it bounds every training "
        "series, measures the nearest, and runs LB_Keogh both ways and the pruned recursion "
        "on the series of another class that its bound cannot discard (the last column), "
        "with the search's own kernels: the most this cascade can gain, whatever the order "
        "of the visits and the first threshold; ratios move 5-10 % from run to run, so a "
        "search within that of the oracle is at the bound",
        "",
        *lines,
        "",
    ])
    out.write_text(text)


if __name__ == "__main__":
    main()
