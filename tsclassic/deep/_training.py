"""The training loop every deep model shares.

Adam on mini-batches, seeded shuffling, early stopping on a validation loss (or on the
training loss when there is no validation split), an epoch and a wall-clock budget, a
tqdm progress bar, and Ctrl-C that stops training and keeps the best weights so far.
"""

from __future__ import annotations

import copy
import math
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tsclassic._params import POSITIVE_INT, POSITIVE_REAL, Integral, Interval, Real, StrOptions

__all__ = [
    "TrainingHistory", "train", "TRAINING_CONSTRAINTS", "RNN_CONSTRAINTS", "split_validation",
]


@dataclass
class TrainingHistory:
    """What happened during training.

    Attributes
    ----------
    train_loss, valid_loss : list of float
        Mean loss per epoch (``valid_loss`` is empty without a validation split).
    best_epoch : int
        The epoch (1-based) whose weights were kept.
    stopped : str
        Why training ended: ``"max_epochs"``, ``"early_stopping"``, ``"max_time"`` or
        ``"interrupted"`` (Ctrl-C).
    seconds : float
        Wall-clock training time.
    """

    train_loss: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    best_epoch: int = 0
    stopped: str = "max_epochs"
    seconds: float = 0.0


# Rules of the training parameters every deep estimator shares (see tsclassic._params);
# each estimator adds its own to these.
TRAINING_CONSTRAINTS: dict[str, list] = {
    "max_epochs": [POSITIVE_INT],
    "batch_size": [POSITIVE_INT],
    "learning_rate": [POSITIVE_REAL],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "patience": [POSITIVE_INT, None],
    "max_time": [POSITIVE_REAL, None],
    "random_state": ["random_state"],
    "verbose": ["boolean"],
    "n_jobs": [Integral, None],
}
RNN_CONSTRAINTS: dict[str, list] = {
    **TRAINING_CONSTRAINTS,
    "cell": [StrOptions({"lstm", "gru", "rnn"})],
    "hidden_size": [POSITIVE_INT],
    "num_layers": [POSITIVE_INT],
}


