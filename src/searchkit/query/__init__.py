"""From query text to a store-neutral plan.

* :mod:`.syntax` — the query language: AND / OR / NOT, "phrases",
  ``field:term``, ranges; strict or lenient parsing;
* :mod:`.planner` — analysed units, keyword vs question queries,
  cross-script names and aliases → a :mod:`.plan`;
* :mod:`.plan` — the plan nodes every store runs;
* :mod:`.rerank` — re-scoring a question's best candidates by its wording;
* :mod:`.aliases` — the name alias table.
"""

from .syntax import MAX_QUERY_CHARS, And, Node, Not, Or, Parsed, Phrase, Range, Text, parse

__all__ = ["MAX_QUERY_CHARS", "And", "Node", "Not", "Or", "Parsed", "Phrase", "Range", "Text", "parse"]
