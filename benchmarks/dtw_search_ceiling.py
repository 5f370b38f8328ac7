"""How much faster than brute force can exact 1-NN DTW classification be? An oracle's bound.

For each UCR set in data/ whose archive-learned window is not zero, an oracle is told, for
every test series, the DTW ``D`` of its nearest training series and that series' class. It
still does what no exact search built from tsclassic's bounds and recursion can skip:
prepare the query and bound every training series from below (LB_PAA and LB_Kim, as the
search does); measure one series at distance ``D`` (the nearest, its
recursion pruned against ``D``); and, for every series of another class whose bound does
not exceed ``D``, run LB_Keogh both ways and then the recursion pruned against ``D``
(``dtw_sq_bounded``) until it is sure to be farther. Series of the nearest one's class it
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
from tsclassic.neighbors._kernels import (  # noqa: E402
    band_radius,
    dtw_sq_bounded,
    keogh_tail_sq,
    kim_sq,
    paa_keogh_sq,
)
from tsclassic.neighbors._search import (  # noqa: E402
    build_index,
    knn_search,
    nearest_labels,
)


@njit(cache=True)
def _bound_all(queries, i, index, lb):
    """Every training series' lower bound for query ``i``, as the search computes it
    (one-channel series of one length: LB_PAA both ways and LB_Kim under a band)."""
    n = queries.offsets[i + 1] - queries.offsets[i]
    r = band_radius(n, n, index.window)
    n_seg = (n + index.seg - 1) // index.seg
    qg = queries.seg_off[i]
    for j in range(index.offsets.shape[0] - 1):
        g = index.seg_off[j]
        bound = paa_keogh_sq(queries.means, qg, index.lower_means, index.upper_means, g, n_seg)
        if r > 0:
            bound = max(bound, kim_sq(queries.stats[i], index.stats, j, n == 1),
                        paa_keogh_sq(index.means, g, queries.lower_means, queries.upper_means,
                                     qg, n_seg))
        lb[j] = bound


@njit(cache=True)
def _measure(queries, i, index, j, limit, tail, tail_reverse, prev, curr):
    """Series ``j``'s squared DTW to query ``i`` as the search measures it against
    ``limit``: LB_Keogh both ways, then the recursion pruned by the tighter tail."""
    qa, qb = queries.offsets[i], queries.offsets[i + 1]
    ta, tb = index.offsets[j], index.offsets[j + 1]
    q, t = queries.flat[qa:qb], index.flat[ta:tb]
    slack = limit * (1.0 + 1e-12)
    bound = keogh_tail_sq(q, t, index.lower[ta:tb], index.upper[ta:tb], tail, slack)
    if bound > slack:
        return np.inf
    reverse = keogh_tail_sq(t, q, queries.lower[qa:qb], queries.upper[qa:qb], tail_reverse,
                            slack)
    if reverse > slack:
        return np.inf
    if reverse > bound:
        return dtw_sq_bounded(t, q, index.window, limit, tail_reverse, prev, curr)
    return dtw_sq_bounded(q, t, index.window, limit, tail, prev, curr)


@njit(cache=True)
def _oracle(queries, index, labels, nearest, nearest_sq):
    n_train = index.offsets.shape[0] - 1
    longest = max(queries.longest, index.longest)
    lb = np.empty(n_train)
    tail, tail_reverse = np.empty(longest + 1), np.empty(longest + 1)
    prev, curr = np.empty(longest + 2), np.empty(longest + 2)
    measured = 0
    for i in range(queries.offsets.shape[0] - 1):
        _bound_all(queries, i, index, lb)
        limit = nearest_sq[i] * (1.0 + 1e-12)  # the search's own allowance for rounding
        for j in range(n_train):
            if j != nearest[i]:
                if labels[j] == labels[nearest[i]] or lb[j] > limit:
                    continue
                measured += 1
            _measure(queries, i, index, j, nearest_sq[i], tail, tail_reverse, prev, curr)
    return measured


def oracle_search(queries, train, window, labels, nearest, nearest_sq):
    """The oracle's work for every query, with the search's indexes (built here, as the
    search's own timing includes them); returns how many other-class series it measured."""
    index = build_index(train, window)
    q_index = build_index(queries, window, seg=index.seg)
    return _oracle(q_index, index, labels, nearest, nearest_sq)


def run_set(name, repeat):
    X, y = load_ucr(name, split="train")
    Xt, _ = load_ucr(name, split="test")
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
    X, _ = load_ucr("GunPoint", split="train")
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
