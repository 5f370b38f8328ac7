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
    "TrainingHistory", "train", "train_on_arrays", "fit_network", "TRAINING_PARAMETERS",
    "SHARED_DEFAULTS", "TRAINING_CONSTRAINTS", "RNN_CONSTRAINTS", "split_validation", "training_parameters",
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


# The training parameters every deep estimator takes, keyword-only, under these names and
# rules (see tsclassic._params), documented by ``training_parameters``; each estimator adds
# its own to these. The defaults of the budget (max_epochs, batch_size, validation_fraction,
# patience) are the estimator's, as its data needs (an FCN trains 2000 epochs on a few dozen
# series, as Fawaz et al. do; a language model 20 on thousands of sentences), stated in its
# signature and read from there into its docstring; the others share these defaults.
TRAINING_PARAMETERS = ("max_epochs", "batch_size", "learning_rate", "validation_fraction",
                       "patience", "max_time", "random_state", "verbose", "n_jobs")
SHARED_DEFAULTS: dict[str, Any] = {"learning_rate": 1e-3, "max_time": None,
                                   "random_state": None, "verbose": True, "n_jobs": None}
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
    "n_layers": [POSITIVE_INT],
}


_TRAINING_DOCS = {
    "max_epochs": ("int", "The budget, in passes over the training data; a fit is reproducible "
                          "from ``random_state``."),
    "batch_size": ("int", "{batch} per mini-batch."),
    "learning_rate": ("float", "Adam's step size."),
    "validation_fraction": ("float", "Share held out for early stopping: {validation}; 0 "
                                     "watches the training loss."),
    "patience": ("int or None", "Epochs without improvement before stopping; ``None`` trains "
                                "all ``max_epochs``."),
    "max_time": ("float or None", "A wall-clock safety stop in seconds (the best weights so far "
                                  "are kept); a fit it stops is not reproducible, and "
                                  "``history_.stopped`` says ``\"max_time\"``."),
    "random_state": ("int, RandomState or None", "Seeds the weights, the held-out part and the "
                                                 "batch order: same seed, same model."),
    "verbose": ("bool", "Show a tqdm progress bar while training."),
    "n_jobs": ("int or None", "Torch intra-op threads while fitting and predicting (``None``: "
                              "torch's setting)."),
}


def training_parameters(*, batch: str, validation: str) -> Callable[[type], type]:
    """Class decorator: the line ``{training_parameters}`` of the class docstring becomes
    the numpydoc entries of the nine training parameters, with the defaults of the class's
    signature (so the two cannot disagree). ``batch`` says what a mini-batch holds (e.g.
    "Windows") and ``validation`` what is held out."""
    import inspect
    import textwrap

    def decorate(cls: type) -> type:
        signature = inspect.signature(cls.__init__).parameters
        lines = []
        for name in TRAINING_PARAMETERS:
            kind, text = _TRAINING_DOCS[name]
            default = signature[name].default
            lines.append(f"{name} : {kind}, default {default!r}")
            body = text.format(batch=batch, validation=validation)
            lines.extend("    " + line for line in textwrap.wrap(body, 84))
        doc = cls.__doc__ or ""
        for line in doc.splitlines():
            if line.strip() == "{training_parameters}":
                indent = line[: len(line) - len(line.lstrip())]
                cls.__doc__ = doc.replace(line, "\n".join(indent + entry for entry in lines))
                return cls
        raise TypeError(f"{cls.__name__}'s docstring has no {{training_parameters}} line.")

    return decorate


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


def fit_network(
    est: Any, net: Any, batches: Callable[[np.random.Generator], Iterable[Any]],
    batch_loss: Callable[[Any], Any], valid_loss: Callable[[], float] | None, seed: int,
    desc: str,
) -> None:
    """:func:`train` under the budget of the estimator ``est`` (its ``max_epochs``,
    ``learning_rate``, ``patience``, ``max_time`` and ``verbose``), recording the fitted
    state every deep estimator has: ``network_``, ``history_`` and ``n_epochs_``."""
    est.history_ = train(
        net, batches, batch_loss, valid_loss=valid_loss, max_epochs=est.max_epochs,
        learning_rate=est.learning_rate, patience=est.patience, max_time=est.max_time,
        seed=seed, verbose=est.verbose, desc=desc,
    )
    est.network_ = net
    est.n_epochs_ = len(est.history_.train_loss)


def train_on_arrays(
    est: Any, net: Any, xs: Any, ys: Any, fit_idx: np.ndarray, valid_idx: np.ndarray,
    loss_fn: Any, seed: int, desc: str, *, min_batch: int = 1,
) -> None:
    """:func:`fit_network` on input and target tensors, in mini-batches of
    ``est.batch_size`` rows of ``fit_idx`` with ``loss_fn(net(x), y)``, early stopping on
    the rows ``valid_idx`` (none: the training loss).

    A last batch of fewer than ``min_batch`` rows sits the epoch out, unless it is the only
    one (why: batch normalisation cannot train on one series of length 1); the shuffle
    varies which rows those are.
    """
    import torch

    def batches(rng):
        order = rng.permutation(fit_idx)
        for i in range(0, len(order), est.batch_size):
            chunk = order[i : i + est.batch_size]
            if len(chunk) < min_batch and i > 0:
                continue
            yield torch.as_tensor(chunk)

    def batch_loss(idx):
        return loss_fn(net(xs[idx]), ys[idx]), len(idx)

    valid = None
    if len(valid_idx):
        vi = torch.as_tensor(valid_idx)

        def valid():
            return float(loss_fn(net(xs[vi]), ys[vi]))

    fit_network(est, net, batches, batch_loss, valid, seed, desc)
