"""Probabilistic language models over token streams: words, characters, SAX symbols.

An n-gram model with modified Kneser-Ney smoothing (:class:`NGramLM`), the PAA and SAX
symbolisation of series (:class:`PAA`, :class:`SAX`), and their time-series uses: a
likelihood classifier (:class:`NGramClassifier`) and a symbol forecaster
(:class:`NGramForecaster`).
"""

from tsclassic.language._classifier import NGramClassifier
from tsclassic.language._forecaster import NGramForecaster
from tsclassic.language._ngram import NGramLM
from tsclassic.language._sax import PAA, SAX

__all__ = ["NGramLM", "PAA", "SAX", "NGramClassifier", "NGramForecaster"]
