"""read_ts on small hand-written .ts files: every kind of file the format allows, and an
error naming the file and the line for every kind of bad file."""

from __future__ import annotations

import gzip
import re

import numpy as np
import pytest

from tsclassic.datasets import read_ts

COMMENTS = "# A toy problem.\n#   with an indented comment line \n\n"


def write(tmp_path, text, name="toy.ts"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_univariate_equal_length_with_class_labels(tmp_path):
    path = write(tmp_path, COMMENTS + (
        "@problemName Toy\n@timeStamps false\n@missing false\n@univariate true\n"
        "@equalLength true\n@seriesLength 4\n@classLabel true yes no\n@data\n"
        "1,2,3,4:yes\n0.5,-1e-3,2E2,7:no \n\n5,6,7,8:yes\n"))
    X, y = read_ts(path)
    assert X.shape == (3, 1, 4) and X.dtype == np.float64
    np.testing.assert_array_equal(X[1, 0], [0.5, -0.001, 200.0, 7.0])
    assert y.tolist() == ["yes", "no", "yes"]


def test_multivariate_equal_length_with_missing_values(tmp_path):
    path = write(tmp_path, (
        "@problemName Toy\n@timeStamps false\n@missing true\n@univariate false\n"
        "@dimensions 2\n@equalLength true\n@seriesLength 3\n@classLabel true 1 2\n@data\n"
        "1,?,3:4,5,6:1\n7,8,9:?,?,?:2\n"))
    X, y = read_ts(path)
    assert X.shape == (2, 2, 3)
    np.testing.assert_array_equal(np.isnan(X), [[[0, 1, 0], [0, 0, 0]], [[0, 0, 0], [1, 1, 1]]])
    np.testing.assert_array_equal(X[0, 1], [4, 5, 6])
    assert y.tolist() == ["1", "2"]  # labels stay strings, as the file writes them


def test_unequal_length_multivariate_gives_a_list(tmp_path):
    path = write(tmp_path, (
        "@problemName Toy\n@missing false\n@univariate false\n@dimension 2\n"
        "@equalLength false\n@classLabel true a b\n@data\n"
        "1,2,3:4,5,6:a\n1,2:3,4:b\n1,2,3,4,5:1,1,1,1,1:a\n"))
    X, y = read_ts(path)
    assert isinstance(X, list) and [x.shape for x in X] == [(2, 3), (2, 2), (2, 5)]
    np.testing.assert_array_equal(X[1], [[1, 2], [3, 4]])
    assert y.tolist() == ["a", "b", "a"]


def test_equal_length_declared_false_still_gives_a_list(tmp_path):
    """The header, not the chance of equal lengths, decides the type returned."""
    path = write(tmp_path, "@equalLength false\n@classLabel false\n@data\n1,2\n3,4\n")
    X, y = read_ts(path)
    assert isinstance(X, list) and y is None


def test_regression_target_and_no_labels(tmp_path):
    path = write(tmp_path, (
        "@problemName Reg\n@univariate true\n@equalLength true\n@seriesLength 2\n"
        "@classLabel false\n@targetLabel true\n@data\n1,2:0.25\n3,4:-7\n"))
    X, y = read_ts(path)
    assert X.shape == (2, 1, 2) and y.dtype == np.float64
    np.testing.assert_array_equal(y, [0.25, -7.0])
    X, y = read_ts(write(tmp_path, "@classLabel false\n@data\n1,2,3\n4,5,6\n", "none.ts"))
    assert X.shape == (2, 1, 3) and y is None


def test_tags_in_any_case_and_without_optional_tags(tmp_path):
    path = write(tmp_path, "@PROBLEMNAME x\n@UNIVARIATE FALSE\n@ClassLabel True u v\n@DATA\n"
                           "1,2:3,4:u\n")
    X, y = read_ts(path)
    assert X.shape == (1, 2, 2) and y.tolist() == ["u"]
    # Without @equalLength, one length gives an array and several a list.
    X, _ = read_ts(write(tmp_path, "@classLabel true u\n@data\n1,2:u\n1,2,3:u\n", "ragged.ts"))
    assert isinstance(X, list)


def test_gzip_compressed_file(tmp_path):
    path = tmp_path / "toy.ts.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("@classLabel true a\n@data\n1,2:a\n")
    X, y = read_ts(path)
    assert X.shape == (1, 1, 2) and y.tolist() == ["a"]


HEAD = "@problemName Bad\n@missing false\n@univariate false\n@dimensions 2\n" \
       "@equalLength true\n@seriesLength 3\n@classLabel true a b\n@data\n"  # lines 1-8


@pytest.mark.parametrize(
    ("text", "line", "pattern"),
    [
        # header that disagrees with the data
        (HEAD + "1,2,3:4,5,6:a\n1,2,3:b\n", 10, "1 channels .*label is missing.*@dimensions on line 4"),
        (HEAD + "1,2,3:4,5,6:7,8,9:a\n", 9, "3 channels; expected 2"),
        (HEAD + "1,2,3,4:4,5,6,7:a\n", 9, "length 4; expected 3 .*@seriesLength on line 6"),
        (HEAD + "1,2,3:4,?,6:a\n", 9, "missing value, but line 2 says @missing false"),
        (HEAD + "1,2,3:4,5,6:c\n", 9, "class label 'c' is not among .*a b"),
        (HEAD + "1,2,3:4,5,6:\n", 9, "no label"),
        ("@univariate true\n@data\n1,2:3,4\n", 3, "2 channels; expected 1 .*@univariate true"),
        ("@equalLength true\n@classLabel false\n@data\n1,2\n1,2,3\n", 5,
         "length 3; expected 2 .*first case; @equalLength true"),
        ("@classLabel false\n@data\n1,2:3,4\n1,2\n", 4, "1 channels; expected 2 .*first case"),
        ("@classLabel false\n@data\n1,2,3:4,5\n", 3, "channels of one case differ in length"),
        # values that are not numbers
        (HEAD + "1,2,3:4,x5,6:a\n", 9, "channel 1: 'x5' is not a number"),
        (HEAD + "1,,3:4,5,6:a\n", 9, "channel 0: '' is not a number"),
        (HEAD + "1,2,inf:4,5,6:a\n", 9, "infinite value"),
        ("@targetLabel true\n@data\n1,2:high\n", 3, "regression target 'high'"),
        # unknown or malformed header tags
        ("@problemName x\n@frequency 12\n@data\n1,2\n", 2, "unknown header tag '@frequency'"),
        ("@missing maybe\n@data\n1,2\n", 1, "@missing takes one value, true or false"),
        ("@dimensions two\n@data\n1,2\n", 1, "positive integer"),
        ("@classLabel true\n@data\n1,2:a\n", 1, "'true' followed by the class labels"),
        ("@missing false\n@missing true\n@data\n1\n", 2, "given twice \\(first on line 1\\)"),
        ("@data now\n1,2\n", 1, "@data takes no value"),
        ("1,2,3\n@data\n", 1, "expected a header tag"),
        ("@classLabel false\n", 1, "no @data line"),
        ("@classLabel false\n@data\n\n", 3, "no cases after @data"),
        ("@data\n1,2\n@missing true\n", 3, "header tag after @data"),
        # tags that contradict one another
        ("@univariate true\n@dimensions 3\n@data\n1:2:3\n", 2, "@univariate true disagrees"),
        ("@classLabel true a\n@targetLabel true\n@data\n1:a\n", 2, "not both"),
        ("@equalLength false\n@seriesLength 3\n@data\n1,2,3\n", 2, "@equalLength is false"),
        ("@timeStamps true\n@data\n(1,2.0)\n", 1, "timestamped values"),
    ],
)
def test_bad_files_name_the_file_and_the_line(tmp_path, text, line, pattern):
    path = write(tmp_path, text, "bad.ts")
    with pytest.raises(ValueError, match=rf"^{re.escape(str(path))}, line {line}: .*{pattern}"):
        read_ts(path)
