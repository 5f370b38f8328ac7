"""Recurrent forecasters: many-to-one on sliding windows, recursive or direct multi-step.

References
----------
Hochreiter & Schmidhuber (1997), "Long short-term memory", Neural Computation 9(8).
Cho et al. (2014), "Learning phrase representations using RNN encoder-decoder" (the GRU).
Taieb, Bontempi, Atiya & Sorjamaa (2012), "A review and comparison of strategies for
multi-step ahead time series forecasting", Expert Systems with Applications 39(8)
(recursive against direct multi-output strategies).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from tsclassic._params import POSITIVE_INT, StrOptions, renamed_params
from tsclassic.base import BaseForecaster, Tags
from tsclassic.deep._torch import seed_from, to_numpy, torch_session
from tsclassic.deep._training import (
    RNN_CONSTRAINTS,
    split_validation,
    train_on_arrays,
    training_parameters,
)

__all__ = ["RNNForecaster"]


@renamed_params({"horizon": "max_horizon", "scaling": "normalize",
                 "normalize": ("normalize", {"global": "series"}), "num_layers": "n_layers"})
@training_parameters(batch="Windows", validation="the most recent windows")
class RNNForecaster(BaseForecaster):
    """An LSTM, GRU or Elman RNN forecaster trained on sliding windows.

    Each training example is a window of ``window_length`` past values; the network reads
    it and outputs the next value (``strategy="recursive"``, forecasts fed back one step at
    a time) or the next ``max_horizon`` values at once (``strategy="direct"``, the multi-output
    variant; forecasts longer than ``max_horizon`` chain whole blocks). Windows are scaled by
    the training series' standard deviation after subtracting the window's own mean
    (``normalize="window"``, so a trending level does not leave the range seen in training)
    or the series' mean (``normalize="series"``).

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default "lstm"
    window_length : int, default 24
        Past values the network reads for each forecast.
    hidden_size : int, default 32
    n_layers : int, default 1
        Stacked recurrent layers (``num_layers`` in tsclassic 0.1).
    strategy : {"recursive", "direct"}, default "recursive"
    max_horizon : int, default 12
        Steps output at once by the direct strategy (ignored by the recursive one).
    normalize : {"window", "series"}, default "window"
        What each window is centred on, its own mean or the series'; either way it is
        divided by the series' standard deviation (``scaling`` in tsclassic 0.1, and
        ``"series"`` was ``"global"``).
    {training_parameters}

    Attributes
    ----------
    network_ : torch.nn.Module
    history_ : TrainingHistory
        Losses per epoch, the best epoch and why training stopped.
    n_epochs_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.deep import RNNForecaster
    >>> y = np.sin(np.arange(120) / 3.0) + 2.0
    >>> model = RNNForecaster(window_length=12, hidden_size=8, max_epochs=3,
    ...                       random_state=0, verbose=False).fit(y)
    >>> model.predict(4).shape
    (4,)
    """

    _tags: ClassVar[Tags] = Tags()
    _parameter_constraints: ClassVar[dict] = {
        **RNN_CONSTRAINTS,
        "window_length": [POSITIVE_INT],
        "strategy": [StrOptions({"recursive", "direct"})],
        "max_horizon": [POSITIVE_INT],
        "normalize": [StrOptions({"window", "series"})],
    }

    def __init__(
        self,
        cell: str = "lstm",
        *,
        window_length: int = 24,
        hidden_size: int = 32,
        n_layers: int = 1,
        strategy: str = "recursive",
        max_horizon: int = 12,
        normalize: str = "window",
        max_epochs: int = 200,
        batch_size: int = 32,
        learning_rate: float = 1e-3,
        validation_fraction: float = 0.1,
        patience: int | None = 20,
        max_time: float | None = None,
        random_state: Any = None,
        verbose: bool = True,
        n_jobs: int | None = None,
    ):
        self.cell = cell
        self.window_length = window_length
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.strategy = strategy
        self.max_horizon = max_horizon
        self.normalize = normalize
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.max_time = max_time
        self.random_state = random_state
        self.verbose = verbose
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls) -> list[dict]:
        tiny = dict(window_length=12, hidden_size=4, max_epochs=2, batch_size=32, verbose=False)
        return [tiny, {**tiny, "cell": "gru", "strategy": "direct", "max_horizon": 6}]

    def _outputs(self) -> int:
        return self.max_horizon if self.strategy == "direct" else 1

    def _min_length(self) -> tuple[int, str]:
        w = self.window_length
        out = self.max_horizon if self.strategy == "direct" else 1
        return w + out, f"one window of window_length={w} plus {out} target value(s)"

    # -- scaling: why a window's own mean: the level of a trending series at forecast time
    # lies outside the training range, but its shape relative to the recent level does not.
    def _centre(self, windows: np.ndarray) -> np.ndarray:
        if self.normalize == "window":
            return windows.mean(axis=-1, keepdims=True)
        return np.full(windows.shape[:-1] + (1,), self.mean_)

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        w, out = self.window_length, self._outputs()
        self.mean_ = float(y.mean())
        self.scale_ = float(y.std()) or 1.0
        frames = np.lib.stride_tricks.sliding_window_view(y, w + out)
        inputs, targets = frames[:, :w], frames[:, w:]
        centre = self._centre(inputs)
        inputs = (inputs - centre) / self.scale_
        targets = (targets - centre) / self.scale_
        fit_idx, valid_idx = split_validation(len(inputs), self.validation_fraction, None)
        seed = seed_from(self.random_state)
        with torch_session(seed, self.n_jobs, type(self).__name__) as torch:
            from tsclassic.deep._networks import ManyToOne

            net = ManyToOne(self.cell, 1, self.hidden_size, self.n_layers, out)
            xs = torch.tensor(inputs[:, :, None], dtype=torch.float32)
            ys = torch.tensor(targets, dtype=torch.float32)
            loss_fn = torch.nn.MSELoss()

            train_on_arrays(self, net, xs, ys, fit_idx, valid_idx, loss_fn, seed,
                            f"{type(self).__name__}({self.cell})")
        self.last_window_ = y[-w:].copy()

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        with torch_session(0, self.n_jobs, type(self).__name__) as torch:
            history = list(self.last_window_)
            forecasts: list[float] = []
            with torch.no_grad():
                while len(forecasts) < h:
                    window = np.asarray(history[-self.window_length :])
                    centre = self._centre(window[None, :])
                    x = (window[None, :] - centre) / self.scale_
                    step = to_numpy(self.network_(torch.tensor(x[:, :, None], dtype=torch.float32)))
                    values = (step * self.scale_ + centre).ravel()
                    forecasts.extend(values.tolist())
                    history.extend(values.tolist())
        return np.asarray(forecasts[:h])
