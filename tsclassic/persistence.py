"""Save and load any tsclassic estimator, the same way for all of them.

A saved estimator is a pickle: it carries the library version (every estimator stamps it
in ``__getstate__``), and loading it under another version warns, naming both. Pickle runs
code when it loads, so load only files from a source you trust. For n-gram models,
:meth:`~tsclassic.language.NGramLM.to_arpa` writes the portable ARPA format instead.
"""

from __future__ import annotations

import os
import pickle
from typing import Any

__all__ = ["save", "load"]


def save(estimator: Any, path: str | os.PathLike) -> None:
    """Write an estimator, fitted or not, to ``path``.

    Parameters
    ----------
    estimator : estimator
        Any tsclassic (or scikit-learn) estimator.
    path : str or path-like
        The file to write (overwritten if it exists).

    Raises
    ------
    TypeError
        When ``estimator`` is not an estimator, or holds something pickle cannot store
        (e.g. a lambda as an ODE right-hand side: use a module-level function).

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> import tsclassic
    >>> model = tsclassic.Naive().fit(np.array([1.0, 2.0, 3.0]))
    >>> path = os.path.join(tempfile.mkdtemp(), "naive.pkl")
    >>> tsclassic.save(model, path)
    >>> tsclassic.load(path).predict(2)
    array([3., 3.])
    """
    from sklearn.base import BaseEstimator

    if not isinstance(estimator, BaseEstimator):
        raise TypeError(
            f"estimator must be a tsclassic estimator; got {type(estimator).__name__}. Use "
            f"pickle directly for other objects."
        )
    try:
        payload = pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError) as err:
        raise TypeError(
            f"{type(estimator).__name__} cannot be saved: {err}. Functions it holds (e.g. an "
            f"ODE's rhs) must be defined at module level, not as lambdas or local functions."
        ) from err
    with open(path, "wb") as fh:
        fh.write(payload)


def load(path: str | os.PathLike) -> Any:
    """Read an estimator written by :func:`save` (only from a source you trust).

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    estimator
        As it was saved; a ``UserWarning`` when it was saved by another tsclassic version.

    Raises
    ------
    TypeError
        When the file holds something other than an estimator.
    """
    from sklearn.base import BaseEstimator

    with open(path, "rb") as fh:
        estimator = pickle.load(fh)
    if not isinstance(estimator, BaseEstimator):
        raise TypeError(
            f"{os.fspath(path)!r} holds a {type(estimator).__name__}, not an estimator saved "
            f"by tsclassic.save."
        )
    return estimator
