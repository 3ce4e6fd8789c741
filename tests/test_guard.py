"""Sources added from chat may only reach public addresses."""

from __future__ import annotations

import ipaddress

import pytest

from monitor.sources.guard import is_refused


@pytest.mark.parametrize(("address", "refused"), [
    ("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.1", True), ("172.16.5.4", True), ("169.254.169.254", True),
    ("100.64.0.1", True), ("0.0.0.0", True), ("::1", True), ("fe80::1", True), ("fd00:ec2::254", True),
    ("::ffff:127.0.0.1", True), ("224.0.0.1", True), ("93.184.216.34", False), ("2606:2800:220:1::1", False),
])
def test_only_public_addresses_are_allowed_for_chat_sources(address, refused):
    assert is_refused(ipaddress.ip_address(address)) is refused
