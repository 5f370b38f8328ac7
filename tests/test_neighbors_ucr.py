"""The UCR archive's published 1-NN accuracies (Dau et al. 2019), reproduced on every data
set shipped in data/ucr: Euclidean and full-window DTW to 4 decimals, learned window
within 0.02 (in practice equal too, with the archive's windows)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsclassic.datasets import data_dir, list_ucr, load_ucr
from tsclassic.neighbors import KNeighborsDTWClassifier


def _published() -> pd.Series:
    table = pd.read_csv(data_dir() / "ucr" / "published_accuracy.csv")
    table = table[table["split"] == "default"]
    return table.set_index(["dataset", "method"])["accuracy"]


PUBLISHED = _published()


@pytest.mark.parametrize("name", list_ucr())
def test_one_nn_euclidean_and_full_dtw_match_the_archive(name):
    X, y = load_ucr(name, split="train")
    X_test, y_test = load_ucr(name, split="test")
    for window, method in [(0.0, "1NN-ED"), (None, "1NN-DTW-full")]:
        accuracy = KNeighborsDTWClassifier(window=window).fit(X, y).score(X_test, y_test)
        assert round(accuracy, 4) == PUBLISHED[(name, method)], method


# Windows (in % of the length) from the archive's DataSummary, for the sets where it is
# not zero; the others learn 0 %.
ARCHIVE_WINDOWS = {"BeetleFly": 7, "CBF": 11, "Car": 1, "Plane": 5, "SyntheticControl": 6,
                   "Trace": 3, "TwoLeadECG": 4}


@pytest.mark.parametrize("name", list_ucr())
def test_learned_window_matches_the_archive(name):
    X, y = load_ucr(name, split="train")
    X_test, y_test = load_ucr(name, split="test")
    clf = KNeighborsDTWClassifier(window="learn").fit(X, y)
    accuracy = clf.score(X_test, y_test)
    assert abs(accuracy - PUBLISHED[(name, "1NN-DTW-learned-window")]) <= 0.02
    assert np.isclose(clf.window_ * 100, ARCHIVE_WINDOWS.get(name, 0))
