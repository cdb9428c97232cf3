"""What a failed end-to-end test shows: the end of each service's log (the services run in
processes of their own, so their logs are where a failure shows why)."""

from __future__ import annotations

from pathlib import Path

LOG_LINES = 40


def print_log_tails(folder: Path, lines: int = LOG_LINES) -> None:
    """Print the last ``lines`` of every ``*.log`` in ``folder`` (pytest shows them with the
    failed test's report)."""
    for log in sorted(folder.glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- last {len(tail)} lines of {log}", *tail, sep="\n")  # noqa: T201
