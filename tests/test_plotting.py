from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from tsclassic import Naive, plot_series  # noqa: E402
from tsclassic.datasets import load_airline  # noqa: E402


def test_plot_series_draws_history_forecast_and_interval():
    y = load_airline()
    model = Naive().fit(y)
    ax = plot_series(y, forecast=model.predict(12), interval=model.predict_interval(12),
                     title="t")
    assert [line.get_label() for line in ax.get_lines()] == ["passengers", "forecast"]
    assert len(ax.collections) == 1  # the shaded interval
    ax = plot_series(np.arange(10.0), forecast=np.ones(3), interval=np.ones((3, 2)))
    assert ax.get_lines()[1].get_xdata().tolist() == [10, 11, 12]
