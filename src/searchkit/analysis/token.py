"""The Token value type.

Offsets are code points into the *original* text handed to the analyzer (not
bytes, not the normalized text), so ``text[token.start:token.end]`` is the
written word and a highlighter can mark it exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Token"]


@dataclass(frozen=True, slots=True)
class Token:
    """One indexed term.

    Attributes:
        term: the normalized term that is indexed and searched.
        start: code-point offset of the word's first character in the original text.
        end: code-point offset just past its last character.
        position: 0-based index among the kept terms (consecutive, for phrases).
        surface: the word as MeCab or the English tokenizer saw it (after NFKC).
        lemma: dictionary form (UniDic lemma or written base form; the English stem).
        tag: part of speech, such as ``名詞-固有名詞`` or ``en-word``.
        reading: romaji key of a Japanese proper noun or loanword
            (小泉 → ``koizumi``), used to match names across scripts; else "".
    """

    term: str
    start: int
    end: int
    position: int
    surface: str
    lemma: str
    tag: str
    reading: str = ""
