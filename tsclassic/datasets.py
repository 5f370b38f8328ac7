"""Loaders for the data sets shipped in the repository's ``data/`` folder and the classic
series that ship inside statsmodels. Each returns pandas or NumPy objects and cites its
source; nothing is downloaded.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from tsclassic._params import renamed_params
from tsclassic._ts_format import read_ts

__all__ = [
    "data_dir",
    "load_airline",
    "load_m4",
    "load_ucr",
    "list_ucr",
    "load_ptb",
    "load_lynx_hare",
    "load_statsmodels",
    "load_m1",
    "read_ts",
    "list_uea",
    "load_uea",
]


def data_dir() -> Path:
    """The folder holding the shipped data (``$TSCLASSIC_DATA`` overrides it)."""
    env = os.environ.get("TSCLASSIC_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "data"


def _unknown(kind: str, name: str, known: list[str]) -> ValueError:
    return ValueError(f"unknown {kind} {name!r}; known names: {', '.join(sorted(known))}.")


def load_airline() -> pd.Series:
    """Monthly international airline passengers (thousands), Jan 1949 - Dec 1960.

    Box, Jenkins & Reinsel, *Time Series Analysis: Forecasting and Control*, series G
    (identical to R's ``datasets::AirPassengers``).

    Returns
    -------
    pd.Series
        144 values on a monthly ``PeriodIndex``, named ``"passengers"``.

    Examples
    --------
    >>> from tsclassic.datasets import load_airline
    >>> y = load_airline()
    >>> len(y), str(y.index.freqstr)
    (144, 'M')
    """
    frame = pd.read_csv(data_dir() / "airpassengers" / "airpassengers.csv")
    index = pd.PeriodIndex(pd.to_datetime(frame["ds"]), freq="M", name="month")
    return pd.Series(frame["y"].to_numpy(dtype=float), index=index, name="passengers")


@renamed_params(positional=("frequency", "split"))
def load_m4(*, frequency: str = "hourly", split: str = "train") -> pd.DataFrame:
    """The M4 competition series of one frequency, in long format.

    Makridakis, Spiliotis & Assimakopoulos (2020), "The M4 Competition: 100,000 time
    series and 61 forecasting methods", IJF 36(1):54-74; files from the official
    ``Mcompetitions/M4-methods`` repository.

    Parameters
    ----------
    frequency : {"hourly"}
        Only the Hourly subset (414 series, h = 48, season 24) ships with tsclassic.
    split : {"train", "test"}

    Returns
    -------
    pd.DataFrame
        Columns ``unique_id`` (``H1`` .. ``H414``), ``ds`` (integer step) and ``y``.
    """
    if frequency != "hourly":
        raise _unknown("M4 frequency", frequency, ["hourly"])
    if split not in ("train", "test"):
        raise _unknown("split", split, ["train", "test"])
    frame = pd.read_csv(
        data_dir() / "m4_hourly" / f"{split}.csv.gz",
        dtype={"unique_id": str, "ds": np.int64, "y": np.float64},
    )
    return frame


def list_ucr() -> list[str]:
    """Names of the UCR classification data sets shipped in ``data/ucr``."""
    root = data_dir() / "ucr"
    return sorted(p.name for p in root.iterdir() if p.is_dir())


@renamed_params(positional=("split",))
def load_ucr(name: str, *, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """One UCR archive classification data set, on the archive's fixed split.

    Dau et al. (2019), "The UCR Time Series Archive", IEEE/CAA J. Autom. Sinica 6(6).

    Parameters
    ----------
    name : str
        A data set in ``data/ucr`` (see :func:`list_ucr`), e.g. ``"GunPoint"``.
    split : {"train", "test"}

    Returns
    -------
    X : ndarray of shape (n_series, length)
    y : ndarray of shape (n_series,)
        The labels as the archive writes them (strings such as ``"1"``, ``"-1"``).

    Examples
    --------
    >>> from tsclassic.datasets import load_ucr
    >>> X, y = load_ucr("GunPoint")
    >>> X.shape
    (50, 150)
    """
    known = list_ucr()
    if name not in known:
        raise _unknown("UCR data set", name, known)
    if split not in ("train", "test"):
        raise _unknown("split", split, ["train", "test"])
    path = data_dir() / "ucr" / name / f"{name}_{split.upper()}.csv.gz"
    frame = pd.read_csv(path, header=None, dtype={0: str})
    labels = frame.iloc[:, 0].str.strip().to_numpy(dtype=object)
    labels = np.array([str(int(float(v))) for v in labels])
    # pandas hands a block back column-major; one series per contiguous row suits the
    # per-series loops of every consumer.
    return np.ascontiguousarray(frame.iloc[:, 1:].to_numpy(dtype=np.float64)), labels


@renamed_params(positional=("split",))
def load_ptb(*, split: str = "train") -> list[list[str]]:
    """The Penn Treebank, word level, as preprocessed by Mikolov et al. (2011).

    Mikolov, Deoras, Kombrink, Burget & Cernocky (2011), "Empirical evaluation and
    combination of advanced language modeling techniques", Interspeech; files from the
    code release of Zaremba et al. (2014). 10,000-word vocabulary with ``<unk>``.

    Returns
    -------
    list of list of str
        One token list per sentence (line), without the end-of-sentence marker.
    """
    if split not in ("train", "valid", "test"):
        raise _unknown("split", split, ["train", "valid", "test"])
    import gzip

    with gzip.open(data_dir() / "ptb" / f"ptb.{split}.txt.gz", "rt", encoding="utf-8") as fh:
        return [line.split() for line in fh]


def load_lynx_hare() -> pd.DataFrame:
    """Hudson's Bay Company lynx and snowshoe hare pelts (thousands), 1900-1920.

    Hewitt (1921), *The Conservation of the Wild Life of Canada*; the file used by
    Carpenter (2018), "Predator-Prey Population Dynamics: the Lotka-Volterra model in
    Stan" (Stan case study).

    Returns
    -------
    pd.DataFrame
        Columns ``hare`` (prey) then ``lynx`` (predator), indexed by ``year`` (int).
    """
    frame = pd.read_csv(
        data_dir() / "lynx_hare" / "hudson-bay-lynx-hare.csv", comment="#", skipinitialspace=True
    )
    frame.columns = [c.strip().lower() for c in frame.columns]
    out = frame.set_index("year")[["hare", "lynx"]].astype(float)
    out.index = out.index.astype(np.int64)
    return out


_STATSMODELS = {
    "sunspots": "Yearly sunspot activity 1700-2008 (statsmodels.datasets.sunspots).",
    "co2": "Mauna Loa weekly CO2, 1958-2001, with missing weeks (statsmodels.datasets.co2).",
    "nile": "Annual flow of the Nile at Aswan, 1871-1970 (statsmodels.datasets.nile).",
}


def load_statsmodels(name: str) -> pd.Series:
    """A classic series that ships inside statsmodels (no copy is kept here).

    Parameters
    ----------
    name : {"sunspots", "co2", "nile"}

    Returns
    -------
    pd.Series
        ``sunspots`` and ``nile`` on a yearly ``PeriodIndex``; ``co2`` on a weekly
        ``DatetimeIndex`` with NaN for the missing weeks.
    """
    if name not in _STATSMODELS:
        raise _unknown("statsmodels data set", name, list(_STATSMODELS))
    import statsmodels.api as sm

    if name == "sunspots":
        frame = sm.datasets.sunspots.load_pandas().data
        index = pd.period_range(str(int(frame["YEAR"].iloc[0])), periods=len(frame), freq="Y")
        return pd.Series(frame["SUNACTIVITY"].to_numpy(float), index=index, name="sunspots")
    if name == "nile":
        frame = sm.datasets.nile.load_pandas().data
        index = pd.period_range(str(int(frame["year"].iloc[0])), periods=len(frame), freq="Y")
        return pd.Series(frame["volume"].to_numpy(float), index=index, name="nile")
    frame = sm.datasets.co2.load_pandas().data
    series = frame["co2"].astype(float)
    series.index = pd.DatetimeIndex(series.index, freq="W-SAT")
    return series.rename("co2")


_M1_HORIZONS = {"yearly": 6, "quarterly": 8, "monthly": 18}


@renamed_params(positional=("frequency",))
def load_m1(*, frequency: str = "monthly") -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The M1 competition series of one frequency, in long format, with the horizon.

    Makridakis, Andersen, Carbone, Fildes, Hibon, Lewandowski, Newton, Parzen & Winkler
    (1982), "The accuracy of extrapolation (time series) methods: results of a
    forecasting competition", J. Forecasting 1(2):111-153; files converted from the R
    package ``Mcomp`` (``robjhyndman/Mcomp``, ``data/M1.rda``), see ``data/m1/README.md``.

    Parameters
    ----------
    frequency : {"yearly", "quarterly", "monthly"}
        181, 203 and 617 series; seasonal periods 1, 4 and 12.

    Returns
    -------
    train, test : pd.DataFrame
        Columns ``unique_id`` (Mcomp's names, e.g. ``YAF2``), ``ds`` (integer step,
        1..n in train, n+1..n+h in test) and ``y``.
    h : int
        The competition's horizon: 6, 8 or 18.

    Examples
    --------
    >>> from tsclassic.datasets import load_m1
    >>> train, test, h = load_m1(frequency="yearly")
    >>> train["unique_id"].nunique(), h
    (181, 6)
    """
    if frequency not in _M1_HORIZONS:
        raise _unknown("M1 frequency", frequency, list(_M1_HORIZONS))
    dtype = {"unique_id": str, "ds": np.int64, "y": np.float64}
    train, test = (
        pd.read_csv(data_dir() / "m1" / f"{frequency}_{split}.csv", dtype=dtype)
        for split in ("train", "test")
    )
    return train, test, _M1_HORIZONS[frequency]


# The UEA multivariate sets, shipped in data/uea as .ts files (read by read_ts).



def list_uea() -> list[str]:
    """Names of the UEA multivariate classification data sets shipped in ``data/uea``."""
    root = data_dir() / "uea"
    return sorted(p.name for p in root.iterdir() if p.is_dir())


@renamed_params(positional=("split",))
def load_uea(name: str, *, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """One UEA multivariate classification data set, on the archive's fixed split.

    Bagnall et al. (2018), "The UEA multivariate time series classification archive,
    2018", arXiv:1811.00075. Read with :func:`read_ts` from the archive's own ``.ts``
    files (gzip-compressed, values unchanged), values as the archive gives them (not
    re-normalised).

    Parameters
    ----------
    name : str
        A data set in ``data/uea`` (see :func:`list_uea`), e.g. ``"BasicMotions"``.
    split : {"train", "test"}

    Returns
    -------
    X : ndarray of shape (n_series, n_channels, length)
    y : ndarray of shape (n_series,)
        The class labels as the archive writes them (strings such as ``"Walking"``).

    Examples
    --------
    >>> from tsclassic.datasets import load_uea
    >>> X, y = load_uea("BasicMotions")
    >>> X.shape, str(y[0])
    ((40, 6, 100), 'Standing')
    """
    known = list_uea()
    if name not in known:
        raise _unknown("UEA data set", name, known)
    if split not in ("train", "test"):
        raise _unknown("split", split, ["train", "test"])
    return read_ts(data_dir() / "uea" / name / f"{name}_{split.upper()}.ts.gz")
