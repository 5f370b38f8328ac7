"""tsclassic.deep.RNNLanguageModel."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tsclassic.deep import RNNLanguageModel  # noqa: E402

PATTERN = [list(s) for s in ["abcabcabc", "bcabcab", "cabca", "abcab"]] * 10


def _model(**kw):
    params = dict(embedding_size=8, hidden_size=32, max_epochs=60, learning_rate=0.02,
                  validation_fraction=0.0, patience=None, random_state=0, verbose=False)
    params.update(kw)
    return RNNLanguageModel(**params)


@pytest.fixture(scope="module")
def fitted():
    return _model().fit(PATTERN)


def test_learns_a_deterministic_pattern(fitted):
    dist = fitted.predict(["a", "b"])
    assert dist.index[0] == "c" and dist.iloc[0] > 0.9
    assert np.isclose(dist.sum(), 1.0) and (np.diff(dist.to_numpy()) <= 0).all()
    n_tokens = sum(len(s) + 1 for s in PATTERN[:4])
    perplexity = np.exp(-fitted.score(PATTERN[:4]) / n_tokens)
    assert perplexity < 2.0  # uniform over a, b, c and the end would be 4
    assert np.isclose(fitted.perplexity(PATTERN[:4]), perplexity)


def test_score_is_the_sum_of_next_token_log_probabilities(fitted):
    seq = list("abca")
    total = 0.0
    for i, token in enumerate([*seq, "</s>"]):
        total += np.log(fitted.predict(seq[:i])[token])
    # predict gives the softmax that score uses, <unk> included: the chain rule holds.
    assert np.isclose(fitted.score([seq]), total, rtol=1e-6)  # float32 network


def test_sampling_is_reproducible_and_follows_the_pattern(fitted):
    a = fitted.sample(5, random_state=0)
    assert a == fitted.sample(5, random_state=0)
    assert a != fitted.sample(5, random_state=1)
    for seq in a:
        assert set(seq) <= {"a", "b", "c"} and 0 < len(seq) <= fitted.max_sample_length
        text = "".join(seq)
        assert all(nxt == {"a": "b", "b": "c", "c": "a"}[cur] for cur, nxt in zip(text, text[1:]))


def test_max_sample_length_bounds_samples():
    lm = _model(max_epochs=1, max_sample_length=3).fit(PATTERN)
    assert all(len(s) <= 3 for s in lm.sample(10, random_state=0))


def test_unknown_tokens_min_count_and_closed_vocabulary():
    corpus = [["the", "cat"], ["the", "dog"], ["a", "cat"]]
    lm = _model(max_epochs=2).fit(corpus)
    assert np.isfinite(lm.score([["the", "zebra"]]))  # unseen word read as <unk>
    assert "<unk>" in lm.predict(["the"]).index  # the softmax score uses: chain rule
    assert all("<unk>" not in seq for seq in lm.sample(20, random_state=0))  # never drawn
    rare = _model(max_epochs=2, min_count=2).fit(corpus)
    assert set(rare.vocabulary_) == {"</s>", "<unk>", "the", "cat"}
    assert "<unk>" in rare.predict(["the"]).index and rare.unk_count_ == 2
    closed = _model(max_epochs=2, vocabulary=["the", "cat", "dog", "a", "zebra"]).fit(corpus)
    assert "zebra" in closed.vocabulary_
    with pytest.raises(TypeError, match="vocabulary"):
        _model(vocabulary="abc").fit(corpus)


def test_rare_tokens_of_a_closed_vocabulary_share_the_unknown_output():
    corpus = [["the", "cat"], ["the", "dog"], ["the", "cat"], ["a", "cat"]] * 2
    listed = ["the", "cat", "dog", "a", "zebra"]
    lm = _model(max_epochs=5, vocabulary=listed, min_count=3).fit(corpus)
    assert lm.vocabulary_ == ["</s>", "<unk>", "cat", "the"]
    # Shares by training count plus one: a and dog seen twice, zebra and <unk> never.
    assert lm.shared_tokens_.to_dict() == pytest.approx(
        {"<unk>": 1 / 8, "dog": 3 / 8, "a": 3 / 8, "zebra": 1 / 8})
    dist = lm.predict(["the"])
    assert set(dist.index) == {"</s>", "<unk>", *listed} and np.isclose(dist.sum(), 1.0)
    assert np.isclose(dist["dog"], 3 * dist["zebra"])
    # The chain rule over predict is score, for a shared token and one outside the list.
    for seq in (["a", "zebra"], ["the", "horse"]):
        total = sum(np.log(dist_i.get(token, dist_i["<unk>"])) for dist_i, token in
                    ((lm.predict(seq[:i]), t) for i, t in enumerate([*seq, "</s>"])))
        assert np.isclose(lm.score([seq]), total, rtol=1e-6)
    drawn = {t for seq in lm.sample(200, random_state=0) for t in seq}
    assert drawn <= {"<unk>", *listed} and drawn & {"dog", "a"}
    # min_count=1 keeps an output per listed token, as before.
    assert len(_model(max_epochs=1, vocabulary=listed).fit(corpus).shared_tokens_) == 0


def test_integer_tokens_and_long_sequences():
    corpus = [list(np.arange(600) % 4)]  # longer than a training segment
    lm = _model(max_epochs=40, hidden_size=8).fit(corpus)
    assert set(lm.predict([0, 1]).index) <= {0, 1, 2, 3, "</s>", "<unk>"}
    assert lm.predict([0, 1, 2]).index[0] == 3
    assert lm.predict([0, 1, 2, 3]).index[0] == 0


def test_the_end_token_may_not_occur_in_the_data():
    with pytest.raises(ValueError, match="sequences contain the token '</s>'"):
        _model(max_epochs=1).fit([["a", "</s>", "b"]])


def test_another_seed_another_model():
    a = _model(max_epochs=2, random_state=5).fit(PATTERN).score(PATTERN)
    c = _model(max_epochs=2, random_state=6).fit(PATTERN).score(PATTERN)
    assert a != c


@pytest.mark.parametrize(("params", "name"), [
    ({"dropout": 1.0}, "dropout"),
    ({"embedding_size": 0}, "embedding_size"),
    ({"cell": "lstmx"}, "cell"),
    ({"min_count": 0}, "min_count"),
    ({"batch_size": 0}, "batch_size"),
])
def test_bad_parameters_name_the_parameter(params, name):
    with pytest.raises(ValueError, match=name):
        _model(**params).fit(PATTERN)


def test_validation_split_and_early_stopping():
    lm = _model(max_epochs=200, validation_fraction=0.25, patience=2).fit(PATTERN * 2)
    assert lm.history_.stopped in ("early_stopping", "max_epochs")
    assert len(lm.history_.valid_loss) == lm.n_epochs_
