"""The ARPA back-off format: NGramLM to and from the files KenLM and SRILM read and write.

An ARPA file lists, per order, ``log10 p(w | c)`` of every n-gram ``c w`` it holds and,
for n-grams that serve as contexts, a back-off weight ``log10 b(c)``; an n-gram it does
not hold is ``p(w | c) = b(c) p(w | c')`` (``b = 1`` for a context it does not list), ``c'``
being ``c`` without its first token. NGramLM's interpolated form
``p(w | c) = u(c w) + gamma(c) p(w | c')`` maps onto it exactly, as KenLM writes its
interpolated Kneser-Ney models: the listed probability is the whole interpolated
``p(w | c)`` and ``b(c) = gamma(c)``; reading back, ``gamma(c) = b(c)`` and
``u(c w) = p(w | c) - b(c) p(w | c')``.

References
----------
Stolcke (2002), "SRILM - an extensible language modeling toolkit", ICSLP, and SRILM's
``ngram-format(5)`` manual page; Heafield (2011), "KenLM: faster and smaller language
model queries", WMT.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from tsclassic.language._counts import NGramTable
from tsclassic.language._smoothing import Level
from tsclassic.language._vocab import BOS, EOS, UNK

__all__ = ["write_arpa", "read_arpa"]

# The names ARPA tools give the special tokens.
ARPA_SPECIALS = ("<unk>", "<s>", "</s>")
# log10 of a probability of zero (<s> is never predicted), as SRILM and KenLM write it.
_LOG_ZERO = -99.0


def _log10(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(p > 0, np.log10(np.where(p > 0, p, 1.0)), _LOG_ZERO)


def _words(model: Any) -> list[str]:
    """Token names for the file: the ARPA names for the specials, ``str`` for the rest."""
    words = [str(t) for t in model.vocabulary_]
    words[UNK], words[BOS], words[EOS] = ARPA_SPECIALS
    for w in words[3:]:
        if w in ARPA_SPECIALS or not w or any(ch.isspace() for ch in w):
            raise ValueError(
                f"the token {w!r} cannot be written to ARPA: tokens must be non-empty, "
                f"without whitespace, and not one of {list(ARPA_SPECIALS)}."
            )
    if len(set(words)) != len(words):
        raise ValueError("two tokens have the same text (e.g. 1 and '1'); ARPA holds text only.")
    return words


def full_probabilities(model: Any) -> list[np.ndarray]:
    """``p(w | c)`` of every n-gram the model holds, per order (order 1: every token)."""
    size = len(model.vocabulary_)
    first = model.levels_[0]
    probs = [first.u + first.gamma[0] / (size - 1)]
    probs[0][BOS] = 0.0
    for table, level in zip(model.ngrams_, model.levels_[1:]):
        context = table.context(size)
        probs.append(level.u + level.gamma[context] * probs[-1][table.suffix])
    return probs


def write_arpa(model: Any, path: str | os.PathLike) -> None:
    """Write a fitted interpolated NGramLM as an ARPA file."""
    if not model.interpolated_:
        raise ValueError(
            f"smoothing={model.smoothing!r} uses the longest context only, which the ARPA "
            f"back-off format cannot express; write a Kneser-Ney or Witten-Bell model."
        )
    words = np.array(_words(model), dtype=object)
    size = len(words)
    probs = full_probabilities(model)
    order = len(probs)
    # The words of every n-gram, order by order, from its context's words.
    names = [words]
    for table in model.ngrams_:
        context = names[-1][table.context(size)]
        names.append(context + " " + words[table.keys % size])
    lines = ["", "\\data\\"]
    lines += [f"ngram {k}={len(p)}" for k, p in enumerate(probs, start=1)]
    for k in range(1, order + 1):
        lines += ["", f"\\{k}-grams:"]
        logp = _log10(probs[k - 1])
        if k < order:
            backoff = _log10(model.levels_[k].gamma)
            lines += [f"{p:.7g}\t{n}\t{b:.7g}" for p, n, b in zip(logp, names[k - 1], backoff)]
        else:
            lines += [f"{p:.7g}\t{n}" for p, n in zip(logp, names[k - 1])]
    lines += ["", "\\end\\", ""]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


def _parse(path: str | os.PathLike) -> list[dict[tuple[str, ...], tuple[float, float]]]:
    """The n-grams of each order: ``{words: (log10 p, log10 backoff)}``."""
    with open(path, encoding="utf-8") as fh:
        lines = [line.strip() for line in fh]
    counts: dict[int, int] = {}
    orders: list[dict[tuple[str, ...], tuple[float, float]]] = []
    section = None
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        if line == "\\data\\":
            section = "data"
        elif line == "\\end\\":
            break
        elif line.startswith("\\") and line.endswith("-grams:"):
            section = int(line[1:].split("-")[0])
            if section != len(orders) + 1:
                raise ValueError(f"{path}: line {number}: {line!r} is out of order.")
            orders.append({})
        elif section == "data" and line.startswith("ngram "):
            k, n = line[6:].split("=")
            counts[int(k)] = int(n)
        elif isinstance(section, int):
            fields = line.split()
            if len(fields) not in (section + 1, section + 2):
                raise ValueError(
                    f"{path}: line {number} has {len(fields)} fields; a {section}-gram line "
                    f"holds log10 p, {section} tokens and optionally a log10 back-off."
                )
            words = tuple(fields[1:section + 1])
            backoff = float(fields[section + 1]) if len(fields) == section + 2 else 0.0
            orders[-1][words] = (float(fields[0]), backoff)
    if not orders or "<s>" not in {w[0] for w in orders[0]} or "</s>" not in {
        w[0] for w in orders[0]
    }:
        raise ValueError(f"{path} is not an ARPA file with <s> and </s> among its 1-grams.")
    for k, n in counts.items():
        if k <= len(orders) and len(orders[k - 1]) != n:
            raise ValueError(
                f"{path}: the header announces {n} {k}-grams but the file lists "
                f"{len(orders[k - 1])}."
            )
    return orders


def read_arpa(model: Any, path: str | os.PathLike) -> None:
    """Fill ``model`` (an unfitted NGramLM of the file's order) from an ARPA file."""
    orders = _parse(path)
    words = [w[0] for w in orders[0]]
    regular = [w for w in words if w not in ARPA_SPECIALS]
    vocabulary = np.empty(3 + len(regular), dtype=object)
    vocabulary[:3] = [model.unk_token, model.bos_token, model.eos_token]
    vocabulary[3:] = regular
    size = len(vocabulary)
    token_id = {name: i for i, name in enumerate(ARPA_SPECIALS)}
    token_id.update({w: 3 + i for i, w in enumerate(regular)})
    unigram = orders[0]
    p1 = np.zeros(size)
    for (w,), (logp, _) in unigram.items():
        p1[token_id[w]] = 0.0 if logp <= _LOG_ZERO else 10.0**logp
    p1[BOS] = 0.0
    if ("<unk>",) not in unigram:
        p1[UNK] = 0.0
    levels = [Level(u=p1, gamma=np.zeros(1))]  # gamma 0: the unigrams are the listed p
    probs, ids, tables = [p1], {(w,): token_id[w] for w in words}, []
    lower_backoff = np.ones(size)
    for (w,), (_, b) in unigram.items():
        lower_backoff[token_id[w]] = 10.0**b
    for k, grams in enumerate(orders[1:], start=2):
        grams_list = list(grams.items())
        keys, suffix = np.empty(len(grams_list), np.int64), np.empty(len(grams_list), np.int64)
        for i, (gram, _) in enumerate(grams_list):
            missing = [part for part in (gram[:-1], gram[1:]) if part not in ids]
            if missing or gram[-1] not in token_id:
                raise ValueError(
                    f"{path}: the {k}-gram {' '.join(gram)!r} needs {' '.join(missing[0])!r} "
                    f"(its context and its suffix must be listed, as KenLM writes them)."
                )
            keys[i] = ids[gram[:-1]] * size + token_id[gram[-1]]
            suffix[i] = ids[gram[1:]]
        order_ = np.argsort(keys, kind="stable")
        keys, suffix = keys[order_], suffix[order_]
        logp = np.array([grams_list[j][1][0] for j in order_])
        p = np.where(logp <= _LOG_ZERO, 0.0, 10.0**logp)
        context = keys // size
        gamma = lower_backoff
        u = p - gamma[context] * probs[-1][suffix]
        tables.append(NGramTable(keys=keys, count=np.ones(len(keys), np.int64), suffix=suffix,
                                 bos_start=np.array([grams_list[j][0][0] == "<s>" for j in order_])))
        levels.append(Level(u=u, gamma=gamma))
        probs.append(p)
        ids = {grams_list[j][0]: i for i, j in enumerate(order_)}
        lower_backoff = np.array([10.0 ** grams_list[j][1][1] for j in order_])
    model.vocabulary_ = vocabulary
    model.ngrams_ = tables
    model.levels_ = levels
    model.interpolated_ = True
    model.discounts_ = None
    orders_index = pd.RangeIndex(1, len(orders) + 1, name="order")
    model.n_ngrams_ = pd.Series([len(g) for g in orders], index=orders_index, name="n_ngrams")
