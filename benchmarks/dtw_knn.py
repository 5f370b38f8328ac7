"""1-NN DTW on the UCR sets in data/: tsclassic beside tslearn and aeon, same run.

For each set: our 1-NN full-window DTW (fit + predict) against tslearn's
``KNeighborsTimeSeriesClassifier(metric="dtw")`` and aeon's
``KNeighborsTimeSeriesClassifier(distance="dtw")``, identical predictions checked; then, at
the archive-learned window, our 1-NN classification (which needs the nearest one's class
only) and our nearest-neighbour search (which needs the series and its distance) against
brute force at that window (every DTW computed in full by our plain compiled kernel, the one
``dtw`` and ``cdist_dtw`` use), and the time to learn the window. Beside the ratios, the
share of training series whose DTW lies within 10 % of the nearest one's (no lower bound
can discard those cheaply) and the share whose LB_Keogh is below the nearest one's DTW
(every LB_Keogh cascade must run the recursion on those, even knowing the answer
beforehand), in all and of another class: with few training series they bound the
possible gain. Last, one DTW between two series of length 500. Every library is warmed up
(compiled) before timing.

Run with the benchmark environment, single thread::

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 .venv-bench/bin/python benchmarks/dtw_knn.py [--quick]

``--quick`` keeps GunPoint, CBF and Trace. The table is printed and written to
benchmarks/results/dtw_knn.md.
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

warnings.filterwarnings("ignore")
# This environment has another numba than the development one: keep its compiled kernels
# apart, or each would overwrite the other's cache next to the sources.
os.environ.setdefault("NUMBA_CACHE_DIR", "/tmp/tsclassic-bench-numba-cache")

from numba import njit  # noqa: E402

from tsclassic.datasets import list_ucr, load_ucr  # noqa: E402
from tsclassic.neighbors import KNeighborsDTWClassifier, cdist_dtw, dtw, envelope  # noqa: E402
from tsclassic.neighbors._checks import pack  # noqa: E402
from tsclassic.neighbors._kernels import band_radius, euclidean_sq  # noqa: E402
from tsclassic.neighbors._search import build_index, knn_search, nearest_labels  # noqa: E402

QUICK = ["GunPoint", "CBF", "Trace"]


def best_times(fns, repeat):
    """Smallest CPU time of ``repeat`` calls of each of ``fns``, interleaved (each round
    calls every one, so that a change in the machine's load falls on all alike), and the
    last result of each: a list of (time, result)."""
    best, out = [np.inf] * len(fns), [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.process_time()
            out[i] = fn()
            best[i] = min(best[i], time.process_time() - start)
    return list(zip(best, out))


def best_time(fn, repeat):
    """Smallest CPU time of ``repeat`` calls, and the last result."""
    return best_times([fn], repeat)[0]


def tslearn_at(radius):
    """tslearn's 1-NN DTW classifier with a Sakoe-Chiba band of ``radius`` points."""
    from tslearn.neighbors import KNeighborsTimeSeriesClassifier as Tslearn

    params = {"global_constraint": "sakoe_chiba", "sakoe_chiba_radius": radius}
    return lambda: Tslearn(n_neighbors=1, metric="dtw", metric_params=params)


def peers():
    found = {}
    try:
        from tslearn.neighbors import KNeighborsTimeSeriesClassifier as Tslearn

        found["tslearn"] = lambda: Tslearn(n_neighbors=1, metric="dtw")
    except ImportError:
        pass
    try:
        from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier as Aeon

        found["aeon"] = lambda: Aeon(distance="dtw", n_neighbors=1)
    except ImportError:
        pass
    return found


def warm_up(peer_factories):
    X, y = load_ucr("GunPoint")
    KNeighborsDTWClassifier().fit(X[:6], y[:6]).predict(X[:3])
    KNeighborsDTWClassifier(window="learn").fit(X[:6], y[:6])
    knn_search(pack(X[:3, None, :]), build_index(pack(X[:6, None, :]), 0.1), 1, None, brute=True)
    euclidean_brute(as_series(X[:3]), as_series(X[:6]))
    makers = list(peer_factories.values())
    if "tslearn" in peer_factories:
        makers.append(tslearn_at(1))  # its banded path compiles apart from the full one
    for make in makers:
        make().fit(X[:6], y[:6]).predict(X[:3])


def run_set(name, peer_factories, repeat):
    X, y = load_ucr(name, split="train")
    Xt, yt = load_ucr(name, split="test")
    row = {"set": name}

    def ours():
        return KNeighborsDTWClassifier().fit(X, y).predict(Xt)

    timed = best_times([ours] + [lambda make=make: make().fit(X, y).predict(Xt)
                                 for make in peer_factories.values()], repeat)
    row["ours_full"], pred = timed[0]
    row["acc_full"] = float(np.mean(pred == yt))
    for peer, (t, peer_pred) in zip(peer_factories, timed[1:]):
        row[peer] = t
        row[f"{peer}_same"] = int(np.sum(np.asarray(peer_pred).astype(str) != pred))
    row["learn_s"], clf = best_time(lambda: KNeighborsDTWClassifier(window="learn").fit(X, y),
                                    repeat)
    w = clf.window_
    row["window"] = w
    ours_w_fit = [lambda: fit_predict(KNeighborsDTWClassifier(window=w), X, y, Xt)]
    if "tslearn" in peer_factories:
        make = tslearn_at(band_radius(X.shape[1], X.shape[1], w))
        ours_w_fit.append(lambda: make().fit(X, y).predict(Xt))
    timed_w = best_times(ours_w_fit, repeat)
    row["ours_w_fit"], (fixed, pred_w) = timed_w[0]
    # All at the kernel level (packed arrays in, classes or neighbours out), so that the
    # ratios are those of the search alone, without the input validation all would share;
    # ours include building the search index (which fit does), brute force needs none.
    train, queries = pack(X[:, None, :]), pack(Xt[:, None, :])
    labels = fixed.y_
    index = build_index(train, w)
    timed = best_times([lambda: nearest_labels(queries, build_index(train, w), labels, None),
                        lambda: knn_search(queries, build_index(train, w), 1, None),
                        lambda: knn_search(queries, index, 1, None, brute=True)], repeat)
    (row["ours_w"], class_fast), (row["knn_w"], (_, idx_fast)), (row["brute_w"], (_, idx)) = timed
    row["brute_same"] = int(np.sum(labels[idx[:, 0]] != class_fast))
    assert np.array_equal(idx_fast[:, 0], idx[:, 0])
    row["tslearn_w"] = np.nan
    if "tslearn" in peer_factories:
        row["tslearn_w"], peer_w = timed_w[1]
        row["tslearn_w_same"] = int(np.sum(np.asarray(peer_w).astype(str) != pred_w))
    row["euclid_w"] = np.nan
    if w == 0:  # the DTW is then the Euclidean distance: brute force without the recursion
        row["euclid_w"], nearest_ed = best_time(
            lambda: euclidean_brute(as_series(Xt), as_series(X)), repeat)
        assert np.array_equal(nearest_ed, idx_fast[:, 0])
    dist = cdist_dtw(Xt, Y=X, window=w)
    nearest = dist.min(axis=1, keepdims=True)
    row["near"] = float(np.mean(np.sum(dist <= 1.1 * nearest, axis=1) - 1) / X.shape[0])
    row["n_train"] = X.shape[0]
    bound = np.maximum(keogh_matrix(Xt, X, w), keogh_matrix(X, Xt, w).T)
    others = np.ones(dist.shape, dtype=bool)
    others[np.arange(len(dist)), dist.argmin(axis=1)] = False
    below = (bound < nearest) & others
    row["unprunable"] = float(np.mean(np.sum(below, axis=1)) / X.shape[0])
    other_class = labels[None, :] != labels[dist.argmin(axis=1)][:, None]
    row["other_below"] = float(np.mean(np.sum(below & other_class, axis=1)) / X.shape[0])
    assert np.array_equal(fixed.classes_[class_fast], pred_w)
    row["acc_w"] = float(np.mean(pred_w == yt))
    return row


def fit_predict(clf, X, y, Xt):
    return clf.fit(X, y), clf.predict(Xt)


def as_series(X):
    """A panel (n, length) as the kernels' (n, length, 1) C-ordered series."""
    return np.ascontiguousarray(X[:, :, None])


@njit(cache=True)
def euclidean_brute(queries, train):
    """Index of the nearest training series of each query in Euclidean distance, every
    distance computed in full by the search's own compiled kernel."""
    out = np.empty(queries.shape[0], dtype=np.int64)
    for i in range(queries.shape[0]):
        best = np.inf
        for j in range(train.shape[0]):
            d = euclidean_sq(queries[i], train[j], np.inf)
            if d < best:
                best, out[i] = d, j
    return out


def keogh_matrix(A, B, window):
    """LB_Keogh of every series of ``A`` against the envelope of every series of ``B``."""
    lower, upper = (np.array(e) for e in zip(*(envelope(b, window=window) for b in B)))
    out = np.empty((len(A), len(B)))
    for i, a in enumerate(A):
        gap = np.maximum(a - upper, 0.0) + np.maximum(lower - a, 0.0)
        out[i] = np.sqrt(np.sum(gap**2, axis=1))
    return out


def single_distance(repeat=300):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=500), rng.normal(size=500)
    out = {}

    def per_call(fn):
        fn()
        times = []
        for _ in range(repeat):
            start = time.process_time()
            fn()
            times.append(time.process_time() - start)
        return float(np.median(times)) * 1e3

    out["tsclassic"] = per_call(lambda: dtw(x, y))
    try:
        from aeon.distances import dtw_distance

        out["aeon"] = per_call(lambda: dtw_distance(x, y))
        assert np.isclose(np.sqrt(dtw_distance(x, y)), dtw(x, y))
    except ImportError:
        pass
    try:
        from tslearn.metrics import dtw as ts_dtw

        out["tslearn"] = per_call(lambda: ts_dtw(x, y))
        assert np.isclose(ts_dtw(x, y), dtw(x, y))
    except ImportError:
        pass
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="GunPoint, CBF and Trace only")
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs")
    args = parser.parse_args()
    names = QUICK if args.quick else list_ucr()
    peer_factories = peers()
    warm_up(peer_factories)
    rows = []
    header = (
        "| set | ours full (s) | " + " | ".join(f"{p} (s) | {p}/ours" for p in peer_factories)
        + " | preds differ | acc full | learned w | learn (s) | ours at w (s) | brute at w (s) "
        "| brute/ours | Euclidean brute/ours | neighbours: brute/ours | tslearn at w (s) "
        "| tslearn at w/ours | n train | within 10 % "
        "| LB_Keogh below | of another class | acc at w |"
    )
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    print(header, flush=True)
    for name in names:
        r = run_set(name, peer_factories, args.repeat)
        rows.append(r)
        peer_cells = " | ".join(f"{r[p]:.3f} | {r[p] / r['ours_full']:.1f}x" for p in peer_factories)
        differ = "/".join(str(r[f"{p}_same"]) for p in peer_factories) + f"/{r['brute_same']}"
        if "tslearn_w_same" in r:
            differ += f"/{r['tslearn_w_same']}"
        euclid = "" if np.isnan(r["euclid_w"]) else f"{r['euclid_w'] / r['ours_w']:.1f}x"
        tslearn_w = (" | " if np.isnan(r["tslearn_w"]) else
                     f"{r['tslearn_w']:.3f} | {r['tslearn_w'] / r['ours_w_fit']:.1f}x")
        line = (
            f"| {name} | {r['ours_full']:.3f} | {peer_cells} | {differ} | {r['acc_full']:.4f} "
            f"| {r['window']:.2f} | {r['learn_s']:.3f} | {r['ours_w']:.4f} | {r['brute_w']:.4f} "
            f"| {r['brute_w'] / r['ours_w']:.1f}x | {euclid} | {r['brute_w'] / r['knn_w']:.1f}x "
            f"| {tslearn_w} | {r['n_train']} | {100 * r['near']:.1f} % | {100 * r['unprunable']:.1f} % "
            f"| {100 * r['other_below']:.1f} % | {r['acc_w']:.4f} |"
        )
        lines.append(line)
        print(line, flush=True)
    total_ours = sum(r["ours_full"] for r in rows)
    totals = ", ".join(
        f"{p} {sum(r[p] for r in rows):.2f} s ({sum(r[p] for r in rows) / total_ours:.1f}x)"
        for p in peer_factories
    )
    ratios = [r["brute_w"] / r["ours_w"] for r in rows]
    knn_ratios = [r["brute_w"] / r["knn_w"] for r in rows]
    summary = (
        f"Total full-window 1-NN: ours {total_ours:.2f} s; {totals}. At the learned window the "
        f"1-NN classification is at least 10x faster than brute force on "
        f"{sum(x >= 10 for x in ratios)} of {len(rows)} sets (median {np.median(ratios):.1f}x); "
        f"the nearest neighbour itself (kneighbors) on {sum(x >= 10 for x in knn_ratios)} "
        f"(median {np.median(knn_ratios):.1f}x)."
    )
    print(summary)
    single = single_distance()
    single_line = "One DTW, two series of length 500 (median ms per call): " + ", ".join(
        f"{k} {v:.3f} ms" for k, v in single.items()
    )
    print(single_line)
    write(lines, summary, single_line, args)


