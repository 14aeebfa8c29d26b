"""Text analysis for Japanese, English and mixed news text.

* :mod:`.normalize` folds width and compatibility forms (NFKC) before
  segmentation and keeps a map back to the original offsets;
* :mod:`.japanese` segments Japanese with MeCab (fugashi + unidic-lite) and
  picks one term per morpheme by part of speech;
* :mod:`.english` handles Latin-script words (case, stop words, stemming);
* :class:`Analyzer` puts them together; its terms carry code-point offsets into
  the original text and consecutive positions.

This package does not import Whoosh; ``searchkit._whoosh`` adapts it.
"""

from __future__ import annotations

from .analyzer import DICTIONARY, Analyzer
from .token import Token

__all__ = ["DICTIONARY", "Analyzer", "Token"]
