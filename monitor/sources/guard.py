"""Keeps sources added from chat off the host monitor runs on and its networks: their addresses must be
public. Checked for every request (redirects included), since a public feed may redirect inward."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import ThreadedResolver
from aiohttp.abc import AbstractResolver, ResolveResult

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services answer on link-local (169.254.169.254, fd00:ec2::254) or these names.
_METADATA_NAMES = {"metadata", "metadata.google.internal", "metadata.goog", "instance-data"}


class AddressRefused(Exception):
    """A URL whose host is not public; the message says which address."""


class HostUnresolved(Exception):
    """A URL whose host name does not resolve, so nothing can be said of its address (a typo, a name
    that is gone, or DNS that is down): not a private address, and allowing those would not help."""


def is_refused(address: Address) -> bool:
    """Loopback, private, link-local, shared (CGNAT), multicast, reserved and unspecified addresses:
    anything that is not a public internet address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _LOCAL_NAT64:
            return True
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_refused(embedded)
    return not address.is_global or address.is_multicast


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: a network's own translator, to its own IPv4
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # RFC 2765 (SIIT)
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64, the old compatible form), which
    is what it reaches."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or address in _IPV4_TRANSLATED or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_of(resolved: str) -> Address:
    """An address as a lookup gives it, without the zone of a link-local IPv6 one ("fe80::1%eth0")."""
    return ipaddress.ip_address(resolved.split("%")[0])


async def check_url(url: str, refused: Callable[[Address], bool] = is_refused) -> None:
    """Raise AddressRefused if the URL's host is, or resolves to, a refused address; HostUnresolved if
    its name does not resolve."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise AddressRefused(f"{url} has no host")
    if host in _METADATA_NAMES or host == "localhost" or host.endswith(".localhost"):
        raise AddressRefused(f"{host} is a local name")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except OSError as exc:
            if isinstance(exc, socket.gaierror) and exc.errno == socket.EAI_AGAIN:
                raise HostUnresolved(f"cannot resolve {host} now (no answer from DNS): try again later") from None
            raise HostUnresolved(f"cannot resolve {host}: check the address") from None
        addresses = [address_of(str(info[4][0])) for info in infos]
    for address in addresses:
        if refused(address):
            where = host if host == str(address) else f"{host} resolves to {address}, which"
            raise AddressRefused(f"{where} is not a public address")


class PublicResolver(AbstractResolver):
    """Name lookups for the connections of sources from chat: the addresses a name resolves to when it is
    connected to are checked too, not only those `check_url` saw a moment before (a name whose answer changes in
    between, DNS rebinding, would otherwise reach inward). Raises AddressRefused when none is public."""

    def __init__(self, refused: Callable[[Address], bool] = is_refused) -> None:
        self.refused = refused
        self._lookup = ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        found = await self._lookup.resolve(host, port, family)
        public = [result for result in found if not self.refused(address_of(result["host"]))]
        if not public:
            raise AddressRefused(f"{host} resolved to {found[0]['host'] if found else 'nothing'} as it was connected "
                                 "to, which is not a public address")
        return public

    async def close(self) -> None:
        await self._lookup.close()
