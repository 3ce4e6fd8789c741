"""HTTP GET for every source kind: conditional requests, a size cap, a total time limit, redirects,
gzip, and bounded concurrency. Turns HTTP trouble into FetchError with a message for the user."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

import httpx

from monitor.core.schedule import parse_retry_after
from monitor.models import FetchResult
from monitor.sources.guard import Address, AddressRefused, HostUnresolved, check_url, is_refused

# Set for the duration of one fetch() that must reach public addresses only; read by the request hook,
# which httpx runs for every request of the fetch, redirects included.
_PUBLIC_ONLY: ContextVar[bool] = ContextVar("public_only", default=False)


class FetchError(Exception):
    """A fetch that brought nothing usable; `retry_after_s` is set when the server asked us to wait."""

    def __init__(self, message: str, retry_after_s: float | None = None, status: int | None = None):
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.status = status


class Fetcher:
    """One shared httpx client; at most `concurrency` requests in flight."""

    def __init__(
        self,
        *,
        timeout_s: float,
        max_bytes: int,
        user_agent: str,
        concurrency: int,
        transport: httpx.AsyncBaseTransport | None = None,
        refused: Callable[[Address], bool] = is_refused,
    ) -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.refused = refused
        self._slots = asyncio.Semaphore(concurrency)
        self._client = httpx.AsyncClient(
            event_hooks={"request": [self._check_request]},
            follow_redirects=True,
            max_redirects=10,
            timeout=httpx.Timeout(timeout_s),
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _check_request(self, request: httpx.Request) -> None:
        if _PUBLIC_ONLY.get():
            await check_url(str(request.url), self.refused)

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
            public = _PUBLIC_ONLY.set(public_only)
            try:
                async with asyncio.timeout(self.timeout_s):
                    return await self._get(url, headers)
            except TimeoutError:
                raise FetchError(
                    f"no complete answer within {self.timeout_s:g}s; the server is slow or down "
                    "(polling.timeout sets the limit)"
                ) from None
            except AddressRefused as exc:
                raise FetchError(f"refused: {exc} (telegram.allow_private_sources allows it)") from None
            except HostUnresolved as exc:
                raise FetchError(str(exc)) from None
            except httpx.TooManyRedirects:
                raise FetchError("too many redirects; check the URL in a browser") from None
            except httpx.TimeoutException:
                raise FetchError(f"timed out after {self.timeout_s:g}s (polling.timeout sets the limit)") from None
            except httpx.InvalidURL as exc:
                raise FetchError(f"invalid URL ({exc})") from None
            except httpx.HTTPError as exc:
                raise FetchError(f"cannot connect: {type(exc).__name__}: {exc or 'no details'}") from None
            finally:
                _PUBLIC_ONLY.reset(public)

    async def _get(self, url: str, headers: dict[str, str]) -> FetchResult:
        async with self._client.stream("GET", url, headers=headers) as response:
            final_url = str(response.url)
            if response.status_code == 304:
                return FetchResult(status=304, final_url=final_url, etag=response.headers.get("ETag"),
                                   last_modified=response.headers.get("Last-Modified"))
            if response.status_code >= 400:
                retry = parse_retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
                if response.status_code in (429, 503) and retry is None:
                    retry = 0.0  # asked to slow down without saying how long: back off as for an error
                raise FetchError(
                    f"HTTP {response.status_code} {response.reason_phrase}".strip()
                    + _hint(response.status_code, retry),
                    retry_after_s=retry,
                    status=response.status_code,
                )
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(self._too_large(int(declared)))
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(self._too_large(size, partial=True))
                chunks.append(chunk)
            return FetchResult(
                status=response.status_code,
                body=b"".join(chunks),
                final_url=final_url,
                headers={"content-type": response.headers.get("Content-Type", "")},
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
            )

    def _too_large(self, size: int, partial: bool = False) -> str:
        amount = f"more than {self.max_bytes:,}" if partial else f"{size:,}"
        return (
            f"the response is {amount} bytes, over polling.max_bytes = {self.max_bytes:,}; "
            "download aborted (raise polling.max_bytes if this source is really that large)"
        )


def _hint(status: int, retry_after_s: float | None) -> str:
    if status in (429, 503):
        return f"; the server asks to wait {retry_after_s:g}s" if retry_after_s else "; the server is busy"
    if status in (401, 403):
        return "; the server refuses access"
    if status in (404, 410):
        return "; the address is gone, check the URL"
    return ""
