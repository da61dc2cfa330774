"""The simulated clock of `python -m bot run --clock-start ... --clock-speed ...`."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.cli.main import build_parser
from bot.services import SimulatedClock, system_clock, wall_clock


def test_simulated_clock_starts_at_the_given_time_and_runs_faster() -> None:
    start = datetime(2027, 1, 4, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    clock = SimulatedClock(start, speed=3600)
    first = clock()
    assert first.tzinfo is UTC
    assert timedelta(0) <= first - datetime(2027, 1, 4, 7, 0, tzinfo=UTC) < timedelta(minutes=30)
    time.sleep(0.05)
    assert clock() - first >= timedelta(seconds=0.05 * 3600 * 0.9)


def test_simulated_clock_needs_an_offset() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        SimulatedClock(datetime(2027, 1, 4, 8, 0))


@pytest.mark.parametrize("value", ["2027-01-04T08:00", "next monday"])
def test_run_refuses_a_clock_start_without_offset_or_date(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--clock-start", value])
    assert "--clock-start" in capsys.readouterr().err


def test_run_takes_clock_start_and_speed() -> None:
    args = build_parser().parse_args(["run", "--clock-start", "2027-01-04T08:00+01:00", "--clock-speed", "3600"])
    assert args.clock_start == datetime(2027, 1, 4, 7, 0, tzinfo=UTC)
    assert args.clock_speed == 3600


def test_what_people_wait_through_is_measured_in_real_time_on_a_simulated_clock() -> None:
    """Stalled updates and the hourly grouping of error reports: at 3600x three 'minutes' would pass in 0.05 s."""
    fast = SimulatedClock(datetime(2027, 1, 4, 8, 0, tzinfo=UTC), speed=3600)
    assert wall_clock(fast) is system_clock
    def fixed() -> datetime:
        return datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    assert wall_clock(fixed) is fixed  # a test's injected clock stands for the real time and is kept
