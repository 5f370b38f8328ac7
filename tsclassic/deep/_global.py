"""Global deep forecasters: one network trained on windows from every series of a panel.

References
----------
Oreshkin, Carpov, Chapados & Bengio (2020), "N-BEATS: Neural basis expansion analysis for
interpretable time series forecasting", ICLR (the generic architecture).
Smyl (2020), "A hybrid method of exponential smoothing and recurrent neural networks for
time series forecasting", IJF 36(1) (the M4 winner: one network across all series).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from tsclassic._params import POSITIVE_INT, StrOptions, renamed_params
from tsclassic._windows import (
    default_window_length,
    fit_window,
    normalise_windows,
    sample_windows,
    spread_floor,
)
from tsclassic.base import BaseGlobalForecaster, Tags
from tsclassic.deep._torch import seed_from, to_numpy, torch_session
from tsclassic.deep._training import (
    TRAINING_CONSTRAINTS,
    split_validation,
    train_on_arrays,
    training_parameters,
)

__all__ = ["GlobalRNNForecaster", "GlobalMLPForecaster"]

_POSITIVE_INT = [POSITIVE_INT]
_WINDOW_CONSTRAINTS: dict[str, list] = {
    **TRAINING_CONSTRAINTS,
    "window_length": [POSITIVE_INT, None],
    "max_horizon": _POSITIVE_INT,
    "max_windows": _POSITIVE_INT,
}
_GLOBAL_TRAINING = training_parameters(batch="Windows",
                                       validation="windows drawn at random (seeded)")


class _GlobalNetworkForecaster(BaseGlobalForecaster):
    """Windows from every series, normalised as for GlobalReductionForecaster, train one
    network that outputs the next ``max_horizon`` values (the direct, multi-output
    strategy) under an epoch budget and an optional wall-clock safety stop."""

    _tags: ClassVar[Tags] = Tags()

    def _network(self, torch: Any) -> Any:
        raise NotImplementedError

    def _min_length(self) -> tuple[int, str]:
        w, H = self.window_length, self.max_horizon
        inputs = f"window_length={w} inputs" if w is not None else "at least one input"
        return (w or 1) + H, (f"{inputs} and max_horizon={H} targets (lower them for "
                              f"short series)")

    def _fit(self, series: list[np.ndarray]) -> None:
        self.window_length_ = self.window_length
        if self.window_length is None:
            wanted, why = default_window_length(self.index_infos_, self.max_horizon,
                                                owner=type(self).__name__)
            self.window_length_ = fit_window(wanted, why, series, self.max_horizon,
                                             type(self).__name__)
        seed = seed_from(self.random_state)
        rng = np.random.default_rng(seed)
        inputs, targets, floors, _ = sample_windows(
            series, self.window_length_, self.max_horizon, self.max_windows, rng)
        z, level, scale = normalise_windows(inputs, floors)
        z_targets = (targets - level[:, None]) / scale[:, None]
        fit_idx, valid_idx = split_validation(len(z), self.validation_fraction, rng)
        with torch_session(seed, self.n_jobs, type(self).__name__) as torch:
            net = self._network(torch)
            xs = torch.tensor(z, dtype=torch.float32)
            ys = torch.tensor(z_targets, dtype=torch.float32)
            # The absolute loss on scaled values: the median, which sMAPE and MASE reward.
            loss_fn = torch.nn.L1Loss()

            train_on_arrays(self, net, xs, ys, fit_idx, valid_idx, loss_fn, seed,
                            type(self).__name__)
        self._windows = np.vstack([y[-self.window_length_:] for y in series])
        self._floors = np.array([spread_floor(y) for y in series])

    def _predict(self, h: int) -> np.ndarray:
        if h > self.max_horizon:
            raise ValueError(
                f"h={h} exceeds max_horizon={self.max_horizon}, the steps the network outputs; "
                f"refit with a larger max_horizon."
            )
        z, level, scale = normalise_windows(self._windows, self._floors)
        with torch_session(0, self.n_jobs, type(self).__name__) as torch, torch.no_grad():
            out = to_numpy(self.network_(torch.tensor(z, dtype=torch.float32)))
        return (out * scale[:, None] + level[:, None])[:, :h]

    @classmethod
    def _conformance_data(cls) -> Any:
        import pandas as pd

        t = np.arange(40)
        return pd.DataFrame({
            "unique_id": np.repeat(["a", "b"], 40),
            "ds": np.tile(t, 2),
            "y": np.r_[5 + np.sin(t / 2), 50 + 10 * np.sin(t / 2)],
        })


@renamed_params({"num_layers": "n_layers"})
@_GLOBAL_TRAINING
class GlobalRNNForecaster(_GlobalNetworkForecaster):
    """One LSTM, GRU or Elman RNN trained on windows from every series of a panel.

    The network reads a window of ``window_length`` values (normalised on the window's own
    mean and spread, as :class:`tsclassic.ml.GlobalReductionForecaster` does) and outputs
    the next ``max_horizon`` values at once. Unlike :class:`RNNForecaster`, which trains one
    network per series, every series contributes windows to one network, as the M4 winner
    did.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default "lstm"
    window_length : int or None, default None
        The inputs: how many past values the network reads. ``None``: the longest season
        the time stamps of ``ds`` imply (a week, 168, for hourly data; 7 daily, 12
        monthly, ...) or two horizons where longer, fewer with a warning where the
        shortest series is too short (see :class:`tsclassic.ml.GlobalReductionForecaster`);
        the window used is ``window_length_``.
    max_horizon : int, default 24
        Steps output at once: the longest horizon ``predict`` can give.
    hidden_size : int, default 64
    n_layers : int, default 1
        Stacked recurrent layers (``num_layers`` in tsclassic 0.1).
    max_windows : int, default 200
        The most training windows drawn per series.
    {training_parameters}

    Attributes
    ----------
    window_length_ : int
        The inputs used.
    network_ : torch.nn.Module
    history_ : TrainingHistory
        Losses per epoch, the best epoch and why training stopped.
    n_epochs_ : int

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from tsclassic.deep import GlobalRNNForecaster
    >>> t = np.arange(60)
    >>> df = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 60), "ds": np.tile(t, 2),
    ...                    "y": np.r_[10 + np.sin(t), 500 + 50 * np.sin(t)]})
    >>> model = GlobalRNNForecaster(window_length=12, max_horizon=3, hidden_size=8,
    ...                             max_epochs=2, random_state=0, verbose=False)
    >>> model.fit(df).predict(3).shape
    (6, 3)
    """

    _parameter_constraints: ClassVar[dict] = {
        **_WINDOW_CONSTRAINTS,
        "cell": [StrOptions({"lstm", "gru", "rnn"})],
        "hidden_size": _POSITIVE_INT,
        "n_layers": _POSITIVE_INT,
    }

    def __init__(self, cell: str = "lstm", *, window_length: int | None = None,
                 max_horizon: int = 24,
                 hidden_size: int = 64, n_layers: int = 1, max_windows: int = 200,
                 max_epochs: int = 30, batch_size: int = 256, learning_rate: float = 1e-3,
                 validation_fraction: float = 0.1, patience: int | None = 5,
                 max_time: float | None = None, random_state: Any = None, verbose: bool = True,
                 n_jobs: int | None = None):
        self.cell = cell
        self.window_length = window_length
        self.max_horizon = max_horizon
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.max_windows = max_windows
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.max_time = max_time
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    def _network(self, torch: Any) -> Any:
        from tsclassic.deep._networks import WindowRNN

        return WindowRNN(self.cell, self.hidden_size, self.n_layers, self.max_horizon)

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [dict(window_length=8, max_horizon=3, hidden_size=4, max_epochs=2,
                     verbose=False)]


@_GLOBAL_TRAINING
class GlobalMLPForecaster(_GlobalNetworkForecaster):
    """N-BEATS (generic): a stack of fully connected blocks, each removing its backcast
    from the input and adding its forecast, trained on windows from every series.

    Each block runs ``n_layers`` ReLU layers of ``layer_width`` units on its input, then
    two linear maps give the block's backcast (``window_length`` values) and forecast
    (``max_horizon`` values); the next block reads the input minus the backcast, and the
    forecast is the sum of the blocks' forecasts (Oreshkin et al. 2020, the generic,
    non-interpretable configuration). Windows are normalised as for
    :class:`tsclassic.ml.GlobalReductionForecaster`.

    Parameters
    ----------
    window_length : int or None, default None
        The lookback (the paper uses 2 to 7 times the horizon). ``None``: the longest
        season the time stamps of ``ds`` imply (a week, 168, for hourly data) or two
        horizons where longer, as for :class:`GlobalRNNForecaster`; the window used is
        ``window_length_``.
    max_horizon : int, default 24
    n_blocks : int, default 6
        The paper's generic model stacks 30 blocks; fewer train in CPU minutes.
    n_layers : int, default 4
    layer_width : int, default 256
        The paper uses 512.
    max_windows : int, default 200
        The most training windows drawn per series.
    {training_parameters}

    Attributes
    ----------
    window_length_ : int
        The inputs used.
    network_ : torch.nn.Module
    history_ : TrainingHistory
    n_epochs_ : int

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from tsclassic.deep import GlobalMLPForecaster
    >>> t = np.arange(60)
    >>> df = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 60), "ds": np.tile(t, 2),
    ...                    "y": np.r_[10 + np.sin(t), 500 + 50 * np.sin(t)]})
    >>> model = GlobalMLPForecaster(window_length=12, max_horizon=3, n_blocks=2,
    ...                             layer_width=16, max_epochs=2, random_state=0,
    ...                             verbose=False)
    >>> model.fit(df).predict(3).shape
    (6, 3)
    """

    _parameter_constraints: ClassVar[dict] = {
        **_WINDOW_CONSTRAINTS,
        "n_blocks": _POSITIVE_INT,
        "n_layers": _POSITIVE_INT,
        "layer_width": _POSITIVE_INT,
    }

    def __init__(self, *, window_length: int | None = None, max_horizon: int = 24,
                 n_blocks: int = 6,
                 n_layers: int = 4, layer_width: int = 256, max_windows: int = 200,
                 max_epochs: int = 30, batch_size: int = 256, learning_rate: float = 1e-3,
                 validation_fraction: float = 0.1, patience: int | None = 5,
                 max_time: float | None = None, random_state: Any = None, verbose: bool = True,
                 n_jobs: int | None = None):
        self.window_length = window_length
        self.max_horizon = max_horizon
        self.n_blocks = n_blocks
        self.n_layers = n_layers
        self.layer_width = layer_width
        self.max_windows = max_windows
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.max_time = max_time
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    def _network(self, torch: Any) -> Any:
        from tsclassic.deep._networks import NBeats

        return NBeats(self.window_length_, self.max_horizon, self.n_blocks, self.n_layers,
                      self.layer_width)

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [dict(window_length=8, max_horizon=3, n_blocks=2, layer_width=8, max_epochs=2,
                     verbose=False)]
