"""Randomness only through ``random_state``: the one way a seed or a generator is drawn
from it, so that the same ``random_state`` gives the same result in every estimator."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["seed_from", "rng_from"]


def seed_from(random_state: Any) -> int:
    """A 31-bit seed drawn from ``random_state`` (None, int or ``RandomState``).

    31 bits so that ``seed + k`` (child seeds, one per model of a family) stays a valid
    seed for scikit-learn and torch.
    """
    from sklearn.utils import check_random_state

    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def rng_from(random_state: Any) -> np.random.Generator:
    """A NumPy ``Generator`` seeded by :func:`seed_from`."""
    return np.random.default_rng(seed_from(random_state))
