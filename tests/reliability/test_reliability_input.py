"""Bad JSONL input through ``searchkit index`` and :func:`searchkit.ingest.importer.import_articles`.

Every bad record is reported with the file, the line and (when there is one)
the field; the CLI exits 1 without a traceback. By default the import stops at
the first bad record after committing the good records before it;
``--skip-bad`` / ``on_error="skip"`` skips bad records, keeps going and lists
them in a summary.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from reliability_support import good, no_traceback

from searchkit import Index
from searchkit.errors import DocumentError
from searchkit.ingest.importer import import_articles

# name -> (bad line, field named in the error or None, words the error must contain)
BAD_RECORDS: dict[str, tuple[Any, str | None, str]] = {
    "malformed_json": ('{"id": "x", "title": ', None, "malformed JSON"),
    "not_an_object": ("[1, 2, 3]", None, "JSON object"),
    "string_not_object": ('"just a string"', None, "JSON object"),
    "missing_id": ({"title": "no id", "body": "本文"}, "id", "missing"),
    "null_id": ({"id": None, "title": "null id"}, "id", "missing"),
    "id_not_string": ({"id": 5, "title": "numeric id"}, "id", "must be a string"),
    "id_empty": ({"id": "  ", "title": "blank id"}, "id", "empty"),
    "empty_title_and_body": ({"id": "e", "title": "", "body": "   "}, "title/body", "neither a title nor a body"),
    "title_not_string": ({"id": "t", "title": ["a"], "body": "b"}, "title", "must be a string"),
    "published_not_date": ({"id": "p", "title": "t", "published": "yesterday"}, "published", "must be a date"),
    "published_number": ({"id": "p", "title": "t", "published": 1714521600}, "published", "must be a date"),
    "tags_not_list": ({"id": "tg", "title": "t", "tags": "a,b"}, "tags", "list of strings"),
    "tags_not_strings": ({"id": "tg", "title": "t", "tags": ["a", 1]}, "tags", "list of strings"),
}

#: ``--skip-bad`` loses the rest of the file after these (see the xfail reason).
SKIP_LOSES_REST: dict[str, str] = {}


def _skip_params() -> list[Any]:
    out = []
    for name in BAD_RECORDS:
        marks = []
        if name in SKIP_LOSES_REST:
            marks.append(pytest.mark.xfail(strict=True, raises=AssertionError, reason=SKIP_LOSES_REST[name]))
        out.append(pytest.param(name, marks=marks, id=name))
    return out


def _three_lines(jsonl: Any, name: str) -> Path:
    bad = BAD_RECORDS[name][0]
    return jsonl(f"{name}.jsonl", good(1), bad, good(3))


def _ids(ix: Index, *ids: str) -> list[str]:
    return [i for i in ids if i in ix]


# -- stop (default) ------------------------------------------------------------


@pytest.mark.parametrize("name", list(BAD_RECORDS))
def test_cli_stops_at_bad_record_naming_source_line_field(name: str, jsonl: Any, cli: Any, tmp_path: Path) -> None:
    path = _three_lines(jsonl, name)
    _, field, words = BAD_RECORDS[name]
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 1
    no_traceback(res)
    assert f"{path}:2" in res.stderr
    assert words in res.stderr
    if field is not None:
        assert f"field {field!r}" in res.stderr
    ix = Index.open(tmp_path / "ix")
    assert _ids(ix, "g1", "g3") == ["g1"]  # the good record before the bad one is committed
    assert len(ix) == 1


@pytest.mark.parametrize("name", list(BAD_RECORDS))
def test_api_stop_raises_document_error_with_location(name: str, jsonl: Any, tmp_path: Path) -> None:
    path = _three_lines(jsonl, name)
    _, field, words = BAD_RECORDS[name]
    ix = Index.create(tmp_path / "ix")
    with pytest.raises(DocumentError) as info:
        import_articles(ix, [path])
    err = info.value
    assert (err.source, err.line, err.field) == (str(path), 2, field)
    assert words in str(err)
    ix.refresh()
    assert _ids(ix, "g1", "g3") == ["g1"]


def test_stop_commits_whole_batches_and_the_partial_batch_before_the_bad_record(
        jsonl: Any, cli: Any, tmp_path: Path) -> None:
    path = jsonl("batches.jsonl", *[good(i) for i in range(1, 6)], {"id": 6}, good(7))
    res = cli("index", path, "-i", tmp_path / "ix", "--batch-size", "2", "-q")
    assert res.exit_code == 1
    assert f"{path}:6" in res.stderr
    ix = Index.open(tmp_path / "ix")
    assert len(ix) == 5
    assert _ids(ix, *[f"g{i}" for i in range(1, 8)]) == [f"g{i}" for i in range(1, 6)]


def test_real_process_bad_record_exit_1_and_no_traceback(jsonl: Any, run_searchkit: Any, tmp_path: Path) -> None:
    path = jsonl("bad.jsonl", good(1), {"id": 5, "title": "x"})
    proc = run_searchkit("index", path, "-i", tmp_path / "ix", "-q")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{path}:2" in proc.stderr and "field 'id'" in proc.stderr
    assert proc.stdout == ""


# -- skip ----------------------------------------------------------------------


@pytest.mark.parametrize("name", _skip_params())
def test_cli_skip_bad_skips_and_summarizes(name: str, jsonl: Any, cli: Any, tmp_path: Path) -> None:
    path = _three_lines(jsonl, name)
    res = cli("index", path, "-i", tmp_path / "ix", "--skip-bad", "-q")
    assert res.exit_code == 0
    no_traceback(res)
    assert f"skipped: {path}:2" in res.stderr
    assert "1 skipped" in res.stderr
    ix = Index.open(tmp_path / "ix")
    assert _ids(ix, "g1", "g3") == ["g1", "g3"]
    assert len(ix) == 2


@pytest.mark.parametrize("name", _skip_params())
def test_api_skip_reports_each_bad_record(name: str, jsonl: Any, tmp_path: Path) -> None:
    path = _three_lines(jsonl, name)
    ix = Index.create(tmp_path / "ix")
    report = import_articles(ix, [path], on_error="skip")
    assert len(report.skipped) == 1 and report.skipped[0].startswith(f"{path}:2")
    assert report.added == 2
    ix.refresh()
    assert len(ix) == 2


# -- repairs and warnings ---------------------------------------------------------


def test_unknown_fields_are_ignored_with_a_warning(jsonl: Any, cli: Any, tmp_path: Path) -> None:
    path = jsonl("unknown.jsonl", good(1, color="red", extra={"nested": 1}), good(2, color="blue"))
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 0
    no_traceback(res)
    assert "unknown field 'color' ignored in 2 article(s)" in res.stderr
    assert "unknown field 'extra' ignored in 1 article(s)" in res.stderr
    ix = Index.open(tmp_path / "ix")
    assert len(ix) == 2
    stored = ix.get("g1")
    assert stored is not None and "color" not in stored and "extra" not in stored


@pytest.mark.parametrize("batch_size", [1, 100])
def test_duplicate_ids_in_one_file_last_wins_with_warning(batch_size: int, jsonl: Any, cli: Any,
                                                          tmp_path: Path) -> None:
    path = jsonl("dup.jsonl", good("d", title="first"), good(1), good("d", title="second"))
    res = cli("index", path, "-i", tmp_path / "ix", "--batch-size", batch_size, "-q")
    assert res.exit_code == 0
    assert f"{path}:3: id 'gd' repeats {path}:1; the later article wins" in res.stderr
    ix = Index.open(tmp_path / "ix")
    assert len(ix) == 2
    assert ix.get("gd")["title"] == "second"
    assert [h.fields["title"] for h in ix.search("id:gd")] == ["second"]


def test_trailing_line_without_newline_is_read(jsonl: Any, cli: Any, tmp_path: Path) -> None:
    path = jsonl("nonl.jsonl", good(1), good(2), end="\n")
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    assert not path.read_bytes().endswith(b"\n")
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 0
    assert len(Index.open(tmp_path / "ix")) == 2


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf\n"], ids=["empty", "blank_lines", "bom_only"])
def test_empty_file_imports_nothing(content: bytes, cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 0
    no_traceback(res)
    assert "indexed 0 articles" in res.stderr
    assert len(Index.open(tmp_path / "ix")) == 0


def test_bom_and_crlf_are_accepted(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "windows.jsonl"
    lines = [json.dumps(good(i), ensure_ascii=False) for i in range(1, 4)]
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 0, res.stderr
    ix = Index.open(tmp_path / "ix")
    assert len(ix) == 3 and "g1" in ix
    assert not ix.get("g3")["body"].endswith("\r")


def test_missing_source_file_is_a_clear_error(cli: Any, tmp_path: Path) -> None:
    res = cli("index", tmp_path / "nope.jsonl", "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 1
    no_traceback(res)
    assert "nope.jsonl" in res.stderr and "no such file" in res.stderr


# -- encodings and compression ------------------------------------------------------


def _latin1_file(tmp_path: Path) -> Path:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(good(1)).encode() + b"\n" + b'{"id": "bad", "title": "caf\xe9"}\n'
                     + json.dumps(good(3)).encode() + b"\n")
    return path


def test_non_utf8_bytes_are_a_clear_error(cli: Any, tmp_path: Path) -> None:
    path = _latin1_file(tmp_path)
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 1
    no_traceback(res)
    assert str(path) in res.stderr and "not valid UTF-8" in res.stderr


def test_non_utf8_error_names_the_bad_line_and_keeps_lines_before_it(cli: Any, tmp_path: Path) -> None:
    path = _latin1_file(tmp_path)
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 1
    assert f"{path}:2" in res.stderr
    assert _ids(Index.open(tmp_path / "ix"), "g1", "g3") == ["g1"]


def test_skip_bad_skips_only_the_non_utf8_line(cli: Any, tmp_path: Path) -> None:
    path = _latin1_file(tmp_path)
    res = cli("index", path, "-i", tmp_path / "ix", "--skip-bad", "-q")
    assert res.exit_code == 0
    assert _ids(Index.open(tmp_path / "ix"), "g1", "g3") == ["g1", "g3"]


def _truncated_gzip(tmp_path: Path, n: int = 400) -> tuple[Path, int]:
    """A gzip JSONL cut in the middle; returns it and the number of complete lines it still holds."""
    import zlib

    body = "".join(json.dumps(good(i, body="東京で会談した。" * 40), ensure_ascii=False) + "\n" for i in range(n))
    data = gzip.compress(body.encode("utf-8"))
    cut = data[: len(data) // 2]
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(cut)
    complete = zlib.decompressobj(31).decompress(cut).count(b"\n")
    assert 0 < complete < n
    return path, complete


def test_truncated_gzip_stops_with_location_and_keeps_complete_lines(cli: Any, tmp_path: Path) -> None:
    path, complete = _truncated_gzip(tmp_path)
    res = cli("index", path, "-i", tmp_path / "ix", "--batch-size", "50", "-q")
    assert res.exit_code == 1
    no_traceback(res)
    assert f"{path}:{complete + 1}" in res.stderr and "truncated" in res.stderr
    assert len(Index.open(tmp_path / "ix")) == complete


def test_truncated_gzip_with_skip_bad_keeps_complete_lines(cli: Any, tmp_path: Path) -> None:
    path, complete = _truncated_gzip(tmp_path)
    res = cli("index", path, "-i", tmp_path / "ix", "--skip-bad", "-q")
    assert res.exit_code == 0
    assert "1 skipped" in res.stderr and "truncated" in res.stderr
    assert len(Index.open(tmp_path / "ix")) == complete


@pytest.mark.parametrize("content", [b"plain text, not gzip\n", b"\x1f\x8b\x08"], ids=["not_gzip", "header_only"])
def test_corrupt_gzip_is_a_clear_error(content: bytes, cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(content)
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 1
    no_traceback(res)
    assert str(path) in res.stderr and "gzip" in res.stderr


def test_gzip_source_is_read(jsonl: Any, cli: Any, tmp_path: Path) -> None:
    path = jsonl("ok.jsonl.gz", good(1), good(2))
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 0
    assert len(Index.open(tmp_path / "ix")) == 2


# -- JSON the json module itself rejects oddly ------------------------------------------


def test_raw_control_character_inside_a_json_string_is_a_clear_error(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "ctrl.jsonl"
    path.write_bytes(json.dumps(good(1)).encode() + b'\n{"id": "c", "title": "tab\x01here"}\n')
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 1
    no_traceback(res)
    assert f"{path}:2" in res.stderr and "malformed JSON" in res.stderr


def test_deeply_nested_json_is_a_document_error(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text('{"id": "deep", "title": "t", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 1
    no_traceback(res)
    assert f"{path}:1" in res.stderr


def test_huge_integer_is_a_document_error(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "bignum.jsonl"
    path.write_text('{"id": "n", "title": "t", "n": 1' + "0" * 5000 + "}\n", encoding="utf-8")
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 1
    no_traceback(res)
    assert f"{path}:1" in res.stderr


@pytest.mark.parametrize("published", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_published_out_of_range_is_a_document_error(published: str, jsonl: Any, cli: Any, tmp_path: Path) -> None:
    path = jsonl("far.jsonl", good(1), good(2, published=published))
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    assert res.exit_code == 1
    no_traceback(res)
    assert f"{path}:2" in res.stderr and "field 'published'" in res.stderr


@pytest.mark.parametrize("field", ["id", "category", "tags", "lang"])
def test_surrogate_in_an_exact_field_is_repaired_or_reported(field: str, cli: Any, tmp_path: Path) -> None:
    """A JSON \\ud800 escape in id/category/tags/lang: replaced by U+FFFD, or a DocumentError naming the field."""
    rec = {"id": "s", "title": "t", field: ["a\ud800"] if field == "tags" else "a\ud800"}
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(good(1)) + "\n" + json.dumps(rec) + "\n", encoding="utf-8")  # \ud800 escapes
    res = cli("index", path, "-i", tmp_path / "ix", "-q")
    no_traceback(res)
    ix = Index.open(tmp_path / "ix")
    if res.exit_code == 1:
        assert f"{path}:2" in res.stderr and f"field {field!r}" in res.stderr
        assert len(ix) == 1
        return
    assert res.exit_code == 0
    assert len(ix) == 2
    doc_id = "a\ufffd" if field == "id" else "s"
    stored = ix.get(doc_id)
    assert stored is not None and json.dumps(stored, default=str, ensure_ascii=False).encode("utf-8")
    if field in ("category", "lang"):
        assert stored[field] == "a\ufffd"
    res = cli("search", "t", "-i", tmp_path / "ix", "--jsonl")
    assert res.exit_code == 0
    no_traceback(res)
