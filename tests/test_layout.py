"""The package's layout: which modules import which, checked from the source.

Every import counts, also one inside a function (it runs when called) and
one under ``if TYPE_CHECKING:`` (a dependency of the design all the same).
``from . import rerank`` depends on the submodule, not on the package it is
in. Two things are checked:

* import cycles: there are none, anywhere in the package;
* ``whoosh`` imports: only the Whoosh store, :mod:`searchkit.stores.whoosh`,
  imports it; the rest of the package works on any store.
"""

from __future__ import annotations

import ast
from pathlib import Path

import searchkit

PACKAGE = Path(searchkit.__file__).parent

#: The one package that may import whoosh.
WHOOSH_STORE = "searchkit.stores.whoosh"


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
    assert "searchkit.query.rerank" in edges["searchkit.search"]  # from .query import rerank
    assert "searchkit.stores.whoosh" in edges["searchkit.index"]  # from .stores.whoosh import WhooshStore
    assert "whoosh" in outside["searchkit.stores.whoosh.matching"]
    assert "fugashi" in outside["searchkit.analysis.japanese"]


def test_no_import_cycles() -> None:
    found = cycles(_graph()[0])
    assert found == set(), f"import cycles: {found}"


def test_the_analysis_package_has_no_cycle_and_no_storage() -> None:
    edges, outside = _graph()
    analysis = {m: {d for d in deps if d.startswith("searchkit.analysis")}
                for m, deps in edges.items() if m.startswith("searchkit.analysis")}
    assert cycles(analysis) == set()
    for m in analysis:
        assert not {d for d in edges[m] if not d.startswith("searchkit.analysis")} - {"searchkit.errors"}, m
        assert "whoosh" not in outside[m], m


def test_whoosh_is_imported_only_by_the_whoosh_store() -> None:
    _, outside = _graph()
    importers = {m for m, pkgs in outside.items() if "whoosh" in pkgs}
    assert importers, "the Whoosh store imports whoosh: the check reads imports"
    outside_store = {m for m in importers if m != WHOOSH_STORE and not m.startswith(WHOOSH_STORE + ".")}
    assert outside_store == set(), f"whoosh imported outside {WHOOSH_STORE}: {outside_store}"


def test_the_layers_depend_one_way() -> None:
    """analysis <- query <- stores <- results <- search <- index <- cli: no module imports a later stage."""
    edges, _ = _graph()
    order = ["searchkit.analysis", "searchkit.query", "searchkit.stores", "searchkit.results"]
    def stage(m: str) -> int | None:
        return next((i for i, p in enumerate(order) if m == p or m.startswith(p + ".")), None)
    for m, deps in edges.items():
        s = stage(m)
        if s is None:
            continue
        for d in deps:
            t = stage(d)
            assert t is None or t <= s, f"{m} (stage {order[s]}) imports {d} (a later stage)"
        assert not deps & {"searchkit.search", "searchkit.index", "searchkit.cli"}, m
