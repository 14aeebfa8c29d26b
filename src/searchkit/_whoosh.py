"""The path indexes pickle searchkit's Whoosh classes under (they live in
:mod:`searchkit.stores.whoosh.formats`); kept so every index opens."""

from .stores.whoosh.formats import (
    LeadFrequency,
    PackedCharacters,
    PackedValues,
    SearchkitTokenizer,
    TermCharacters,
    Text,
)

__all__ = ["LeadFrequency", "PackedCharacters", "PackedValues", "SearchkitTokenizer", "TermCharacters", "Text"]
