"""tsclassic.deep: the torch guard, the shared training loop and the RNN forecaster."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from tsclassic.deep import RNNForecaster  # noqa: E402
from tsclassic.deep._torch import DeepExtraMissingError, torch_session  # noqa: E402
from tsclassic.deep._training import split_validation, train  # noqa: E402


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


# -- the optional extra ----------------------------------------------------------
def test_importing_tsclassic_and_deep_does_not_import_torch():
    code = (
        "import sys, tsclassic, tsclassic.deep\n"
        "tsclassic.all_estimators()\n"
        "from tsclassic import RNNForecaster, RNNClassifier, FCNClassifier, RNNLanguageModel\n"
        "RNNForecaster(); FCNClassifier().get_params()\n"
        "print('torch' in sys.modules)\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_missing_torch_gives_an_error_naming_the_extra():
    code = (
        "import sys\n"
        "class Block:  # as if PyTorch were not installed\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ModuleNotFoundError(f'No module named {name!r}')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import numpy as np\n"
        "from tsclassic.deep import RNNForecaster\n"
        "try:\n"
        "    RNNForecaster(verbose=False).fit(np.arange(50.0))\n"
        "except ImportError as err:\n"
        "    print(type(err).__name__, err)\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert "DeepExtraMissingError" in result.stdout
    assert 'pip install "tsclassic[deep]"' in result.stdout and "RNNForecaster" in result.stdout
    assert issubclass(DeepExtraMissingError, ImportError)


def test_torch_session_restores_threads_and_the_global_random_state():
    threads = torch.get_num_threads()
    state = torch.random.get_rng_state()
    with torch_session(123, 1, "test") as t:
        assert t.get_num_threads() == 1
        first = t.rand(3)
    with torch_session(123, None, "test") as t:
        assert torch.equal(first, t.rand(3))
    assert torch.get_num_threads() == threads
    assert torch.equal(state, torch.random.get_rng_state())
    with pytest.raises(ValueError, match="n_jobs"):
        with torch_session(0, 0, "test"):
            pass


# -- the training loop -----------------------------------------------------------
def _toy(n=64):
    """A linear regression a one-layer network can fit, and its batches."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n, 3, generator=gen)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
    net = torch.nn.Linear(3, 1)

    def batches(rng):
        order = rng.permutation(n)
        for i in range(0, n, 16):
            yield torch.as_tensor(order[i : i + 16])

    def loss(idx):
        return torch.nn.functional.mse_loss(net(x[idx]), y[idx]), len(idx)

    return net, batches, loss


def _train(net, batches, loss, **kw):
    options = dict(valid_loss=None, max_epochs=30, learning_rate=0.05, patience=None,
                   max_time=None, seed=0, verbose=False, desc="toy")
    options.update(kw)
    return train(net, batches, loss, **options)


def test_train_reduces_the_loss_and_runs_all_epochs():
    torch.manual_seed(0)
    net, batches, loss = _toy()
    history = _train(net, batches, loss)
    assert history.stopped == "max_epochs" and len(history.train_loss) == 30
    assert history.train_loss[-1] < 0.05 * history.train_loss[0]
    assert history.best_epoch == int(np.argmin(history.train_loss)) + 1
    assert not net.training  # left in eval mode


def test_early_stopping_keeps_the_best_weights():
    torch.manual_seed(0)
    net, batches, loss = _toy()
    snapshots = []
    scores = iter([3.0, 1.0, 2.0, 2.5, 2.7, 9.0])  # best at epoch 2, then worse

    def valid():
        snapshots.append({k: v.clone() for k, v in net.state_dict().items()})
        return next(scores)

    history = _train(net, batches, loss, valid_loss=valid, patience=3)
    assert history.stopped == "early_stopping"
    assert len(history.valid_loss) == 5 and history.best_epoch == 2
    for name, value in net.state_dict().items():
        assert torch.equal(value, snapshots[1][name])


def test_max_time_stops_training():
    net, batches, loss = _toy()
    history = _train(net, batches, loss, max_epochs=10_000, max_time=0.05)
    assert history.stopped == "max_time" and len(history.train_loss) < 10_000


def test_ctrl_c_stops_training_and_keeps_the_best_weights():
    torch.manual_seed(0)
    net, batches, loss = _toy()
    calls = {"n": 0}
    snapshots = []

    def interrupting(idx):
        calls["n"] += 1
        if calls["n"] == 4 * 3 + 2:  # inside the fourth epoch (4 batches per epoch)
            raise KeyboardInterrupt
        return loss(idx)

    def valid():
        snapshots.append({k: v.clone() for k, v in net.state_dict().items()})
        return [5.0, 1.0, 4.0][len(snapshots) - 1]

    with pytest.warns(UserWarning, match="interrupted"):
        history = _train(net, batches, interrupting, valid_loss=valid)
    assert history.stopped == "interrupted" and history.best_epoch == 2
    for name, value in net.state_dict().items():
        assert torch.equal(value, snapshots[1][name])


