"""tsclassic: classical time-series analysis, from pandas, benchmarked against deep models.

Every public estimator and function is reachable from this namespace, imported lazily
on first use so that ``import tsclassic`` stays fast and pulls in neither statsmodels nor
torch. :func:`all_estimators` lists every registered estimator.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import pkgutil
from functools import lru_cache
from typing import Any

__version__ = "0.1.0"

# Modules of the core, searched first, then every approach subpackage found on disk, so a
# new subpackage is registered by exporting its names in its own ``__all__``.
_CORE_MODULES = (
    "tsclassic.baselines",
    "tsclassic.metrics",
    "tsclassic.model_selection",
    "tsclassic.parallel",
    "tsclassic.compose",
    "tsclassic.datasets",
    "tsclassic.plotting",
    "tsclassic.persistence",
    "tsclassic.base",
    "tsclassic.preprocessing",
)
_NOT_ESTIMATOR_PACKAGES = {"bench", "testing", "cli"}


def _approach_packages() -> list[str]:
    return sorted(
        f"tsclassic.{m.name}"
        for m in pkgutil.iter_modules(__path__)
        if m.ispkg and m.name not in _NOT_ESTIMATOR_PACKAGES
    )


def _public_modules() -> list[str]:
    return [*_CORE_MODULES, *_approach_packages()]


def __getattr__(name: str) -> Any:
    if name.startswith("_"):
        raise AttributeError(name)
    # A submodule by its name (tsclassic.metrics.smape), as after ``import tsclassic.metrics``.
    if f"tsclassic.{name}" in _public_modules() or name in _NOT_ESTIMATOR_PACKAGES:
        return importlib.import_module(f"tsclassic.{name}")
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        if name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module 'tsclassic' has no attribute {name!r}")


@lru_cache(maxsize=1)
def _public_names() -> frozenset[str]:
    """Every name in the public modules' ``__all__``, read from their source files without
    importing them (so that tab completion does not import statsmodels or torch); a
    module whose ``__all__`` is computed (e.g. by its own lazy loader) is imported."""
    names: set[str] = set()
    for module_name in _public_modules():
        spec = importlib.util.find_spec(module_name)
        if spec is None or spec.origin is None:
            continue
        with open(spec.origin, encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
            ):
                try:
                    names.update(ast.literal_eval(node.value))
                except ValueError:
                    names.update(importlib.import_module(module_name).__all__)
    return frozenset(names)


def __dir__() -> list[str]:
    # What a user can reach: the public names, the public modules (tsclassic.metrics, ...)
    # and this module's own; not the helpers imported here (ast, inspect, Any, ...).
    own = {name for name, value in globals().items()
           if name.startswith("__")
           or (not name.startswith("_") and getattr(value, "__module__", None) == __name__)}
    modules = {name.rpartition(".")[2] for name in _public_modules()}
    return sorted(own | modules | set(_NOT_ESTIMATOR_PACKAGES) | _public_names())


def all_estimators(kind: str | None = None) -> list[tuple[str, type]]:
    """List every public estimator of tsclassic.

    Parameters
    ----------
    kind : {"forecaster", "global", "trajectory", "classifier", "regressor", "transformer", \
"sequence"}, optional
        Keep only one family.

    Returns
    -------
    list of (name, class)
        Sorted by name.

    Examples
    --------
    >>> import tsclassic
    >>> names = [name for name, _ in tsclassic.all_estimators("forecaster")]
    >>> "Naive" in names
    True
    """
    from sklearn.base import BaseEstimator

    found: dict[str, type] = {}
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        for public in getattr(module, "__all__", ()):
            obj = getattr(module, public)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj)
                and not public.startswith("Base")
            ):
                found[public] = obj

    return sorted(
        (name, cls) for name, cls in found.items() if kind is None or estimator_family(cls) == kind
    )


def estimator_family(cls: type) -> str:
    """The family of an estimator class: forecaster, global (one model across a panel of
    series), trajectory (equations fitted to one multivariate trajectory: the ODE models
    and SINDy), sequence, classifier, regressor or transformer."""
    from sklearn.base import ClassifierMixin, RegressorMixin

    from tsclassic.base import (
        BaseForecaster,
        BaseGlobalForecaster,
        BaseSequenceModel,
        BaseTrajectoryModel,
    )

    if issubclass(cls, BaseForecaster):
        return "forecaster"
    if issubclass(cls, BaseGlobalForecaster):
        return "global"
    if issubclass(cls, BaseTrajectoryModel):
        return "trajectory"
    if issubclass(cls, BaseSequenceModel):
        return "sequence"
    if issubclass(cls, ClassifierMixin):
        return "classifier"
    if issubclass(cls, RegressorMixin):
        return "regressor"
    return "transformer"
