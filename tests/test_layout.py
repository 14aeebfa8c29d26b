"""The package's layout: which modules import which, checked from the source.

Every import counts, also one inside a function (it runs when called) and
one under ``if TYPE_CHECKING:`` (a dependency of the design all the same).
``from . import rerank`` depends on the submodule, not on the package it is
in. Two things are checked:

* import cycles: the ones listed in :data:`KNOWN_CYCLES` are the ones left
  before the store interface separates search from storage; no other may
  appear, and a listed one that is gone must be struck from the list;
* ``whoosh`` imports: only the modules in :data:`WHOOSH_MODULES` may import it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import searchkit

PACKAGE = Path(searchkit.__file__).parent

#: Cycles still to be removed (each as its sorted module names).
KNOWN_CYCLES: set[tuple[str, ...]] = {
    ("searchkit.index", "searchkit.search", "searchkit.suggest"),
}
#: Modules that import whoosh (to become one package: the Whoosh store).
WHOOSH_MODULES = {
    "searchkit._damage", "searchkit._whoosh", "searchkit._writer", "searchkit.demo", "searchkit.index",
    "searchkit.matching", "searchkit.schema", "searchkit.search", "searchkit.suggest",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(name: str, path: Path, known: set[str]) -> tuple[set[str], set[str]]:
    """The searchkit modules and the outside top-level packages that module ``name`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    ours: set[str] = set()
    outside: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                (ours if alias.name.split(".")[0] == "searchkit" else outside).add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "searchkit":
                outside.add(target)
                continue
            submodules = {f"{target}.{alias.name}" for alias in node.names} & known
            ours |= submodules  # from . import rerank: the submodule
            if len(submodules) < len(node.names):
                ours.add(target)
    return {m for m in ours if m in known and m != name}, {m.split(".")[0] for m in outside}


def _graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    modules = _modules()
    known = set(modules)
    edges: dict[str, set[str]] = {}
    outside: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges[name], outside[name] = imports(name, path, known)
    return edges, outside


def cycles(edges: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: set[tuple[str, ...]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.add(tuple(sorted(comp)))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {("a", "b", "c")}
    assert cycles({"a": {"b"}, "b": set()}) == set()


def test_imports_are_read_from_the_source(tmp_path: Path) -> None:
    edges, outside = _graph()
    assert "searchkit.analysis.japanese" in edges["searchkit.analysis.analyzer"]
    assert "searchkit.rerank" in edges["searchkit.search"]  # from . import rerank as _rerank
    assert "searchkit.search" in edges["searchkit.index"]  # imported inside a method
    assert "whoosh" in outside["searchkit.matching"] and "fugashi" in outside["searchkit.analysis.japanese"]


def test_no_import_cycles_but_the_known_ones() -> None:
    found = cycles(_graph()[0])
    assert found - KNOWN_CYCLES == set(), f"new import cycles: {found - KNOWN_CYCLES}"
    assert KNOWN_CYCLES - found == set(), f"gone (strike them from KNOWN_CYCLES): {KNOWN_CYCLES - found}"


def test_the_analysis_package_has_no_cycle_and_no_storage() -> None:
    edges, outside = _graph()
    analysis = {m: {d for d in deps if d.startswith("searchkit.analysis")}
                for m, deps in edges.items() if m.startswith("searchkit.analysis")}
    assert cycles(analysis) == set()
    for m in analysis:
        assert not {d for d in edges[m] if not d.startswith("searchkit.analysis")} - {"searchkit.errors"}, m
        assert "whoosh" not in outside[m], m


def test_whoosh_is_imported_only_where_listed() -> None:
    _, outside = _graph()
    importers = {m for m, pkgs in outside.items() if "whoosh" in pkgs}
    assert importers - WHOOSH_MODULES == set(), f"new modules import whoosh: {importers - WHOOSH_MODULES}"
    assert WHOOSH_MODULES - importers == set(), f"no longer import whoosh: {WHOOSH_MODULES - importers}"
