"""Benchmark: tsclassic.language.NGramLM against NLTK's KneserNeyInterpolated on the
Penn Treebank (Mikolov's split).

For orders 3 and 5 it times our fit on the full training set, measures the peak memory
the fit allocates (tracemalloc, which sees NumPy buffers) and times scoring the whole
test set; then it fits ``nltk.lm.KneserNeyInterpolated(order=3)`` on the same training
set and scores test trigrams for a fixed time budget (NLTK needs tens of milliseconds per
trigram), and prints the time per scored token of both, from this same run, as a ratio.

Run:  OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/ngram_ptb.py [--quick]
``--quick`` gives NLTK 15 s of scoring instead of 60 s.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import math
import os
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from tsclassic.datasets import load_ptb
from tsclassic.language import NGramLM

RESULTS = Path(__file__).parent / "results" / "ngram_ptb.md"


def time_ours(order: int, train, valid, test, repeats: int) -> dict:
    fits, scores = [], []
    for _ in range(repeats):  # best of a few: the machine is shared
        gc.collect()
        start = time.perf_counter()
        lm = NGramLM(order=order).fit(train)
        fits.append(time.perf_counter() - start)
        start = time.perf_counter()
        test_ppl = lm.perplexity(test)
        scores.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    NGramLM(order=order).fit(train)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n_tokens = sum(len(s) + 1 for s in test)
    return {
        "model": f"tsclassic NGramLM(order={order}), modified Kneser-Ney",
        "fit_s": min(fits), "peak_mb": peak / 2**20, "score_s": min(scores),
        "tokens": n_tokens, "us_per_token": 1e6 * min(scores) / n_tokens,
        "test_ppl": test_ppl, "valid_ppl": lm.perplexity(valid), "lm": lm,
    }


def time_nltk(train, test, budget_s: float) -> dict:
    from nltk.lm import KneserNeyInterpolated
    from nltk.lm.preprocessing import padded_everygram_pipeline

    gc.collect()
    # No tracemalloc here: it slows NLTK's pure-Python counting several-fold. Memory is
    # the growth of the process's peak RSS instead (a lower bound on what the fit holds).
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    ngrams, vocab = padded_everygram_pipeline(3, train)
    lm = KneserNeyInterpolated(order=3)
    lm.fit(ngrams, vocab)
    fit_s = time.perf_counter() - start
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
    # Score test trigrams in corpus order (two <s> of padding, one </s> predicted per
    # sentence, as NLTK pads) until the budget is spent.
    scored, logp, scored_sentences = 0, 0.0, []
    start = time.perf_counter()
    for sentence in test:
        padded = ["<s>", "<s>", *sentence, "</s>"]
        for i in range(2, len(padded)):
            logp += math.log(lm.score(padded[i], padded[i - 2:i]))
            scored += 1
        scored_sentences.append(sentence)
        if time.perf_counter() - start > budget_s:
            break
    score_s = time.perf_counter() - start
    return {
        "model": "nltk KneserNeyInterpolated(order=3) (memory: peak RSS growth)",
        "fit_s": fit_s, "peak_mb": peak / 2**20, "score_s": score_s, "tokens": scored,
        "us_per_token": 1e6 * score_s / scored, "test_ppl": math.exp(-logp / scored),
        "valid_ppl": float("nan"), "sentences": scored_sentences,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="15 s of NLTK scoring, not 60 s")
    args = parser.parse_args()
    budget = 15.0 if args.quick else 60.0
    train, valid, test = (load_ptb(split=s) for s in ("train", "valid", "test"))
    # NLTK first, so that its peak-RSS growth is not hidden by our earlier peaks.
    nltk_row = time_nltk(train, test, budget)
    rows = [time_ours(order, train, valid, test, repeats=3) for order in (3, 5)]
    # Our perplexity on exactly the sentences NLTK scored, for reference.
    subset_ppl = rows[0]["lm"].perplexity(nltk_row["sentences"])
    rows.append(nltk_row)

    ratio = nltk_row["us_per_token"] / rows[0]["us_per_token"]
    header = ("| model | fit (s) | fit peak memory (MiB) | scoring (s) | tokens scored | "
              "us per token | test ppl | valid ppl |")
    lines = [header, "|" + "---|" * 8]
    for r in rows:
        lines.append(
            f"| {r['model']} | {r['fit_s']:.2f} | {r['peak_mb']:.0f} | {r['score_s']:.3f} | "
            f"{r['tokens']:,} | {r['us_per_token']:.2f} | {r['test_ppl']:.2f} | "
            f"{r['valid_ppl']:.2f} |"
        )
    summary = [
        f"Per scored token, NLTK 3-gram / tsclassic 3-gram = {ratio:,.0f}x "
        f"(NLTK scored {nltk_row['tokens']:,} test tokens, the first "
        f"{len(nltk_row['sentences']):,} sentences, in its {budget:.0f} s budget).",
        f"tsclassic 3-gram perplexity on those same sentences: {subset_ppl:.2f} "
        f"(NLTK's differs: fixed discount 0.1, padding with two <s>).",
        "Targets: 5-gram fit <= 10 s and <= 2 GB, test scoring <= 1 s, >= 100x NLTK per "
        "token. Reference perplexities (KenLM lmplz): 3-gram test 148.3 / valid 157.8, "
        "5-gram test 141.2 / valid 148.0.",
        f"Process max RSS at the end: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB.",
    ]
    table = "\n".join(lines)
    print(table)
    print("\n".join(summary))
    command = "OMP_NUM_THREADS=1 .venv-bench/bin/python benchmarks/ngram_ptb.py" + (
        " --quick" if args.quick else "")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        "# n-gram language models on the Penn Treebank: tsclassic against NLTK\n\n"
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC\n"
        f"- machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}; shared with other jobs while it ran, so times are "
        f"noisy (ours: best of 3); ratios are from the same run\n"
        f"- command: `{command}`\n"
        f"- OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}\n\n"
        f"{table}\n\n" + "\n".join(f"- {s}" for s in summary) + "\n"
    )
    print(f"wrote {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
