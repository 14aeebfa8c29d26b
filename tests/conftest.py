"""Shared fixtures.

* ``analyzer``: one :class:`searchkit.Analyzer` for the whole session
  (hypothesis rejects function-scoped fixtures).
* ``corpus_articles`` / ``articles_by_id``: the bundled demo corpus
  (``searchkit.ingest.corpus.sample_articles()``: seed page + livedoor/BBC samples).
* ``demo_cache`` / ``corpus_index``: that corpus indexed once per session in a
  temporary ``SEARCHKIT_CACHE``, at the place the demo index lives, so CLI tests
  that use the default index find it instead of building it again.  Tests
  must treat it as read-only.
* ``new_index``: a fresh, empty on-disk index per test (write tests).
* ``opensearch_url``: the base URL of a running OpenSearch cluster, from
  ``SEARCHKIT_TEST_OPENSEARCH`` (``opensearch/cluster start`` prints one).  Missing or
  unreachable, the test fails under ``CI=true`` and is skipped otherwise.
  Tests marked ``disruptive`` (they kill and restart nodes) run after all others.
* ``opensearch_tls``: the same cluster behind HTTPS and basic auth
  (``opensearch/tls-proxy start`` prints the URL): ``SEARCHKIT_TEST_OPENSEARCH_TLS`` is that
  URL and ``SEARCHKIT_TEST_OPENSEARCH_TLS_DIR`` the folder with its ``ca.pem`` and
  ``credentials``. Missing, the test fails under ``CI=true`` and is skipped otherwise.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from searchkit import Analyzer, Index
from searchkit.ingest.corpus import sample_articles


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="session")
def corpus_articles() -> list[dict[str, Any]]:
    return list(sample_articles())


@pytest.fixture(scope="session")
def articles_by_id(corpus_articles: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {a["id"]: a for a in corpus_articles}


@pytest.fixture(scope="session")
def demo_cache(tmp_path_factory: pytest.TempPathFactory, corpus_articles: list[dict[str, Any]]) -> Path:
    """A SEARCHKIT_CACHE directory whose demo index holds the whole demo corpus."""
    from searchkit import demo

    cache = tmp_path_factory.mktemp("searchkit-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEARCHKIT_CACHE", str(cache))
        path = demo.demo_path()
    assert path.parent == cache
    ix = Index.create(path)
    assert ix.add(corpus_articles) == len({a["id"] for a in corpus_articles})
    ix.close()
    return cache


@pytest.fixture(scope="session")
def corpus_index(demo_cache: Path) -> Iterator[Index]:
    from searchkit import demo

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SEARCHKIT_CACHE", str(demo_cache))
        path = demo.demo_path()
    ix = Index.open(path)
    yield ix
    ix.close()


@pytest.fixture
def new_index(tmp_path: Path) -> Iterator[Index]:
    ix = Index.create(tmp_path / "ix")
    yield ix
    ix.close()


@pytest.fixture
def cache_env(demo_cache: Path) -> dict[str, str]:
    """Environment for subprocesses that use the default (demo) index."""
    env = dict(os.environ)
    env["SEARCHKIT_CACHE"] = str(demo_cache)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


TLS_HINT = ("start one with `opensearch/tls-proxy start --upstream <cluster URL>` and export "
            "SEARCHKIT_TEST_OPENSEARCH_TLS=<the URL it prints> SEARCHKIT_TEST_OPENSEARCH_TLS_DIR=<its --dir>")
START_HINT = "start one with `opensearch/cluster start` and export SEARCHKIT_TEST_OPENSEARCH=<the URL it prints>"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "disruptive: kills or restarts cluster nodes; runs after every other test")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("disruptive") is not None)


@pytest.fixture(scope="session")
def opensearch_url() -> str:
    """The test cluster's base URL (no trailing slash)."""
    url = os.environ.get("SEARCHKIT_TEST_OPENSEARCH", "").strip().rstrip("/")
    problem = None
    if not url:
        problem = "SEARCHKIT_TEST_OPENSEARCH is not set"
    else:
        try:
            with urllib.request.urlopen(f"{url}/_cluster/health", timeout=10) as response:
                response.read()
        except (urllib.error.URLError, OSError) as e:
            problem = f"no OpenSearch answers at {url} ({e})"
    if problem:
        _unavailable(f"{problem}: {START_HINT}")
    return url


def _unavailable(message: str) -> None:
    """A server a test needs is not there: a failure under ``CI=true``, a skip otherwise."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def opensearch_tls(opensearch_url: str) -> dict[str, Any]:
    """The test cluster behind TLS and basic auth: ``url``, ``ca`` (a file), ``user``, ``password``."""
    url = os.environ.get("SEARCHKIT_TEST_OPENSEARCH_TLS", "").strip().rstrip("/")
    folder = Path(os.environ.get("SEARCHKIT_TEST_OPENSEARCH_TLS_DIR", "").strip() or "/nonexistent")
    problem = None
    if not url:
        problem = "SEARCHKIT_TEST_OPENSEARCH_TLS is not set"
    elif not (folder / "ca.pem").is_file() or not (folder / "credentials").is_file():
        problem = f"no ca.pem and credentials in SEARCHKIT_TEST_OPENSEARCH_TLS_DIR ({folder})"
    if problem:
        _unavailable(f"{problem}: {TLS_HINT}")
    user, _, password = (folder / "credentials").read_text().strip().partition(":")
    return {"url": url, "ca": str(folder / "ca.pem"), "user": user, "password": password}
