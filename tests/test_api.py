"""Public API guard: ``searchkit.__all__`` and the documented contract.

Contract: ``Index.create``, ``Index.open``, ``ix.add``, ``ix.delete``,
``ix.search``, ``res.total``, ``hit.id``, ``hit.score``, ``hit.fields``,
``hit.snippet.text`` / ``.spans`` / ``.html()`` / ``.ansi()``, ``str(snippet)``.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

import searchkit
from searchkit import errors

CONTRACT_NAMES = ["Index", "Results", "Hit", "Snippet", "Analyzer", "Token", "__version__"]


def test_all_is_sorted_and_unique() -> None:
    assert list(searchkit.__all__) == sorted(searchkit.__all__)
    assert len(set(searchkit.__all__)) == len(searchkit.__all__)


@pytest.mark.parametrize("name", searchkit.__all__)
def test_every_name_in_all_is_importable(name: str) -> None:
    assert hasattr(searchkit, name)
    exec(f"from searchkit import {name}", {})


def test_all_is_complete() -> None:
    public = {
        name for name, value in vars(searchkit).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert public <= set(searchkit.__all__)


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_contract_names_exported(name: str) -> None:
    assert name in searchkit.__all__


def test_every_error_is_exported_and_derives_from_searchkit_error() -> None:
    for name in errors.__all__:
        cls = getattr(searchkit, name)
        assert issubclass(cls, searchkit.SearchkitError)
        assert name in searchkit.__all__
    assert issubclass(searchkit.QuerySyntaxError, searchkit.QueryError)
    assert issubclass(searchkit.DictionaryNotFound, searchkit.AnalysisError)


def test_version_is_a_string() -> None:
    assert isinstance(searchkit.__version__, str) and searchkit.__version__[0].isdigit()


def test_submodules_import_without_side_effects() -> None:
    for mod in ("searchkit.analysis", "searchkit.query", "searchkit.results.highlight", "searchkit.search",
                "searchkit.index", "searchkit.ingest.importer", "searchkit.cli", "searchkit.ingest.corpus", "searchkit.documents",
                "searchkit.query.aliases", "searchkit.results.suggest", "searchkit.evaluate", "searchkit.bench",
                "searchkit.analysis.readings", "searchkit.analysis.romaji"):
        importlib.import_module(mod)


def test_analysis_package_does_not_import_whoosh() -> None:
    import searchkit.analysis as analysis

    source = "".join(Path(f).read_text(encoding="utf-8") for f in Path(analysis.__file__).parent.glob("*.py"))
    assert "import whoosh" not in source and "from whoosh" not in source


def test_contract_end_to_end(tmp_path: Path) -> None:
    Index = searchkit.Index
    ix = Index.create(tmp_path / "news")
    assert ix.add([{"id": "n1", "title": "防衛相会談", "body": "小泉防衛相が会談した。"},
                   {"id": "n2", "title": "Tokyo weather", "body": "It is sunny in Tokyo."}]) == 2
    ix = Index.open(tmp_path / "news")
    res = ix.search("会談")
    assert isinstance(res, searchkit.Results)
    assert res.total == 1
    hit = res[0]
    assert isinstance(hit, searchkit.Hit)
    assert hit.id == "n1"
    assert isinstance(hit.score, float) and hit.score > 0
    assert hit.fields["title"] == "防衛相会談"
    snippet = hit.snippet
    assert isinstance(snippet, searchkit.Snippet)
    assert snippet.text == "小泉防衛相が会談した。"
    assert snippet.spans == ((6, 8),)
    assert str(snippet) == snippet.text
    assert snippet.html() == "小泉防衛相が<mark>会談</mark>した。"
    assert "会談" in snippet.ansi() and "\x1b[" in snippet.ansi()
    [m] = hit.matches
    assert (m.query, m.word, m.start, m.end, m.how) == ("会談", "会談", 6, 8, "exact")
    assert res.facets["lang"] == {"ja": 1} and res.expansions == [] and res.suggestion is None
    assert ix.delete(["n1"]) == 1
    assert ix.search("会談").total == 0
    assert len(ix) == 1


def test_doc_example_in_package_docstring(tmp_path: Path) -> None:
    ix = searchkit.Index.create(tmp_path / "news")
    assert ix.add([{"id": "n1", "title": "防衛相会談", "body": "小泉防衛相が会談した。"}]) == 1
    assert [h.id for h in ix.search("会談")] == ["n1"]


def test_analyzer_doc_example() -> None:
    tokens = searchkit.Analyzer().tokens("小泉防衛相が会談した")
    assert [t.term for t in tokens] == ["小泉", "防衛", "相", "会談"]
    assert [t.reading for t in tokens] == ["koizumi", "", "", ""]


def test_snippet_and_token_are_immutable_values() -> None:
    s = searchkit.Snippet("abc", ((0, 1),))
    with pytest.raises(AttributeError):
        s.text = "x"  # type: ignore[misc]
    assert s == searchkit.Snippet("abc", ((0, 1),))
    t = searchkit.Token("a", 0, 1, 0, "a", "a", "en-word")
    assert t.reading == "" and t == searchkit.Token("a", 0, 1, 0, "a", "a", "en-word", "")
    with pytest.raises(AttributeError):
        t.term = "b"  # type: ignore[misc]
