"""NGramLM to and from the ARPA back-off format (KenLM, SRILM)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tsclassic.datasets import load_ptb
from tsclassic.language import NGramLM

LN10 = math.log(10)

# Written by hand to the format's definition (SRILM's ngram-format(5)): log10
# probabilities, log10 back-off weights, and a missing n-gram backs off to the shorter
# context times the back-off weight of the longer one.
HAND_WRITTEN = """
\\data\\
ngram 1=5
ngram 2=4
ngram 3=1

\\1-grams:
-1.0\t</s>
-99\t<s>\t-0.5
-2.0\t<unk>
-0.4\ta\t-0.3
-0.6\tb\t-0.2

\\2-grams:
-0.2\t<s> a\t-0.1
-0.1\ta b\t-0.15
-0.05\tb </s>
-0.7\tb a

\\3-grams:
-0.05\t<s> a b

\\end\\
"""


@pytest.fixture
def hand_written(tmp_path):
    path = tmp_path / "hand.arpa"
    path.write_text(HAND_WRITTEN)
    return NGramLM.from_arpa(path)


@pytest.mark.parametrize(
    ("sequence", "log10p"),
    [
        # p(a|<s>) listed; p(b|<s> a) listed; p(</s>|a b) = b(a b) p(</s>|b)
        (["a", "b"], -0.2 - 0.05 - (0.15 + 0.05)),
        # p(b|<s>) = b(<s>) p(b); p(a|<s> b): "<s> b" not listed -> p(a|b) listed;
        # p(</s>|b a): "b a" has no back-off weight -> p(</s>|a) = b(a) p(</s>)
        (["b", "a"], -(0.5 + 0.6) - 0.7 - (0.3 + 1.0)),
        # an unseen token is <unk>: p(<unk>|<s>) = b(<s>) p(<unk>); then p(</s>|<unk>)
        (["zebra"], -(0.5 + 2.0) - 1.0),
        ([], -(0.5 + 1.0)),  # p(</s>|<s>) = b(<s>) p(</s>)
    ],
)
def test_probabilities_follow_a_hand_written_file(hand_written, sequence, log10p):
    assert hand_written.order == 3
    assert hand_written.logprob(sequence) == pytest.approx(log10p * LN10, rel=1e-9)


def test_predict_follows_the_file_too(hand_written):
    p = hand_written.predict(["a"])  # context <s> a
    assert p["b"] == pytest.approx(10**-0.05)
    assert p["a"] == pytest.approx(10 ** (-0.1 - 0.3 - 0.4))  # b(<s> a) b(a) p(a)


@pytest.mark.parametrize("smoothing", ["modified_kneser_ney", "kneser_ney", "witten_bell"])
def test_round_trip_keeps_every_probability(tmp_path, smoothing):
    train, test = load_ptb(split="train")[:400], load_ptb(split="test")[:60]
    lm = NGramLM(order=3, smoothing=smoothing).fit(train)
    path = tmp_path / "lm.arpa"
    lm.to_arpa(path)
    again = NGramLM.from_arpa(path)
    # every vocabulary entry is a 1-gram of the file (<s> and <unk> too, as KenLM writes)
    counts = [len(lm.vocabulary_), *lm.n_ngrams_.iloc[1:]]
    assert list(again.n_ngrams_) == counts
    np.testing.assert_allclose(
        [again.logprob(s) for s in test], [lm.logprob(s) for s in test], rtol=1e-6
    )
    assert again.perplexity(test) == pytest.approx(lm.perplexity(test), rel=1e-6)
    context = test[0][:2]
    np.testing.assert_allclose(
        again.predict(context).sort_index().to_numpy(),
        lm.predict(context).sort_index().to_numpy(), rtol=1e-5,  # 7 digits in the file
    )
    header = path.read_text().strip().split("\n\n")[0]
    assert header.splitlines() == ["\\data\\", *[f"ngram {k}={n}" for k, n in enumerate(counts, 1)]]


def test_what_arpa_cannot_hold_is_refused(tmp_path):
    with pytest.raises(ValueError, match="longest context only"):
        NGramLM(order=2, smoothing="add_k").fit([["a", "b"]]).to_arpa(tmp_path / "x.arpa")
    with pytest.raises(ValueError, match="without whitespace"):
        NGramLM(order=2).fit([["a b", "c"]]).to_arpa(tmp_path / "x.arpa")
    (tmp_path / "bad.arpa").write_text("hello\n")
    with pytest.raises(ValueError, match="no ARPA header"):
        NGramLM.from_arpa(tmp_path / "bad.arpa")
