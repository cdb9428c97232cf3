"""Sends one request to an SCM or a chat webhook, retrying what is worth retrying.

5xx answers, timeouts and refused connections are retried with exponential backoff; rate limits
(429, or 403 with ``Retry-After`` or ``X-RateLimit-Remaining: 0`` as GitHub answers) wait as long
as the server says. A wait beyond ``max_wait`` is not done in place: :class:`SendDeferred` hands
it to the message's redelivery, so a slow SCM never holds the consumer for long. Any other 4xx
is :class:`SendRefused`: the request itself is wrong and trying again would not help.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import aiohttp

from aftomato.common.logging import get_logger
from aftomato.watcher.reporting.scm import ApiRequest

log = get_logger(__name__)

BODY_TAIL = 300
MAX_DEFERRAL_SECONDS = 60.0
"""The longest a deferred message waits before its redelivery (it holds a prefetch slot)."""


class SendDeferred(Exception):
    """Not now: try again after ``delay`` seconds (the message is redelivered)."""

    def __init__(self, reason: str, delay: float) -> None:
        super().__init__(reason)
        self.delay = delay


class SendRefused(Exception):
    """The server refused the request for good (4xx other than a rate limit)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_wait: float = 60.0
    timeout: float = 10.0

    @property
    def longest_send(self) -> float:
        """The longest :meth:`Sender.send` may take: every attempt timing out, every wait."""
        return self.attempts * self.timeout + self.max_wait

    def backoff(self, attempt: int) -> float:
        return float(min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    wait: float | None
    """Seconds the server asked us to wait (a rate limit), else None."""
    detail: str


class Sender:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        policy: RetryPolicy,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._session = session
        self._policy = policy
        self._sleep = sleep
        self._clock = clock

    async def send(self, request: ApiRequest) -> None:
        """Return once the server accepted ``request`` (2xx); raise as the module says."""
        waited = 0.0
        for attempt in range(1, self._policy.attempts + 1):
            answer = await self._attempt(request)
            if answer is None:
                return
            if 400 <= answer.status < 500 and answer.wait is None:
                raise SendRefused(f"{request!r}: {answer.detail}")
            delay = answer.wait if answer.wait is not None else self._policy.backoff(attempt)
            last = attempt == self._policy.attempts
            if last or waited + delay > self._policy.max_wait:
                reason = f"{request!r}: {answer.detail}"
                raise SendDeferred(reason, max(delay, self._policy.backoff(attempt)))
            log.info("report retried", request=repr(request), answer=answer.detail, delay=delay)
            await self._sleep(delay)
            waited += delay
        raise AssertionError("unreachable: the last attempt raises")  # pragma: no cover

    async def _attempt(self, request: ApiRequest) -> _Answer | None:
        timeout = aiohttp.ClientTimeout(total=self._policy.timeout)
        try:
            async with self._session.request(
                request.method,
                request.url,
                headers=request.headers,
                json=request.json,
                timeout=timeout,
            ) as response:
                if response.status < 300:
                    return None
                body = (await response.text(errors="replace"))[:BODY_TAIL]
                wait = rate_limit_wait(response.status, response.headers, self._clock())
                return _Answer(response.status, wait, f"{response.status} {request.masked(body)}")
        except (aiohttp.ClientError, TimeoutError) as error:
            return _Answer(599, None, request.masked(f"no answer: {type(error).__name__}: {error}"))


def rate_limit_wait(status: int, headers: Mapping[str, str], now: float) -> float | None:
    """Seconds a rate-limited answer asks to wait, or None when the answer is no rate limit."""
    if status not in (403, 429):
        return None
    retry_after = headers.get("Retry-After")
    if retry_after is not None:
        return _retry_after_seconds(retry_after, now)
    if headers.get("X-RateLimit-Remaining") == "0":
        reset = headers.get("X-RateLimit-Reset", "")
        return max(0.0, float(reset) - now) if reset.isdigit() else 60.0
    return 1.0 if status == 429 else None


def _retry_after_seconds(value: str, now: float) -> float:
    """``Retry-After`` is either seconds or an HTTP date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return 60.0
