"""A recurrent language model over tokens (words, characters, SAX symbols).

References
----------
Mikolov, Karafiat, Burget, Cernocky & Khudanpur (2010), "Recurrent neural network based
language model", Interspeech.
Zaremba, Sutskever & Vinyals (2014), "Recurrent neural network regularization",
arXiv:1409.2329 (the LSTM language model on the Penn Treebank).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from tsclassic._params import POSITIVE_INT, Interval, Real, renamed_params
from tsclassic.base import BaseSequenceModel, Tags
from tsclassic.deep._torch import seed_from, to_numpy, torch_session
from tsclassic.deep._training import (
    RNN_CONSTRAINTS,
    fit_network,
    split_validation,
    training_parameters,
)

__all__ = ["RNNLanguageModel"]

END = "</s>"
UNK = "<unk>"
_BOUNDARY, _UNK_ID = 0, 1
# Why cut long sequences for training: backpropagation through a 100,000-character string
# is slow and memory-hungry; segments of this many tokens are trained from a fresh state.
_TRAIN_SEGMENT = 256
_SCORE_BATCH = 16


@renamed_params({"num_layers": "n_layers"})
@training_parameters(
    batch="Sequences (segments of at most 256 tokens, grouped by length to limit padding)",
    validation="a seeded draw of the sequences")
class RNNLanguageModel(BaseSequenceModel):
    """An LSTM, GRU or Elman RNN language model with a softmax over the vocabulary.

    Every sequence is read from a boundary token, and the model predicts each token and
    then the end of the sequence, so ``score`` counts ``len(seq) + 1`` events per sequence
    (the Penn Treebank convention, where the end of sentence is a word). Tokens seen fewer
    than ``min_count`` times in training, and unseen tokens at scoring time, are read as
    ``"<unk>"``; with ``min_count=1`` the model never sees ``"<unk>"`` in training, so
    unseen tokens get a very low probability (map rare tokens to ``"<unk>"`` yourself, as
    the Penn Treebank does, for a fair perplexity). ``predict`` gives the same softmax
    that ``score`` uses, ``"<unk>"`` included, so the chain rule over ``predict`` is
    ``score``; only ``sample`` leaves ``"<unk>"`` out when training had none.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default "lstm"
    embedding_size : int, default 64
    hidden_size : int, default 128
    n_layers : int, default 1
        Stacked recurrent layers (``num_layers`` in tsclassic 0.1).
    dropout : float, default 0.0
        Dropout on the embeddings and on the recurrent output (Zaremba et al. use 0.5 on
        their medium network).
    min_count : int, default 1
        Tokens seen fewer times in training have no output of their own. Without a
        ``vocabulary`` they are read as ``"<unk>"``. With one, the listed tokens seen
        fewer than ``min_count`` times, when it is above 1 (at 1 every listed token
        keeps an output), share the ``"<unk>"`` output, whose probability is
        split among them (and ``"<unk>"`` itself) in proportion to their training count
        plus one: why: a network cannot learn an output it sees once or never, and on a
        small slice of a large vocabulary the outputs of unseen tokens are pushed to
        nothing, where the shared output learns how often a rare token comes (the mass a
        Good-Turing estimate gives to the rare tokens).
    vocabulary : sequence of tokens, optional
        A closed vocabulary (as :class:`~tsclassic.NGramLM` takes): every other token is
        ``"<unk>"``, and every listed token has a probability (its own output, or a share
        of the ``"<unk>"`` output, see ``min_count``), so models fitted on slices of one
        corpus are scored over the same vocabulary.
    max_sample_length : int, default 100
        ``sample`` stops a sequence at the end token or after this many tokens.
    {training_parameters}

    Attributes
    ----------
    vocabulary_ : list
        Output labels: ``"</s>"`` (end of sequence), ``"<unk>"``, then the tokens.
    shared_tokens_ : pandas.Series
        The tokens that share the ``"<unk>"`` output (a closed ``vocabulary`` with
        ``min_count > 1``), each with its share; empty otherwise.
    network_ : torch.nn.Module
    history_ : TrainingHistory
    n_epochs_ : int

    Examples
    --------
    >>> from tsclassic.deep import RNNLanguageModel
    >>> corpus = [list("abab"), list("abba"), list("baba")] * 5
    >>> lm = RNNLanguageModel(hidden_size=8, embedding_size=4, max_epochs=2,
    ...                       random_state=0, verbose=False).fit(corpus)
    >>> len(lm.sample(2, random_state=0))
    2
    """

    _tags: ClassVar[Tags] = Tags()
    _parameter_constraints: ClassVar[dict] = {
        **RNN_CONSTRAINTS,
        "embedding_size": [POSITIVE_INT],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "min_count": [POSITIVE_INT],
        "vocabulary": [list, tuple, np.ndarray, pd.Index, None],
        "max_sample_length": [POSITIVE_INT],
    }

    def __init__(
        self,
        cell: str = "lstm",
        *,
        embedding_size: int = 64,
        hidden_size: int = 128,
        n_layers: int = 1,
        dropout: float = 0.0,
        min_count: int = 1,
        vocabulary: Any = None,
        max_sample_length: int = 100,
        max_epochs: int = 20,
        batch_size: int = 32,
        learning_rate: float = 1e-3,
        validation_fraction: float = 0.1,
        patience: int | None = 3,
        max_time: float | None = None,
        random_state: Any = None,
        verbose: bool = True,
        n_jobs: int | None = None,
    ):
        self.cell = cell
        self.embedding_size = embedding_size
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.dropout = dropout
        self.min_count = min_count
        self.vocabulary = vocabulary
        self.max_sample_length = max_sample_length
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
        return [dict(embedding_size=4, hidden_size=8, max_epochs=2, verbose=False)]

    # -- vocabulary -------------------------------------------------------------
    def _encode(self, seq: list[Hashable]) -> np.ndarray:
        lookup = self.token_ids_
        return np.array([lookup.get(t, _UNK_ID) for t in seq], dtype=np.int64)

    def _build_vocabulary(self, corpus: list[list[Hashable]]) -> None:
        counts = Counter(t for seq in corpus for t in seq)
        if END in counts:
            raise ValueError(
                f"sequences contain the token {END!r}, which {type(self).__name__} uses for the "
                f"end of a sequence; drop it (the end is implied) or rename it."
            )
        shared: list[Hashable] = []
        if self.vocabulary is not None:
            listed = list(dict.fromkeys(t for t in self.vocabulary if t not in (END, UNK)))
            if not listed:
                raise ValueError("vocabulary is empty; pass the tokens to model, or None.")
            if self.min_count > 1:
                shared = [UNK, *(t for t in listed if counts.get(t, 0) < self.min_count)]
            kept = [t for t in listed if t not in set(shared)]
        else:
            kept = [t for t, c in counts.items() if c >= self.min_count and t not in (END, UNK)]
        weights = np.array([counts.get(t, 0) + 1.0 for t in shared])
        self.shared_tokens_ = pd.Series(weights / weights.sum() if shared else weights,
                                        index=pd.Index(shared, dtype=object), name="share")
        # Most frequent first, ties by token: a deterministic order for a given corpus.
        kept.sort(key=lambda t: (-counts.get(t, 0), str(t)))
        self.vocabulary_ = [END, UNK, *kept]
        self.token_ids_ = {t: i for i, t in enumerate(self.vocabulary_)}
        if UNK in counts:
            self.token_ids_[UNK] = _UNK_ID
        self.unk_count_ = sum(c for t, c in counts.items() if self.token_ids_.get(t, _UNK_ID) == _UNK_ID)

    # -- data -------------------------------------------------------------------
    def _pairs(self, corpus: list[list[Hashable]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(input, target) id arrays: the sequence shifted by the boundary token."""
        pairs = []
        for seq in corpus:
            ids = self._encode(seq)
            pairs.append((np.concatenate([[_BOUNDARY], ids]), np.concatenate([ids, [_BOUNDARY]])))
        return pairs

    @staticmethod
    def _pad(pairs: list[tuple[np.ndarray, np.ndarray]], torch: Any) -> tuple[Any, Any]:
        length = max(len(x) for x, _ in pairs)
        inputs = np.zeros((len(pairs), length), dtype=np.int64)
        targets = np.full((len(pairs), length), -100, dtype=np.int64)  # -100: ignored
        for i, (x, y) in enumerate(pairs):
            inputs[i, : len(x)] = x
            targets[i, : len(y)] = y
        return torch.as_tensor(inputs), torch.as_tensor(targets)

    def _fit(self, corpus: list[list[Hashable]]) -> None:
        self._build_vocabulary(corpus)
        segments = []
        for x, y in self._pairs(corpus):
            for start in range(0, len(x), _TRAIN_SEGMENT):
                segments.append((x[start : start + _TRAIN_SEGMENT], y[start : start + _TRAIN_SEGMENT]))
        seed = seed_from(self.random_state)
        fit_idx, valid_idx = split_validation(
            len(segments), self.validation_fraction, np.random.default_rng(seed)
        )
        with torch_session(seed, self.n_jobs, type(self).__name__) as torch:
            from tsclassic.deep._networks import LanguageNet

            net = LanguageNet(self.cell, len(self.vocabulary_), self.embedding_size,
                              self.hidden_size, self.n_layers, float(self.dropout))
            loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100, reduction="sum")
            # Batches of similar lengths (why: padding wastes time on the CPU).
            by_length = sorted(fit_idx.tolist(), key=lambda i: len(segments[i][0]))
            groups = [by_length[i : i + self.batch_size]
                      for i in range(0, len(by_length), self.batch_size)]
            padded = [self._pad([segments[i] for i in g], torch) for g in groups]
            n_targets = [int((t != -100).sum()) for _, t in padded]

            def batches(rng):
                for b in rng.permutation(len(padded)):
                    yield padded[b], n_targets[b]

            def batch_loss(batch):
                (inputs, targets), n = batch
                logits, _ = net(inputs)
                return loss_fn(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1)) / n, n

            valid = None
            if len(valid_idx):
                valid_pairs = [segments[i] for i in valid_idx]
                n_valid = sum(len(y) for _, y in valid_pairs)

                def valid():
                    return -self._log_likelihood(net, valid_pairs, torch) / n_valid

            fit_network(self, net, batches, batch_loss, valid, seed,
                        f"{type(self).__name__}({self.cell})")

    def _log_likelihood(self, net: Any, pairs: list, torch: Any) -> float:
        """Total natural-log likelihood of the targets (network in eval mode)."""
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]))
        total = 0.0
        with torch.no_grad():
            for start in range(0, len(order), _SCORE_BATCH):
                inputs, targets = self._pad([pairs[i] for i in order[start : start + _SCORE_BATCH]], torch)
                logp = torch.log_softmax(net(inputs)[0].double(), dim=-1)
                mask = targets != -100
                picked = logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
                total += float(picked[mask].sum())
        return total

    def _score(self, corpus: list[list[Hashable]]) -> float:
        with torch_session(0, self.n_jobs, type(self).__name__) as torch:
            total = self._log_likelihood(self.network_, self._pairs(corpus), torch)
        if len(self.shared_tokens_):
            # A token of the shared output has that output's probability times its share;
            # one outside the vocabulary is read as "<unk>".
            log_share = np.log(self.shared_tokens_)
            total += sum(float(log_share.get(t, log_share[UNK])) for seq in corpus for t in seq
                         if self.token_ids_.get(t, _UNK_ID) == _UNK_ID)
        return total

    # -- prediction and generation ---------------------------------------------
    def _end_token(self) -> Hashable:
        return END

    def _next_proba(self, logits: np.ndarray, *, generating: bool = False) -> np.ndarray:
        """The softmax, as ``score`` uses it; when ``generating`` and training had no
        unknown token, without ``<unk>`` (never generate a token the model has not seen)."""
        logits = np.asarray(logits, dtype=np.float64)  # in double, as score computes it
        logits = logits - logits.max(axis=-1, keepdims=True)
        p = np.exp(logits)
        if generating and self.unk_count_ == 0:
            p[..., _UNK_ID] = 0.0
        return p / p.sum(axis=-1, keepdims=True)

    def _predict(self, context: list[Hashable]) -> pd.Series:
        ids = np.concatenate([[_BOUNDARY], self._encode(context)])
        with torch_session(0, self.n_jobs, type(self).__name__) as torch:
            with torch.no_grad():
                logits, _ = self.network_(torch.as_tensor(ids[None, :]))
        p = self._next_proba(to_numpy(logits[0, -1]))
        labels = pd.Index(self.vocabulary_, dtype=object)
        keep = p > 0
        out = pd.Series(p[keep], index=labels[keep], name="probability")
        if len(self.shared_tokens_):
            out = pd.concat([out.drop(UNK, errors="ignore"), (p[_UNK_ID] * self.shared_tokens_).rename(out.name)])
        return out.sort_values(ascending=False, kind="stable")

    def _sample(self, n: int, rng: np.random.Generator) -> list[list[Hashable]]:
        sequences: list[list[Hashable]] = [[] for _ in range(n)]
        alive = np.ones(n, dtype=bool)
        with torch_session(0, self.n_jobs, type(self).__name__) as torch:
            tokens = torch.zeros((n, 1), dtype=torch.long)
            state = None
            with torch.no_grad():
                for _ in range(self.max_sample_length):
                    logits, state = self.network_(tokens, state)
                    p = self._next_proba(to_numpy(logits[:, -1]), generating=True)
                    # Inverse-CDF draws from one uniform per sequence: reproducible from rng.
                    u = rng.random(n)
                    draws = np.minimum((p.cumsum(axis=1) < u[:, None]).sum(axis=1), p.shape[1] - 1)
                    # A draw of the shared output is one of its tokens, drawn by share.
                    shared = (rng.choice(len(self.shared_tokens_), n, p=self.shared_tokens_.to_numpy())
                              if len(self.shared_tokens_) else None)
                    for i in np.flatnonzero(alive):
                        if draws[i] == _BOUNDARY:
                            alive[i] = False
                        elif draws[i] == _UNK_ID and shared is not None:
                            sequences[i].append(self.shared_tokens_.index[shared[i]])
                        else:
                            sequences[i].append(self.vocabulary_[draws[i]])
                    if not alive.any():
                        break
                    tokens = torch.as_tensor(draws[:, None])
        return sequences
