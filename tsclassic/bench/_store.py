"""A folder of finished benchmark cells: one JSON file per (suite, dataset, model), for
one mode (quick or full) and one model configuration.

Each cell is written as soon as it finishes, atomically, so a rerun skips it and an
interrupted run loses nothing finished. The key holds what decides a cell's figure: the
mode and a digest of the model's parameters (its budget among them), so a full run never
reuses a quick cell and a changed budget is measured anew.
"""

from __future__ import annotations

import hashlib
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


def config_digest(config: Any) -> str:
    """A short digest of a model's configuration (its parameters, nested estimators as
    their repr), stable across runs."""
    text = json.dumps(config, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


class ResultStore:
    """The cells of a benchmark run in one mode, kept in ``out_dir/cells``.

    Parameters
    ----------
    out_dir : path
    mode : {"full", "quick"}, default "full"
        Cells of the other mode in the same folder are neither reused nor loaded.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> store = ResultStore(folder, mode="quick")
    >>> store.save({"suite": "s", "dataset": "d", "model": "m", "family": "classical"},
    ...            config={"max_epochs": 5})
    >>> store.done("s", "d", "m", config={"max_epochs": 5})
    True
    >>> store.done("s", "d", "m", config={"max_epochs": 50})
    False
    >>> ResultStore(folder, mode="full").done("s", "d", "m", config={"max_epochs": 5})
    False

    A new configuration of the same model is measured anew and replaces the older cell in
    ``load``:

    >>> store.save({"suite": "s", "dataset": "d", "model": "m", "family": "deep", "x": 2},
    ...            config={"max_epochs": 50})
    >>> store.load()[["model", "x"]].to_dict("records")
    [{'model': 'm', 'x': 2.0}]
    """

    def __init__(self, out_dir: str | os.PathLike, mode: str = "full"):
        if mode not in ("full", "quick"):
            raise ValueError(f"mode must be 'full' or 'quick'; got {mode!r}.")
        self.out_dir = Path(out_dir)
        self.mode = mode
        self.cells = self.out_dir / "cells"
        self.cells.mkdir(parents=True, exist_ok=True)

    def _path(self, suite: str, dataset: str, model: str, config: Any) -> Path:
        return self.cells / (f"{_slug(suite)}__{_slug(dataset)}__{_slug(model)}__{self.mode}"
                             f"__{config_digest(config)}.json")

    def done(self, suite: str, dataset: str, model: str, config: Any = None) -> bool:
        """Whether the cell is finished in this mode with this configuration."""
        return self._path(suite, dataset, model, config).exists()

    def save(self, record: dict, config: Any = None) -> None:
        """Write one finished cell (a flat dict with at least suite, dataset, model, family)
        of the model configured by ``config``."""
        missing = [c for c in COLUMNS if c not in record]
        if missing:
            raise ValueError(f"record lacks {missing}; every cell needs {COLUMNS}.")
        path = self._path(record["suite"], record["dataset"], record["model"], config)
        tmp = path.with_suffix(".tmp")
        record = {**record, "mode": self.mode}
        tmp.write_text(json.dumps({k: _jsonable(v) for k, v in record.items()}, indent=1))
        os.replace(tmp, path)

    def load(self) -> pd.DataFrame:
        """Every finished cell of this mode as one DataFrame (empty when none); of a model
        measured under several configurations on a data set, the latest written only (why:
        a changed budget is measured anew, and the older figure is no longer the model's)."""
        paths = sorted(self.cells.glob(f"*__{self.mode}__*.json"),
                       key=lambda p: (p.stat().st_mtime_ns, p.name))
        records = [json.loads(p.read_text()) for p in paths]
        if not records:
            return pd.DataFrame(columns=COLUMNS)
        frame = pd.DataFrame.from_records(records).drop_duplicates(COLUMNS[:3], keep="last")
        return frame.sort_values(COLUMNS[:3], kind="stable").reset_index(drop=True)
