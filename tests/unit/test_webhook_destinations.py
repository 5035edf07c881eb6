"""Webhook destinations: private addresses refused (SSRF), and the delivery pinned to the address checked."""

from __future__ import annotations

import pytest

from baton.events.destinations import Refused, check_subscribed, destination
from baton.shared.errors import InvalidInput


def resolver(*addresses: str):
    def resolve(_host: str, _port: int) -> list[str]:
        return list(addresses)
    return resolve


def unresolvable(host: str, _port: int) -> list[str]:
    raise OSError(f"Name or service not known: {host}")


def test_a_name_that_resolves_to_a_public_address_is_pinned_to_it_keeping_the_name_for_host_and_tls() -> None:
    to = destination("https://hooks.example.com:8443/in?x=1", False, resolver("93.184.216.34"))
    assert to.url == "https://93.184.216.34:8443/in?x=1"
    assert to.headers == {"Host": "hooks.example.com:8443", "Connection": "close"}
    assert to.extensions == {"sni_hostname": "hooks.example.com"}
    plain = destination("http://hooks.example.com/in", False, resolver("2606:2800:220:1::1"))
    assert plain.url == "http://[2606:2800:220:1::1]/in" and plain.extensions == {}


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.5", "172.16.1.1", "192.168.1.1", "169.254.169.254",
                                     "224.0.0.251", "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1", "0.0.0.0"])
def test_a_name_that_resolves_to_a_private_address_is_refused_at_subscription_and_delivery(address: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_subscribed("https://hooks.example.com/in", False, resolver("93.184.216.34", address))
    assert refused.value.field == "url" and address in refused.value.detail
    with pytest.raises(Refused):
        destination("https://hooks.example.com/in", False, resolver(address))


def test_allowed_private_addresses_and_unresolvable_names() -> None:
    check_subscribed("http://127.0.0.1/h", True, resolver("127.0.0.1"))  # BATON_WEBHOOKS_ALLOW_PRIVATE=1
    assert destination("http://localhost:8000/h", True, resolver("127.0.0.1")).url == "http://127.0.0.1:8000/h"
    check_subscribed("https://not-yet-in-dns.example/h", False, unresolvable)  # every delivery checks again
    with pytest.raises(Refused, match="cannot resolve"):
        destination("https://not-yet-in-dns.example/h", False, unresolvable)
