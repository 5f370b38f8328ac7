"""The PyTorch modules behind the deep estimators.

This module imports torch at the top; the estimators import it only inside ``fit``, so
``import tsclassic.deep`` stays free of torch. The classes live at module level so that
fitted estimators pickle.
"""

from __future__ import annotations

import torch
from torch import nn

_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def recurrent_layer(cell: str, input_size: int, hidden_size: int, num_layers: int) -> nn.Module:
    """A batch-first LSTM, GRU or Elman (tanh) RNN."""
    return _CELLS[cell](input_size, hidden_size, num_layers=num_layers, batch_first=True)


class ManyToOne(nn.Module):
    """A recurrent encoder whose last hidden output feeds a linear head.

    Input ``(batch, length, channels)``, output ``(batch, n_outputs)``: next values for a
    forecaster, class logits for a classifier.
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, num_layers: int,
                 n_outputs: int):
        super().__init__()
        self.rnn = recurrent_layer(cell, input_size, hidden_size, num_layers)
        self.head = nn.Linear(hidden_size, n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.head(out[:, -1, :])


class FCN(nn.Module):
    """The fully convolutional network of Wang, Yan & Oates (2017).

    Three blocks of convolution, batch normalisation and ReLU (128, 256, 128 filters with
    kernels 8, 5, 3 by default, "same" padding), global average pooling over time and a
    linear layer to the class logits. Input ``(batch, channels, length)``.
    """

    def __init__(self, in_channels: int, n_classes: int, filters: tuple[int, ...],
                 kernel_sizes: tuple[int, ...]):
        super().__init__()
        layers: list[nn.Module] = []
        channels = in_channels
        for width, kernel in zip(filters, kernel_sizes):
            # "same" padding, the extra zero on the right for even kernels as in Keras (why
            # not padding="same": torch then copies the input and warns on every call).
            layers += [
                nn.ConstantPad1d(((kernel - 1) // 2, kernel // 2), 0.0),
                nn.Conv1d(channels, width, kernel),
                nn.BatchNorm1d(width),
                nn.ReLU(),
            ]
            channels = width
        self.blocks = nn.Sequential(*layers)
        self.head = nn.Linear(channels, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(x).mean(dim=2))


class LanguageNet(nn.Module):
    """Embedding, recurrent layers and a softmax layer over the vocabulary."""

    def __init__(self, cell: str, vocab_size: int, embedding_size: int, hidden_size: int,
                 num_layers: int, dropout: float):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embedding_size)
        self.drop = nn.Dropout(dropout)
        self.rnn = recurrent_layer(cell, embedding_size, hidden_size, num_layers)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens: torch.Tensor, state=None):
        out, state = self.rnn(self.drop(self.embed(tokens)), state)
        return self.head(self.drop(out)), state


class WindowRNN(nn.Module):
    """A recurrent encoder of a univariate window ``(batch, length)`` whose last hidden
    output gives ``n_outputs`` values."""

    def __init__(self, cell: str, hidden_size: int, num_layers: int, n_outputs: int):
        super().__init__()
        self.encoder = ManyToOne(cell, 1, hidden_size, num_layers, n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x[:, :, None])


class NBeatsBlock(nn.Module):
    """A fully connected stack giving a backcast and a forecast (generic basis)."""

    def __init__(self, lookback: int, horizon: int, n_layers: int, width: int):
        super().__init__()
        layers: list[nn.Module] = []
        size = lookback
        for _ in range(n_layers):
            layers += [nn.Linear(size, width), nn.ReLU()]
            size = width
        self.stack = nn.Sequential(*layers)
        self.backcast = nn.Linear(width, lookback)
        self.forecast = nn.Linear(width, horizon)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.stack(x)
        return self.backcast(hidden), self.forecast(hidden)


class NBeats(nn.Module):
    """N-BEATS generic (Oreshkin et al. 2020): doubly residual stacking of blocks."""

    def __init__(self, lookback: int, horizon: int, n_blocks: int, n_layers: int, width: int):
        super().__init__()
        self.blocks = nn.ModuleList(
            [NBeatsBlock(lookback, horizon, n_layers, width) for _ in range(n_blocks)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        forecast = 0.0
        for block in self.blocks:
            backcast, block_forecast = block(x)
            x = x - backcast
            forecast = forecast + block_forecast
        return forecast