def write(lines, summary, single_line, args):
    out = Path(__file__).resolve().parent / "results" / "dtw_knn.md"
    out.parent.mkdir(exist_ok=True)
    command = (
        "OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 .venv-bench/bin/python benchmarks/dtw_knn.py"
        + (" --quick" if args.quick else "") + (f" --repeat {args.repeat}" if args.repeat > 1 else "")
    )
    text = "\n".join([
        "# 1-NN DTW: tsclassic beside tslearn and aeon",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{sys.version.split()[0]}; shared with other jobs while it ran, so absolute times "
        f"are noisy: compare the ratios, measured in the same run",
        f"- command: `{command}`",
        "- times: CPU time of the process (best of the runs, ours and the peers' interleaved "
        "in each round), fit + predict on the archive's split, after a compilation warm-up; "
        "single thread; 'preds differ' counts test predictions that differ from ours "
        "(tslearn/aeon/brute force at the learned window/tslearn at the learned window)",
        "- 'learn': fitting with window=\"learn\" (leave-one-out over 0..100 %); 'ours at w' "
        "/ 'brute at w': the 1-NN classification of the test set at the learned window (what "
        "predict does with one neighbour), pruned and knowing that only the class is needed, "
        "and with every DTW computed in full by the plain kernel, both called on packed arrays "
        "(no input validation); 'neighbours: brute/ours': the same for the nearest series and "
        "its distance (kneighbors), which cannot skip series of the nearest one's class; "
        "'tslearn at w': tslearn's 1-NN DTW classifier with the same band (its radius in "
        "points), fit + predict, beside ours fit + predict at that window",
        "- 'Euclidean brute/ours': at a zero band the DTW is the Euclidean distance, which the "
        "search screens for all queries at once from one matrix product and measures in full "
        "only where rounding leaves a doubt; this ratio is against brute force computing it "
        "directly (the same compiled kernel, every pair) rather than through the recursion, "
        "i.e. what the screening alone gains",
        "- 'within 10 %': mean share of the training series (the nearest left out) whose DTW at "
        "the learned window lies within 10 % of the nearest one's; 'LB_Keogh below': the share "
        "whose LB_Keogh (the larger of both ways) is below the nearest one's DTW, which every "
        "LB_Keogh cascade must measure even knowing the answer beforehand; 'of another "
        "class': those of them of another class than the nearest, which the classification "
        "must measure",
        "",
        *lines,
        "",
        summary,
        "",
        single_line,
        "",
    ])
    out.write_text(text)


if __name__ == "__main__":
    main()
