"""A fake of the commit-status APIs of GitHub, GitLab, Bitbucket Server and Cloud and Gitea, and
of a Slack incoming webhook, on a loopback port: a real aiohttp server, not a mock.

Each SCM lives under its own path prefix (``{url}/github``, ``{url}/gitlab``, ...), which is the
base URL its reporter is given. Every request is checked against the SCM's documented shape
(URL, method, auth header, JSON fields and values); a request that does not fit is answered as
the SCM would (401, 404, 422, 400) and listed in :attr:`FakeScm.problems`, so a test asserts
``problems == []`` besides what was received. Like GitLab, posting the state a commit's status
already has is refused, so a duplicate report fails loudly.

``answer_next(...)`` queues canned answers (5xx, rate limits) served before the real handling::

    async with FakeScm() as scm:
        scm.answer_next(Answer.server_error(), Answer.rate_limited(retry_after=1))
        ... point AFTOMATO_GITHUB_API_URL at scm.base("github"), token scm.token ...
        await eventually(lambda: scm.states("github") == ["pending", "pending", "success"])
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web

TOKEN = "fake-scm-token"
SHA = r"(?P<commit>[0-9a-fA-F]{7,64})"
SEGMENT = r"(?P<{}>[^/]+)"


@dataclass(frozen=True)
class Answer:
    """A canned reply: status, headers, JSON body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def server_error(cls, status: int = 502) -> Answer:
        return cls(status, body={"message": "Server Error"})

    @classmethod
    def rate_limited(cls, retry_after: int = 1) -> Answer:
        return cls(429, {"Retry-After": str(retry_after)}, {"message": "rate limited"})

    @classmethod
    def github_rate_limited(cls, reset_in: int = 1) -> Answer:
        """GitHub's primary rate limit: 403 with ``X-RateLimit-Remaining: 0`` and the reset."""
        headers = {
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(int(time.time()) + reset_in),
        }
        return cls(403, headers, {"message": "API rate limit exceeded"})


@dataclass(frozen=True)
class Received:
    """A status the fake accepted."""

    provider: str
    repository: str
    commit: str
    state: str
    body: dict[str, Any]
    at: float


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class _Api:
    pattern: re.Pattern[str]
    auth: tuple[str, str]
    """The header and the value the SCM expects."""
    states: frozenset[str]
    required: tuple[str, ...]
    context_field: str
    """The field that names the status series on a commit."""
    created: int
    """The success status the SCM answers with."""


def _api(path: str, auth: tuple[str, str], states: str, required: str, context: str) -> _Api:
    for name in ("owner", "repo"):
        path = path.replace("{" + name + "}", SEGMENT.format(name))
    pattern = re.compile(path.replace("{sha}", SHA) + "$")
    created = 204 if path.startswith("/bitbucket-server") else 201
    return _Api(pattern, auth, frozenset(states.split()), tuple(required.split()), context, created)


BEARER = ("Authorization", f"Bearer {TOKEN}")
APIS: dict[str, _Api] = {
    "github": _api(
        "/github/repos/{owner}/{repo}/statuses/{sha}",
        BEARER,
        "error failure pending success",
        "state",
        "context",
    ),
    "gitlab": _api(
        "/gitlab/api/v4/projects/{repo}/statuses/{sha}",
        ("PRIVATE-TOKEN", TOKEN),
        "pending running success failed canceled skipped",
        "state",
        "name",
    ),
    "bitbucket-server": _api(
        "/bitbucket-server/rest/api/latest/projects/{owner}/repos/{repo}/commits/{sha}/builds",
        BEARER,
        "INPROGRESS SUCCESSFUL FAILED CANCELLED UNKNOWN",
        "key state url",
        "key",
    ),
    "bitbucket-cloud": _api(
        "/bitbucket-cloud/2.0/repositories/{owner}/{repo}/commit/{sha}/statuses/build",
        BEARER,
        "INPROGRESS SUCCESSFUL FAILED STOPPED",
        "key state url",
        "key",
    ),
    "gitea": _api(
        "/gitea/api/v1/repos/{owner}/{repo}/statuses/{sha}",
        ("Authorization", f"token {TOKEN}"),
        "pending success error failure warning",
        "state",
        "context",
    ),
}


