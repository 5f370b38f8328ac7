"""The ``tsclassic`` command: the benchmark, and forecasting or classification of CSV files.

``forecast`` reads one series, or with ``--id-col`` every series of a long file (through
``forecast_many``); dates are ISO 8601 unless ``--date-format`` says otherwise, and the
season length defaults from the frequency. ``classify`` scores a labelled test file and
predicts an unlabelled one. Every user error (a missing or malformed file or cell, an
unknown model or column, an output that cannot be written) ends with a one-line message on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import inspect
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd


class UserError(Exception):
    """An error in the command line or the user's files; printed without a traceback."""


def _read_csv(path: str, what: str) -> pd.DataFrame:
    file = Path(path)
    if file.is_dir():
        raise UserError(f"{what} file {path!r} is a directory; pass a CSV file.")
    if not file.is_file():
        raise UserError(f"{what} file {path!r} does not exist.")
    try:
        frame = pd.read_csv(file)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise UserError(f"{what} file {path!r} is not a readable CSV: {err}") from None
    if frame.empty:
        raise UserError(f"{what} file {path!r} has no rows.")
    return frame


def _check_output(path: str | None, flag: str, folder: bool = False) -> None:
    """Refuse, before any work, an output that cannot be written."""
    if path is None:
        return
    target = Path(path)
    if folder:
        if target.exists() and not target.is_dir():
            raise UserError(f"{flag} {path!r} is a file; pass a folder (it is created if missing).")
        return
    if target.is_dir():
        raise UserError(f"{flag} {path!r} is a directory; pass a file path, e.g. "
                        f"{str(target / 'out.csv')!r}.")
    if not target.parent.is_dir():
        raise UserError(f"{flag} {path!r}: the folder {str(target.parent)!r} does not exist; "
                        f"create it first.")


def _write_csv(frame: pd.DataFrame, path: str | None, **kwargs) -> None:
    try:
        frame.to_csv(sys.stdout if path is None else path, **kwargs)
    except OSError as err:
        raise UserError(f"cannot write {path!r}: {err.strerror or err}.") from None


def _row(position: int) -> str:
    return f"row {position + 1} (line {position + 2} of the file)"


