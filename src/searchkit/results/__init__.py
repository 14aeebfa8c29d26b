"""What a search returns: hits, snippets, explanations and suggestions.

* :mod:`.hits` — :class:`Results`, :class:`Hit`, :class:`Match`;
* :mod:`.highlight` — passages and :class:`Snippet` (plain, ANSI, HTML);
* :mod:`.suggest` — did-you-mean.
"""
