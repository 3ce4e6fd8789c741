"""HTTP GET for every source kind: conditional requests, a size cap, a total time limit, redirects,
gzip, and bounded concurrency. Turns HTTP trouble into FetchError with a message for the user."""

from __future__ import annotations

import asyncio
import re
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime

import aiohttp
from yarl import URL

from monitor.core.schedule import parse_retry_after
from monitor.models import FetchResult
from monitor.sources.guard import Address, AddressRefused, HostUnresolved, PublicResolver, check_url, is_refused

MAX_REDIRECTS = 10
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# aiohttp refuses a header line over 8 KB and more than 128 headers; real sites send longer lines (policies,
# cookies), which other clients read
MAX_HEADER_BYTES = 64 * 1024
MAX_HEADERS = 1024
# A URL of these characters only is sent as it is written (escapes and all, as the server signed or routes it); any
# other is quoted by yarl first (non-ASCII paths, spaces, an internationalised host)
_SENDABLE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_MADE_UP_STATUS = re.compile(r"\d{3}, message[:=]")  # aiohttp's parser errors begin so: not the server's status


class FetchError(Exception):
    """A fetch that brought nothing usable; `retry_after_s` is set when the server asked us to wait."""

    def __init__(self, message: str, retry_after_s: float | None = None, status: int | None = None):
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.status = status


