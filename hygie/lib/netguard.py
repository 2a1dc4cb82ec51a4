"""Outgoing connections to addresses a tenant chose: never into the platform's own network.

An organisation administrator types a host name (report mailbox, later webhooks); the
server then connects to it. Without a guard that is a port scanner and a way into
services that listen only on loopback or the private network (SSRF). The name is
resolved here and every address it resolves to must be public; the caller then connects
to one of the returned addresses (not to the name again), so a DNS answer that changes
between the check and the connection cannot slip a private address in.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64).
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


class HostNotFound(Exception):
    """The name does not resolve."""


class AddressNotAllowed(Exception):
    """The name resolves to a loopback, private, link-local, multicast or reserved address."""


def parse_networks(values: Iterable[str]) -> list[IPNetwork]:
    """Networks from their written form ("10.0.0.0/8", "192.0.2.7"); ValueError if one is not."""
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip()]


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """True for an address of the public internet, False for anything local or special."""
    embedded = _embedded_ipv4(address)
    if embedded is not None and not is_public(embedded):
        return False
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def public_addresses(
    host: str, port: int, *, allowed_networks: Iterable[IPNetwork] = ()
) -> list[str]:
    """The addresses `host` resolves to, refused unless every one is public.

    `allowed_networks` are exceptions the platform operator configured (a self-hosted
    mail server on the private network). One non-public address among several refuses
    the whole name: otherwise an attacker's DNS could alternate between the two.
    """
    allowed = list(allowed_networks)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise HostNotFound(host) from None
    found: list[str] = []
    for info in infos:
        text = str(info[4][0])
        if text not in found:
            found.append(text)
    if not found:
        raise HostNotFound(host)
    for text in found:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if any(address in network for network in allowed):
            continue
        if not is_public(address):
            raise AddressNotAllowed(host)
    return found
