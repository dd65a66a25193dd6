"""Which addresses an ingester may reach, checked on every connection ``ctx.http`` opens.

Only ``http`` and ``https`` URLs are fetched. A host is resolved, and every address it resolves
to must be public (globally routable) unless it lies in a network the operator allowed with
``TALENTFLOW_INGEST_ALLOWED_NETWORKS``; the connection then goes to the address that was
checked, so a name cannot resolve to one address for the check and to another for the
connection. Refused: private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback (127/8, ::1),
link-local (169.254/16 — cloud metadata at 169.254.169.254 — and fe80::/10), carrier-grade NAT,
multicast, reserved and unspecified addresses, and IPv4 addresses hidden in IPv6 ones
(``::ffff:127.0.0.1``, NAT64, 6to4, Teredo). Odd spellings of an IPv4 address (``0x7f000001``,
``2130706433``, ``0177.0.0.1``, ``127.1``) are read as the address they mean. Through a proxy
from the environment (``HTTPS_PROXY``, ...), the connection goes to the proxy, which must itself
be allowed when it is not public; the target's name is then resolved and checked before the
request is sent.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore

from service.ingest.errors import FatalIngestError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})
ALLOWED_NETWORKS_VAR = "TALENTFLOW_INGEST_ALLOWED_NETWORKS"
# Names of cloud metadata services: refused whatever they resolve to.
METADATA_HOSTS = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2"}
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class BlockedRequestError(FatalIngestError):
    """A request ``ctx.http`` refused to send: not http(s), or to a non-public address."""

    code = "INGEST_BLOCKED_REQUEST"


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDRs (``10.0.0.0/8``, ``::1/128``, a bare address) as networks; ValueError naming a bad
    one."""
    out: list[IPNetwork] = []
    for raw in values:
        text = raw.strip()
        if not text:
            continue
        try:
            out.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ValueError(f"{text!r} is not a network in CIDR notation") from None
    return tuple(out)


def _embedded(ip: IPAddress) -> list[IPAddress]:
    """``ip`` and any IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo)."""
    found: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            found.append(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            found.append(ip.sixtofour)
        if ip.teredo is not None:
            found.extend(ip.teredo)
        if ip in _NAT64:
            found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def literal_address(host: str) -> IPAddress | None:
    """The address a host names literally, in any spelling a resolver accepts, or None."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        pass
    try:  # 0x7f000001, 2130706433, 0177.0.0.1, 127.1: inet_aton reads them as the C library does
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses, plus those in ``allowed``."""

    allowed: tuple[IPNetwork, ...] = ()

    def permits(self, ip: IPAddress) -> bool:
        candidates = _embedded(ip)
        for candidate in candidates:
            if any(candidate.version == net.version and candidate in net for net in self.allowed):
                return True
        return all(c.is_global and not c.is_multicast for c in candidates)

    def check_address(self, host: str, ip: IPAddress) -> None:
        if not self.permits(ip):
            shown = host if host.strip("[]") == str(ip) else f"{host} ({ip})"
            raise BlockedRequestError(
                f"refused to connect to {shown}: not a public address (private, loopback, "
                f"link-local or reserved); an operator can allow a network with "
                f"{ALLOWED_NETWORKS_VAR}",
                host=host,
            )

    def check_url(self, url: str) -> None:
        """Refuse a URL that is not http(s), has no host, or names a refused address or a
        metadata service; names are resolved (and checked) when the connection is opened."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            raise BlockedRequestError(
                f"refused to fetch a {scheme or 'relative'!s} URL: only http and https are allowed",
                scheme=scheme,
            )
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            raise BlockedRequestError("refused to fetch a URL without a host")
        if host in METADATA_HOSTS:
            raise BlockedRequestError(
                f"refused to connect to {host}: a cloud metadata service", host=host
            )
        ip = literal_address(host)
        if ip is None and (host == "localhost" or host.endswith(".localhost")):
            ip = ipaddress.IPv4Address("127.0.0.1")  # loopback by definition (RFC 6761)
        if ip is not None:
            self.check_address(host, ip)

    async def check_resolved(self, url: str) -> None:
        """Resolve the URL's host and check every address (for a request sent through a proxy,
        where the connection goes to the proxy and cannot be checked itself)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        if not host or literal_address(host) is not None:
            return  # checked by check_url
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except socket.gaierror:
            return  # the proxy may know names this machine does not
        for info in infos:
            address = str(info[4][0]).split("%", 1)[0]
            self.check_address(host, ipaddress.ip_address(address))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """A network backend that resolves a host itself, checks every address against the
    policy, and connects to a checked address (so DNS cannot change its answer in between)."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, policy: AddressPolicy) -> None:
        self.inner = inner
        self.policy = policy

    async def _resolve(self, host: str, port: int) -> list[str]:
        ip = literal_address(host)
        if ip is not None:
            return [str(ip)]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses: list[str] = []
        for info in infos:
            address = str(info[4][0])
            if address not in addresses:
                addresses.append(address)
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        for address in addresses:  # every address must pass, not just the first one tried
            self.policy.check_address(host, ipaddress.ip_address(address.split("%", 1)[0]))
        error: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedRequestError("refused to connect to a unix socket")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def guarded_transport(policy: AddressPolicy, proxy: str | None = None) -> Any:
    """An ``httpx.AsyncHTTPTransport`` (through ``proxy``, if given) whose every connection
    goes through ``GuardedBackend``."""
    import httpx

    transport = httpx.AsyncHTTPTransport(proxy=proxy)
    pool = transport._pool
    # httpx builds its httpcore pool without a way to pass a network backend; set it on the
    # pool it built (tests/reliability/test_ssrf.py fails if this stops taking effect).
    backend = getattr(pool, "_network_backend", None)
    if backend is None:
        raise RuntimeError("httpx's connection pool has no network backend to guard")
    pool._network_backend = GuardedBackend(backend, policy)
    return transport


def guarded_mounts(policy: AddressPolicy) -> tuple[dict[str, Any], list[Any]]:
    """httpx mounts for the proxies the environment names (``HTTP_PROXY``, ``HTTPS_PROXY``,
    ``ALL_PROXY``, ``NO_PROXY``), each guarded (a client given its own transport does not read
    them itself), and which of them go through a proxy."""
    from httpx._utils import get_environment_proxies

    mounts: dict[str, Any] = {}
    proxies: list[Any] = []
    for pattern, url in get_environment_proxies().items():
        mounts[pattern] = guarded_transport(policy, proxy=url)
        if url:
            proxies.append(mounts[pattern])
    return mounts, proxies
