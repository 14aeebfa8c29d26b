"""Reaching an OpenSearch index: its URL, credentials, TLS, and errors that never show a password.

A location is ``http[s]://[user:password@]host:port[,host:port…]/index``. Credentials
come from, in order: the ``http_auth`` keyword, the URL, then the environment
variables ``SEARCHKIT_OPENSEARCH_USER`` / ``SEARCHKIT_OPENSEARCH_PASSWORD``. A CA file
for ``https://`` comes from the ``ca_certs`` keyword or ``SEARCHKIT_OPENSEARCH_CA``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from ...errors import AuthenticationFailed, ClusterError

__all__ = ["INSTALL_HINT", "Location", "connect", "is_url", "parse_location", "translate"]

INSTALL_HINT = "pip install 'searchkit[opensearch]'"
USER_ENV = "SEARCHKIT_OPENSEARCH_USER"
PASSWORD_ENV = "SEARCHKIT_OPENSEARCH_PASSWORD"
CA_ENV = "SEARCHKIT_OPENSEARCH_CA"
#: OpenSearch's rules for an index name, as one pattern.
_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


def is_url(location: object) -> bool:
    """Whether ``location`` names an OpenSearch index rather than a directory."""
    return isinstance(location, str) and location.lower().startswith(("http://", "https://"))


@dataclass(frozen=True)
class Location:
    """An OpenSearch index: where, which, and as whom (the password is never shown)."""

    scheme: str
    hosts: tuple[tuple[str, int], ...]
    index: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        """The cluster's URL, without credentials."""
        return f"{self.scheme}://" + ",".join(f"{h}:{p}" for h, p in self.hosts)

    @property
    def url(self) -> str:
        """The index's URL, without credentials: safe to print."""
        return f"{self.base}/{self.index}"

    def __str__(self) -> str:
        return self.url


def parse_location(location: str, http_auth: tuple[str, str] | None = None) -> Location:
    """Parse an index URL; ``ValueError`` (naming the URL without its password) when it is not one."""
    parts = urlsplit(location)
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    user = password = None
    if "@" in netloc:
        auth, netloc = netloc.rsplit("@", 1)
        user, _, pw = auth.partition(":")
        user, password = unquote(user), unquote(pw) if pw else None
    shown = f"{scheme}://{netloc}{parts.path}"
    if scheme not in ("http", "https"):
        raise ValueError(f"{shown}: an OpenSearch location starts with http:// or https://")
    hosts = []
    for item in filter(None, netloc.split(",")):
        host, _, port = item.rpartition(":") if re.search(r":\d+$", item) else (item, "", "")
        if not host:
            raise ValueError(f"{shown}: no host name")
        hosts.append((host.strip("[]"), int(port) if port else 9200))
    if not hosts:
        raise ValueError(f"{shown}: no host name")
    index = parts.path.strip("/")
    if not index or "/" in index:
        raise ValueError(f"{shown}: the URL must end with one index name, as in http://127.0.0.1:9200/news")
    if not _INDEX_NAME.fullmatch(index) or len(index.encode()) > 255:
        raise ValueError(f"{shown}: {index!r} is not a valid OpenSearch index name "
                         "(lower case letters, digits, '.', '_' and '-'; not starting with '.', '_' or '-')")
    if http_auth is not None:
        user, password = http_auth
    elif user is None and os.environ.get(USER_ENV):
        user, password = os.environ[USER_ENV], os.environ.get(PASSWORD_ENV)
    return Location(scheme, tuple(hosts), index, user, password)


def connect(location: Location, *, ca_certs: str | None = None, timeout: float = 60.0, check: bool = True) -> Any:
    """An ``opensearchpy.OpenSearch`` client for ``location``; with ``check``, one that has answered.

    Raises:
        ClusterError: opensearch-py is missing, or the cluster cannot be reached.
        AuthenticationFailed: the cluster refused the credentials.
    """
    try:
        from opensearchpy import OpenSearch
    except ImportError:
        raise ClusterError(f"{location.url}: an OpenSearch location needs opensearch-py: {INSTALL_HINT}") from None
    ca_certs = ca_certs or os.environ.get(CA_ENV) or None
    if ca_certs is not None and not os.path.isfile(ca_certs):
        raise ClusterError(f"{location.url}: the CA file {ca_certs} does not exist")
    client = OpenSearch(
        hosts=[{"host": h, "port": p} for h, p in location.hosts],
        http_auth=(location.user, location.password or "") if location.user else None,
        use_ssl=location.scheme == "https",
        verify_certs=location.scheme == "https",
        ca_certs=ca_certs,
        ssl_show_warn=False,
        timeout=timeout,
        max_retries=3,
        retry_on_timeout=True,
        retry_on_status=(502, 503, 504),
    )
    if check:
        try:
            client.info()
        except Exception as exc:
            raise translate(exc, location, "connect") from None
    return client


def translate(exc: BaseException, location: Location, doing: str) -> Exception:
    """A searchkit error for an opensearch-py error, naming the URL (never the password) and the fix."""
    from opensearchpy import exceptions as ox

    where = location.url
    if isinstance(exc, ox.AuthenticationException):
        who = f"user {location.user!r}" if location.user else "no credentials"
        return AuthenticationFailed(
            f"{where}: the cluster refused {who} (HTTP 401): pass http_auth=(user, password) or set "
            f"{USER_ENV} and {PASSWORD_ENV}")
    if isinstance(exc, ox.AuthorizationException):
        return AuthenticationFailed(f"{where}: user {location.user!r} may not {doing} (HTTP 403): grant the "
                                    "user the index's permissions or use another user")
    if isinstance(exc, ox.SSLError):
        why = _reason(exc, location)
        if "certificate verify failed" in str(exc).lower():
            why = "the server's certificate is not signed by a CA this machine trusts"
        return ClusterError(f"{where}: TLS failed ({why}): pass the cluster's CA file "
                            "(ca_certs=… or "
                            f"{CA_ENV}) or use http:// if the cluster has no TLS")
    if isinstance(exc, ox.ConnectionTimeout):
        return ClusterError(f"{where}: the cluster did not answer in time while trying to {doing}: "
                            "is it overloaded or behind a firewall?")
    if isinstance(exc, ox.ConnectionError):
        return ClusterError(f"{where}: no OpenSearch cluster answers ({_reason(exc, location)}): start one "
                            "(for tests: opensearch/cluster start) or fix the host and port")
    if isinstance(exc, ox.TransportError):
        return ClusterError(f"{where}: the cluster refused to {doing}: HTTP {exc.status_code} "
                            f"{_reason(exc, location)}")
    return ClusterError(f"{where}: could not {doing}: {_reason(exc, location)}")


def _reason(exc: BaseException, location: Location) -> str:
    """The error's own words, short, with any password struck out."""
    from opensearchpy import exceptions as ox

    text = ""
    if isinstance(exc, ox.TransportError) and isinstance(exc.info, dict):
        err = exc.info.get("error")
        if isinstance(err, dict):
            text = f"{err.get('type', '')}: {err.get('reason', '')}"
        elif err:
            text = str(err)
    if not text and isinstance(exc, ox.ConnectionError) and exc.info is not None:
        text = type(exc.info).__name__
    text = text or str(exc) or type(exc).__name__
    if location.password:
        text = text.replace(location.password, "***")
    return text[:300]
