"""Reader of the sktime/UEA ``.ts`` format, the archives' text format for panels of series.

A file is ``#`` comment lines, ``@`` header tags, an ``@data`` line and then one case per
line: the channels separated by ``:``, the values of a channel by ``,``, the class label
or regression target (if the header declares one) as the last ``:`` field, and ``?`` for
a missing value. The reader is strict where the archives' own loaders are lenient: a tag
it does not know, a header that disagrees with the data, a case with the wrong number of
channels or a value that is not a number is an error naming the file and the line, as a
file read a way its writer did not mean is a silent wrong answer.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["read_ts"]

_BOOLEAN_TAGS = ("timestamps", "missing", "univariate", "equallength", "targetlabel")
_INTEGER_TAGS = ("dimensions", "serieslength")
# ``@dimension`` is how aeon's writer spells ``@dimensions``.
_ALIASES = {"dimension": "dimensions"}
_KNOWN_TAGS = ("problemname", *_BOOLEAN_TAGS, *_INTEGER_TAGS, "classlabel", "data")
_SPELLING = ("@problemName, @timeStamps, @missing, @univariate, @dimensions, @equalLength, "
             "@seriesLength, @classLabel, @targetLabel, @data")


class _Source:
    """The lines of one file, numbered, and errors that name the file and the line."""

    def __init__(self, path: Path, lines: Iterator[str]):
        self.path = path
        self.lines = enumerate(lines, start=1)
        self.lineno = 0

    def __iter__(self) -> Iterator[str]:
        for lineno, line in self.lines:
            self.lineno = lineno
            yield line.strip()

    def error(self, message: str, lineno: int | None = None) -> ValueError:
        return ValueError(f"{self.path}, line {self.lineno if lineno is None else lineno}: "
                          f"{message}")


class _Header:
    """The tags read so far: their values, and the line each came from (for messages)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.lines: dict[str, int] = {}

    def get(self, tag: str, default: Any = None) -> Any:
        return self.values.get(tag, default)

    @property
    def classes(self) -> tuple[str, ...] | None:
        return self.values.get("classlabel")

    @property
    def labelled(self) -> bool:
        return self.classes is not None or bool(self.values.get("targetlabel"))


def _parse_tag(src: _Source, line: str, header: _Header) -> str:
    """Read one ``@tag value...`` line into ``header``."""
    tokens = line.split()
    tag = tokens[0][1:].lower()
    tag = _ALIASES.get(tag, tag)
    values = tokens[1:]
    if tag not in _KNOWN_TAGS:
        raise src.error(f"unknown header tag {tokens[0]!r}; the .ts format knows {_SPELLING}.")
    if tag in header.values:
        raise src.error(f"{tokens[0]} is given twice (first on line {header.lines[tag]}).")
    if tag == "data":
        if values:
            raise src.error("@data takes no value; the cases start on the next line.")
        value: Any = True
    elif tag in _BOOLEAN_TAGS:
        if len(values) != 1 or values[0].lower() not in ("true", "false"):
            raise src.error(f"{tokens[0]} takes one value, true or false; got {values}.")
        value = values[0].lower() == "true"
    elif tag in _INTEGER_TAGS:
        if len(values) != 1 or not values[0].isdigit() or int(values[0]) < 1:
            raise src.error(f"{tokens[0]} takes one positive integer; got {values}.")
        value = int(values[0])
    elif tag == "classlabel":
        flag = values[0].lower() if values else ""
        if flag not in ("true", "false") or (flag == "true") != (len(values) > 1):
            raise src.error(f"{tokens[0]} takes 'true' followed by the class labels, or "
                            f"'false'; got {values}.")
        value = tuple(values[1:]) if flag == "true" else None
    else:  # problemname
        if not values:
            raise src.error(f"{tokens[0]} takes a name.")
        value = " ".join(values)
    header.values[tag], header.lines[tag] = value, src.lineno
    return tag


def _read_header(src: _Source) -> _Header:
    """Tags up to and including ``@data``; checks that they agree with one another."""
    header = _Header()
    for line in src:
        if not line or line.startswith("#"):
            continue
        if not line.startswith("@"):
            raise src.error(f"expected a header tag (@...) or a # comment before @data; got "
                            f"{line[:40]!r}.")
        if _parse_tag(src, line, header) == "data":
            break
    else:
        raise src.error("no @data line: a .ts file lists its cases after @data.")
    if header.get("timestamps"):
        raise src.error("timestamped values (@timeStamps true) are not supported: write the "
                        "values without their time stamps.", header.lines["timestamps"])
    if header.classes is not None and header.get("targetlabel"):
        raise src.error("a file has class labels (@classLabel true) or a regression target "
                        "(@targetLabel true), not both.", header.lines["targetlabel"])
    if header.get("univariate") and header.get("dimensions", 1) != 1:
        raise src.error(f"@univariate true disagrees with @dimensions {header.get('dimensions')}.",
                        header.lines["dimensions"])
    if header.get("equallength") is False and "serieslength" in header.values:
        raise src.error("@seriesLength is given but @equalLength is false.",
                        header.lines["serieslength"])
    return header


