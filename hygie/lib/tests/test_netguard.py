"""The outgoing-connection guard refuses every address of the platform's own network."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from hygie.lib import netguard

REFUSED = [
    "127.0.0.1",
    "127.5.6.7",
    "0.0.0.0",  # noqa: S104
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata service
    "100.64.0.1",  # carrier-grade NAT
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:169.254.169.254",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
]


@pytest.mark.parametrize("text", REFUSED)
def test_local_and_special_addresses_are_not_public(text):
    assert not netguard.is_public(ipaddress.ip_address(text))


@pytest.mark.parametrize("text", ["93.184.215.14", "2606:4700:4700::1111", "8.8.8.8"])
def test_internet_addresses_are_public(text):
    assert netguard.is_public(ipaddress.ip_address(text))


def fake_dns(monkeypatch, answers: list[str]) -> None:
    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_name_is_checked_after_resolution(monkeypatch):
    fake_dns(monkeypatch, ["127.0.0.1"])
    with pytest.raises(netguard.AddressNotAllowed):
        netguard.public_addresses("innocent.example", 993)


def test_one_private_address_among_public_ones_refuses_the_name(monkeypatch):
    fake_dns(monkeypatch, ["93.184.215.14", "10.0.0.1"])
    with pytest.raises(netguard.AddressNotAllowed):
        netguard.public_addresses("mixed.example", 993)


def test_public_names_give_their_addresses(monkeypatch):
    fake_dns(monkeypatch, ["93.184.215.14", "93.184.215.14", "2606:4700:4700::1111"])
    assert netguard.public_addresses("imap.example", 993) == [
        "93.184.215.14",
        "2606:4700:4700::1111",
    ]


def test_the_operator_can_allow_a_private_network(monkeypatch):
    fake_dns(monkeypatch, ["10.0.0.7"])
    allowed = netguard.parse_networks(["10.0.0.0/24"])
    assert netguard.public_addresses("mail.lan", 993, allowed_networks=allowed) == ["10.0.0.7"]
    with pytest.raises(netguard.AddressNotAllowed):
        netguard.public_addresses(
            "mail.lan", 993, allowed_networks=netguard.parse_networks(["10.0.1.0/24"])
        )


def test_an_unknown_name_is_reported_as_such():
    with pytest.raises(netguard.HostNotFound):
        netguard.public_addresses("imap.invalid", 993)
