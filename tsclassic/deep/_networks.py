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

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """``lengths`` (one per series, padded input): the head reads each series' hidden
        state at its own last point, which a one-directional network computed before it
        saw any padding."""
        out, _ = self.rnn(x)
        if lengths is None:
            return self.head(out[:, -1, :])
        last = (lengths - 1).view(-1, 1, 1).expand(-1, 1, out.shape[2])
        return self.head(out.gather(1, last).squeeze(1))


class Padded:
    """Series padded with zeros to a common length, and each one's own length.

    ``values`` is ``(n_series, channels, length)``; indexing it with an array of rows gives
    those rows cut to their longest member, so a mini-batch of short series is short.
    """

    def __init__(self, values: torch.Tensor, lengths: torch.Tensor):
        self.values = values
        self.lengths = lengths

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, rows: torch.Tensor) -> Padded:
        lengths = self.lengths[rows]
        return Padded(self.values[rows][..., : int(lengths.max())], lengths)

    def mask(self) -> torch.Tensor | None:
        """``(n_series, 1, length)``: 1 on real points, 0 on padding; ``None`` without
        padding (every series as long as the tensor)."""
        length = self.values.shape[2]
        if bool((self.lengths == length).all()):
            return None
        steps = torch.arange(length, device=self.lengths.device)
        return (steps[None, :] < self.lengths[:, None]).to(self.values.dtype)[:, None, :]


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """Batch normalisation whose training statistics are over real points only.

    Without a mask it is ``nn.BatchNorm1d``; with one, the batch mean and variance (and
    the running estimates, updated as torch does: momentum, unbiased variance) count the
    points where the mask is 1, so padding never shifts the normalisation. In evaluation
    the running estimates are used, as by ``nn.BatchNorm1d``.
    """

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        if mask is None or not self.training:
            return super().forward(x)
        count = mask.sum()
        mean = (x * mask).sum(dim=(0, 2)) / count
        centred = (x - mean[None, :, None]) * mask
        var = (centred**2).sum(dim=(0, 2)) / count
        with torch.no_grad():
            self.num_batches_tracked += 1
            unbiased = var * count / torch.clamp(count - 1, min=1)
            self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
            self.running_var.mul_(1 - self.momentum).add_(self.momentum * unbiased)
        out = (x - mean[None, :, None]) / torch.sqrt(var[None, :, None] + self.eps)
        return out * self.weight[None, :, None] + self.bias[None, :, None]


class ConvBlock(nn.Module):
    """Convolution ("same" padding), batch normalisation and ReLU."""

    def __init__(self, in_channels: int, width: int, kernel: int):
        super().__init__()
        # The extra zero on the right for even kernels as in Keras (why not
        # padding="same": torch then copies the input and warns on every call).
        self.pad = nn.ConstantPad1d(((kernel - 1) // 2, kernel // 2), 0.0)
        self.conv = nn.Conv1d(in_channels, width, kernel)
        self.norm = MaskedBatchNorm1d(width)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        if mask is not None:
            # Zeros after each series' end: the convolution near the end reads what the
            # "same" padding of a series of that length would give, never padding values.
            x = x * mask
        return torch.relu(self.norm(self.conv(self.pad(x)), mask))


class FCN(nn.Module):
    """The fully convolutional network of Wang, Yan & Oates (2017).

    Three blocks of convolution, batch normalisation and ReLU (128, 256, 128 filters with
    kernels 8, 5, 3 by default, "same" padding), global average pooling over time and a
    linear layer to the class logits. Input ``(batch, channels, length)``, or a
    :class:`Padded` batch of unequal lengths: then every block sees zeros after each
    series' end, batch normalisation counts real points only and the pooling averages
    each series over its own length, so a series gets the logits it gets alone.
    """

    def __init__(self, in_channels: int, n_classes: int, filters: tuple[int, ...],
                 kernel_sizes: tuple[int, ...]):
        super().__init__()
        blocks = []
        channels = in_channels
        for width, kernel in zip(filters, kernel_sizes):
            blocks.append(ConvBlock(channels, width, kernel))
            channels = width
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Linear(channels, n_classes)

    def forward(self, x: torch.Tensor | Padded) -> torch.Tensor:
        mask = x.mask() if isinstance(x, Padded) else None
        h = x.values if isinstance(x, Padded) else x
        for block in self.blocks:
            h = block(h, mask)
        if mask is None:
            return self.head(h.mean(dim=2))
        return self.head((h * mask).sum(dim=2) / mask.sum(dim=2))


class SeriesRNN(nn.Module):
    """:class:`ManyToOne` on a :class:`Padded` batch ``(batch, channels, length)``: each
    series read to its own end."""

    def __init__(self, cell: str, input_size: int, hidden_size: int, num_layers: int,
                 n_outputs: int):
        super().__init__()
        self.encoder = ManyToOne(cell, input_size, hidden_size, num_layers, n_outputs)

    def forward(self, x: Padded) -> torch.Tensor:
        steps = x.values.transpose(1, 2)
        if x.mask() is None:
            return self.encoder(steps)
        return self.encoder(steps, x.lengths)


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
