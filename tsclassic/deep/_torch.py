"""The one place that imports PyTorch, and the small torch helpers the deep models share.

``import tsclassic.deep`` never imports torch: every function here imports it when
called, so the deep estimators can be listed, cloned and documented without the extra.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from tsclassic._random import seed_from  # shared with the other families; re-exported

__all__ = ["import_torch", "seed_from", "torch_session", "DeepExtraMissingError"]


class DeepExtraMissingError(ImportError):
    """PyTorch is not installed; the message names the ``deep`` extra."""


def import_torch(owner: str = "tsclassic.deep") -> Any:
    """Import and return the ``torch`` module, or raise an error naming the extra.

    Parameters
    ----------
    owner : str
        Who needs torch, for the message (e.g. ``"RNNClassifier"``).
    """
    try:
        import torch
    except ImportError as err:
        raise DeepExtraMissingError(
            f"{owner} needs PyTorch, which is not installed. Install the deep extra: "
            f'pip install "tsclassic[deep]" (PyTorch on the CPU is enough). ({err})'
        ) from None
    return torch


@contextlib.contextmanager
def torch_session(seed: int, n_jobs: int | None, owner: str) -> Iterator[Any]:
    """Run a block with torch seeded by ``seed`` and ``n_jobs`` intra-op threads.

    The global torch random state and thread count are restored afterwards, so a fit never
    changes the caller's own torch session (why: ``torch.manual_seed`` is process-wide).

    Yields
    ------
    torch : module
    """
    torch = import_torch(owner)
    previous_threads = torch.get_num_threads()
    if n_jobs is not None:
        if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0:
            raise ValueError(
                f"n_jobs must be a positive integer, -1 (all cores) or None; got {n_jobs!r}."
            )
        import os

        threads = (os.cpu_count() or 1) if n_jobs < 0 else int(n_jobs)
        torch.set_num_threads(max(1, threads))
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            yield torch
    finally:
        torch.set_num_threads(previous_threads)


def to_numpy(tensor: Any) -> np.ndarray:
    """A float64 NumPy copy of a tensor."""
    return tensor.detach().cpu().numpy().astype(np.float64)
