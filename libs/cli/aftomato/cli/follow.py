"""Following one build: its state changes until it runs, its log as it is written, its end."""

from __future__ import annotations

import time

from aftomato.cli.client import Api, out, write_bytes
from aftomato.cli.output import Build, outcome_line

WAITING = ("requested", "queued", "scheduled")
POLL_SECONDS = 0.5


def follow(api: Api, build_id: str) -> Build:
    """Show the build's progress and log; its final state."""
    path = f"/api/v1/builds/{build_id}"
    build = _until_started(api, path)
    for chunk in api.stream(f"{path}/log", follow=1):
        write_bytes(chunk)
    while not _final(build := api.get(path)):
        time.sleep(POLL_SECONDS)  # the log ended just before the record did
    out(outcome_line(build))
    return build


def _until_started(api: Api, path: str) -> Build:
    shown = None
    while True:
        build = api.get(path)
        if build["state"] != shown:
            shown = build["state"]
            reason = f" ({build['reason']})" if build.get("reason") else ""
            out(f"build {build['build_id']} {shown}{reason}")
        if build["state"] not in WAITING:
            return build
        time.sleep(POLL_SECONDS)


def _final(build: Build) -> bool:
    return not build.get("is_building", True)
