"""How the user commands show builds (pure: JSON of docs/api.md in, text out)."""

from __future__ import annotations

from typing import Any

Build = dict[str, Any]

SUCCEEDED = "succeeded"
EXIT_SUCCEEDED, EXIT_NOT_SUCCEEDED = 0, 1


def build_line(build: Build) -> str:
    """``<id>  <state>  <project> <branch>  <exit>  <duration>  <requested>``, one line."""
    exit_code = build.get("exit_code")
    elapsed = build.get("elapsed_seconds")
    columns = [
        build["build_id"],
        f"{build['state']:<9}",
        f"{build['project_key']} {build['branch']!r}",
        "" if exit_code is None else f"exit {exit_code}",
        "" if elapsed is None else f"{elapsed:.1f} s",
        build.get("requested_at") or "",
    ]
    return "  ".join(column for column in columns if column)


def outcome_line(build: Build) -> str:
    reason = f": {build['reason']}" if build.get("reason") else ""
    return f"build {build['build_id']} {build['state']}{reason}"


def exit_status(build: Build) -> int:
    """0 when the build succeeded, 1 when it ended any other way."""
    return EXIT_SUCCEEDED if build["state"] == SUCCEEDED else EXIT_NOT_SUCCEEDED