def split_validation(
    n: int, fraction: float, rng: np.random.Generator | None, stratify: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and validation parts of ``n`` samples.

    With ``rng=None`` the validation part is the last ``fraction`` of the samples (the most
    recent windows of a series); otherwise a seeded random draw, stratified by ``stratify``
    when given so that every class keeps at least one training sample. An empty validation
    part is returned when ``fraction`` is 0 or too few samples remain.
    """
    n_valid = int(math.floor(n * fraction))
    everything = np.arange(n)
    if n_valid < 1 or n - n_valid < 1:
        return everything, everything[:0]
    if rng is None:
        return everything[: n - n_valid], everything[n - n_valid :]
    if stratify is None:
        perm = rng.permutation(n)
        return np.sort(perm[n_valid:]), np.sort(perm[:n_valid])
    valid: list[int] = []
    for label in np.unique(stratify):
        members = rng.permutation(np.flatnonzero(stratify == label))
        take = int(math.floor(len(members) * fraction))
        valid.extend(members[: min(take, len(members) - 1)].tolist())
    valid_idx = np.sort(np.array(valid, dtype=int))
    return np.setdiff1d(everything, valid_idx), valid_idx


def _progress(total: int, desc: str, verbose: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not verbose, leave=False, unit="epoch")


def train(
    module: Any,
    batches: Callable[[np.random.Generator], Iterable[Any]],
    batch_loss: Callable[[Any], Any],
    *,
    valid_loss: Callable[[], float] | None,
    max_epochs: int,
    learning_rate: float,
    patience: int | None,
    max_time: float | None,
    seed: int,
    verbose: bool,
    desc: str,
    clip_norm: float | None = 5.0,
) -> TrainingHistory:
    """Train ``module`` in place with Adam and keep the weights of its best epoch.

    Parameters
    ----------
    module : torch.nn.Module
    batches : callable
        ``batches(rng)`` yields the mini-batches of one epoch, shuffled with ``rng``.
    batch_loss : callable
        ``batch_loss(batch)`` returns ``(mean_loss_tensor, weight)``; ``weight`` (e.g. the
        number of samples or tokens) averages the epoch's training loss.
    valid_loss : callable or None
        Mean validation loss of the current weights (called in eval mode, without
        gradients); ``None`` watches the training loss instead.
    max_epochs, patience : int
        Epoch budget; stop after ``patience`` epochs without improvement (``None``: never).
    max_time : float or None
        Wall-clock budget in seconds, checked after every batch. A time-limited fit is not
        reproducible across machines: prefer ``max_epochs`` where that matters.
    seed : int
        Seeds the epoch shuffles (torch itself is seeded by the caller).
    verbose : bool
        Show a tqdm progress bar.
    clip_norm : float or None
        Gradient norm clipping (recurrent networks need it against exploding gradients).
    """
    import torch

    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(module.parameters(), lr=learning_rate)
    history = TrainingHistory()
    best_state = copy.deepcopy(module.state_dict())
    best = math.inf
    waited = 0
    start = time.perf_counter()
    bar = _progress(max_epochs, desc, verbose)
    try:
        for epoch in range(1, max_epochs + 1):
            module.train()
            total, weight_sum, out_of_time = 0.0, 0.0, False
            for batch in batches(rng):
                optimizer.zero_grad()
                loss, weight = batch_loss(batch)
                loss.backward()
                if clip_norm is not None:
                    torch.nn.utils.clip_grad_norm_(module.parameters(), clip_norm)
                optimizer.step()
                total += float(loss.detach()) * weight
                weight_sum += weight
                if max_time is not None and time.perf_counter() - start > max_time:
                    out_of_time = True
                    break
            history.train_loss.append(total / max(weight_sum, 1e-12))
            monitored = history.train_loss[-1]
            if valid_loss is not None:
                module.eval()
                with torch.no_grad():
                    monitored = float(valid_loss())
                history.valid_loss.append(monitored)
            # A NaN loss never counts as an improvement, so the last finite weights stay.
            if monitored < best:
                best, waited, history.best_epoch = monitored, 0, epoch
                best_state = copy.deepcopy(module.state_dict())
            else:
                waited += 1
            bar.update(1)
            bar.set_postfix(loss=f"{history.train_loss[-1]:.4g}", best=f"{best:.4g}")
            if out_of_time:
                history.stopped = "max_time"
                break
            if patience is not None and waited >= patience:
                history.stopped = "early_stopping"
                break
    except KeyboardInterrupt:
        history.stopped = "interrupted"
        warnings.warn(
            f"{desc}: training interrupted (Ctrl-C) after {len(history.train_loss)} epochs; "
            f"keeping the weights of the best epoch ({history.best_epoch}).",
            UserWarning,
            stacklevel=2,
        )
    finally:
        bar.close()
    module.load_state_dict(best_state)
    module.eval()
    history.seconds = time.perf_counter() - start
    return history


def train_on_arrays(
    net: Any, xs: Any, ys: Any, fit_idx: np.ndarray, valid_idx: np.ndarray, loss_fn: Any,
    est: Any, seed: int, desc: str,
) -> TrainingHistory:
    """:func:`train` on input and target tensors, in mini-batches of the rows ``fit_idx``
    with ``loss_fn(net(x), y)``, early stopping on the rows ``valid_idx`` (none: the
    training loss), and the budget read from the estimator ``est`` (``batch_size``,
    ``max_epochs``, ``learning_rate``, ``patience``, ``max_time``, ``verbose``)."""
    import torch

    def batches(rng):
        order = rng.permutation(fit_idx)
        for i in range(0, len(order), est.batch_size):
            yield torch.as_tensor(order[i : i + est.batch_size])

    def batch_loss(idx):
        return loss_fn(net(xs[idx]), ys[idx]), len(idx)

    valid = None
    if len(valid_idx):
        vi = torch.as_tensor(valid_idx)

        def valid():
            return float(loss_fn(net(xs[vi]), ys[vi]))

    return train(
        net, batches, batch_loss, valid_loss=valid, max_epochs=est.max_epochs,
        learning_rate=est.learning_rate, patience=est.patience, max_time=est.max_time,
        seed=seed, verbose=est.verbose, desc=desc,
    )
