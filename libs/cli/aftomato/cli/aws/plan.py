"""A plan of idempotent steps: each checks whether it is needed, and only then applies.

Running a plan twice changes nothing the second time and says so; a dry run only checks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    what: str
    """What the step puts in place, e.g. ``S3 bucket aftomato-console-logs``."""
    needed: Callable[[], Awaitable[bool]]
    """Whether the step still has something to do (reads only)."""
    apply: Callable[[], Awaitable[None]]
    verb: str = "create"
    """What applying does, for the plan's lines: ``create`` or ``set``."""


PAST = {"create": "created", "set": "set"}


async def carry_out(steps: Sequence[Step], *, dry_run: bool, say: Callable[[str], None]) -> int:
    """Check every step, apply the needed ones unless ``dry_run``; the number of needed steps."""
    needed = 0
    for step in steps:
        if not await step.needed():
            say(line("in place", step.what))
            continue
        needed += 1
        if dry_run:
            say(line(f"would {step.verb}", step.what))
            continue
        await step.apply()
        say(line(PAST[step.verb], step.what))
    return needed


def line(status: str, what: str) -> str:
    return f"  {status:<12}  {what}"


def summary(needed: int, *, dry_run: bool) -> str:
    if needed == 0:
        return "Nothing to change: everything was already in place."
    if dry_run:
        return f"Dry run: {needed} step(s) would change something; nothing was changed."
    return f"Done: {needed} step(s) changed something."
