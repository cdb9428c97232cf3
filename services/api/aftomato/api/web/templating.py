"""The page renderer: jinja2 with autoescaping, our filters, and the headers every page carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from aftomato.api.web import views

TEMPLATES = Path(__file__).parent / "templates"

# Pages load only our own modules and styles; hostile text that slipped through escaping still
# could not run a script.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def make_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        duration=views.duration,
        when=views.when,
        size=views.size,
        short_commit=views.short_commit,
        project_path=views.project_path,
        build_path=views.build_path,
        state_meaning=views.state_meaning,
    )
    environment.tests["final"] = views.is_final
    return environment


class Renderer:
    """Renders a template with what every page shares: who is signed in, what they may do."""

    def __init__(self, environment: jinja2.Environment, *, read_requires_token: bool) -> None:
        self._environment = environment
        self._read_requires_token = read_requires_token

    def page(
        self, request: web.Request, template: str, *, status: int = 200, **context: Any
    ) -> web.Response:
        principal = request.get("principal")
        html = self._environment.get_template(template).render(
            principal=principal,
            can_operate=views.can_operate(principal),
            read_requires_token=self._read_requires_token,
            current_path=request.path_qs,
            **context,
        )
        response = web.Response(text=html, status=status, content_type="text/html")
        response.headers.update(SECURITY_HEADERS)
        response.headers["Cache-Control"] = "no-store"
        return response
