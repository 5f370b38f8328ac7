"""Deep baselines under the tsclassic contracts: recurrent forecasters (one network per
series, or one across a panel), an N-BEATS-style global forecaster, recurrent and fully
convolutional classifiers, and a recurrent language model (PyTorch on the CPU).

The optional ``deep`` extra (``pip install "tsclassic[deep]"``) provides PyTorch. This
package never imports torch at import time: the estimators import it when they fit, and
raise an error naming the extra when it is missing.
"""

from tsclassic.deep._classifier import FCNClassifier, RNNClassifier
from tsclassic.deep._forecaster import RNNForecaster
from tsclassic.deep._global import GlobalMLPForecaster, GlobalRNNForecaster
from tsclassic.deep._language import RNNLanguageModel
from tsclassic.deep._training import TrainingHistory  # noqa: F401 (for type hints)

__all__ = [
    "RNNForecaster",
    "RNNClassifier",
    "FCNClassifier",
    "RNNLanguageModel",
    "GlobalRNNForecaster",
    "GlobalMLPForecaster",
]

