import pytest

from aftomato.common.bus.topology import queue_arguments, topic_matches


@pytest.mark.parametrize(
    ("pattern", "key", "matches"),
    [
        ("build.requested", "build.requested", True),
        ("build.requested", "build.queued", False),
        ("build.*", "build.finished", True),
        ("build.*", "build.finished.extra", False),
        ("build.#", "build", True),
        ("build.#", "build.a.b", True),
        ("#", "scripts.updated", True),
        ("*.updated", "scripts.updated", True),
        ("#.updated", "a.b.updated", True),
        ("#.updated", "a.b.created", False),
        ("build.[a]", "build.a", False),
    ],
)
def test_topic_patterns_match_like_rabbitmq(pattern: str, key: str, matches: bool) -> None:
    assert topic_matches(pattern, key) is matches


def test_work_queues_are_quorum_queues_that_dead_letter() -> None:
    arguments = queue_arguments(delivery_limit=5)
    assert arguments["x-queue-type"] == "quorum"
    assert arguments["x-dead-letter-exchange"] == "aftomato.dlx"
    assert arguments["x-delivery-limit"] == 4