def test_progress_bar_shown_only_when_verbose(capsys):
    net, batches, loss = _toy()
    _train(net, batches, loss, max_epochs=2, verbose=True)
    assert "toy" in capsys.readouterr().err
    _train(net, batches, loss, max_epochs=2, verbose=False)
    assert capsys.readouterr().err == ""


def test_split_validation_temporal_random_and_stratified():
    fit, valid = split_validation(10, 0.2, None)
    assert valid.tolist() == [8, 9] and fit.tolist() == list(range(8))
    fit, valid = split_validation(10, 0.0, None)
    assert len(valid) == 0 and len(fit) == 10
    labels = np.array([0] * 8 + [1] * 2)
    fit, valid = split_validation(10, 0.5, np.random.default_rng(0), labels)
    assert set(labels[fit]) == {0, 1}  # every class keeps a training sample
    assert sorted(np.concatenate([fit, valid]).tolist()) == list(range(10))


# -- the forecaster --------------------------------------------------------------
def _sine(n=160):
    t = np.arange(n)
    return 10.0 + np.sin(2 * np.pi * t / 12) + 0.02 * t


@pytest.mark.parametrize("params", [
    dict(cell="lstm"),
    dict(cell="gru", strategy="direct", max_horizon=12),
    dict(cell="rnn", normalize="series"),
])
def test_forecaster_learns_a_seasonal_series(params):
    y = _sine()
    train_part, test_part = y[:-12], y[-12:]
    model = RNNForecaster(window_length=24, hidden_size=16, max_epochs=150, learning_rate=0.01,
                          patience=30, random_state=0, verbose=False, **params)
    forecast = model.fit(train_part).predict(12)
    mse = np.mean((forecast - test_part) ** 2)
    mean_mse = np.mean((train_part.mean() - test_part) ** 2)
    assert mse < 0.1 * mean_mse, (mse, mean_mse)
    assert model.n_epochs_ == len(model.history_.train_loss) <= 150


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_longer_forecasts_extend_shorter_ones(strategy):
    model = RNNForecaster(window_length=12, hidden_size=4, max_epochs=2, strategy=strategy,
                          max_horizon=5, random_state=0, verbose=False).fit(_sine(60))
    short, long = model.predict(5), model.predict(13)
    assert long.shape == (13,)
    np.testing.assert_allclose(long[:5], short, rtol=1e-6)


def test_forecaster_seeds_and_keeps_the_index():
    y = pd.Series(_sine(72), index=pd.period_range("2015-01", periods=72, freq="M"), name="s")
    params = dict(window_length=12, hidden_size=4, max_epochs=3, verbose=False)
    a = RNNForecaster(random_state=1, **params).fit(y).predict(4)
    b = RNNForecaster(random_state=1, **params).fit(y).predict(4)
    c = RNNForecaster(random_state=2, **params).fit(y).predict(4)
    pd.testing.assert_series_equal(a, b)
    assert not np.allclose(a.to_numpy(), c.to_numpy())
    assert a.index[0] == pd.Period("2021-01", freq="M") and a.name == "s"


@pytest.mark.parametrize(("params", "name"), [
    ({"cell": "transformer"}, "cell"),
    ({"window_length": 0}, "window_length"),
    ({"strategy": "dirrec"}, "strategy"),
    ({"normalize": "minmax"}, "normalize"),
    ({"strategy": "direct", "max_horizon": 0}, "max_horizon"),
    ({"learning_rate": -1.0}, "learning_rate"),
    ({"validation_fraction": 1.0}, "validation_fraction"),
    ({"max_time": 0}, "max_time"),
    ({"max_epochs": 0}, "max_epochs"),
    ({"patience": 0}, "patience"),
])
def test_bad_parameters_fail_at_fit_naming_the_parameter(params, name):
    model = RNNForecaster(verbose=False, **params)  # __init__ accepts anything
    with pytest.raises(ValueError, match=name):
        model.fit(_sine(60))


def test_too_short_series_names_the_window():
    with pytest.raises(ValueError, match="window_length=24"):
        RNNForecaster(verbose=False).fit(np.arange(20.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RNNForecaster(window_length=3, max_epochs=1, verbose=False).fit(np.arange(4.0))
