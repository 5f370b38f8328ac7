"""The ``tsclassic`` command: the benchmark, and forecasting or classification of CSV files.

Every user error (a missing or malformed file, an unknown model or column) ends with a
one-line message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import inspect
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd


class UserError(Exception):
    """An error in the command line or the user's files; printed without a traceback."""


def _read_csv(path: str, what: str) -> pd.DataFrame:
    file = Path(path)
    if not file.is_file():
        raise UserError(f"{what} file {path!r} does not exist.")
    try:
        frame = pd.read_csv(file)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise UserError(f"{what} file {path!r} is not a readable CSV: {err}") from None
    if frame.empty:
        raise UserError(f"{what} file {path!r} has no rows.")
    return frame


def _estimator(name: str, kind: str, season_length: int | None):
    import tsclassic

    known = dict(tsclassic.all_estimators(kind))
    if name not in known:
        raise UserError(f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}.")
    cls = known[name]
    params = {}
    if season_length is not None and "season_length" in inspect.signature(cls).parameters:
        params["season_length"] = season_length
    return cls(**params)


def _cmd_bench(args: argparse.Namespace) -> int:
    from tsclassic.bench import SUITES, run_bench
    from tsclassic.bench.report import suite_tables

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
    frame = _read_csv(args.file, "input")
    for col in (args.time_col, args.target_col):
        if col not in frame.columns:
            raise UserError(f"column {col!r} is not in {args.file}; columns: {list(frame.columns)}.")
    from tsclassic._index import as_time_index

    model = _estimator(args.model, "forecaster", args.season_length)
    time_values = frame[args.time_col]
    if not pd.api.types.is_integer_dtype(time_values.dtype):
        try:
            time_values = pd.to_datetime(time_values)
        except (ValueError, TypeError) as err:
            raise UserError(f"column {args.time_col!r} is neither integer steps nor dates: {err}") from None
    index = as_time_index(time_values)
    target = pd.to_numeric(frame[args.target_col], errors="coerce")
    y = pd.Series(target.to_numpy(), index=index, name=args.target_col)
    try:
        model.fit(y)
        forecast = model.predict(args.h).rename("yhat").to_frame()
    except (ValueError, TypeError) as err:
        raise UserError(str(err)) from None
    forecast.index.name = args.time_col
    forecast.to_csv(sys.stdout if args.output is None else args.output)
    return 0


def _cmd_classify(args: argparse.Namespace) -> int:
    train, test = _read_csv(args.train, "train"), _read_csv(args.test, "test")
    label = args.label_col or train.columns[0]
    for name, frame in (("train", train), ("test", test)):
        if label not in frame.columns:
            raise UserError(f"label column {label!r} is not in the {name} file.")
    model = _estimator(args.model, "classifier", None)
    try:
        X_train = train.drop(columns=[label]).to_numpy(dtype=float)
        X_test = test.drop(columns=[label]).to_numpy(dtype=float)
    except ValueError as err:
        raise UserError(f"the series columns must be numeric: {err}") from None
    try:
        model.fit(X_train, train[label].astype(str).to_numpy())
        predicted = model.predict(X_test)
    except (ValueError, TypeError) as err:
        raise UserError(str(err)) from None
    truth = test[label].astype(str).to_numpy()
    pd.DataFrame({"true": truth, "predicted": predicted}).to_csv(
        sys.stdout if args.output is None else args.output, index=False)
    print(f"accuracy {np.mean(truth == predicted):.4f}", file=sys.stderr)
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
    forecast = sub.add_parser("forecast", help="forecast one series from a CSV file",
                              add_help=False)
    forecast.add_argument("--help", action="help", help="show this help message and exit")
    forecast.add_argument("file")
    forecast.add_argument("--model", default="SeasonalNaive")
    forecast.add_argument("-h", "--horizon", dest="h", type=int, required=True,
                          help="number of steps ahead")
    forecast.add_argument("--time-col", default="ds")
    forecast.add_argument("--target-col", default="y")
    forecast.add_argument("--season-length", type=int, default=None)
    forecast.add_argument("--output", default=None, help="CSV path (default: stdout)")
    forecast.set_defaults(handler=_cmd_forecast)

    classify = sub.add_parser("classify", help="classify the series of a CSV file")
    classify.add_argument("train")
    classify.add_argument("test")
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