class Fetcher:
    """Shared aiohttp sessions (one for sources from chat, whose every connection's lookup is checked), their
    connections kept open between requests; at most `concurrency` requests in flight. aiohttp rather than httpx
    (which the bot's library uses): its C parser and lean connection pool ask a thousand feeds for a fraction of
    the CPU (benchmarks/polling.py's all-304 pass)."""

    def __init__(
        self,
        *,
        timeout_s: float,
        max_bytes: int,
        user_agent: str,
        concurrency: int,
        refused: Callable[[Address], bool] = is_refused,
    ) -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.refused = refused
        self.concurrency = concurrency
        self._headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}
        self._slots = asyncio.Semaphore(concurrency)
        self._session: aiohttp.ClientSession | None = None
        self._public: aiohttp.ClientSession | None = None  # connects to public addresses only (sources from chat)
        # the proxies the environment names and the hosts NO_PROXY exempts ("no"), read once (not aiohttp's
        # trust_env: it also sends ~/.netrc's passwords, to any host, sources from chat included, and reads the
        # file on every request)
        self._proxies = urllib.request.getproxies_environment()
        self._resolver: PublicResolver | None = None

    def _open(self, public_only: bool = False) -> aiohttp.ClientSession:
        """The session, made at the first fetch: aiohttp wants the event loop running (a Fetcher is made before)."""
        if public_only:
            if self._public is None:
                self._resolver = PublicResolver(self.refused)
                self._public = self._new_session(self._resolver)
            return self._public
        if self._session is None:
            self._session = self._new_session()
        return self._session

    def _new_session(self, resolver: PublicResolver | None = None) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self.concurrency, resolver=resolver),
            headers=self._headers,
            timeout=aiohttp.ClientTimeout(total=None),  # the whole fetch is timed here, redirects included
            max_line_size=MAX_HEADER_BYTES,
            max_field_size=MAX_HEADER_BYTES,
            max_headers=MAX_HEADERS,
        )

    def _proxy(self, url: URL) -> str | None:
        """The proxy HTTP_PROXY or HTTPS_PROXY names for the URL, unless NO_PROXY exempts its host."""
        proxy = self._proxies.get(url.scheme)  # an http(s) URL (`_get`): never NO_PROXY's "no" key
        # proxy_bypass_environment: what proxy_bypass does on Linux, with NO_PROXY as read once (not in typeshed)
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if proxy is None or bypass(url.raw_host or "", self._proxies):
            return None
        return proxy

    async def aclose(self) -> None:
        for session in (self._session, self._public):
            if session is not None:
                await session.close()
        if self._resolver is not None:  # a connector does not close a resolver it was given
            await self._resolver.close()
        self._session = self._public = self._resolver = None

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None, accept: str = "*/*",
        public_only: bool = False,
    ) -> FetchResult:
        """GET `url`; 304 comes back as a result with status 304 and no body. With `public_only`, every
        address on the way (redirects included) must be public (sources added from chat)."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with self._slots:
            try:
                async with asyncio.timeout(self.timeout_s):
                    return await self._get(url, headers, public_only)
            except TimeoutError:
                raise FetchError(
                    f"no complete answer within {self.timeout_s:g}s; the server is slow or down "
                    "(polling.timeout sets the limit)"
                ) from None
            except AddressRefused as exc:
                raise FetchError(f"refused: {exc} (telegram.allow_private_sources allows it)") from None
            except HostUnresolved as exc:
                raise FetchError(str(exc)) from None
            except (aiohttp.InvalidURL, ValueError) as exc:
                raise FetchError(f"invalid URL ({exc})") from None
            except aiohttp.ServerDisconnectedError:
                raise FetchError("the server closed the connection before its answer was complete") from None
            except aiohttp.ClientConnectionError as exc:
                raise FetchError(f"cannot connect: {type(exc).__name__}: {_first_line(exc)}") from None
            except (aiohttp.ClientResponseError, aiohttp.ClientPayloadError) as exc:
                raise FetchError(f"the server's answer is broken: {_first_line(exc)}") from None
            except aiohttp.ClientError as exc:
                raise FetchError(f"cannot read the answer: {type(exc).__name__}: {_first_line(exc)}") from None

    async def _get(self, url: str, headers: dict[str, str], public_only: bool) -> FetchResult:
        """Follow redirects one request at a time, so each address is checked before it is asked."""
        target = _url(url)
        for _ in range(MAX_REDIRECTS + 1):
            if target.scheme not in ("http", "https"):
                raise FetchError(f"{target} is not an http(s) address; give the feed's http(s) URL")
            if public_only:
                await check_url(str(target), self.refused)
            proxy = self._proxy(target)
            # through a proxy, the proxy looks the name up: only the check above applies
            session = self._open(public_only and proxy is None)
            async with session.get(target, headers=headers, allow_redirects=False, proxy=proxy) as response:
                location = response.headers.get("Location")
                if response.status in _REDIRECTS and location:
                    target = response.url.join(_url(_undecoded(location)))
                    continue  # leaving the block returns the connection to the pool (aiohttp drains a short body)
                return await self._result(response)
        raise FetchError("too many redirects; check the URL in a browser")

    async def _result(self, response: aiohttp.ClientResponse) -> FetchResult:
        final_url, headers = str(response.url), response.headers
        etag, last_modified = _validator(headers.get("ETag")), _validator(headers.get("Last-Modified"))
        if response.status == 304:
            return FetchResult(status=304, final_url=final_url, etag=etag, last_modified=last_modified)
        if response.status >= 400:
            retry = parse_retry_after(_validator(headers.get("Retry-After")), datetime.now(UTC))
            if response.status in (429, 503) and retry is None:
                retry = 0.0  # asked to slow down without saying how long: back off as for an error
            raise FetchError(
                f"HTTP {response.status} {_readable(response.reason or '')}".strip() + _hint(response.status, retry),
                retry_after_s=retry,
                status=response.status,
            )
        declared = response.content_length
        if declared is not None and declared > self.max_bytes:
            raise FetchError(self._too_large(declared))
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_any():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(self._too_large(size, partial=True))
            chunks.append(chunk)
        return FetchResult(
            status=response.status,
            body=b"".join(chunks),
            final_url=final_url,
            headers={"content-type": _readable(headers.get("Content-Type") or "")},
            etag=etag,
            last_modified=last_modified,
        )

    def _too_large(self, size: int, partial: bool = False) -> str:
        amount = f"more than {self.max_bytes:,}" if partial else f"{size:,}"
        return (
            f"the response is {amount} bytes, over polling.max_bytes = {self.max_bytes:,}; "
            "download aborted (raise polling.max_bytes if this source is really that large)"
        )


def _url(text: str) -> URL:
    """The URL as it is to be sent: as written where it may be (yarl would otherwise rewrite escapes: %7E as ~, a
    query's %2F as /, which a server may tell apart), else quoted."""
    return URL(text, encoded=True) if _SENDABLE.fullmatch(text) else URL(text)


def _undecoded(header: str) -> str:
    """A header's text with the bytes the server sent: aiohttp reads bytes that are not UTF-8 as lone surrogates
    (which yarl turns into an empty URL: a redirect to itself); those bytes are percent-encoded as they are, as
    curl does."""
    if header.isascii():
        return header
    raw = header.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return re.sub(rb"[\x80-\xff]", lambda byte: b"%%%02X" % byte[0][0], raw).decode("ascii")


def _validator(value: str | None) -> str | None:
    """A header monitor stores, sends back or reads as a value (ETag, Last-Modified, Retry-After), or None where
    it is not printable ASCII as HTTP has it: aiohttp hands other bytes on as lone surrogates, which SQLite cannot
    store and which would not come back to the server as they were sent (such a feed is fetched whole each time)."""
    return value if value is not None and value.isascii() and value.isprintable() else None


def _readable(text: str) -> str:
    """Header text as a user reads it and SQLite stores it: bytes that are not UTF-8 shown as \ufffd."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _first_line(exc: Exception) -> str:
    """What went wrong, in one line: aiohttp's parser errors spread it over lines (a status it makes up, what
    it expected, the bad bytes with a caret under them)."""
    lines = [line.strip() for line in str(getattr(exc, "message", "") or exc).splitlines()]
    lines = [line for line in lines if line and not line.startswith("^") and not _MADE_UP_STATUS.fullmatch(line)]
    return _readable(" ".join(lines[:2]))[:200] or "no details"


def _hint(status: int, retry_after_s: float | None) -> str:
    if status in (429, 503):
        return f"; the server asks to wait {retry_after_s:g}s" if retry_after_s else "; the server is busy"
    if status in (401, 403):
        return "; the server refuses access"
    if status in (404, 410):
        return "; the address is gone, check the URL"
    return ""
