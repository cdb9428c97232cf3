"""Real payloads of every provider, and hypothesis strategies that mutate them or make any JSON.

Shared by the tests that feed parsers hostile bodies and those that compare a projected decode
with the whole one.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

SAMPLES: dict[str, list[tuple[dict[str, str], str]]] = {
    "github": [
        ({"x_github_event": "push"}, "push.json"),
        ({"x_github_event": "pull_request"}, "pull-request.json"),
        ({"x_github_event": "create"}, "create.json"),
        ({"x_github_event": "delete"}, "delete.json"),
        ({"x_github_event": "ping"}, "ping.json"),
    ],
    "gitlab": [
        ({"x_gitlab_event": "Push Hook"}, "push-event.json"),
        ({"x_gitlab_event": "Tag Push Hook"}, "tag-event.json"),
        ({"x_gitlab_event": "Merge Request Hook"}, "merge-request-event.json"),
        ({"x_gitlab_event": "System Hook"}, "system-push-event.json"),
    ],
    "bitbucket-server": [
        ({"x_event_key": "repo:refs_changed"}, "repo-refs-changed.json"),
        ({"x_event_key": "pr:opened"}, "pr-opened.json"),
        ({"x_event_key": "pr:modified"}, "pr-modified.json"),
    ],
    "bitbucket-cloud": [
        ({"x_event_key": "repo:push"}, "repo-push.json"),
        ({"x_event_key": "pullrequest:created"}, "pull-request-created.json"),
        ({"x_event_key": "pullrequest:updated"}, "pull-request-updated.json"),
    ],
    "gitea": [
        ({"x_gitea_event": "push"}, "push-event.json"),
        ({"x_gitea_event": "pull_request"}, "pull-request-event.json"),
        ({"x_gitea_event": "create"}, "create-event.json"),
        ({"x_gitea_event": "delete"}, "delete-event.json"),
    ],
}
CASES = [
    (provider, event, name) for provider, samples in SAMPLES.items() for event, name in samples
]

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "..",
        "../../etc",
        "a/../b",
        "refs/heads/",
        "refs/tags/",
        "$(reboot)",
        "`id`",
        "a;b",
        "a\nb",
        "\x00",
        "ü",
        "-rf",
        "refs/heads/a b",
        "x" * 300,
        "0" * 40,
    ]
) | st.text(max_size=40)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a dict entry or list item inside ``value``."""
    found: list[tuple[Any, ...]] = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in items:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


@st.composite
def mutated(draw: st.DrawFn, sample: Any) -> Any:
    """The real payload with a few fields replaced by hostile values or removed."""
    payload = copy.deepcopy(sample)
    for _ in range(draw(st.integers(1, 4))):
        candidates = paths(payload)
        if not candidates:
            break
        *parents, last = draw(st.sampled_from(candidates))
        target = payload
        for key in parents:
            target = target[key]
        if draw(st.booleans()):
            del target[last]
        else:
            target[last] = draw(JSON_VALUES)
    return payload
