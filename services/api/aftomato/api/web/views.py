"""Pure helpers that turn API values into what a page shows: durations, times, sizes, links.

They are the template filters; none does I/O, so tests call them directly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from aftomato.common.states import BuildState

OPERATOR_ROLES = frozenset({"operator", "admin"})


def duration(seconds: float | int | None) -> str:
    """``75`` → ``"1m 15s"``; unknown → ``"—"``."""
    if seconds is None:
        return "—"
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time from the API, or None when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def when(value: str | None) -> str:
    """``2026-11-25T06:00:00Z`` → ``2026-11-25 06:00:00 UTC``; absent → ``"—"``."""
    parsed = parse_time(value)
    if parsed is None:
        return "—"
    return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def size(count: int | None) -> str:
    """A byte count for people: ``1536`` → ``"1.5 KiB"``."""
    if count is None:
        return "—"
    amount = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{int(amount)} B" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def short_commit(commit: str | None) -> str:
    return commit[:10] if commit else "—"


def project_path(key: str) -> str:
    """The page of a project; a key keeps its slashes, everything else is percent-encoded."""
    return "/projects/" + quote(key, safe="/")


def build_path(build_id: str) -> str:
    return "/builds/" + quote(build_id, safe="")


def with_query(path: str, **params: str | None) -> str:
    """``path`` with the non-empty ``params`` as a query string."""
    present = {name: value for name, value in params.items() if value}
    return f"{path}?{urlencode(present)}" if present else path


def is_final(state: str) -> bool:
    try:
        return BuildState(state).is_final
    except ValueError:
        return False


def state_meaning(state: str) -> str:
    try:
        return BuildState(state).meaning
    except ValueError:
        return "unknown state"


def can_operate(principal: Any) -> bool:
    """Whether the signed-in principal may launch, cancel, rebuild and open or close the queue."""
    return principal is not None and getattr(principal, "role", None) in OPERATOR_ROLES


def recent_builds(projects: list[dict[str, Any]], limit: int = 20) -> list[dict[str, Any]]:
    """The last build of each project, newest first: the dashboard's "recent" list."""
    builds = [project["last_build"] for project in projects if project.get("last_build")]
    return sorted(builds, key=_requested_at, reverse=True)[:limit]


def _requested_at(build: dict[str, Any]) -> datetime:
    return parse_time(build.get("requested_at")) or datetime.min.replace(tzinfo=UTC)
