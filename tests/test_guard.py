"""Sources added from chat may only reach public addresses."""

from __future__ import annotations

import ipaddress

import pytest

from monitor.sources.guard import is_refused


@pytest.mark.parametrize(("address", "refused"), [
    ("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.1", True), ("172.16.5.4", True), ("169.254.169.254", True),
    ("100.64.0.1", True), ("0.0.0.0", True), ("::1", True), ("fe80::1", True), ("fd00:ec2::254", True),
    ("::ffff:127.0.0.1", True), ("224.0.0.1", True), ("::7f00:1", True), ("2002:7f00:1::", True),
    ("64:ff9b::a9fe:a9fe", True), ("64:ff9b:1::7f00:1", True), ("::ffff:0:7f00:1", True),
    ("2002:5db8:d822::1", False), ("93.184.216.34", False), ("2606:2800:220:1::1", False),
])
def test_only_public_addresses_are_allowed_for_chat_sources(address, refused):
    assert is_refused(ipaddress.ip_address(address)) is refused


async def test_names_are_resolved_and_local_names_refused():
    import socket

    from monitor.sources.guard import AddressRefused, check_url

    for url in ("http://localhost:8080/feed", "http://metadata.google.internal/", f"http://{socket.gethostname()}/x",
                "http://[::1]/feed", "http://10.0.0.5/rss"):
        with pytest.raises(AddressRefused):
            await check_url(url)


async def test_a_source_added_from_chat_is_refused_at_poll_time_too(tmp_path, feed_server):
    """Added while private addresses were allowed, or changed its DNS since: each poll checks again."""
    from datetime import UTC, datetime

    from monitor.models import SourceSpec
    from monitor.poller import Poller, make_parse_executor
    from monitor.sources.fetch import Fetcher
    from monitor.storage.store import Store
    from tests.conftest import make_settings
    from tests.fakes.feed_builder import entry, rss2

    feed_server.set("/feed.xml", rss2([entry(1)]))
    settings = make_settings(tmp_path, [])
    store = await Store.open(tmp_path / "m.db")
    fetcher = Fetcher(timeout_s=5, max_bytes=100_000, user_agent="t", concurrency=2)
    executor = make_parse_executor(1)
    try:
        now = datetime.now(UTC)
        chat = await store.sources.add(SourceSpec("feed", feed_server.url("/feed.xml"), "chat"), now, origin="chat")
        cli = await store.sources.add(SourceSpec("feed", feed_server.url("/feed.xml?cli"), "cli"), now)
        async def take(source, items):  # no clustering here: what is stored is the point
            return None

        poller = Poller(store, fetcher, settings.polling, executor, take)
        refused, trusted = await poller.refresh(chat), await poller.refresh(cli)
        assert refused.error and "127.0.0.1 is not a public address" in refused.error and not refused.new
        assert trusted.error is None and len(trusted.new) == 1
        allowing = Poller(store, fetcher, settings.polling, executor, take, allow_private_sources=True)
        assert len((await allowing.refresh(chat)).new) == 1
    finally:
        executor.shutdown()
        await fetcher.aclose()
        await store.close()


async def test_a_host_that_does_not_resolve_is_told_apart_from_a_private_one():
    """Names ending in .invalid never resolve (RFC 6761)."""
    from monitor.sources.fetch import Fetcher, FetchError
    from monitor.sources.guard import AddressRefused, HostUnresolved, check_url

    with pytest.raises(HostUnresolved, match="cannot resolve news.invalid: check the address"):
        await check_url("https://news.invalid/rss.xml")
    with pytest.raises(AddressRefused):
        await check_url("http://127.0.0.1/rss.xml")
    fetcher = Fetcher(timeout_s=5, max_bytes=1000, user_agent="t", concurrency=1)
    try:  # at poll time too: the error names the cause, not telegram.allow_private_sources
        with pytest.raises(FetchError, match="cannot resolve news.invalid") as error:
            await fetcher.fetch("https://news.invalid/rss.xml", public_only=True)
        assert "allow_private_sources" not in str(error.value)
    finally:
        await fetcher.aclose()


async def test_a_name_whose_answer_turns_private_after_the_check_is_not_connected_to(feed_server):
    """DNS rebinding: the name resolves to a public address when it is checked and to a private one when it is
    connected to. Here the machine's own name stands for it (it resolves to loopback), and the rule of what is
    refused changes between the two lookups as the DNS answer would."""
    import socket

    from monitor.sources.fetch import Fetcher, FetchError
    from tests.fakes.feed_builder import entry, rss2

    host = socket.gethostname()
    try:
        if not ipaddress.ip_address(socket.gethostbyname(host)).is_loopback:
            pytest.skip("this machine's name does not resolve to loopback")
    except OSError:
        pytest.skip("this machine's name does not resolve")
    # the check looks at each address the name resolves to once; every look after those is the connection's
    at_check = len(socket.getaddrinfo(host, feed_server.port, type=socket.SOCK_STREAM))
    looks: list[str] = []

    def refused(address) -> bool:
        looks.append(str(address))
        return len(looks) > at_check

    feed_server.set("/feed.xml", rss2([entry(1)]))
    fetcher = Fetcher(timeout_s=5, max_bytes=100_000, user_agent="t", concurrency=1, refused=refused)
    try:
        with pytest.raises(FetchError, match=r"^refused: .* resolved to .* as it was connected to, which is not a "):
            await fetcher.fetch(f"http://{host}:{feed_server.port}/feed.xml", public_only=True)
        assert len(looks) > at_check  # the check let it through: the connection's own lookup refused it
        assert not feed_server.hits
        # a trusted source (config, CLI) is fetched from the same name
        assert (await fetcher.fetch(f"http://{host}:{feed_server.port}/feed.xml")).status == 200
    finally:
        await fetcher.aclose()
