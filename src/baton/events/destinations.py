"""Where a webhook may be sent: never to this machine or a private network (SSRF), unless the shop allows it.

A URL is checked when it is subscribed and again before every delivery (DNS may have changed meanwhile); the
delivery then connects to the very address that was checked, so a name cannot resolve to a public address for the
check and to a private one for the request."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from baton.shared.errors import InvalidInput

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
ALLOW_PRIVATE = "BATON_WEBHOOKS_ALLOW_PRIVATE=1"


class Refused(Exception):
    """The destination is not allowed, or its name cannot be resolved."""


class Unresolvable(Refused):
    """The name does not resolve (now)."""


@dataclass(frozen=True)
class Destination:
    """What to ask httpx for: the URL with the checked address in place of the name, and the name for the Host
    header and TLS (SNI and the certificate check)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, str] = field(default_factory=dict)


def resolve(host: str, port: int) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def forbidden(address: Address) -> str | None:
    """Why a webhook may not reach this address, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for reason, test in (("loopback", address.is_loopback), ("link-local", address.is_link_local),
                         ("multicast", address.is_multicast), ("unspecified", address.is_unspecified),
                         ("reserved", address.is_reserved), ("private", address.is_private)):
        if test:
            return reason
    return None


def check_subscribed(url: str, allow_private: bool, resolver: Resolver = resolve) -> None:
    """At subscription: refuse a URL whose host is, or resolves to, a forbidden address. A name that does not
    resolve now is accepted (every delivery checks again)."""
    if allow_private:
        return
    try:
        _checked_addresses(url, resolver)
    except Unresolvable:
        pass
    except Refused as refusal:
        raise InvalidInput("url", f"{refusal}; webhooks go to public addresses only ({ALLOW_PRIVATE} lifts "
                                      "this for tests and labs).", code="webhook_url_forbidden") from None


def destination(url: str, allow_private: bool, resolver: Resolver = resolve) -> Destination:
    """Before a delivery: the checked address to connect to. Raises Refused."""
    parts = urlsplit(url)
    addresses = _checked_addresses(url, resolver) if not allow_private else _resolved(parts.hostname or "",
                                                                                      _port(url), resolver)
    address = ipaddress.ip_address(addresses[0])
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    headers = {"Host": parts.netloc}
    extensions: dict[str, str] = {}
    if parts.scheme == "https":
        extensions["sni_hostname"] = parts.hostname or ""
        headers["Connection"] = "close"  # a TLS connection is never reused for another name on the same address
    return Destination(pinned, headers, extensions)


def _checked_addresses(url: str, resolver: Resolver) -> list[str]:
    host = urlsplit(url).hostname or ""
    addresses = _resolved(host, _port(url), resolver)
    for text in addresses:
        reason = forbidden(ipaddress.ip_address(text.split("%", 1)[0]))
        if reason:
            shown = host if host == text else f"{host} resolves to {text}, which"
            raise Refused(f"{shown} is a {reason} address")
    return addresses


def _resolved(host: str, port: int, resolver: Resolver) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]  # an address literal needs no resolver
    except ValueError:
        pass
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError) as failure:  # UnicodeError: a name no DNS label can encode
        raise Unresolvable(f"cannot resolve {host}: {failure}") from None
    if not addresses:
        raise Unresolvable(f"cannot resolve {host}: no address")
    return addresses


def _port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)
