from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsclassic import (
    ExpandingWindowSplitter,
    Naive,
    SeasonalNaive,
    SlidingWindowSplitter,
    evaluate,
    metrics,
    temporal_train_test_split,
)
from tsclassic.datasets import load_airline


def test_splitters_never_look_ahead():
    for cv in (ExpandingWindowSplitter(h=3, window_length=5, step=2),
               SlidingWindowSplitter(h=3, window_length=5, step=2)):
        folds = list(cv.split(np.arange(20)))
        assert len(folds) == cv.get_n_splits(np.arange(20)) == 7
        for train, test in folds:
            assert train.max() < test.min() and len(test) == 3
    sliding = [len(tr) for tr, _ in SlidingWindowSplitter(2, 5).split(np.arange(10))]
    assert set(sliding) == {5}


def test_splitter_too_short():
    with pytest.raises(ValueError, match="window_length=10 plus h=5 needs 15"):
        list(ExpandingWindowSplitter(h=5, window_length=10).split(np.arange(12)))


def test_temporal_train_test_split_keeps_order_and_x():
    y = load_airline()
    X = pd.DataFrame({"t": np.arange(144)}, index=y.index)
    y_train, y_test, X_train, X_test = temporal_train_test_split(y, test_size=12, X=X)
    assert len(y_test) == 12 and y_train.index[-1] < y_test.index[0]
    assert X_test["t"].iloc[0] == 132
    assert len(temporal_train_test_split(np.arange(10), test_size=0.3)[1]) == 3
    with pytest.raises(ValueError, match="leaves no training data"):
        temporal_train_test_split(np.arange(5), test_size=5)


def test_evaluate_matches_a_manual_loop():
    y = load_airline()
    cv = ExpandingWindowSplitter(h=12, window_length=108, step=12)
    scores = evaluate(SeasonalNaive(12), y, cv, metrics=["mae", "mase"], season_length=12)
    assert list(scores.columns) == ["fold", "cutoff", "n_train", "mae", "mase", "fit_time_s",
                                    "predict_time_s"]
    assert len(scores) == 3 and str(scores["cutoff"].iloc[0]) == "1957-12"
    train, test = y.iloc[:108], y.iloc[108:120]
    expected = metrics.mae(test, SeasonalNaive(12).fit(train).predict(12))
    assert scores["mae"].iloc[0] == pytest.approx(expected)
    with pytest.raises(ValueError, match="unknown metric"):
        evaluate(Naive(), y, cv, metrics=["r2"])
