"""Machine learning on hand-made features: classify, regress and forecast with any
scikit-learn model on time-domain, spectral, wavelet or interval-quantile features."""

from tsclassic.ml._features import FeatureClassifier, FeatureRegressor
from tsclassic.ml._global import GlobalReductionForecaster
from tsclassic.ml._global_ensemble import GlobalEnsembleForecaster
from tsclassic.ml._quantiles import QuantileFeatures
from tsclassic.ml._reduction import ReductionForecaster

__all__ = [
    "FeatureClassifier",
    "FeatureRegressor",
    "GlobalEnsembleForecaster",
    "GlobalReductionForecaster",
    "QuantileFeatures",
    "ReductionForecaster",
]
