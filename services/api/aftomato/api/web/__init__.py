"""The web UI of ``aftomato api``: server-rendered pages and our own small ES modules.

The api service hands :func:`add_web_routes` a :class:`WebReader`; the browser's writes
(launch, cancel, rebuild, queue, session) go straight to the JSON API.
"""

from aftomato.api.web.reader import WebReader
from aftomato.api.web.routes import add_web_routes

__all__ = ["WebReader", "add_web_routes"]
