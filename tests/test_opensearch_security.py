"""The OpenSearch store over HTTPS with basic auth: the CA file, credentials, and no password ever shown.

The test cluster sits behind ``opensearch/tls-proxy`` (nginx with a CA made for the run).
"""

from __future__ import annotations

import gzip
import itertools
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from searchkit import Index
from searchkit.errors import AuthenticationFailed, ClusterError

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"


@pytest.fixture(scope="module")
def articles() -> list[dict[str, Any]]:
    """Twenty Japanese and twenty English articles from the vendored corpora."""
    out: list[dict[str, Any]] = []
    for name in ("livedoor-ja.jsonl.gz", "bbc-en.jsonl.gz"):
        with gzip.open(DATA / name, "rt", encoding="utf-8") as f:
            out += [json.loads(line) for line in itertools.islice(f, 0, 200, 10)]
    return out


@pytest.fixture(scope="module")
def secured(opensearch_tls: dict[str, Any], articles: list[dict[str, Any]]) -> Iterator[str]:
    """A searchkit index reached through TLS with the right credentials and CA: its URL."""
    url = f"{opensearch_tls['url']}/sk-tls-{uuid.uuid4().hex[:8]}"
    auth = (opensearch_tls["user"], opensearch_tls["password"])
    ix = Index.create(url, http_auth=auth, ca_certs=opensearch_tls["ca"])
    ix.add(articles)
    ix.close()
    yield url
    Index.open(url, http_auth=auth, ca_certs=opensearch_tls["ca"])._store.drop()  # type: ignore[attr-defined]


def test_tls_with_credentials_and_ca_file(secured: str, opensearch_tls: dict[str, Any],
                                          articles: list[dict[str, Any]]) -> None:
    ix = Index.open(secured, http_auth=(opensearch_tls["user"], opensearch_tls["password"]),
                    ca_certs=opensearch_tls["ca"])
    assert len(ix) == len(articles)
    ja = articles[3]
    hits = ix.search(ja["title"], limit=3)
    assert hits[0].id == ja["id"]
    assert hits[0].snippet.spans  # highlights come back through the proxy too


def test_credentials_and_ca_from_the_environment(secured: str, opensearch_tls: dict[str, Any],
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 articles: list[dict[str, Any]]) -> None:
    monkeypatch.setenv("SEARCHKIT_OPENSEARCH_USER", opensearch_tls["user"])
    monkeypatch.setenv("SEARCHKIT_OPENSEARCH_PASSWORD", opensearch_tls["password"])
    monkeypatch.setenv("SEARCHKIT_OPENSEARCH_CA", opensearch_tls["ca"])
    assert len(Index.open(secured)) == len(articles)


def test_wrong_password_is_refused_clearly_and_changes_nothing(secured: str, opensearch_tls: dict[str, Any],
                                                               articles: list[dict[str, Any]]) -> None:
    wrong = "not-the-password-" + uuid.uuid4().hex[:6]
    for attempt in (lambda: Index.open(secured, http_auth=(opensearch_tls["user"], wrong),
                                       ca_certs=opensearch_tls["ca"]),
                    lambda: Index.create(secured, overwrite=True, http_auth=(opensearch_tls["user"], wrong),
                                         ca_certs=opensearch_tls["ca"])):
        with pytest.raises(AuthenticationFailed) as caught:
            attempt()
        text = str(caught.value)
        assert secured in text and "HTTP 401" in text and "SEARCHKIT_OPENSEARCH_PASSWORD" in text
        assert wrong not in text and opensearch_tls["password"] not in text
    with pytest.raises(AuthenticationFailed):
        Index.open(secured, ca_certs=opensearch_tls["ca"])  # no credentials at all
    ix = Index.open(secured, http_auth=(opensearch_tls["user"], opensearch_tls["password"]),
                    ca_certs=opensearch_tls["ca"])
    assert len(ix) == len(articles)  # the refused overwrite deleted nothing


def test_a_certificate_the_machine_does_not_trust(secured: str, opensearch_tls: dict[str, Any],
                                                  tmp_path: Path) -> None:
    auth = (opensearch_tls["user"], opensearch_tls["password"])
    with pytest.raises(ClusterError) as caught:
        Index.open(secured, http_auth=auth)
    text = str(caught.value)
    assert secured in text and "not signed by a CA" in text and "SEARCHKIT_OPENSEARCH_CA" in text
    assert opensearch_tls["password"] not in text
    missing = tmp_path / "no-such-ca.pem"
    with pytest.raises(ClusterError, match="no-such-ca.pem does not exist"):
        Index.open(secured, http_auth=auth, ca_certs=str(missing))


def test_no_password_in_logs_reprs_or_info(secured: str, opensearch_tls: dict[str, Any],
                                           caplog: pytest.LogCaptureFixture) -> None:
    password = opensearch_tls["password"]
    user = opensearch_tls["user"]
    with_password = secured.replace("https://", f"https://{user}:{password}@")
    with caplog.at_level(logging.DEBUG):
        ix = Index.open(with_password, ca_certs=opensearch_tls["ca"])
        res = ix.search("東京", limit=5)
        shown = [repr(ix), str(ix.info()), repr(res), *(repr(h) for h in res)]
        with pytest.raises(AuthenticationFailed):
            Index.open(with_password.replace(password, "wrong"), ca_certs=opensearch_tls["ca"])
    assert caplog.records  # opensearch-py and urllib3 did log their requests
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "127.0.0.1" in logged
    assert password not in logged and all(password not in s for s in shown)


def test_cli_through_tls(secured: str, opensearch_tls: dict[str, Any], articles: list[dict[str, Any]],
                         tmp_path: Path) -> None:
    from click.testing import CliRunner

    from searchkit.cli import main

    env = {"SEARCHKIT_OPENSEARCH_USER": opensearch_tls["user"],
           "SEARCHKIT_OPENSEARCH_PASSWORD": opensearch_tls["password"],
           "SEARCHKIT_OPENSEARCH_CA": opensearch_tls["ca"]}
    runner = CliRunner()
    found = runner.invoke(main, ["search", articles[25]["title"], "-i", secured, "--json"], env=env)
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)["hits"][0]["id"] == articles[25]["id"]
    bad = runner.invoke(main, ["info", "-i", secured], env=dict(env, SEARCHKIT_OPENSEARCH_PASSWORD="nope-123"))
    assert bad.exit_code == 1 and "HTTP 401" in bad.output and secured in bad.output
    assert "nope-123" not in bad.output and opensearch_tls["password"] not in bad.output
