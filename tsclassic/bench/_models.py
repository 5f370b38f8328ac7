"""Look up a tsclassic estimator by name for the bench, skipping what is not available."""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

import numpy as np

logger = logging.getLogger("tsclassic.bench")


class Nested(NamedTuple):
    """An estimator parameter that is itself a tsclassic estimator, built lazily."""

    name: str
    params: dict


def make_estimator(name: str, params: dict) -> Any | None:
    """``tsclassic.<name>(**params)``, or ``None`` (with a log line) when the estimator is
    not part of this installation or its optional dependency is missing.

    A parameter given as a :class:`Nested` is itself built this way, so that a model can
    wrap another (e.g. a decomposition around exponential smoothing)."""
    import tsclassic

    nested = {k: v for k, v in params.items() if isinstance(v, Nested)}
    for key, (inner_name, inner_params) in nested.items():
        inner = make_estimator(inner_name, inner_params)
        if inner is None:
            return None
        params = {**params, key: inner}

    try:
        cls = getattr(tsclassic, name)
    except AttributeError:
        logger.warning("bench: %s is not available in this tsclassic; skipped", name)
        return None
    try:
        return cls(**params)
    except ImportError as err:
        logger.warning("bench: %s skipped: %s", name, err)
        return None


def warm_up_torch() -> None:
    """Import torch, the networks and the optimiser before a deep model is timed: the
    first import (and the first Adam, which loads ``torch._dynamo``) takes seconds, and
    would be billed to whichever deep model happens to run first."""
    try:
        import torch

        import tsclassic.deep._networks  # noqa: F401
    except ImportError:
        return  # the fit itself then raises the error naming the deep extra
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])


def budget_record(histories: list[Any], max_epochs: int | None, max_time: float | None) -> dict:
    """What a deep cell's training budget did, from the fitted models' histories.

    ``budget_limited`` counts the fits that ended on their budget (epochs or time) while
    the monitored loss was still at its best in the last epoch: still improving, so the
    cell's figure understates what the network could reach. ``time_limited`` counts fits
    stopped by the wall-clock safety stop, whose figure depends on the machine.
    """
    if not histories:
        return {}
    epochs = [len(h.train_loss) for h in histories]
    on_budget = [h.stopped in ("max_epochs", "max_time") for h in histories]
    still_best = [h.best_epoch == len(h.train_loss) for h in histories]
    return {
        "n_epochs": float(np.mean(epochs)),
        "max_epochs": max_epochs,
        "max_time_s": max_time,
        "budget_limited": int(sum(b and s for b, s in zip(on_budget, still_best))),
        "time_limited": int(sum(h.stopped == "max_time" for h in histories)),
        "n_fits": len(histories),
    }
