"""The local OpenSearch launcher (opensearch/cluster) against the cluster it started."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLUSTER = ROOT / "opensearch" / "cluster"


def call(method: str, url: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def cluster(*args: str, data: Path | None = None, timeout: float = 330) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if data is not None:
        env["SEARCHKIT_CLUSTER_DATA"] = str(data)
    return subprocess.run([sys.executable, str(CLUSTER), *args], capture_output=True, text=True, timeout=timeout,
                          env=env)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


@pytest.fixture(scope="module")
def state(opensearch_url: str) -> dict[str, Any]:
    """The launcher's record of the cluster at opensearch_url."""
    data = Path(os.environ.get("SEARCHKIT_CLUSTER_DATA", ROOT / "opensearch" / ".build" / "cluster"))
    path = data / "cluster.json"
    found = json.loads(path.read_text()) if path.exists() else None
    running = bool(found) and all(_alive(pid) for pid in found.get("pids", [0]))
    if not found or not running or f"http://127.0.0.1:{found['http_port']}" != opensearch_url:
        message = f"{opensearch_url} was not started by opensearch/cluster with --data {data}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture
def index(opensearch_url: str) -> Iterator[str]:
    name = f"sk-test-launcher-{uuid.uuid4().hex[:8]}"
    yield f"{opensearch_url}/{name}"
    try:
        call("DELETE", f"{opensearch_url}/{name}")
    except urllib.error.HTTPError:
        pass


def test_health_and_node_count(opensearch_url: str, state: dict[str, Any]) -> None:
    want = "yellow" if state["nodes"] == 1 else "green"
    health = call("GET", f"{opensearch_url}/_cluster/health?wait_for_status={want}&timeout=60s")
    assert health["number_of_nodes"] == state["nodes"]
    assert not health["timed_out"], health
    nodes = call("GET", f"{opensearch_url}/_nodes/http,plugins")["nodes"]
    assert len(nodes) == state["nodes"]
    ports = sorted(int(n["http"]["publish_address"].rsplit(":", 1)[1]) for n in nodes.values())
    assert ports == [state["http_port"] + k for k in range(state["nodes"])]
    for node in nodes.values():
        assert node["version"].startswith("2.19.")
        assert node["http"]["publish_address"].startswith("127.0.0.1:")
        assert {p["classname"] for p in node["plugins"]} >= {
            "org.opensearch.transport.Netty4Plugin", "org.opensearch.painless.PainlessPlugin"}


def test_status_lists_every_node(state: dict[str, Any]) -> None:
    result = cluster("status", data=Path(state["data"]))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert sum(" running " in line and "answering" in line for line in lines) == state["nodes"]
    assert any(line.startswith("health=") for line in lines)


def test_scripted_bm25_with_global_statistics(index: str, state: dict[str, Any]) -> None:
    """Painless is loaded: a scripted similarity scores with cluster-wide statistics under DFS."""
    shards = max(2, state["nodes"])
    call("PUT", index, {
        "settings": {
            "number_of_shards": shards, "number_of_replicas": 0,
            "similarity": {"sk": {
                "type": "scripted",
                "weight_script": {"source": "return query.boost * (Math.log((double) field.docCount"
                                            " / (term.docFreq + 1.0)) + 1.0);"},
                "script": {"source": "double tf = doc.freq; return weight * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75"
                                     " * doc.length / (field.sumTotalTermFreq / (double) field.docCount)));"},
            }},
        },
        "mappings": {"properties": {"body": {"type": "text", "analyzer": "whitespace", "similarity": "sk"}}},
    })
    docs = {str(i): f"alpha beta {'gamma ' * (i % 3)}doc{i}" for i in range(12)}
    lines = "".join(json.dumps({"index": {"_id": i}}) + "\n" + json.dumps({"body": b}) + "\n"
                    for i, b in docs.items())
    request = urllib.request.Request(f"{index}/_bulk?refresh=true", data=lines.encode(), method="POST",
                                     headers={"Content-Type": "application/x-ndjson"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert not json.loads(response.read())["errors"]
    found = call("POST", f"{index}/_search?search_type=dfs_query_then_fetch",
                 {"query": {"match": {"body": "gamma"}}, "size": 20})["hits"]["hits"]
    n = len(docs)
    lengths = {i: len(b.split()) for i, b in docs.items()}
    avg = sum(lengths.values()) / n
    with_gamma = [i for i, b in docs.items() if "gamma" in b]
    idf = math.log(n / (len(with_gamma) + 1)) + 1
    expected = {i: idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * lengths[i] / avg))
                for i in with_gamma for tf in [docs[i].split().count("gamma")]}
    assert {h["_id"] for h in found} == set(expected)
    for hit in found:  # doc.length is Lucene's one-byte norm: exact for short fields
        assert hit["_score"] == pytest.approx(expected[hit["_id"]], rel=1e-5)


