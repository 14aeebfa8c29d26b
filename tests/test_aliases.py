"""Tests for user alias tables (searchkit.query.aliases)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searchkit.query.aliases import (
    AliasError,
    AliasMatch,
    AliasTable,
    alias_key,
    load_aliases,
    merge,
)
from searchkit.errors import SearchkitError


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


# -- TSV ---------------------------------------------------------------------------


def test_tsv_groups_are_symmetric(tmp_path: Path) -> None:
    p = write(tmp_path, "aliases.tsv",
              "# people in the seed page\n"
              "安圭伯\tAhn Gyu-back\n"
              "\n"
              "小泉進次郎\tShinjiro Koizumi\tKoizumi Shinjiro\n")
    table = AliasTable.load(p)
    assert len(table) == 2
    assert table.expand("安圭伯") == [("Ahn Gyu-back", "aliases.tsv:2")]
    assert table.expand("Ahn Gyu-back") == [("安圭伯", "aliases.tsv:2")]
    assert table.expand("Koizumi Shinjiro") == [
        ("小泉進次郎", "aliases.tsv:4"),
        ("Shinjiro Koizumi", "aliases.tsv:4"),
    ]
    assert table.expand("小泉") == []
    assert "安圭伯" in table and "ahn gyu-back" in table and "Ahn" not in table


def test_tsv_bom_crlf_and_blank_cells(tmp_path: Path) -> None:
    p = write(tmp_path, "a.tsv", "\ufeff安圭伯\t\tAhn Gyu-back\t\r\n  \r\n")
    assert AliasTable.load(p).expand("安圭伯") == [("Ahn Gyu-back", "a.tsv:1")]


@pytest.mark.parametrize(
    "query",
    ["ahn gyu-back", "AHN GYU-BACK", "Ａｈｎ Ｇｙｕ－ｂａｃｋ", "  Ahn   Gyu-back ", "Ahn\tGyu‐back", "Ahn Gyu–back"],
)
def test_lookup_is_case_width_space_and_dash_insensitive(query: str) -> None:
    table = AliasTable.from_groups([["安圭伯", "Ahn Gyu-back"]])
    assert table.expand(query) == [("安圭伯", "<memory>:1")]


def test_half_width_katakana_alias() -> None:
    table = AliasTable.from_groups([["ｱﾝ･ｷﾞｭﾍﾞｸ", "安圭伯"]])
    assert table.expand("アン・ギュベク") == [("安圭伯", "<memory>:1")]


def test_old_kanji_forms_find_the_alias() -> None:
    table = AliasTable.from_groups([["渡辺恒雄", "Tsuneo Watanabe"]])
    assert table.expand("渡邉恒雄") == table.expand("渡邊恒雄") == [("Tsuneo Watanabe", "<memory>:1")]


def test_a_name_in_two_groups_finds_both() -> None:
    table = AliasTable.from_groups([["菅", "Kan", "菅直人"], ["菅", "Suga", "菅義偉"]], source="t")
    assert table.expand("菅") == [("Kan", "t:1"), ("菅直人", "t:1"), ("Suga", "t:2"), ("菅義偉", "t:2")]
    assert table.expand("suga") == [("菅", "t:2"), ("菅義偉", "t:2")]


def test_duplicates_within_a_group_are_dropped() -> None:
    table = AliasTable.from_groups([["Tokyo", "TOKYO", "東京", "Ｔｏｋｙｏ"]])
    assert table.expand("東京") == [("Tokyo", "<memory>:1")]
    assert table.expand("tokyo") == [("東京", "<memory>:1")]


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("安圭伯\tAhn Gyu-back\n小泉進次郎\n", 2, "at least two tab-separated names"),
        ("安圭伯  Ahn Gyu-back\n", 1, "separate names with tabs"),
        ("安圭伯,Ahn Gyu-back\n", 1, "separate names with tabs"),
        ("# comment\n\nTokyo\tTOKYO\n", 3, "at least two different names"),
        ("a\tb\n\tx\t\n", 2, "at least two tab-separated names"),
    ],
)
def test_tsv_errors_name_file_and_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    p = write(tmp_path, "bad.tsv", text)
    with pytest.raises(AliasError) as info:
        AliasTable.load(p)
    message = str(info.value)
    assert message.startswith(f"{p}:{line}: ")
    assert fragment in message


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    p = write(tmp_path, "sjis.tsv", "Tokyo\t東京\n".encode() + "安圭伯\tAhn\n".encode("shift_jis"))
    with pytest.raises(AliasError, match=r"sjis\.tsv:2: not UTF-8"):
        AliasTable.load(p)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AliasError, match=r"nope\.tsv: cannot read the alias file"):
        AliasTable.load(tmp_path / "nope.tsv")


def test_alias_error_is_a_searchkit_error_and_a_value_error(tmp_path: Path) -> None:
    p = write(tmp_path, "bad.tsv", "one\n")
    with pytest.raises(SearchkitError):
        AliasTable.load(p)
    with pytest.raises(ValueError):
        AliasTable.load(p)


# -- JSON --------------------------------------------------------------------------


def test_json_groups(tmp_path: Path) -> None:
    data = {"安圭伯": ["Ahn Gyu-back", "Ahn Gyu Back"], "菅義偉": "Yoshihide Suga"}
    p = write(tmp_path, "aliases.json", json.dumps(data, ensure_ascii=False, indent=2))
    table = AliasTable.load(p)
    assert table.expand("ahn gyu back") == [("安圭伯", "aliases.json:2"), ("Ahn Gyu-back", "aliases.json:2")]
    assert table.expand("Yoshihide Suga") == [("菅義偉", "aliases.json:6")]


def test_json_escaped_keys_get_their_line(tmp_path: Path) -> None:
    p = write(tmp_path, "a.json", '{\n"\\u5b89\\u572d\\u4f2f": ["Ahn Gyu-back"],\n"Tokyo": ["東京"]\n}')
    table = AliasTable.load(p)
    assert table.expand("安圭伯") == [("Ahn Gyu-back", "a.json:2")]
    assert table.expand("東京") == [("Tokyo", "a.json:3")]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('{"安圭伯": ["Ahn Gyu-back"],\n "x": [1, 2]}', ":2: 'x': the aliases must be a string or a list of strings"),
        ('{"安圭伯": {"en": "Ahn"}}', ":1: '安圭伯': the aliases must be"),
        ('{"安圭伯": []}', ":1: '安圭伯': an alias group needs at least two different names"),
        ('{"Tokyo": "TOKYO"}', ":1: 'Tokyo': an alias group needs at least two different names"),
        ('["安圭伯", "Ahn"]', ":1: the JSON must be an object"),
        ('{"安圭伯": ["Ahn"],\n\n "x": ["y",]}', ":3: invalid JSON"),
    ],
)
def test_json_errors_name_file_and_line(tmp_path: Path, text: str, fragment: str) -> None:
    p = write(tmp_path, "bad.json", text)
    with pytest.raises(AliasError) as info:
        AliasTable.load(p)
    message = str(info.value)
    assert message.startswith(str(p))
    assert fragment in message


# -- finding aliases in text -------------------------------------------------------


def test_find_in_text() -> None:
    table = AliasTable.from_groups([["安圭伯", "Ahn Gyu-back"], ["Kan", "菅直人"]])
    text = "South Korean minister AHN  Gyu‐back met 菅直人 (Kan) in Kansas; 安圭伯国防相"
    got = table.find(text)
    assert [(m.surface, m.alternatives) for m in got] == [
        ("AHN  Gyu‐back", [("安圭伯", "<memory>:1")]),
        ("菅直人", [("Kan", "<memory>:2")]),
        ("Kan", [("菅直人", "<memory>:2")]),
        ("安圭伯", [("Ahn Gyu-back", "<memory>:1")]),
    ]
    for m in got:
        assert isinstance(m, AliasMatch)
        assert text[m.start : m.end] == m.surface


def test_find_prefers_the_longest_name_and_maps_width_changes() -> None:
    table = AliasTable.from_groups([["小泉", "Koizumi"], ["小泉進次郎", "Shinjiro Koizumi"]])
    text = "㍻の小泉進次郎とＳＨＩＮＪＩＲＯ　ＫＯＩＺＵＭＩ"
    got = table.find(text)
    assert [(m.surface, m.alternatives[0][0]) for m in got] == [
        ("小泉進次郎", "Shinjiro Koizumi"),
        ("ＳＨＩＮＪＩＲＯ　ＫＯＩＺＵＭＩ", "小泉進次郎"),
    ]
    for m in got:
        assert text[m.start : m.end] == m.surface


def test_empty_table() -> None:
    table = load_aliases(None)
    assert len(table) == 0
    assert table.expand("anything") == []
    assert table.find("anything") == []


def test_merge_keeps_provenance(tmp_path: Path) -> None:
    a = AliasTable.from_groups([["安圭伯", "Ahn Gyu-back"]], source="a.tsv")
    b = AliasTable.load(write(tmp_path, "b.json", '{"安圭伯": "An Gyu-baek"}'))
    merged = merge([a, b])
    assert merged.expand("安圭伯") == [("Ahn Gyu-back", "a.tsv:1"), ("An Gyu-baek", "b.json:1")]
    assert list(merged) == [(("安圭伯", "Ahn Gyu-back"), "a.tsv:1"), (("安圭伯", "An Gyu-baek"), "b.json:1")]


def test_alias_key() -> None:
    assert alias_key("  Ａｈｎ   GYU–back ") == "ahn gyu-back"
    assert alias_key("Straße") == "strasse"
    assert alias_key("ｺｲｽﾞﾐ") == "コイズミ"


def test_add_group_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="must be strings"):
        AliasTable.from_groups([["安圭伯", 3]])  # type: ignore[list-item]
