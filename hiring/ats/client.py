"""Calls to an ATS's API with the organisation's credentials: guarded, rate-limited, retried.

Every request goes through ``renown.http.HttpClient`` (the SSRF guard that provider
fetches pass: public addresses only, every redirect checked), waits for the ATS's rate
(``RENOWN_ATS_RATE_<NAME>``, counted across workers with the ``limits`` library, as the
providers' rates are) and is tried again after a transport error, a 5xx or a 429, up to
``RENOWN_ATS_API_ATTEMPTS`` times within about ``RENOWN_ATS_API_MAX_WAIT_SECONDS``. What
still fails raises ``FetchFailed``: the delivery is answered 503 and the ATS sends it
again later, with nothing stored.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType

from yarl import URL

from hiring import conf
from hiring.ats.base import Connector, FetchFailed, FetchGone
from renown.http import HttpClient, HttpError, Response, UnsafeHost
from renown.json_types import JSONValue
from scoring.rate_limit import ProviderRateLimiter, acquire, parse_rate

USER_AGENT = "Renown-ATS-Connector/1"


def basic_auth(username: str, password: str = "") -> str:
    """An ``Authorization: Basic`` value (Lever and Ashby take the API key as the user)."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def retry_after(response: Response, *, now: float | None = None) -> float | None:
    """The seconds a 429 asks to wait: ``Retry-After`` (seconds), else ``X-Rate-Limit-Reset``.

    Workable's 429 carries no ``Retry-After`` but the time its window resets, in Unix
    seconds (``X-Rate-Limit-Reset``).
    """
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        pass
    try:
        reset = float(response.headers.get("x-rate-limit-reset", ""))
    except ValueError:
        return None
    return max(0.0, reset - (time.time() if now is None else now))


@dataclass
class AtsApi:
    """One organisation's access to one ATS's API, inside ``async with``.

    ``credentials`` are what ``manage.py ats_connect`` stored (decrypted); ``base_url``
    the API's root. ``headers`` are added to every request (the connector's
    authorisation, set by ``Connector.authorize``).
    """

    connector: Connector
    credentials: Mapping[str, str]
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    _client: HttpClient | None = None
    _limiter: ProviderRateLimiter | None = None

    async def __aenter__(self) -> AtsApi:
        self._client = HttpClient(concurrency=2, timeout=conf.get("RENOWN_ATS_API_TIMEOUT_SECONDS"))
        await self._client.__aenter__()
        self._limiter = ProviderRateLimiter()
        await self._limiter.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._limiter is not None:
            await self._limiter.__aexit__(exc_type, exc, tb)
        if self._client is not None:
            await self._client.__aexit__(exc_type, exc, tb)

    def url(self, path: str) -> str:
        """``path`` under the API's root (an absolute URL is taken as it is)."""
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    async def _gate(self, url: URL) -> None:
        item = parse_rate(conf.ats_rate(self.connector.name))
        if item is None or self._limiter is None:
            return
        await acquire(
            item, "ats", self.connector.name, url.host or "", strategy=self._limiter.strategy
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: JSONValue = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        authorized: bool = True,
    ) -> JSONValue:
        """The JSON the API answers; FetchFailed when it cannot be had (after retries).

        A 4xx other than 408 and 429 is not retried: the request itself is wrong (an
        expired key: FetchFailed), or what it names is gone (404, 410: FetchGone).
        """
        if self._client is None:
            raise RuntimeError("AtsApi used outside 'async with'")
        import json

        client = self._client.gated(self._gate)
        sent_headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if authorized:
            sent_headers |= self.headers
        sent_headers |= dict(headers or {})
        body = data
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent_headers["Content-Type"] = "application/json"
        url = self.url(path)
        attempts = max(1, int(conf.get("RENOWN_ATS_API_ATTEMPTS")))
        budget = float(conf.get("RENOWN_ATS_API_MAX_WAIT_SECONDS"))
        delay = 0.5
        problem = ""
        wait_asked: float | None = None
        for attempt in range(1, attempts + 1):
            try:
                if method == "GET":
                    response = await client.get(url, params=params, headers=sent_headers)
                else:
                    response = await client.post(url, data=body or b"", headers=sent_headers)
            except UnsafeHost as exc:
                # The address itself is refused (a private host, a bad URL): not retried.
                raise FetchFailed(f"Renown will not send requests to {url}: {exc}") from None
            except HttpError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if 200 <= response.status < 300:
                    try:
                        return response.json()
                    except ValueError:
                        raise FetchFailed(f"{url}: the answer is not JSON") from None
                problem = f"{url}: HTTP {response.status}"
                wait_asked = retry_after(response) if response.status == 429 else None
                if response.status in (404, 410):
                    raise FetchGone(problem)
                if response.status not in (408, 429) and response.status < 500:
                    raise FetchFailed(problem)
            if attempt == attempts:
                break
            pause = wait_asked if wait_asked is not None else delay
            if pause > budget:
                raise FetchFailed(problem + " (the ATS asks to wait)", retry_after=pause)
            budget -= pause
            await asyncio.sleep(pause)
            delay *= 2
        raise FetchFailed(f"{problem} (after {attempts} attempts)", retry_after=wait_asked)
