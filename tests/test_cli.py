"""The ``searchkit`` command line: output formats, stdout/stderr split, exit codes.

Most tests use ``click.testing.CliRunner`` (stdout and stderr are kept apart);
a few run the real program in a subprocess.  Tests that use the default demo
index point ``SEARCHKIT_CACHE`` at the session's prebuilt demo index.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from searchkit import Analyzer, Index
from searchkit.cli import main

MIXED = "ＡＳＥＡＮ拡大国防相会議でｺﾝﾋﾟｭｰﾀｰを使った"

RECORDS = [
    {"id": "n1", "title": "防衛相会談", "body": "小泉防衛相が横須賀基地で会談した。", "url": "https://example.com/n1",
     "published": "2024-05-01T09:00:00+09:00", "category": "politics", "lang": "ja"},
    {"id": "n2", "title": "Defense ministers meet", "body": "The defense ministers met in Kuala Lumpur.",
     "published": "2023-11-01"},
    {"id": "n3", "title": "東京の天気", "body": "東京は晴れ。"},
]


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, env=env)


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def indexed(tmp_path: Path) -> Path:
    src = write_jsonl(tmp_path / "news.jsonl", RECORDS)
    ix = tmp_path / "ix"
    result = run("index", str(src), "-i", str(ix))
    assert result.exit_code == 0, result.output
    return ix


# -- analyze ------------------------------------------------------------------------


def test_analyze_json_offsets_slice_the_original() -> None:
    result = run("analyze", MIXED, "--json")
    assert result.exit_code == 0
    rows = json_lines(result.stdout)
    assert [(r["term"], r["start"], r["end"], r["position"]) for r in rows] == [
        ("asean", 0, 5, 0), ("拡大", 5, 7, 1), ("国防", 7, 9, 2), ("相", 9, 10, 3), ("会議", 10, 12, 4),
        ("コンピュータ", 13, 21, 5), ("使う", 22, 24, 6),
    ]
    for r in rows:
        assert MIXED[r["start"] : r["end"]] == r["text"]
    assert rows[5]["text"] == "ｺﾝﾋﾟｭｰﾀｰ" and rows[5]["surface"] == "コンピューター"
    # romaji key of loanwords and proper nouns; null for other words
    assert [r["reading"] for r in rows] == [None, None, None, None, None, "konpyuta", None]
    assert "拡大" in result.stdout  # not \u-escaped
    assert result.stderr == ""


def test_analyze_all_shows_dropped_words() -> None:
    rows = json_lines(run("analyze", "小泉が会談した。", "--all", "--json").stdout)
    assert [(r["text"], r["term"], r["position"]) for r in rows] == [
        ("小泉", "小泉", 0), ("が", None, None), ("会談", "会談", 1), ("し", None, None), ("た", None, None),
        ("。", None, None),
    ]
    assert [r["reading"] for r in rows] == ["koizumi", None, None, None, None, None]


def test_analyze_table() -> None:
    result = run("analyze", MIXED)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["pos", "start", "end", "text", "term", "reading", "part", "of", "speech"]
    assert lines[1].split() == ["0", "0", "5", "ＡＳＥＡＮ", "asean", "en-word"]  # no reading: empty cell
    assert lines[6].split() == ["5", "13", "21", "ｺﾝﾋﾟｭｰﾀｰ", "コンピュータ", "konpyuta", "名詞-普通名詞"]
    assert len(lines) == 8


# -- index + search -------------------------------------------------------------------


def test_index_then_search_json(indexed: Path) -> None:
    result = run("search", "会談", "-i", str(indexed), "--jsonl")
    assert result.exit_code == 0, result.output
    [hit] = json_lines(result.stdout)
    assert set(hit) >= {"id", "score", "title", "url", "published", "snippet"}
    assert hit["id"] == "n1"
    assert hit["title"] == "防衛相会談"
    assert hit["url"] == "https://example.com/n1"
    assert hit["published"] == "2024-05-01T00:00:00Z"
    assert isinstance(hit["score"], float) and hit["score"] > 0
    snippet = hit["snippet"]
    assert set(snippet) == {"text", "spans"}
    assert [snippet["text"][s:e] for s, e in snippet["spans"]] == ["会談"]
    assert "防衛相会談" in result.stdout  # non-ASCII unescaped
    assert "\\u" not in result.stdout


def test_search_json_english_and_nulls(indexed: Path) -> None:
    [hit] = json_lines(run("search", "ministers", "-i", str(indexed), "--jsonl").stdout)
    assert hit["id"] == "n2" and hit["url"] is None and hit["published"] == "2023-11-01T00:00:00Z"
    [hit] = json_lines(run("search", "晴れ", "-i", str(indexed), "--jsonl").stdout)
    assert hit["id"] == "n3" and hit["published"] is None


def test_index_stdout_is_empty_progress_on_stderr(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "news.jsonl", RECORDS)
    result = run("index", str(src), "-i", str(tmp_path / "ix"))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "indexed 3 articles" in result.stderr
    assert len(Index.open(tmp_path / "ix")) == 3


def test_reimport_replaces_by_id(indexed: Path, tmp_path: Path) -> None:
    changed = write_jsonl(tmp_path / "more.jsonl", [{"id": "n3", "title": "大阪の天気", "body": "大阪は雨。"}])
    assert run("index", str(changed), "-i", str(indexed)).exit_code == 0
    ix = Index.open(indexed)
    assert len(ix) == 3
    assert [h.id for h in ix.search("大阪")] == ["n3"]
    assert [h.id for h in ix.search("東京")] == []


def test_index_gzip(tmp_path: Path) -> None:
    src = tmp_path / "news.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as fh:
        for r in RECORDS:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    ix = tmp_path / "ix"
    assert run("index", str(src), "-i", str(ix)).exit_code == 0
    assert [h["id"] for h in json_lines(run("search", "小泉", "-i", str(ix), "--jsonl").stdout)] == ["n1"]


def test_index_directory_of_txt(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.txt").write_text("小泉防衛相\n横須賀基地で会談した。\n", encoding="utf-8")
    (docs / "sub" / "b.txt").write_text("Ministers meet\nThe defense ministers met.\n", encoding="utf-8")
    (docs / "ignored.md").write_text("not a txt", encoding="utf-8")
    ix = tmp_path / "ix"
    assert run("index", str(docs), "-i", str(ix)).exit_code == 0
    [hit] = json_lines(run("search", "横須賀", "-i", str(ix), "--jsonl").stdout)
    assert hit["id"] == "a.txt" and hit["title"] == "小泉防衛相"
    [hit] = json_lines(run("search", "defense", "-i", str(ix), "--jsonl").stdout)
    assert hit["id"] == "sub/b.txt" and hit["title"] == "Ministers meet"
    assert len(Index.open(ix)) == 2


def test_index_stdin(tmp_path: Path) -> None:
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS)
    ix = tmp_path / "ix"
    result = run("index", "-", "-i", str(ix), input=data)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(Index.open(ix)) == 3


def test_zero_hits_exit_0(indexed: Path) -> None:
    result = run("search", "存在しない単語ゼロ件", "-i", str(indexed), "--jsonl")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_text_output_counts_on_stderr(indexed: Path) -> None:
    result = run("search", "会談", "-i", str(indexed), "--no-color")
    assert result.exit_code == 0
    assert "1 match" in result.stderr
    assert "match" not in result.stdout
    assert "防衛相会談" in result.stdout
    assert "\x1b" not in result.stdout


def test_color_flag_forces_colour_when_piped(indexed: Path, cache_env: dict[str, str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "searchkit", "search", "会談", "-i", str(indexed), "--color"],
                          capture_output=True, env=cache_env, timeout=120)
    assert proc.returncode == 0
    assert "\x1b[1;33m会談\x1b[0m".encode() in proc.stdout
    plain = subprocess.run([sys.executable, "-m", "searchkit", "search", "会談", "-i", str(indexed)],
                           capture_output=True, env=cache_env, timeout=120, check=False)
    assert plain.returncode == 0 and b"\x1b" not in plain.stdout  # piped: no colour by default


def test_control_characters_in_documents_never_reach_the_terminal(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "evil.jsonl", [
        {"id": "e", "title": "evil\x1b[2Jtitle 会談", "body": "本文\x1b]0;pwned\x07で会談した。", "url": "http://x/\x1b[31m"}])
    ix = tmp_path / "ix"
    assert run("index", str(src), "-i", str(ix)).exit_code == 0
    for flag in ("--color", "--no-color"):
        out = run("search", "会談", "-i", str(ix), flag).stdout
        assert "\x1b[2J" not in out and "\x1b]0" not in out and "\x07" not in out and "\x1b[31m" not in out


# -- errors and exit codes ------------------------------------------------------------------


def test_missing_index_exit_1(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = run("search", "小泉", "-i", str(missing))
    assert result.exit_code == 1
    assert str(missing) in result.stderr
    assert result.stdout == ""


def test_bad_record_exit_1_names_file_line_field(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "bad.jsonl", [RECORDS[0], {"id": "b", "title": "x", "published": "yesterday"}])
    ix = tmp_path / "ix"
    result = run("index", str(src), "-i", str(ix), "-q")
    assert result.exit_code == 1
    assert f"{src}:2" in result.stderr
    assert "'published'" in result.stderr
    assert result.stdout == ""
    # the good record read before the bad one is committed
    assert len(Index.open(ix)) == 1


def test_malformed_json_names_file_line(tmp_path: Path) -> None:
    src = tmp_path / "broken.jsonl"
    src.write_text(json.dumps(RECORDS[2]) + "\n{not json\n", encoding="utf-8")
    result = run("index", str(src), "-i", str(tmp_path / "ix"), "-q")
    assert result.exit_code == 1
    assert f"{src}:2" in result.stderr and "malformed JSON" in result.stderr


def test_bad_utf8_names_its_line_and_keeps_earlier_records(tmp_path: Path) -> None:
    lines = [json.dumps({"id": str(i), "title": f"記事{i}"}, ensure_ascii=False).encode() for i in range(300)]
    lines[200] = b'{"id": "bad", "title": "\xff"}'
    src = tmp_path / "badutf.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    ix = tmp_path / "ix"
    result = run("index", str(src), "-i", str(ix), "-q")
    assert result.exit_code == 1
    assert "not valid UTF-8" in result.stderr
    assert f"{src}:201" in result.stderr
    assert len(Index.open(ix)) == 200


def test_skip_bad(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "mixed.jsonl", [RECORDS[0], {"id": 5, "title": "x"}, RECORDS[1]])
    ix = tmp_path / "ix"
    result = run("index", str(src), "-i", str(ix), "--skip-bad", "-q")
    assert result.exit_code == 0
    assert f"skipped: {src}:2" in result.stderr and "'id'" in result.stderr
    assert len(Index.open(ix)) == 2


def test_missing_source_exit_1(tmp_path: Path) -> None:
    result = run("index", str(tmp_path / "nope.jsonl"), "-i", str(tmp_path / "ix"), "-q")
    assert result.exit_code == 1
    assert "nope.jsonl" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("search",),
        ("search", "x", "--sort", "title"),
        ("search", "x", "--limit", "many"),
        ("index", "-i", "somewhere"),
        ("index", "file.jsonl"),
        ("no-such-command",),
        ("analyze",),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Usage" in result.stderr or "Error" in result.stderr


def test_strict_query_error_exit_1(indexed: Path) -> None:
    result = run("search", "(小泉 OR", "-i", str(indexed), "--strict")
    assert result.exit_code == 1
    assert "position" in result.stderr


def test_lenient_query_notes_on_stderr(indexed: Path) -> None:
    result = run("search", "(会談 OR", "-i", str(indexed), "--jsonl")
    assert result.exit_code == 0
    assert [h["id"] for h in json_lines(result.stdout)] == ["n1"]
    assert "note:" in result.stderr


# -- info ---------------------------------------------------------------------------------


def test_info_json(indexed: Path) -> None:
    result = run("info", "-i", str(indexed), "--json")
    assert result.exit_code == 0
    info = json.loads(result.stdout)
    assert info["documents"] == 3
    assert info["path"] == str(indexed)
    assert info["aliases"] == 0
    assert info["whoosh"][0].isdigit()
    assert info["analyzer_version"] == Analyzer.version
    assert result.stderr == ""


def test_info_shows_an_index_another_analyzer_version_made(indexed: Path) -> None:
    meta_file = indexed / "searchkit.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta_file.write_text(json.dumps({**meta, "analyzer": Analyzer.version - 1}), encoding="utf-8")
    result = run("info", "-i", str(indexed), "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["documents"] == 3
    assert info["analyzer_version"] == Analyzer.version - 1
    assert info["analyzer"].startswith(f"Analyzer(version={Analyzer.version - 1},")
    assert "rebuild the index" in result.stderr and str(indexed) in result.stderr
    searched = run("search", "東京", "-i", str(indexed))
    assert searched.exit_code != 0 and "rebuild" in searched.stderr


def test_info_text(indexed: Path) -> None:
    result = run("info", "-i", str(indexed))
    assert result.exit_code == 0
    rows = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert rows["documents"] == "3" and rows["aliases"] == "0"


def test_info_missing_index_exit_1(tmp_path: Path) -> None:
    result = run("info", "-i", str(tmp_path / "nowhere"), "--json")
    assert result.exit_code == 1
    assert result.stdout == ""


# -- the default (demo) index ------------------------------------------------------------------


def test_search_default_demo_index(demo_cache: Path) -> None:
    result = run("search", "小泉", "--jsonl", "-n", "3", env={"SEARCHKIT_CACHE": str(demo_cache)})
    assert result.exit_code == 0, result.output
    hits = json_lines(result.stdout)
    assert hits[0]["id"] == "seed-2"
    assert len(hits) == 3
    assert "building" not in result.stderr  # the session's demo index is reused


def test_subprocess_default_demo_index(cache_env: dict[str, str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "searchkit", "search", "defense ministers", "--jsonl", "--lang", "en"],
        capture_output=True, env=cache_env, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    hits = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert {"seed-0", "seed-1"} <= {h["id"] for h in hits}


def test_subprocess_exit_codes_and_raw_utf8(tmp_path: Path, cache_env: dict[str, str]) -> None:
    def sk(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "searchkit", *args], capture_output=True, env=cache_env,
                              timeout=120)

    ok = sk("analyze", "小泉防衛相", "--json")
    assert ok.returncode == 0
    assert "小泉".encode() in ok.stdout  # UTF-8, not \u escapes
    assert sk("search", "x", "-i", str(tmp_path / "missing")).returncode == 1
    assert sk("search").returncode == 2


# -- explain, facets, suggestions, related, aliases (demo index) ------------------------------------


def demo(*args: str, demo_cache: Path) -> Result:
    return run(*args, env={"SEARCHKIT_CACHE": str(demo_cache)})


def test_search_explain_text(demo_cache: Path) -> None:
    result = demo("search", "Koizumi", "-n", "20", "--explain", "--no-color", demo_cache=demo_cache)
    assert result.exit_code == 0, result.output
    assert "parsed: " in result.stderr and "body:r:koizumi^0.6" in result.stderr
    assert "parsed:" not in result.stdout
    blocks = {b.split("\n")[1].split(" · ")[0].strip(): b for b in result.stdout.strip().split("\n\n")}
    assert "matched: Koizumi → 小泉 (reading)" in blocks["seed-2"]
    assert "matched: Koizumi → Koizumi (exact)" in blocks["seed-0"]


def test_search_explain_json_lists_matches(demo_cache: Path) -> None:
    result = demo("search", "Koizumi", "-n", "20", "--explain", "--jsonl", demo_cache=demo_cache)
    assert result.exit_code == 0, result.output
    hits = {h["id"]: h for h in json_lines(result.stdout)}
    seed2 = hits["seed-2"]
    from searchkit.ingest.corpus import sample_articles

    body = next(a["body"] for a in sample_articles() if a["id"] == "seed-2")
    assert seed2["matches"]
    for m in seed2["matches"]:
        assert set(m) == {"query", "word", "start", "end", "how"}
        assert body[m["start"] : m["end"]] == m["word"] == "小泉"
        assert (m["query"], m["how"]) == ("Koizumi", "reading")


def test_search_explain_shows_title_matches(tmp_path: Path) -> None:
    """`--explain` lists the title's matches beside the body's, in text and in JSON, with title offsets."""
    import gzip

    data = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "livedoor-ja.jsonl.gz"
    with gzip.open(data, "rt", encoding="utf-8") as f:
        articles = [json.loads(line) for _, line in zip(range(40), f)]
    source = tmp_path / "a.jsonl"
    source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    ix_dir = tmp_path / "ix"
    assert run("index", str(source), "-i", str(ix_dir)).exit_code == 0
    target = next(a for a in articles if a["id"] == "livedoor-4782522")  # 相次ぐ芸能人の“すっぴん”披露…
    found = run("search", "すっぴん 披露", "-i", str(ix_dir), "--explain", "--json")
    assert found.exit_code == 0, found.output
    hit = next(h for h in json.loads(found.stdout)["hits"] if h["id"] == target["id"])
    words = {m["word"] for m in hit["title_matches"]}
    assert {"すっぴん", "披露"} <= words
    for m in hit["title_matches"]:
        assert target["title"][m["start"]:m["end"]] == m["word"]
    text = run("search", "すっぴん 披露", "-i", str(ix_dir), "--explain", "--no-color")
    block = next(b for b in text.stdout.split("\n\n") if target["id"] in b)
    assert "title matched: " in block and "披露 → 披露 (exact)" in block.split("body matched:")[0]


def test_search_facets_text_and_json(demo_cache: Path) -> None:
    text = demo("search", "Japan", "--facet", "lang", "--facet", "year", "--no-color", demo_cache=demo_cache)
    assert text.exit_code == 0, text.output
    total = int(text.stderr.split(" match")[0].split()[-1])
    lines = text.stdout.splitlines()
    assert lines[0].startswith("lang: ") and lines[1].startswith("year: ") and lines[2] == ""
    langs = dict(item.rsplit(" ", 1) for item in lines[0][len("lang: "):].split(", "))
    assert set(langs) == {"en", "ja"} and sum(map(int, langs.values())) == total
    js = json_lines(demo("search", "Japan", "--facet", "lang", "--jsonl", demo_cache=demo_cache).stdout)
    assert js[-1] == {"facets": {"lang": {k: int(v) for k, v in langs.items()}}}
    assert all("facets" not in h for h in js[:-1])
    bad = demo("search", "Japan", "--facet", "url", demo_cache=demo_cache)
    assert bad.exit_code == 2


def test_search_did_you_mean_on_stderr(demo_cache: Path) -> None:
    result = demo("search", "defense minsiter", "--jsonl", demo_cache=demo_cache)
    assert result.exit_code == 0
    assert "did you mean: defense minister" in result.stderr
    assert "did you mean" not in result.stdout


def test_related_command(demo_cache: Path) -> None:
    result = demo("related", "seed-2", "--json", "-n", "5", demo_cache=demo_cache)
    assert result.exit_code == 0, result.output
    rows = json_lines(result.stdout)
    assert 0 < len(rows) <= 5
    ids = [r["id"] for r in rows]
    assert "seed-2" not in ids
    assert any(i.startswith("seed-") and r["lang"] == "en" for i, r in zip(ids, rows))
    text = demo("related", "seed-2", demo_cache=demo_cache)
    assert [line.split()[1] for line in text.stdout.splitlines()] == ids
    missing = demo("related", "no-such-id", demo_cache=demo_cache)
    assert missing.exit_code == 1
    assert "no-such-id" in missing.stderr and missing.stdout == ""


def test_index_aliases_option(tmp_path: Path) -> None:
    from searchkit.ingest.corpus import sample_articles

    src = write_jsonl(tmp_path / "seed.jsonl", [a for a in sample_articles() if a["id"].startswith("seed-")])
    table = tmp_path / "names.tsv"
    table.write_text("安圭伯\tAhn Gyu-back\n", encoding="utf-8")
    ix = tmp_path / "ix"
    assert run("index", str(src), "-i", str(ix), "--aliases", str(table), "-q").exit_code == 0
    assert json.loads(run("info", "-i", str(ix), "--json").stdout)["aliases"] == 1
    result = run("search", "安圭伯", "-i", str(ix), "--jsonl")
    assert result.exit_code == 0, result.output
    assert "note: 安圭伯 also searched as Ahn Gyu-back (alias, aliases.tsv:1)" in result.stderr
    assert {"seed-0", "seed-1", "seed-2"} <= {h["id"] for h in json_lines(result.stdout)}
    missing = run("index", str(src), "-i", str(ix), "--aliases", str(tmp_path / "none.tsv"))
    assert missing.exit_code == 2


def test_eval_command(tmp_path: Path) -> None:
    passages = write_jsonl(tmp_path / "passages.jsonl", [
        {"id": "p1", "title": "防衛相会談", "body": "小泉防衛相が会談した。"},
        {"id": "p2", "title": "Tokyo weather", "body": "It is sunny in Tokyo."},
    ])
    queries = write_jsonl(tmp_path / "queries.jsonl", [
        {"qid": "q1", "query": "会談", "relevant": ["p1"]},
        {"qid": "q2", "query": "sunny Tokyo", "relevant": ["p2"]},
        {"qid": "q3", "query": "存在しない単語", "relevant": ["p2"]},
    ])
    result = run("eval", str(passages), str(queries), "--json", "-k", "5")
    assert result.exit_code == 0, result.output
    res = json.loads(result.stdout)
    assert (res["n"], res["k"], res["errors"]) == (3, 5, 0)
    assert res["mrr"] == pytest.approx(2 / 3) and res["recall_at_k"] == pytest.approx(2 / 3)
    text = run("eval", str(passages), str(queries))
    assert text.exit_code == 0 and "MRR@10" in text.stdout and "0.6667" in text.stdout


def test_bench_command(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl", RECORDS)
    result = run("bench", str(corpus), "--runs", "1", "--queries", "5", "--json")
    assert result.exit_code == 0, result.output
    res = json.loads(result.stdout)
    assert res["articles"] == 3 and res["runs"] == 1
    assert res["index"]["wall_s"] > 0 and res["search"]["query_p50_ms"] > 0
    # Whoosh StandardAnalyzer at both pool sizes, each ratio its own run's searchkit wall over Whoosh's
    base = res["baseline"]
    for mb in (128, 256):
        assert base[f"whoosh{mb}_wall_s"] > 0
        assert base[f"x_whoosh{mb}"] == pytest.approx(res["per_run"][0]["wall_s"] / base[f"whoosh{mb}_wall_s"])
    skipped = json.loads(run("bench", str(corpus), "--runs", "1", "--queries", "5", "--no-baseline", "--json").stdout)
    assert skipped["baseline"] == {}


# -- help and docs -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["index", "search", "analyze", "info", "related", "eval", "bench"])
def test_every_command_has_help_with_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "Exit codes" in result.stdout
    assert main.commands[command].help


def test_version() -> None:
    from searchkit import __version__

    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


# -- one JSON document, usage errors, missing sources ------------------------------------


def test_search_json_is_one_document(indexed: Path) -> None:
    result = run("search", "会談", "-i", str(indexed), "--json", "--facet", "lang")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)  # one document, not a line per hit
    assert set(doc) == {"total", "page", "limit", "hits", "facets", "suggestion", "warnings", "expansions"}
    assert (doc["total"], doc["page"], doc["limit"]) == (1, 1, 10)
    [hit] = doc["hits"]
    assert hit["id"] == "n1" and hit["published"] == "2024-05-01T00:00:00Z"
    assert hit["title_snippet"] == {"text": "防衛相会談", "spans": [[3, 5]]}
    assert [hit["snippet"]["text"][s:e] for s, e in hit["snippet"]["spans"]] == ["会談"]
    assert doc["facets"] == {"lang": {"ja": 1}}
    assert doc["suggestion"] is None and doc["warnings"] == [] and doc["expansions"] == []


def test_search_json_document_carries_warnings_and_zero_hits(indexed: Path) -> None:
    doc = json.loads(run("search", "(会談 OR", "-i", str(indexed), "--json").stdout)
    assert doc["warnings"] and doc["total"] >= 1
    empty = json.loads(run("search", "存在しない単語ゼロ件", "-i", str(indexed), "--json", "--page", "2").stdout)
    assert empty["total"] == 0 and empty["hits"] == [] and empty["page"] == 2


def test_search_json_and_jsonl_together_is_a_usage_error(indexed: Path) -> None:
    result = run("search", "会談", "-i", str(indexed), "--json", "--jsonl")
    assert result.exit_code == 2 and "--json and --jsonl" in result.stderr


@pytest.mark.parametrize("args", [
    ("search", "会談", "--limit", "0"), ("search", "会談", "-n", "-3"), ("search", "会談", "--page", "0"),
    ("related", "n1", "-n", "0"), ("index", "x.jsonl", "--batch-size", "0"), ("index", "x.jsonl", "--procs", "0"),
    ("index", "x.jsonl", "--lock-timeout", "-1"), ("bench", "NEWS", "--runs", "0"),
])
def test_out_of_range_options_are_usage_errors(indexed: Path, args: tuple[str, ...]) -> None:
    news = str(indexed.parent / "news.jsonl")
    where = () if args[0] == "bench" else ("-i", str(indexed))
    result = run(*(news if a == "NEWS" else a for a in args), *where)
    assert result.exit_code == 2, result.output
    [error] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert "range" in error and ("--limit" in error or "--page" in error or "--batch-size" in error
                                 or "--procs" in error or "--lock-timeout" in error or "--runs" in error), error
    assert "Traceback" not in result.output


def test_a_missing_source_leaves_no_index_behind(tmp_path: Path) -> None:
    result = run("index", str(tmp_path / "nosuch.jsonl"), "-i", str(tmp_path / "ix"))
    assert result.exit_code == 1
    assert "nosuch.jsonl: no such file or directory" in result.stderr
    assert not (tmp_path / "ix").exists()


def test_an_import_logs_progress_lines_when_stderr_is_not_a_terminal(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit import cli

    monkeypatch.setattr(cli, "PROGRESS_EVERY", 0.0)
    records = [{"id": f"a{i}", "title": f"記事{i}", "body": "東京で会談した。"} for i in range(30)]
    src = write_jsonl(tmp_path / "news.jsonl", records)
    result = run("index", str(src), "-i", str(tmp_path / "ix"), "--batch-size", "10")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("indexing: ")]
    assert lines[-1].startswith("indexing: 30/30 articles read, ") and "/s" in lines[-1], lines
    assert "ETA" in lines[0]
    assert run("index", str(src), "-i", str(tmp_path / "ix2"), "-q").stderr.count("indexing: ") == 0


# -- upkeep: get / delete / export / optimize ------------------------------------------


def test_get_prints_one_article(indexed: Path) -> None:
    result = run("get", "n1", "-i", str(indexed), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "id": "n1", "title": "防衛相会談", "body": "小泉防衛相が横須賀基地で会談した。", "url": "https://example.com/n1",
        "published": "2024-05-01T00:00:00Z", "lang": "ja", "category": "politics"}
    plain = run("get", "n1", "-i", str(indexed))
    assert plain.exit_code == 0 and "防衛相会談" in plain.stdout
    missing = run("get", "nope", "-i", str(indexed))
    assert missing.exit_code == 1 and "no article with id 'nope'" in missing.stderr


def test_delete_removes_articles_and_names_unknown_ids(indexed: Path) -> None:
    result = run("delete", "n1", "nope", "-i", str(indexed))
    assert result.exit_code == 0, result.output
    assert "no article with id 'nope'" in result.stderr and "deleted 1 article; the index holds 2" in result.stderr
    assert "n1" not in Index.open(indexed) and len(Index.open(indexed)) == 2
    assert run("delete", "-i", str(indexed)).exit_code == 2  # ids are required


def test_export_round_trips_through_index(tmp_path: Path) -> None:
    import gzip

    with gzip.open(Path(__file__).parent.parent / "benchmarks/data/livedoor-ja.jsonl.gz", "rt", encoding="utf-8") as f:
        real = [json.loads(line) for _, line in zip(range(40), f)]
    src = write_jsonl(tmp_path / "real.jsonl", real + RECORDS)
    assert run("index", str(src), "-i", str(tmp_path / "a"), "-q").exit_code == 0
    exported = run("export", "-i", str(tmp_path / "a"))
    assert exported.exit_code == 0 and "exported 43 articles" in exported.stderr
    (tmp_path / "out.jsonl").write_text(exported.stdout, encoding="utf-8")
    assert run("index", str(tmp_path / "out.jsonl"), "-i", str(tmp_path / "b"), "-q").exit_code == 0
    a, b = Index.open(tmp_path / "a"), Index.open(tmp_path / "b")
    assert sorted(x["id"] for x in a.articles()) == sorted(x["id"] for x in b.articles())
    for article in a.articles():
        assert b.get(article["id"]) == article
    query = real[3]["title"]
    assert [(h.id, round(h.score, 9)) for h in a.search(query)] == [(h.id, round(h.score, 9)) for h in b.search(query)]


def test_optimize_merges_segments(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "news.jsonl", [{"id": f"a{i}", "body": f"東京で会談{i}。"} for i in range(30)])
    assert run("index", str(src), "-i", str(tmp_path / "ix"), "--batch-size", "10", "-q", "--no-compact").exit_code == 0
    before = Index.open(tmp_path / "ix").info()["segments"]
    result = run("optimize", "-i", str(tmp_path / "ix"))
    assert result.exit_code == 0, result.output
    assert Index.open(tmp_path / "ix").info()["segments"] == 1 < before
    assert f"merged {before} segments into 1" in result.stderr
    assert len(Index.open(tmp_path / "ix")) == 30
