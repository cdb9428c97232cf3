import itertools

from aftomato.common.states import (
    FINAL_STATES,
    MEANINGS,
    TRANSITIONS,
    BuildState,
    can_transition,
    is_forward,
)


def test_every_state_has_a_meaning_and_a_transition_row() -> None:
    assert set(MEANINGS) == set(BuildState)
    assert set(TRANSITIONS) == set(BuildState)


def test_the_happy_path_is_allowed() -> None:
    path = [BuildState.REQUESTED, BuildState.QUEUED, BuildState.SCHEDULED, BuildState.RUNNING]
    for current, new in itertools.pairwise(path):
        assert can_transition(current, new)
    assert can_transition(BuildState.RUNNING, BuildState.SUCCEEDED)


def test_queued_and_running_may_be_skipped() -> None:
    assert can_transition(BuildState.REQUESTED, BuildState.SCHEDULED)
    assert can_transition(BuildState.SCHEDULED, BuildState.FAILED)


def test_any_state_that_is_not_final_may_be_cancelled_or_errored() -> None:
    for state in set(BuildState) - FINAL_STATES:
        assert can_transition(state, BuildState.CANCELLED)
        assert can_transition(state, BuildState.ERRORED)


def test_final_states_go_nowhere() -> None:
    for final in FINAL_STATES:
        assert final.is_final
        assert not any(can_transition(final, state) for state in BuildState)


def test_scheduled_is_never_skipped_on_the_way_to_running() -> None:
    assert not can_transition(BuildState.REQUESTED, BuildState.RUNNING)
    assert not can_transition(BuildState.QUEUED, BuildState.SUCCEEDED)


def test_records_never_move_backwards() -> None:
    assert is_forward(BuildState.REQUESTED, BuildState.RUNNING)
    assert not is_forward(BuildState.RUNNING, BuildState.SCHEDULED)
    assert not is_forward(BuildState.SUCCEEDED, BuildState.FAILED)
    assert not is_forward(BuildState.QUEUED, BuildState.QUEUED)
