"""A folder of finished benchmark cells: one JSON file per (suite, dataset, model).

Each cell is written as soon as it finishes, atomically, so a rerun skips it and an
interrupted run loses nothing finished.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

COLUMNS = ["suite", "dataset", "model", "family"]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return value


class ResultStore:
    """The cells of a benchmark run, kept in ``out_dir/cells``.

    Examples
    --------
    >>> import tempfile
    >>> store = ResultStore(tempfile.mkdtemp())
    >>> store.save({"suite": "s", "dataset": "d", "model": "m", "family": "classical"})
    >>> store.done("s", "d", "m")
    True
    """

    def __init__(self, out_dir: str | os.PathLike):
        self.out_dir = Path(out_dir)
        self.cells = self.out_dir / "cells"
        self.cells.mkdir(parents=True, exist_ok=True)

    def _path(self, suite: str, dataset: str, model: str) -> Path:
        return self.cells / f"{_slug(suite)}__{_slug(dataset)}__{_slug(model)}.json"

    def done(self, suite: str, dataset: str, model: str) -> bool:
        """Whether the cell is finished."""
        return self._path(suite, dataset, model).exists()

    def save(self, record: dict) -> None:
        """Write one finished cell (a flat dict with at least suite, dataset, model, family)."""
        missing = [c for c in COLUMNS if c not in record]
        if missing:
            raise ValueError(f"record lacks {missing}; every cell needs {COLUMNS}.")
        path = self._path(record["suite"], record["dataset"], record["model"])
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({k: _jsonable(v) for k, v in record.items()}, indent=1))
        os.replace(tmp, path)

    def load(self) -> pd.DataFrame:
        """Every finished cell as one DataFrame (empty when none)."""
        records = [json.loads(p.read_text()) for p in sorted(self.cells.glob("*.json"))]
        return pd.DataFrame.from_records(records) if records else pd.DataFrame(columns=COLUMNS)
