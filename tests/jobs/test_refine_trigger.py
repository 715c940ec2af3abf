"""The refine triggers: batch (availableNow) by default; continuous with a fast trigger for gold's
minute-grain tables and a slower one for its hour/day rollups and pipeline health."""

from __future__ import annotations

import pytest

from streamsoft_jobs.args import JobArgumentError, parse_job_args
from streamsoft_jobs.refine_trigger import DEFAULT_ROLLUP_SECONDS, RefineTrigger


def trigger(*argv: str) -> RefineTrigger:
    return RefineTrigger.from_args(parse_job_args(list(argv), required=[]))


def test_defaults_are_a_batch_run_with_a_five_second_and_a_minute_cadence() -> None:
    assert trigger() == RefineTrigger(continuous=False, seconds=5, rollup_seconds=DEFAULT_ROLLUP_SECONDS)
    assert DEFAULT_ROLLUP_SECONDS == 60


def test_rollups_run_on_their_own_trigger_but_never_more_often_than_the_fast_path() -> None:
    fast = trigger("--continuous", "--trigger-seconds", "2", "--rollup-trigger-seconds", "30")
    assert (fast.seconds, fast.rollups().seconds, fast.rollups().continuous) == (2, 30, True)
    slow = trigger("--continuous", "--trigger-seconds", "90", "--rollup-trigger-seconds", "30")
    assert slow.rollups().seconds == 90


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--trigger-seconds", "0"], "--trigger-seconds: expected at least 1 second (got 0)"),
        (["--rollup-trigger-seconds", "0"], "--rollup-trigger-seconds: expected at least 1 second (got 0)"),
    ],
)
def test_a_trigger_under_one_second_is_one_line_naming_the_flag(argv: list[str], message: str) -> None:
    with pytest.raises(JobArgumentError) as error:
        trigger(*argv)
    assert str(error.value) == message
