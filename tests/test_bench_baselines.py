"""Every deep model of the bench, in its --quick configuration, beats the trivial baseline
of its problem on a small quick data set: the majority class (classification), Naive2
(forecasting, OWA < 1), the unigram model (generation). A quick cell that loses to the
baseline would say nothing about classical against deep, only that the budget starved it.

The configurations are read from the suites themselves, so a change of quick budget or
setting is tested here; each fit takes seconds of CPU.
"""

import numpy as np
import pytest

from tsclassic import metrics
from tsclassic.bench import classification as cls_suite
from tsclassic.bench import forecasting as fc_suite
from tsclassic.bench import generation as gen_suite
from tsclassic.bench._models import make_estimator

pytest.importorskip("torch")


def _deep(specs):
    return {spec.name: spec for spec in specs if spec.family == "deep"}


def _by_epochs(spec):
    """The spec's estimator without its wall-clock safety stop: the figure tested is the
    one its epoch budget reaches, whatever the load of the machine running the tests
    (under a loaded run of the whole suite the stop fired, on a figure the clock chose)."""
    return make_estimator(spec.estimator, {**spec.params, "max_time": None})


CLASSIFIERS = _deep(cls_suite.models(quick=True))


@pytest.mark.parametrize("name", sorted(CLASSIFIERS))
def test_a_quick_deep_classifier_beats_the_majority_class_on_gunpoint(name):
    from tsclassic.datasets import load_ucr

    X_train, y_train = load_ucr("GunPoint", split="train")
    X_test, y_test = load_ucr("GunPoint", split="test")
    spec = CLASSIFIERS[name]
    scores = cls_suite.evaluate(_by_epochs(spec), X_train, y_train, X_test, y_test)
    baseline = cls_suite.majority(y_train, y_test)["accuracy"]
    assert scores["accuracy"] > baseline + 0.1, (scores["accuracy"], baseline)


def _airpassengers():
    name, train, test, h, m, _, _ = fc_suite._datasets(quick=True)[0]
    assert name == "AirPassengers"
    return train, test, h, m


def _forecasters():
    train, _, h, m = _airpassengers()
    return _deep([*fc_suite.models(m, None), *fc_suite.global_models(h, m, len(train[0]), True)])


FORECASTERS = _forecasters()


@pytest.mark.parametrize("name", sorted(FORECASTERS))
def test_a_quick_deep_forecaster_beats_naive2_on_airpassengers(name):
    train, test, h, m = _airpassengers()
    spec = FORECASTERS[name]
    scores = fc_suite._score(_by_epochs(spec), train, test, h, m, n_jobs=1,
                             is_global=spec.is_global)
    naive2 = fc_suite._score(make_estimator("Naive2", {"season_length": m}), train, test, h, m, 1)
    owa = metrics.owa(scores["smape"], scores["mase"], naive2["smape"], naive2["mase"])
    assert owa < 0.95, owa


@pytest.mark.parametrize("level", ["words", "chars"])
def test_the_quick_language_model_beats_the_unigram_model(level):
    name, _, train, test, vocabulary = next(d for d in gen_suite.datasets(quick=True)
                                            if d[1] == level)
    specs = {spec.name: spec for spec in gen_suite.models(level, True, vocabulary)}
    unigram, deep = specs["NGramLM-1"], _deep(specs.values())["RNN-LSTM"]
    assert unigram.params["order"] == 1
    baseline = gen_suite.evaluate(make_estimator(unigram.estimator, unigram.params), train, test)
    scores = gen_suite.evaluate(_by_epochs(deep), train, test)
    assert np.log(scores["perplexity"]) < np.log(baseline["perplexity"]) - 0.05, (
        name, scores["perplexity"], baseline["perplexity"])