def _numeric(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """The columns as numbers; a cell that is not one is named with its row and value."""
    numbers = frame.apply(pd.to_numeric, errors="coerce")
    bad = np.asarray(numbers.isna() & frame.notna())
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise UserError(f"column {frame.columns[col]!r} of the {what} file has the non-numeric "
                        f"value {frame.iat[row, col]!r} at {_row(row)}; fix or remove it.")
    return numbers


def _times(column: pd.Series, date_format: str | None, what: str) -> pd.Series:
    """Integer steps as they are; anything else read as ISO 8601 dates, or ``date_format``."""
    empty = np.flatnonzero(column.isna().to_numpy())
    if len(empty):
        raise UserError(f"column {column.name!r} of the {what} file is empty at "
                        f"{_row(empty[0])}; fill or drop that row.")
    if pd.api.types.is_integer_dtype(column.dtype):
        return column
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = column.to_numpy(dtype=float)
        fractional = np.flatnonzero(values != np.round(values))
        if len(fractional):
            raise UserError(f"column {column.name!r} of the {what} file has {column.iloc[fractional[0]]!r} "
                            f"at {_row(fractional[0])}; time steps must be integers or dates.")
        return column.astype(np.int64)
    parsed = pd.to_datetime(column, format=date_format or "ISO8601", errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if len(bad):
        value = column.iloc[bad[0]]
        expected = (f"a date in --date-format {date_format!r}" if date_format else
                    "integer steps or an ISO 8601 date (e.g. 2020-03-01 or 2020-03-01 14:00)")
        fix = ("fix the value or the format" if date_format else
               "pass --date-format for other dates, e.g. --date-format %d/%m/%Y")
        raise UserError(f"column {column.name!r} of the {what} file has {value!r} at "
                        f"{_row(bad[0])}, which is not {expected}; {fix}.")
    return parsed


def _estimator_class(name: str, kind: str) -> type:
    import tsclassic

    known = dict(tsclassic.all_estimators(kind))
    if name not in known:
        raise UserError(f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}.")
    return known[name]


def _season_length(args: argparse.Namespace, cls: type, times: pd.Series,
                   ids: pd.Series | None) -> dict:
    """``season_length`` for models that take one: the given one, else the usual period of
    the time column's frequency (12 monthly, 24 hourly, ...), said on stderr."""
    from tsclassic._index import seasonal_period

    if "season_length" not in inspect.signature(cls).parameters:
        return {}
    if args.season_length is not None:
        return {"season_length": args.season_length}
    groups = [times] if ids is None else [g for _, g in times.groupby(ids, sort=False)]
    seen: dict[bytes, tuple[int, str]] = {}  # series sharing their times are read once
    for group in groups:
        values = np.sort(group.to_numpy())
        if values.tobytes() not in seen:
            seen[values.tobytes()] = seasonal_period(values)
    found = set(seen.values())
    if len({period for period, _ in found}) > 1:
        raise UserError(f"the series have different frequencies ({', '.join(sorted(d for _, d in found))}); "
                        f"pass --season-length.")
    period, source = found.pop()
    print(f"tsclassic forecast: season length {period} (from {source} of {args.time_col!r}); "
          f"pass --season-length to change it.", file=sys.stderr)
    return {"season_length": period}


def _cmd_bench(args: argparse.Namespace) -> int:
    from tsclassic.bench import SUITES, run_bench
    from tsclassic.bench.report import suite_tables

    _check_output(args.out, "--out", folder=True)
    suites = SUITES if args.suite is None else (args.suite,)
    try:
        results = run_bench(suites, quick=args.quick, out_dir=args.out, n_jobs=args.n_jobs)
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished cells are kept in {args.out}; rerun to resume.",
              file=sys.stderr)
        return 130
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.float_format", "{:.3f}".format):
        for suite, rows in suite_tables(results).items():
            drop = [c for c in rows.columns if c.startswith("reference_") or c == "n_series"]
            print(f"\n== {suite} ==")
            print(rows.drop(columns=drop).to_string(index=False))
    print(f"\nreport: {Path(args.out) / 'report.html'} (results.csv, results.md, plots)")
    return 0


def _cmd_forecast(args: argparse.Namespace) -> int:
    _check_output(args.output, "--output")
    frame = _read_csv(args.file, "input")
    columns = [args.time_col, args.target_col] + ([args.id_col] if args.id_col else [])
    for col in columns:
        if col not in frame.columns:
            raise UserError(f"column {col!r} is not in {args.file}; columns: {list(frame.columns)}.")
    cls = _estimator_class(args.model, "forecaster")
    times = _times(frame[args.time_col], args.date_format, "input")
    target = _numeric(frame[[args.target_col]], "input")[args.target_col]
    ids = frame[args.id_col] if args.id_col else None
    if ids is None and times.duplicated().any():
        twice = frame[args.time_col][times.duplicated()].iloc[0]
        others = [c for c in frame.columns if c not in (args.time_col, args.target_col)]
        hint = f" (one of {others}?)" if others else ""
        raise UserError(f"{args.time_col!r} has the time {twice} more than once: if the file holds "
                        f"several series, name the column that tells them apart with "
                        f"--id-col{hint}; else drop the duplicated rows.")
    model = cls(**_season_length(args, cls, times, ids))
    if ids is None:
        return _forecast_one(model, times, target, args)
    return _forecast_long(model, pd.DataFrame({args.id_col: ids, args.time_col: times,
                                               args.target_col: target}), args)


def _forecast_one(model, times: pd.Series, target: pd.Series, args: argparse.Namespace) -> int:
    from tsclassic._index import as_time_index

    y = pd.Series(target.to_numpy(), index=as_time_index(times.to_numpy()), name=args.target_col)
    try:
        model.fit(y)
        forecast = model.predict(args.h).rename("yhat").to_frame()
    except (ValueError, TypeError) as err:
        raise UserError(str(err)) from None
    forecast.index.name = args.time_col
    _write_csv(forecast, args.output)
    return 0


def _forecast_long(model, frame: pd.DataFrame, args: argparse.Namespace) -> int:
    from tsclassic.parallel import forecast_many

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            forecast = forecast_many(model, frame, args.h, id_col=args.id_col,
                                     time_col=args.time_col, target_col=args.target_col,
                                     progress=False)
    except (ValueError, TypeError) as err:
        raise UserError(str(err)) from None
    for warning in caught:
        print(f"tsclassic forecast: {warning.message}", file=sys.stderr)
    failed = forecast.groupby(args.id_col, sort=False)["error"].first().dropna()
    n_series = forecast[args.id_col].nunique()
    if len(failed) == n_series:
        raise UserError(f"every series failed; the first ({failed.index[0]!r}): {failed.iloc[0]}")
    _write_csv(forecast, args.output, index=False)
    if len(failed):
        print(f"tsclassic forecast: {len(failed)} of {n_series} series failed (see the error "
              f"column); the first ({failed.index[0]!r}): {failed.iloc[0]}", file=sys.stderr)
    return 0


def _labels(column: pd.Series, what: str) -> np.ndarray:
    """Labels as text that compares the same whichever way the file wrote them: ``0``,
    ``0.0`` and ``"0"`` are one label."""
    empty = np.flatnonzero(column.isna().to_numpy())
    if len(empty):
        raise UserError(f"label column {column.name!r} of the {what} file has {len(empty)} empty "
                        f"values (first at {_row(empty[0])}); fill or drop those rows.")
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        values = column.to_numpy(dtype=float)
        if np.all(values == np.round(values)):
            return values.astype(np.int64).astype(str).astype(object)
        return np.array([repr(v) for v in values], dtype=object)
    return column.astype(str).str.strip().to_numpy(dtype=object)


def _cmd_classify(args: argparse.Namespace) -> int:
    _check_output(args.output, "--output")
    train, test = _read_csv(args.train, "train"), _read_csv(args.test, "test")
    label = args.label_col or train.columns[0]
    if label not in train.columns:
        raise UserError(f"label column {label!r} is not in the train file; columns: "
                        f"{list(train.columns)[:5]}...")
    # A test file without the label column, or with it empty, is to be predicted.
    scored = label in test.columns and test[label].notna().any()
    y_train = _labels(train[label], "train")
    y_test = _labels(test[label], "test") if scored else None
    X_train = _numeric(train.drop(columns=[label]), "train").to_numpy(dtype=float)
    X_test = _numeric(test.drop(columns=[label], errors="ignore"), "test").to_numpy(dtype=float)
    model = _estimator_class(args.model, "classifier")()
    try:
        model.fit(X_train, y_train)
        predicted = model.predict(X_test)
    except (ValueError, TypeError) as err:
        raise UserError(str(err)) from None
    if not scored:
        _write_csv(pd.DataFrame({"predicted": predicted}), args.output, index=False)
        print(f"tsclassic classify: the test file has no labels in {label!r}: wrote "
              f"{len(predicted)} predictions.", file=sys.stderr)
        return 0
    _write_csv(pd.DataFrame({"true": y_test, "predicted": predicted}), args.output, index=False)
    print(f"accuracy {np.mean(y_test == predicted):.4f}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsclassic", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    bench = sub.add_parser("bench", help="classical against deep on the three problems")
    bench.add_argument("--suite", choices=["forecasting", "classification", "generation"])
    bench.add_argument("--quick", action="store_true", help="small subsets, a few minutes")
    bench.add_argument("--out", default="bench_out", help="result folder (resumable)")
    bench.add_argument("--n-jobs", type=int, default=None)
    bench.set_defaults(handler=_cmd_bench)

    # -h is the horizon here, as in the rest of tsclassic; help stays available as --help.
    forecast = sub.add_parser("forecast", help="forecast the series of a CSV file",
                              add_help=False)
    forecast.add_argument("--help", action="help", help="show this help message and exit")
    forecast.add_argument("file")
    forecast.add_argument("--model", default="SeasonalNaive")
    forecast.add_argument("-h", "--horizon", dest="h", type=int, required=True,
                          help="number of steps ahead")
    forecast.add_argument("--time-col", default="ds")
    forecast.add_argument("--target-col", default="y")
    forecast.add_argument("--id-col", default=None,
                          help="column naming the series of a long file (one model per series)")
    forecast.add_argument("--season-length", type=int, default=None,
                          help="default: from the time column's frequency (12 monthly, 24 hourly, ...)")
    forecast.add_argument("--date-format", default=None,
                          help="strftime format of the dates (default: ISO 8601), e.g. %%d/%%m/%%Y")
    forecast.add_argument("--output", default=None, help="CSV path (default: stdout)")
    forecast.set_defaults(handler=_cmd_forecast)

    classify = sub.add_parser("classify", help="classify the series of a CSV file")
    classify.add_argument("train", help="labelled series, one per row")
    classify.add_argument("test", help="series to score (with labels) or to predict (without)")
    classify.add_argument("--model", default="KNeighborsDTWClassifier")
    classify.add_argument("--label-col", default=None, help="default: the first column")
    classify.add_argument("--output", default=None, help="CSV path (default: stdout)")
    classify.set_defaults(handler=_cmd_classify)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        return args.handler(args)
    except UserError as err:
        print(f"tsclassic {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
