"""Parse `host:port` strings like Go's net package, under the rule that traffic stays on loopback.

Deviation from Toxiproxy, on purpose: this machine only ever talks to 127.0.0.1. A wildcard
listen (`""`, `:N`, `0.0.0.0:N`, `[::]:N`) binds 127.0.0.1 only and is reported as
`127.0.0.1:N` (Toxiproxy binds all interfaces and reports `[::]:N`); `localhost` means
127.0.0.1; any other host is refused. Upstreams must be 127.0.0.1 or localhost too.

Inside a harness container (env HARNESS_IN_CONTAINER=1, set only by the docker backend) the
proxy binds every interface and dials any host name. That is safe because the container has its
own network namespace: "every interface" is its loopback plus its legs on the run's private
bridge networks, names resolve (through Docker's DNS) only to containers on those networks, and
the host sees nothing but the API port published on 127.0.0.1, so the harness itself still only
talks to 127.0.0.1. Outside a container nothing changes.
"""

from __future__ import annotations

import os

from harness.settings import IN_CONTAINER_ENV

LOOPBACK = "127.0.0.1"
ANY_HOST = "0.0.0.0"
_LISTEN_HOSTS = frozenset({"", "0.0.0.0", "::", "localhost", LOOPBACK})
_UPSTREAM_HOSTS = frozenset({"", "localhost", LOOPBACK})


class AddressError(ValueError):
    """An address that does not parse, or points off loopback."""


def in_container() -> bool:
    """Whether this netproxy runs in a harness container (the one place that reads the env)."""
    return os.environ.get(IN_CONTAINER_ENV) == "1"


def bind_host() -> str:
    """The host every listener binds: 127.0.0.1, or all interfaces of the container's namespace."""
    return ANY_HOST if in_container() else LOOPBACK


def split_host_port(addr: str) -> tuple[str, str]:
    """Split `host:port` or `[host]:port` the way Go's net.SplitHostPort does."""
    if addr.startswith("["):
        end = addr.find("]")
        if end < 0:
            raise AddressError(f"address {addr}: missing ']' in address")
        if not addr[end + 1 :].startswith(":"):
            raise AddressError(f"address {addr}: missing port in address")
        return addr[1:end], addr[end + 2 :]
    host, sep, port = addr.rpartition(":")
    if not sep:
        raise AddressError(f"address {addr}: missing port in address")
    if ":" in host:
        raise AddressError(f"address {addr}: too many colons in address")
    return host, port


def parse_port(port: str) -> int:
    """Return the port number; an empty port means 0 (any free port), as in Go."""
    if port == "":
        return 0
    if not port.isdigit():
        raise AddressError(f"address tcp/{port}: unknown port")
    number = int(port)
    if number > 65535:
        raise AddressError(f"address {port}: invalid port")
    return number


def listen_port(listen: str) -> int:
    """Return the port to bind on 127.0.0.1 for `listen` ("" = any port); AddressError if not."""
    if listen == "":
        return 0
    try:
        host, port = split_host_port(listen)
        number = parse_port(port)
    except AddressError as exc:
        raise AddressError(f"listen tcp: {exc}") from None
    if host not in _LISTEN_HOSTS:
        raise AddressError(f"{listen}: bind: netproxy binds {LOOPBACK} only")
    return number


def normalize_listen(listen: str) -> str:
    """Return `listen` resolved as it would bind (`127.0.0.1:N`), or unchanged if invalid."""
    try:
        return f"{bind_host()}:{listen_port(listen)}"
    except AddressError:
        return listen


def upstream_port(upstream: str) -> int:
    """Return the port to dial on 127.0.0.1 for `upstream`; AddressError if off loopback."""
    try:
        host, port = split_host_port(upstream)
        number = parse_port(port)
    except AddressError as exc:
        raise AddressError(f"dial tcp: {exc}") from None
    if host not in _UPSTREAM_HOSTS and not in_container():
        raise AddressError(f"dial tcp {upstream}: netproxy dials {LOOPBACK} only")
    return number


def upstream_host(upstream: str) -> str:
    """Return the host to dial for a valid `upstream`: 127.0.0.1 unless named inside a container."""
    host = split_host_port(upstream)[0]
    return LOOPBACK if host in _UPSTREAM_HOSTS or not in_container() else host