class FakeScm:
    token = TOKEN

    def __init__(self) -> None:
        self.statuses: list[Received] = []
        self.notices: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self.attempts: list[tuple[str, float]] = []
        """(path, time) of every request, canned answers included."""
        self._answers: deque[Answer] = deque()
        self._down: Answer | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""

    def base(self, provider: str) -> str:
        """The base URL to give the reporter of ``provider`` (or ``slack``'s webhook prefix)."""
        return f"{self.url}/{provider}"

    def slack_webhook(self, name: str = "hook") -> str:
        return f"{self.url}/slack/services/{name}"

    def answer_next(self, *answers: Answer) -> None:
        self._answers.extend(answers)

    def down(self, answer: Answer | None = None) -> None:
        """Answer every request with ``answer`` (a 503 by default) until :meth:`up`."""
        self._down = answer or Answer.server_error(503)

    def up(self) -> None:
        self._down = None

    def states(self, provider: str | None = None, commit: str | None = None) -> list[str]:
        return [
            s.state
            for s in self.statuses
            if (provider is None or s.provider == provider) and (commit in (None, s.commit))
        ]

    async def __aenter__(self) -> FakeScm:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.attempts.append((request.raw_path, time.time()))
        answer = self._answers.popleft() if self._answers else self._down
        if answer is not None:
            return web.json_response(answer.body, status=answer.status, headers=answer.headers)
        try:
            return await self._route(request)
        except _Refused as refused:
            self.problems.append(f"{request.method} {request.raw_path}: {refused}")
            return web.json_response({"message": str(refused)}, status=refused.status)

    async def _route(self, request: web.Request) -> web.StreamResponse:
        path = request.raw_path.split("?", 1)[0]
        if path.startswith("/slack/services/"):
            return await self._slack(request)
        for provider, api in APIS.items():
            match = api.pattern.match(path)
            if match:
                return await self._status(provider, api, match, request)
        raise _Refused(404, "no such endpoint")

    async def _status(
        self, provider: str, api: _Api, match: re.Match[str], request: web.Request
    ) -> web.StreamResponse:
        if request.method != "POST":
            raise _Refused(405, f"method {request.method} not allowed")
        header, expected = api.auth
        if request.headers.get(header) != expected:
            raise _Refused(401, f"missing or wrong {header} header")
        body = await _json_body(request)
        _check_fields(api, body)
        groups = match.groupdict()
        repository = "/".join(unquote(groups[n]) for n in ("owner", "repo") if n in groups)
        if provider == "gitlab" and "/" not in repository:
            raise _Refused(404, "project not found (path with namespace expected)")
        received = Received(
            provider, repository, groups["commit"], body["state"], body, time.time()
        )
        self._refuse_repeated_state(received, api)
        self.statuses.append(received)
        if api.created == 204:
            return web.Response(status=204)
        return web.json_response({"id": len(self.statuses), **body}, status=api.created)

    def _refuse_repeated_state(self, received: Received, api: _Api) -> None:
        """GitLab answers 400 "Cannot transition status" to a repeated state (whatever the
        description); the fake does too, and refuses an identical repeat on every other SCM, so
        that a duplicate report fails the test that makes it."""
        context = received.body.get(api.context_field)
        same = [
            s
            for s in self.statuses
            if (s.provider, s.repository, s.commit)
            == (received.provider, received.repository, received.commit)
            and s.body.get(api.context_field) == context
        ]
        repeated = same and (
            same[-1].state == received.state
            if received.provider == "gitlab"
            else same[-1].body == received.body
        )
        if repeated:
            raise _Refused(400, f"Cannot transition status via {received.state} again")

    async def _slack(self, request: web.Request) -> web.StreamResponse:
        if request.method != "POST":
            raise _Refused(405, "method not allowed")
        body = await _json_body(request)
        if not isinstance(body.get("text"), str) or not body["text"]:
            raise _Refused(400, "no_text")
        self.notices.append(body)
        return web.Response(text="ok")


async def _json_body(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise _Refused(415, f"content type {request.content_type!r}, expected application/json")
    try:
        body = json.loads(await request.text())
    except ValueError:
        raise _Refused(400, "body is not JSON") from None
    if not isinstance(body, dict):
        raise _Refused(400, "body is not a JSON object")
    return body


def _check_fields(api: _Api, body: dict[str, Any]) -> None:
    missing = [name for name in api.required if not body.get(name)]
    if missing:
        raise _Refused(422, f"missing fields: {missing}")
    if body["state"] not in api.states:
        raise _Refused(422, f"state {body['state']!r} is not one of {sorted(api.states)}")
    for name in ("target_url", "url"):
        if name in body and not str(body[name]).startswith(("http://", "https://")):
            raise _Refused(422, f"{name} must be an http(s) URL")
    description = body.get("description")
    if description is not None and len(description) > 140:
        raise _Refused(422, "description is longer than 140 characters")
