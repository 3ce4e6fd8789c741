"""The fetcher against a loopback server: what it sends, and what it makes of answers other clients read."""

from __future__ import annotations

import pytest

from monitor.sources.fetch import Fetcher, FetchError
from tests.fakes.feed_builder import entry, rss2


@pytest.fixture
async def fetcher():
    fetcher = Fetcher(timeout_s=5, max_bytes=100_000, user_agent="test", concurrency=2)
    yield fetcher
    await fetcher.aclose()


async def test_no_password_from_netrc_is_sent(fetcher, feed_server, tmp_path, monkeypatch):
    """An operator's ~/.netrc is for their own tools: a feed (one added from chat, say) never gets its logins."""
    netrc = tmp_path / "netrc"
    netrc.write_text("default login operator password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    feed_server.set("/f", rss2([entry(1)]))
    assert (await fetcher.fetch(feed_server.url("/f"))).status == 200
    assert "Authorization" not in feed_server.hits_for("/f")[0].headers


@pytest.fixture
def proxy_environment(monkeypatch):
    """An environment naming no proxy: the test sets what it needs (lowercase names win in urllib)."""
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


async def test_feeds_are_fetched_through_the_proxy_the_environment_names(feed_server, proxy_environment):
    proxy_environment.setenv("http_proxy", feed_server.root)
    proxy_environment.setenv("no_proxy", "direct.example,127.0.0.1")
    feed_server.set("http://feeds.example/rss", rss2([entry(1)]))  # a proxy is asked for the whole URL
    feed_server.set("/direct", rss2([entry(2)]))
    fetcher = Fetcher(timeout_s=5, max_bytes=100_000, user_agent="test", concurrency=2)
    try:
        result = await fetcher.fetch("http://feeds.example/rss")
        assert result.status == 200 and b"<rss" in result.body
        # NO_PROXY's hosts are asked directly (the loopback server answers a direct request by its path)
        assert (await fetcher.fetch(feed_server.url("/direct"))).status == 200
        assert [hit.path for hit in feed_server.hits] == ["http://feeds.example/rss", "/direct"]
    finally:
        await fetcher.aclose()


async def test_a_url_is_sent_as_written(fetcher, feed_server):
    """Escapes stay as the feed's address has them (a server may route or sign them byte for byte); a % that
    escapes nothing is escaped itself, as a server expects."""
    feed_server.set("/%7Eme/feed", rss2([entry(1)]))
    result = await fetcher.fetch(feed_server.url("/%7Eme/feed?path=%2Fa%2Fb"))
    assert result.status == 200 and result.final_url.endswith("/%7Eme/feed?path=%2Fa%2Fb")
    feed_server.set("/search", rss2([entry(2)]))
    assert (await fetcher.fetch(feed_server.url("/search?q=100%"))).status == 200
    assert [hit.path for hit in feed_server.hits] == ["/%7Eme/feed?path=%2Fa%2Fb", "/search?q=100%25"]


async def test_a_redirect_to_an_address_that_is_not_utf8_is_followed_to_those_bytes(fetcher, feed_server):
    feed_server.set("/old", raw=b"HTTP/1.1 302 Found\r\nLocation: /caf\xe9\r\nContent-Length: 0\r\n\r\n")
    feed_server.set("/caf%E9", rss2([entry(1)]))
    result = await fetcher.fetch(feed_server.url("/old"))
    assert result.status == 200 and result.final_url.endswith("/caf%E9")


async def test_a_connection_closed_in_the_middle_of_the_headers_is_told_in_a_line(fetcher, feed_server):
    """Not the half-read headers (cookies and all) in the source's error."""
    feed_server.set("/gone", raw=b"HTTP/1.1 200 OK\r\nSet-Cookie: session=abc123secret\r\nContent-Type: text/xml\r\n")
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(feed_server.url("/gone"))
    assert str(caught.value) == "the server closed the connection before its answer was complete"


async def test_a_content_type_with_a_tab_keeps_its_charset(fetcher, feed_server):
    feed_server.set("/f", rss2([entry(1)]), content_type="application/rss+xml;\tcharset=windows-1251")
    result = await fetcher.fetch(feed_server.url("/f"))
    assert result.headers["content-type"] == "application/rss+xml;\tcharset=windows-1251"
