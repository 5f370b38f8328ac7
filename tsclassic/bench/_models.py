"""Look up a tsclassic estimator by name for the bench, skipping what is not available."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("tsclassic.bench")


def make_estimator(name: str, params: dict) -> Any | None:
    """``tsclassic.<name>(**params)``, or ``None`` (with a log line) when the estimator is
    not part of this installation or its optional dependency is missing."""
    import tsclassic

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
