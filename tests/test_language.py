"""NGramLM: Penn Treebank references (KenLM), hand-computed toy models, probability
laws (hypothesis), and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsclassic.datasets import load_ptb
from tsclassic.language import NGramLM
from tsclassic.language._smoothing import SMOOTHINGS

TOY = [["a", "b"], ["a", "a", "b"]]


# -- references -----------------------------------------------------------------
@pytest.fixture(scope="module")
def ptb():
    return {split: load_ptb(split=split) for split in ("train", "valid", "test")}


@pytest.mark.parametrize(
    ("order", "test", "valid"),
    [(3, 148.3, 157.8), (5, 141.2, 148.0)],  # KenLM lmplz on these files
)
def test_ptb_perplexity_matches_kenlm(ptb, order, test, valid):
    lm = NGramLM(order=order).fit(ptb["train"])
    assert len(lm.vocabulary_) - 1 == 10_000  # 9,999 words with <unk>, plus </s>
    assert abs(lm.perplexity(ptb["test"]) - test) < 0.5
    assert abs(lm.perplexity(ptb["valid"]) - valid) < 0.5


def test_ptb_score_is_the_log_of_the_perplexity(ptb):
    lm = NGramLM(order=2).fit(ptb["train"])
    n_tokens = sum(len(s) + 1 for s in ptb["test"])
    assert math.isclose(
        lm.score(ptb["test"]), -n_tokens * math.log(lm.perplexity(ptb["test"])), rel_tol=1e-9
    )


# -- hand-computed toy models ------------------------------------------------------
def test_mle_matches_hand_counts():
    lm = NGramLM(order=2, smoothing="mle").fit(TOY)
    # bigrams: <s> a:2, a b:2, a a:1, b </s>:2; the context "a" is seen 3 times.
    p = lm.predict(["a"])
    assert p["b"] == pytest.approx(2 / 3) and p["a"] == pytest.approx(1 / 3)
    assert p["</s>"] == 0 and p["<unk>"] == 0
    assert lm.logprob(["a", "b"]) == pytest.approx(math.log(2 / 3))
    assert lm.logprob(["b"]) == -math.inf  # p(b | <s>) = 0 under MLE
    unigram = NGramLM(order=1, smoothing="mle").fit(TOY)
    assert unigram.predict([])["a"] == pytest.approx(3 / 7)  # a:3, b:2, </s>:2
    # An unseen context has no counts: the uniform distribution over the 4 tokens.
    assert np.allclose(lm.predict(["zz"]).to_numpy(), 0.25)


def test_add_k_matches_hand_counts():
    lm = NGramLM(order=2, smoothing="add_k", k=1.0).fit(TOY)
    # |V| = 4 (<unk>, </s>, a, b): (c + 1) / (3 + 4) after "a".
    p = lm.predict(["a"])
    assert [p[t] for t in ("b", "a", "</s>", "<unk>")] == pytest.approx([3 / 7, 2 / 7, 1 / 7, 1 / 7])
    assert lm.logprob(["a", "b"]) == pytest.approx(math.log(3 / 6 * 3 / 7 * 3 / 6))
    half = NGramLM(order=2, smoothing="add_k", k=0.5).fit(TOY)
    assert half.predict(["a"])["b"] == pytest.approx(2.5 / 5)
    # At the start of a sequence the context is "<s>" plus what is there (no padding).
    tri = NGramLM(order=3, smoothing="add_k").fit(TOY)
    assert tri.predict(["a"])["b"] == pytest.approx((1 + 1) / (2 + 4))  # <s> a b : <s> a *


def test_kneser_ney_uses_continuation_counts():
    # "b" follows only "a" (many times), "c" follows three distinct words once each:
    # Kneser-Ney's unigram level prefers c, while raw counts prefer b.
    corpus = [["a", "b"]] * 6 + [["x", "c"], ["y", "c"], ["z", "c"]]
    lm = NGramLM(order=2, smoothing="kneser_ney").fit(corpus)
    assert lm.predict(["q"])["c"] > lm.predict(["q"])["b"]
    wb = NGramLM(order=2, smoothing="witten_bell").fit(corpus)
    assert wb.predict(["q"])["c"] < wb.predict(["q"])["b"]


def test_modified_kn_discounts_follow_the_count_of_counts():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    zipf = 1 / np.arange(1, 41)
    corpus = [list(rng.choice(words, size=12, p=zipf / zipf.sum())) for _ in range(100)]
    lm = NGramLM(order=2).fit(corpus)
    # Top order: raw counts of the distinct bigrams.
    _, counts = np.unique(
        [(s[i - 1] if i else "<s>", w) for s in corpus for i, w in enumerate(s + ["</s>"])],
        axis=0, return_counts=True,
    )
    n1, n2, n3, n4 = (np.sum(counts == i) for i in (1, 2, 3, 4))
    assert min(n1, n2, n3, n4) > 0
    y = n1 / (n1 + 2 * n2)
    expected = [1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3]
    assert lm.discounts_.loc[2].to_numpy() == pytest.approx(expected)


# -- probability laws ----------------------------------------------------------------
corpora = st.lists(st.lists(st.sampled_from("abcd"), min_size=0, max_size=8), min_size=1,
                   max_size=8).filter(lambda c: any(c))
contexts = st.lists(st.sampled_from("abcdz"), max_size=5)  # "z" is never in training


@settings(max_examples=60, deadline=None)
@given(corpus=corpora, context=contexts, order=st.integers(1, 4),
       smoothing=st.sampled_from(SMOOTHINGS), min_count=st.integers(1, 2))
def test_next_token_distribution_sums_to_one(corpus, context, order, smoothing, min_count):
    lm = NGramLM(order=order, smoothing=smoothing, min_count=min_count, k=0.3).fit(corpus)
    p = lm.predict(context)
    assert p.sum() == pytest.approx(1.0, abs=1e-9)
    assert (p >= 0).all() and (np.diff(p.to_numpy()) <= 0).all()
    assert "<s>" not in p.index and set(p.index) == set(lm.vocabulary_) - {"<s>"}
    if smoothing in ("modified_kneser_ney", "kneser_ney", "witten_bell", "add_k"):
        assert (p > 0).all()


@settings(max_examples=40, deadline=None)
@given(corpus=corpora, sequence=contexts, order=st.integers(1, 4),
       smoothing=st.sampled_from(SMOOTHINGS))
def test_score_agrees_with_the_chain_of_predictions(corpus, sequence, order, smoothing):
    # Two code paths: vectorised corpus scoring and the dense next-token distribution.
    lm = NGramLM(order=order, smoothing=smoothing).fit(corpus)
    prob = 1.0
    for i, token in enumerate([*sequence, "</s>"]):
        dist = lm.predict(sequence[:i])
        prob *= dist[token if token in dist.index else "<unk>"]
    assert math.exp(lm.logprob(sequence)) == pytest.approx(prob, rel=1e-9, abs=1e-300)


@settings(max_examples=30, deadline=None)
@given(corpus=corpora, queries=corpora, order=st.integers(1, 4),
       smoothing=st.sampled_from(SMOOTHINGS))
def test_score_samples_is_logprob_of_each_sequence(corpus, queries, order, smoothing):
    # The corpus in one vectorised pass against one sequence at a time.
    lm = NGramLM(order=order, smoothing=smoothing).fit(corpus)
    expected = [lm.logprob(seq) for seq in queries]
    np.testing.assert_allclose(lm.score_samples(queries), expected, rtol=1e-12)


# -- behaviour ------------------------------------------------------------------------
def test_unseen_tokens_are_the_unknown_token_and_are_counted():
    lm = NGramLM(order=2).fit(TOY)
    assert lm.logprob(["a", "never-seen"]) == lm.logprob(["a", "<unk>"])
    assert lm.perplexity([["never-seen"]]) == pytest.approx(math.exp(-lm.logprob(["<unk>"]) / 2))


def test_min_count_maps_rare_tokens_to_unk():
    lm = NGramLM(order=2, min_count=2).fit([["a", "a", "b"], ["a", "c"]])
    assert list(lm.vocabulary_) == ["<unk>", "<s>", "</s>", "a"]
    assert lm.logprob(["b"]) == lm.logprob(["c"])


def test_context_longer_than_the_order_uses_its_last_tokens():
    lm = NGramLM(order=3).fit([list("abcabcab"), list("cabbca")])
    assert lm.predict(list("aaabc")).equals(lm.predict(list("xbc")))
    assert lm.predict(list("bc")).equals(lm.predict(list("xxxbc")))


def test_closed_vocabulary_keeps_mass_for_unseen_entries():
    lm = NGramLM(order=2, vocabulary=[0, 1, 2, 3]).fit([[0, 1, 0, 1]])
    p = lm.predict([0])
    assert set(p.index) == {0, 1, 2, 3, "<unk>", "</s>"}
    assert p[3] > 0 and p[3] == p[2]


def test_sample_is_reproducible_and_bounded():
    lm = NGramLM(order=2).fit([list("abcab"), list("bca"), list("cab")])
    draws = lm.sample(5, random_state=3, max_length=4)
    assert draws == lm.sample(5, random_state=3, max_length=4)
    assert all(len(s) <= 4 and set(s) <= {"a", "b", "c", "<unk>"} for s in draws)
    assert draws != lm.sample(5, random_state=4, max_length=4)


def test_characters_as_token_lists():
    lm = NGramLM(order=4).fit([list("hello world"), list("hello there")])
    assert lm.predict(list("hel")).index[0] == "l"
    assert lm.perplexity([list("hello")]) < lm.perplexity([list("xqzjv")])


# -- bad input --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "argument"),
    [({"order": 0}, "order"), ({"order": 2.5}, "order"), ({"smoothing": "laplace"}, "smoothing"),
     ({"smoothing": "add_k", "k": 0}, "k"), ({"min_count": 0}, "min_count"),
     ({"bos_token": "<unk>"}, "bos_token")],
)
def test_bad_parameters_name_the_parameter(params, argument):
    with pytest.raises(ValueError, match=argument):
        NGramLM(**params).fit(TOY)


def test_bad_corpora_raise_clear_errors():
    with pytest.raises(ValueError, match="sequences is empty"):
        NGramLM().fit([])
    with pytest.raises(ValueError, match="sequences is empty"):
        NGramLM().fit([[], []])
    with pytest.raises(TypeError, match="mixes string and integer"):
        NGramLM().fit([["a", "b"], [1, 2]])
    with pytest.raises(TypeError, match="tokens must be strings or integers"):
        NGramLM().fit([["a", 1.5]])
    with pytest.raises(ValueError, match="reserved boundary token '</s>'"):
        NGramLM().fit([["a", "</s>", "b"]])
    lm = NGramLM().fit(TOY)
    with pytest.raises(TypeError, match="context contains the token 1.5"):
        lm.predict(["a", 1.5])
    with pytest.raises(ValueError, match="max_length"):
        lm.sample(2, max_length=0)


# -- an independent, dictionary-based Kneser-Ney (KenLM's rules) -----------------------------
def _naive_kneser_ney(corpus, order, modified=True):
    """Reference written from the definitions, one Python dict per order: adjusted counts
    (raw at the top order and for n-grams starting with <s>, distinct left extensions
    otherwise), discounts from count-of-counts, interpolation down to 1/|V|."""
    from collections import Counter

    raw = {k: Counter() for k in range(1, order + 1)}
    for s in corpus:
        framed = ["<s>", *s, "</s>"]
        for i in range(1, len(framed)):
            for k in range(1, min(order, i + 1) + 1):
                raw[k][tuple(framed[i - k + 1:i + 1])] += 1
    adjusted = {order: dict(raw[order])}
    for k in range(order - 1, 0, -1):
        adjusted[k] = {
            g: c if g[0] == "<s>" else len({h[0] for h in raw[k + 1] if h[1:] == g})
            for g, c in raw[k].items()
        }
    discounts = {}
    for k, counts in adjusted.items():
        n = [sum(1 for c in counts.values() if c == i) for i in (1, 2, 3, 4)]
        y = n[0] / (n[0] + 2 * n[1]) if n[0] + n[1] else math.nan
        if modified:
            d = [i - (i + 1) * y * n[i] / n[i - 1] if n[i - 1] else math.nan for i in (1, 2, 3)]
            ok = all(math.isfinite(x) and 0 <= x <= i for i, x in zip((1, 2, 3), d))
            discounts[k] = d if ok else [0.5, 1.0, 1.5]
        else:
            discounts[k] = [y] * 3 if n[0] and n[1] else [0.5] * 3
    vocab = {w for s in corpus for w in s} | {"<unk>", "</s>"}

    def prob(w, ctx):
        lower = 1 / len(vocab) if not ctx else prob(w, ctx[1:])
        ext = {g: c for g, c in adjusted[len(ctx) + 1].items() if g[:-1] == ctx}
        total = sum(ext.values())
        if total == 0:
            return lower
        d = discounts[len(ctx) + 1]
        a = ext.get((*ctx, w), 0)
        u = (a - d[min(a, 3) - 1]) / total if a else 0.0
        return u + sum(d[min(c, 3) - 1] for c in ext.values()) / total * lower

    def logprob(seq):
        framed = ["<s>", *[w if w in vocab else "<unk>" for w in seq], "</s>"]
        return sum(math.log(prob(framed[i], tuple(framed[max(0, i - order + 1):i])))
                   for i in range(1, len(framed)))

    return logprob


@settings(max_examples=30, deadline=None)
@given(corpus=corpora, sequence=contexts, order=st.integers(1, 4), modified=st.booleans())
def test_kneser_ney_matches_a_dictionary_reference(corpus, sequence, order, modified):
    smoothing = "modified_kneser_ney" if modified else "kneser_ney"
    lm = NGramLM(order=order, smoothing=smoothing).fit(corpus)
    reference = _naive_kneser_ney(corpus, order, modified)
    assert lm.logprob(sequence) == pytest.approx(reference(sequence), rel=1e-9)


def test_the_end_of_sequence_label_is_public_once_fitted():
    # What the chain rule over predict needs, read without a private method.
    model = NGramLM(order=2, eos_token="<end>")
    assert not hasattr(model, "end_token_")  # NotFittedError is an AttributeError
    model.fit([["a", "b"], ["b", "a", "a"]])
    assert model.end_token_ == "<end>"
    assert np.isclose(model.predict(["a", "b"]).sum(), 1.0)
    assert 0 < model.predict(["a", "b"])[model.end_token_] < 1