def _parse_values(src: _Source, text: str, channel: int) -> np.ndarray:
    tokens = text.split(",")
    if "?" in text:
        tokens = ["nan" if t.strip() == "?" else t for t in tokens]
    try:
        values = np.array(tokens, dtype=np.float64)
    except ValueError:
        bad = next(t for t in tokens if not _is_number(t))
        raise src.error(f"channel {channel}: {bad.strip()!r} is not a number (missing values "
                        f"are written '?').") from None
    if np.isinf(values).any():
        raise src.error(f"channel {channel}: an infinite value; the format holds finite "
                        f"numbers and '?' for a missing one.")
    return values


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _parse_label(src: _Source, text: str, classes: tuple[str, ...] | None) -> str | float:
    label = text.strip()
    if not label:
        raise src.error("the case has no label after its last ':'.")
    if classes is not None and label not in classes:
        raise src.error(f"class label {label!r} is not among those that @classLabel declares "
                        f"({' '.join(classes)}).")
    if classes is None:
        if not _is_number(label) or not np.isfinite(float(label)):
            raise src.error(f"regression target {label!r} is not a finite number.")
        return float(label)
    return label


def _read_case(src: _Source, line: str, header: _Header, expect: dict[str, Any]
               ) -> tuple[np.ndarray, str | float | None]:
    """One data line: its (n_channels, length) array and its label (or None)."""
    fields = line.split(":")
    labelled = header.labelled
    label_text = fields.pop() if labelled else None
    if "channels" not in expect:
        expect["channels"] = (len(fields), f"as on line {src.lineno}, the first case")
    n_channels, source = expect["channels"]
    if len(fields) != n_channels:
        hint = " (or its label is missing)" if labelled and len(fields) + 1 == n_channels else ""
        raise src.error(f"the case has {len(fields)} channels{hint}; expected {n_channels} "
                        f"({source}).")
    label = None if label_text is None else _parse_label(src, label_text, header.classes)
    channels = [_parse_values(src, text, j) for j, text in enumerate(fields)]
    lengths = {len(c) for c in channels}
    if len(lengths) > 1:
        raise src.error(f"the channels of one case differ in length ({[len(c) for c in channels]}"
                        f"); each case's channels must have one length.")
    length = lengths.pop()
    if "length" not in expect and header.get("equallength"):
        expect["length"] = (length, f"as on line {src.lineno}, the first case; @equalLength true")
    if "length" in expect and length != expect["length"][0]:
        raise src.error(f"the case has length {length}; expected {expect['length'][0]} "
                        f"({expect['length'][1]}).")
    case = np.stack(channels)
    if header.get("missing") is False and np.isnan(case).any():
        raise src.error(f"a missing value, but line {header.lines['missing']} says @missing false.")
    return case, label


def read_ts(path: str | os.PathLike) -> tuple[Any, np.ndarray | None]:
    """Read a panel of series and its labels from a ``.ts`` file (the sktime/UEA format).

    Univariate and multivariate, equal and unequal length, missing values (``?``, read as
    NaN), class labels or regression targets. The header tags ``@problemName``,
    ``@timeStamps``, ``@missing``, ``@univariate``, ``@dimensions`` (or ``@dimension``),
    ``@equalLength``, ``@seriesLength``, ``@classLabel`` and ``@targetLabel`` are optional
    (any case of letters); those given are checked against every case. A file whose name
    ends in ``.gz`` is decompressed.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, length), or list of ndarray
        A 3-D float array when the series have one length (``@equalLength true``, or the
        tag absent and every case of one length); otherwise a list of
        ``(n_channels, length_i)`` arrays, one per case.
    y : ndarray of shape (n_cases,) or None
        Class labels as strings (as the file writes them), regression targets as floats,
        or ``None`` when the file has neither.

    Raises
    ------
    ValueError
        Naming the file and the line: an unknown or malformed tag, tags that contradict
        one another, a case whose channel count, length, labels or missing values disagree
        with the header (or with the first case), a value that is not a number, an
        infinite value, or timestamped values (``@timeStamps true``, not supported).

    References
    ----------
    Bagnall et al. (2018), "The UEA multivariate time series classification archive,
    2018", arXiv:1811.00075; the format as sktime and aeon write it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from tsclassic.datasets import read_ts
    >>> text = "@univariate false\\n@dimensions 2\\n@classLabel true a b\\n@data\\n"
    >>> text += "1,2,3:4,5,6:a\\n7,?,9:1,2,3:b\\n"
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "toy.ts"
    ...     _ = path.write_text(text)
    ...     X, y = read_ts(path)
    >>> X.shape, y.tolist(), X[1, 0].tolist()
    ((2, 2, 3), ['a', 'b'], [7.0, nan, 9.0])
    """
    path = Path(path)
    opener: Any = gzip.open if path.suffix == ".gz" else open
    # utf-8-sig: a byte-order mark some editors write is not part of the first line.
    with opener(path, "rt", encoding="utf-8-sig") as handle:
        src = _Source(path, handle)
        header = _read_header(src)
        expect: dict[str, Any] = {}
        if "dimensions" in header.values:
            expect["channels"] = (header.get("dimensions"),
                                  f"@dimensions on line {header.lines['dimensions']}")
        elif header.get("univariate"):
            expect["channels"] = (1, f"@univariate true on line {header.lines['univariate']}")
        if "serieslength" in header.values:
            expect["length"] = (header.get("serieslength"),
                                f"@seriesLength on line {header.lines['serieslength']}")
        cases, labels = [], []
        for line in src:
            if not line:
                continue
            if line.startswith("@"):
                raise src.error("a header tag after @data; tags come before it.")
            case, label = _read_case(src, line, header, expect)
            cases.append(case)
            labels.append(label)
        if not cases:
            raise src.error("no cases after @data.")
    y = None if labels[0] is None else np.array(labels)
    equal = header.get("equallength")
    if equal is None:
        equal = len({c.shape[1] for c in cases}) == 1
    return (np.stack(cases) if equal else cases), y