def test_start_refuses_a_second_cluster_on_the_same_data(state: dict[str, Any]) -> None:
    result = cluster("start", "--nodes", str(state["nodes"]), data=Path(state["data"]), timeout=60)
    if result.returncode == 0:  # it should not have started: leave no second cluster behind
        cluster("stop", data=Path(state["data"]))
    assert result.returncode != 0
    assert "already running" in result.stderr
    assert result.stdout == ""


def test_logs_and_bad_node_number(state: dict[str, Any]) -> None:
    logs = cluster("logs", "1", "-n", "5", data=Path(state["data"]))
    assert logs.returncode == 0 and "node1" in logs.stdout
    bad = cluster("kill", str(state["nodes"] + 1), data=Path(state["data"]))
    assert bad.returncode != 0 and f"no node {state['nodes'] + 1}" in bad.stderr


def wait_nodes(url: str, count: int, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    health: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            health = call("GET", f"{url}/_cluster/health?timeout=5s")
        except (urllib.error.URLError, OSError):
            health = {}
        if health.get("number_of_nodes") == count:
            return health
        time.sleep(0.5)
    raise AssertionError(f"cluster at {url} did not reach {count} nodes: {health}")


@pytest.mark.disruptive
def test_kill_and_restart_a_node(opensearch_url: str, state: dict[str, Any], index: str) -> None:
    """SIGKILL the last node: with a replica every document stays searchable; restart brings it back green."""
    if state["nodes"] < 2:
        pytest.skip("needs two nodes or more")
    call("PUT", index, {"settings": {"number_of_shards": state["nodes"], "number_of_replicas": 1}})
    for i in range(30):
        call("PUT", f"{index}/_doc/{i}", {"n": i})
    call("POST", f"{index}/_refresh")
    call("GET", f"{opensearch_url}/_cluster/health/{index.rsplit('/', 1)[1]}?wait_for_status=green&timeout=60s")
    k = state["nodes"]
    data = Path(state["data"])
    killed = cluster("kill", str(k), data=data)
    assert killed.returncode == 0, killed.stderr
    health = wait_nodes(opensearch_url, state["nodes"] - 1)
    assert health["status"] in ("yellow", "green")
    down = cluster("status", data=data)
    assert down.returncode == 1 and f"node{k} " in down.stdout and " down " in down.stdout
    assert call("GET", f"{index}/_count")["count"] == 30
    t0 = time.monotonic()
    restarted = cluster("restart", str(k), data=data)
    assert restarted.returncode == 0, restarted.stderr
    assert restarted.stdout.splitlines()[-1] == opensearch_url
    assert time.monotonic() - t0 < 300
    health = call("GET", f"{opensearch_url}/_cluster/health?wait_for_status=green&timeout=120s")
    assert health["status"] == "green" and health["number_of_nodes"] == state["nodes"]
    assert cluster("status", data=data).returncode == 0


@pytest.mark.disruptive
def test_one_node_cluster_starts_yellow_and_stops(tmp_path: Path, opensearch_url: str,
                                                  state: dict[str, Any]) -> None:
    """A second, one-node cluster on its own port and data: URL last, within 5 minutes; stop ends it."""
    port = next(p for p in range(state["http_port"] + 50, state["http_port"] + 90)
                if not _in_use(p) and not _in_use(p + 100))
    data = tmp_path / "one"
    t0 = time.monotonic()
    started = cluster("start", "--nodes", "1", "--http-port", str(port), data=data)
    try:
        assert started.returncode == 0, started.stderr
        assert time.monotonic() - t0 < 300
        url = started.stdout.splitlines()[-1]
        assert url == f"http://127.0.0.1:{port}"
        health = call("GET", f"{url}/_cluster/health")
        assert health["number_of_nodes"] == 1 and health["status"] in ("yellow", "green")
    finally:
        stopped = cluster("stop", data=data)
    assert stopped.returncode == 0
    with pytest.raises((urllib.error.URLError, OSError)):
        call("GET", f"http://127.0.0.1:{port}/_cluster/health")
    assert cluster("status", data=data).returncode == 1


def _in_use(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_start_names_a_port_another_program_holds(tmp_path: Path) -> None:
    """A port taken by something that is not OpenSearch: one clear line, no traceback, nothing started."""
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        started = cluster("start", "--nodes", "1", "--http-port", str(port), data=tmp_path / "taken")
    assert started.returncode == 1
    assert f"port {port} (node1's HTTP port) is in use" in started.stderr and "Traceback" not in started.stderr
    assert not (tmp_path / "taken" / "cluster.json").exists()
