from __future__ import annotations

import numpy as np
import pytest

from tsclassic import datasets


def test_airline_is_box_jenkins_series_g():
    y = datasets.load_airline()
    assert len(y) == 144 and y.sum() == 40363 and str(y.index[0]) == "1949-01"
    assert y.index.freqstr == "M"


def test_m4_hourly_shapes():
    train, test = datasets.load_m4(frequency="hourly", split="train"), datasets.load_m4(frequency="hourly", split="test")
    assert train["unique_id"].nunique() == 414 == test["unique_id"].nunique()
    assert len(test) == 414 * 48 and len(train) == 353_500


def test_ucr_shapes_and_labels():
    names = datasets.list_ucr()
    assert len(names) == 16 and "GunPoint" in names
    X, y = datasets.load_ucr("GunPoint", split="test")
    assert X.shape == (150, 150) and set(y) == {"1", "2"}
    assert X.flags["C_CONTIGUOUS"]  # one series per contiguous row
    assert set(datasets.load_ucr("ECG200")[1]) == {"-1", "1"}


def test_ptb_token_counts():
    """Mikolov's PTB: 82,430 test tokens with one <eos> per line."""
    test = datasets.load_ptb(split="test")
    assert len(test) == 3761 and sum(len(s) + 1 for s in test) == 82_430


def test_lynx_hare_and_statsmodels_series():
    frame = datasets.load_lynx_hare()
    assert list(frame.columns) == ["hare", "lynx"] and frame.index[0] == 1900 and len(frame) == 21
    sunspots = datasets.load_statsmodels("sunspots")
    assert len(sunspots) == 309 and str(sunspots.index[0]) == "1700"
    assert len(datasets.load_statsmodels("nile")) == 100
    co2 = datasets.load_statsmodels("co2")
    assert co2.index.freqstr == "W-SAT" and np.isnan(co2).any()


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: datasets.load_ucr("NoSuchSet"), "known names: .*GunPoint"),
        (lambda: datasets.load_m4(frequency="yearly"), "known names: hourly"),
        (lambda: datasets.load_ptb(split="dev"), "known names: test, train, valid"),
        (lambda: datasets.load_statsmodels("iris"), "known names: co2, nile, sunspots"),
    ],
)
def test_unknown_names_list_the_known_ones(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


@pytest.mark.parametrize(
    ("frequency", "n_series", "h", "n_train", "lengths"),
    [("yearly", 181, 6, 3429, (9, 15, 52)), ("quarterly", 203, 8, 8320, (10, 40, 106)),
     ("monthly", 617, 18, 44892, (30, 66, 132))],
)
def test_m1_matches_its_readme(frequency, n_series, h, n_train, lengths):
    """Counts from data/m1/README.md (Makridakis et al. 1982 via Mcomp)."""
    train, test, horizon = datasets.load_m1(frequency=frequency)
    assert horizon == h and len(train) == n_train and len(test) == n_series * h
    assert train["unique_id"].nunique() == n_series == test["unique_id"].nunique()
    sizes = train.groupby("unique_id").size()
    assert (sizes.min(), int(sizes.median()), sizes.max()) == lengths
    assert (train["y"] > 0).all() and list(train.columns) == ["unique_id", "ds", "y"]
    # Naive (last value) sMAPE from the README's verification table.
    last = train.groupby("unique_id", sort=False)["y"].last()
    f = test["unique_id"].map(last)
    ratio = 200 * (test["y"] - f).abs() / (test["y"].abs() + f.abs())
    naive = ratio.groupby(test["unique_id"]).mean().mean()
    assert round(naive, 3) == {"yearly": 22.431, "quarterly": 18.379, "monthly": 19.216}[frequency]


def test_m1_unknown_frequency_names_the_choices():
    with pytest.raises(ValueError, match="yearly"):
        datasets.load_m1(frequency="hourly")
