"""The API's route table: every endpoint of docs/api.md, who may call it, what it answers."""

from __future__ import annotations

from aftomato.api import (
    handlers_events,
    handlers_logs,
    handlers_read,
    handlers_session,
    handlers_write,
)
from aftomato.api.models import (
    ArtifactList,
    Build,
    BuildList,
    BuildPage,
    Cancelling,
    Launched,
    LaunchRequest,
    Project,
    ProjectList,
    Queue,
    QueueChange,
    SessionRequest,
    SessionState,
    Version,
)
from aftomato.api.routing import Access, Param, Route
from aftomato.api.views import API

TEXT, EVENTS, FILE = "text/plain", "text/event-stream", "application/octet-stream"
_STRING = {"type": "string"}
_IDEMPOTENCY = Param(
    "Idempotency-Key", "header", _STRING, "The same key with the same body names the same build"
)
_HISTORY = (
    Param("project", "query", _STRING, "Project key", required=True),
    Param("branch", "query", _STRING, "Only this branch"),
    Param("since", "query", {"type": "string", "format": "date-time"}, "Requested at or after"),
    Param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100}, "1 to 100"),
    Param("cursor", "query", _STRING, "From the previous page"),
)
_FOLLOW = (Param("follow", "query", {"type": "string", "enum": ["0", "1"]}, "1: stay open"),)
_RESUME = (Param("Last-Event-ID", "header", _STRING, "Resume after this line number"),)
_BUILD = f"{API}/builds/{{build_id}}"
_WRITE_ERRORS = (400, 401, 403, 404, 415, 503)

ROUTES: tuple[Route, ...] = (
    Route("GET", f"{API}/version", handlers_read.version, "Version", Access.PUBLIC, Version),
    Route("GET", f"{API}/projects", handlers_read.projects, "Projects", answer=ProjectList),
    Route("GET", f"{API}/projects/{{key:.+}}", handlers_read.project, "One project",
          answer=Project, errors=(404,)),
    Route("GET", f"{API}/builds", handlers_read.builds, "A project's builds, newest first",
          answer=BuildPage, params=_HISTORY, errors=(400,)),
    Route("GET", f"{API}/builds/active", handlers_read.active, "Builds not final, oldest first",
          answer=BuildList),
    Route("GET", f"{API}/builds/waiting", handlers_read.waiting, "Builds requested or queued",
          answer=BuildList),
    Route("POST", f"{API}/builds", handlers_write.launch, "Launch a build", Access.OPERATE,
          Launched, 202, body=LaunchRequest, params=(_IDEMPOTENCY,), errors=_WRITE_ERRORS),
    Route("GET", _BUILD, handlers_read.build, "One build", answer=Build, errors=(404,)),
    Route("GET", f"{_BUILD}/log", handlers_logs.log, "The console log", media=TEXT,
          params=_FOLLOW, errors=(404,)),
    Route("GET", f"{_BUILD}/log/events", handlers_logs.log_events,
          "The console log as Server-Sent Events", media=EVENTS, params=_RESUME, errors=(404,)),
    Route("GET", f"{_BUILD}/artifacts", handlers_read.artifacts, "A build's artifacts",
          answer=ArtifactList, errors=(404,)),
    Route("GET", f"{_BUILD}/artifacts/{{path:.+}}", handlers_read.artifact, "One artifact",
          media=FILE, errors=(404,)),
    Route("POST", f"{_BUILD}/cancel", handlers_write.cancel, "Cancel a build", Access.OPERATE,
          Cancelling, 202, errors=(401, 403, 404, 409, 503)),
    Route("POST", f"{_BUILD}/rebuild", handlers_write.rebuild, "Build the same again",
          Access.OPERATE, Launched, 202, params=(_IDEMPOTENCY,), errors=_WRITE_ERRORS),
    Route("GET", f"{API}/queue", handlers_read.queue, "Whether the queue is open", answer=Queue),
    Route("PUT", f"{API}/queue", handlers_write.change_queue, "Open or close the queue",
          Access.OPERATE, Queue, body=QueueChange, errors=_WRITE_ERRORS),
    Route("GET", f"{API}/events", handlers_events.events, "Every build.* message, live",
          media=EVENTS),
    Route("POST", f"{API}/session", handlers_session.sign_in, "Sign in with a token",
          Access.PUBLIC, status=204, body=SessionRequest, errors=(400, 401, 415)),
    Route("DELETE", f"{API}/session", handlers_session.sign_out, "Sign out", Access.PUBLIC,
          status=204),
    Route("GET", f"{API}/session", handlers_session.session, "Who is signed in", Access.PUBLIC,
          SessionState),
)  # fmt: skip
