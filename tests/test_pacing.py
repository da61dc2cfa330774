"""Pacing of outgoing messages: overall rate, per-chat and group gaps, holds after a 429, and retry backoff."""

from __future__ import annotations

import math
from bisect import bisect_left
from itertools import pairwise

import pytest

from bot.core.pacing import Limits, Pacer, backoff

OVERALL = 1 / (30 * 0.95)
PRIVATE = 1 / (1 * 0.95)
GROUP = 60 / (20 * 0.95)


def most_in_one_second(times: list[float]) -> int:
    """The largest number of send times inside any half-open window [t, t + 1)."""
    ordered = sorted(times)
    return max(bisect_left(ordered, t + 1.0) - i for i, t in enumerate(ordered))


def test_reservations_for_distinct_chats_are_evenly_spaced_at_the_overall_rate() -> None:
    pacer = Pacer(Limits())
    times = [pacer.reserve(chat, 0.0) for chat in range(1, 101)]
    assert times[0] == 0.0
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert gaps == pytest.approx([OVERALL] * 99)
    assert times[-1] == pytest.approx(99 / 28.5)


@pytest.mark.parametrize("limits", [Limits(), Limits(per_second=1), Limits(per_second=2), Limits(per_second=20),
                                    Limits(per_second=25), Limits(per_second=100)])
@pytest.mark.parametrize("count", [1, 30, 31, 500])
def test_no_one_second_window_holds_more_than_the_limit(limits: Limits, count: int) -> None:
    pacer = Pacer(limits)
    times = [pacer.reserve(chat, 0.0) for chat in range(1, count + 1)]
    assert most_in_one_second(times) <= limits.per_second


def test_arrivals_spread_over_time_still_keep_the_limit() -> None:
    pacer = Pacer(Limits())
    # bursts of 50 requests every 0.7 s, while earlier bursts are still being paced
    times = [pacer.reserve(1000 * burst + n, 0.7 * burst) for burst in range(10) for n in range(50)]
    assert times == sorted(times)
    assert most_in_one_second(times) <= 30


def test_a_send_is_never_booked_before_now() -> None:
    pacer = Pacer(Limits())
    assert pacer.reserve(1, 50.0) == 50.0
    assert pacer.reserve(2, 10.0) == pytest.approx(50.0 + OVERALL)  # the overall spacing still holds
    assert pacer.reserve(3, 100.0) == 100.0


def test_a_private_chat_waits_its_own_gap() -> None:
    pacer = Pacer(Limits())
    assert [pacer.reserve(7, 0.0) for _ in range(3)] == pytest.approx([0.0, PRIVATE, 2 * PRIVATE])
    assert pacer.chat_ready(7) == pytest.approx(3 * PRIVATE)
    other = Pacer(Limits())
    first = other.reserve(7, 0.0)
    between = other.reserve(8, 0.0)
    again = other.reserve(7, 0.0)
    assert (first, between, again) == pytest.approx((0.0, OVERALL, PRIVATE))
    assert other.reserve(9, 0.0) == pytest.approx(2 * OVERALL)  # the others are not held up by chat 7


def test_three_for_one_chat_then_another_chat_takes_the_next_overall_slot() -> None:
    pacer = Pacer(Limits())
    assert [pacer.reserve(7, 0.0) for _ in range(3)] == pytest.approx([0.0, PRIVATE, 2 * PRIVATE])
    assert pacer.reserve(8, 0.0) == pytest.approx(OVERALL)  # not after chat 7's two seconds
    assert [pacer.reserve(chat, 0.0) for chat in (9, 10)] == pytest.approx([2 * OVERALL, 3 * OVERALL])


def test_other_chats_fill_the_slots_around_one_chats_bookings_and_keep_the_overall_spacing() -> None:
    pacer = Pacer(Limits())
    digest = [pacer.reserve(7, 0.0) for _ in range(5)]  # one chat's five messages: a second apart
    others = [pacer.reserve(chat, 0.0) for chat in range(100, 200)]
    assert digest == pytest.approx([n * PRIVATE for n in range(5)])
    every = sorted(digest + others)
    assert min(later - earlier for earlier, later in pairwise(every)) >= OVERALL - 1e-9
    # The hundred others plus the five fill the overall slots from 0 on, with no gap waiting for chat 7.
    assert max(others) <= 105 * OVERALL + 1e-9
    assert most_in_one_second(every) <= 30


def test_a_group_chat_gets_twenty_messages_a_minute_with_the_margin() -> None:
    pacer = Pacer(Limits())
    times = [pacer.reserve(-100123, 0.0) for _ in range(20)]
    assert pytest.approx(3.1579, abs=1e-4) == GROUP
    assert times[1] == pytest.approx(GROUP)
    assert sum(1 for t in times if t < 59.9) == 19  # fewer than 20 in the first minute
    assert pacer.chat_ready(-100123) == pytest.approx(20 * GROUP)


@pytest.mark.parametrize(("limits", "private", "group"), [
    (Limits(per_chat_per_second=2, group_per_minute=30), 1 / 1.9, 60 / 28.5),
    (Limits(margin=1.0), 1.0, 3.0),
])
def test_gaps_follow_the_limits(limits: Limits, private: float, group: float) -> None:
    pacer = Pacer(limits)
    assert pacer.reserve(1, 0.0) == 0.0
    assert pacer.reserve(1, 0.0) == pytest.approx(private)
    overall = 1 / (30 * limits.margin)
    assert pacer.reserve(-1, 0.0) == pytest.approx(overall)  # the first free overall slot
    assert pacer.chat_ready(-1) == pytest.approx(overall + group)


def test_hold_chat_delays_only_that_chat_and_never_shortens_a_wait() -> None:
    pacer = Pacer(Limits())
    pacer.hold_chat(5, 10.0)
    assert pacer.chat_ready(5) == 10.0
    assert pacer.reserve(6, 0.0) == 0.0
    assert pacer.reserve(5, 0.0) == 10.0
    pacer.hold_chat(5, 2.0)  # an older, shorter retry_after changes nothing
    assert pacer.chat_ready(5) == pytest.approx(10.0 + PRIVATE)
    assert pacer.reserve(5, 0.0) == pytest.approx(10.0 + PRIVATE)


def test_hold_all_delays_every_chat_and_never_shortens_a_wait() -> None:
    pacer = Pacer(Limits())
    pacer.hold_all(7.0)
    pacer.hold_all(3.0)
    assert pacer.reserve(1, 0.0) == 7.0
    assert pacer.reserve(2, 1.0) == pytest.approx(7.0 + OVERALL)
    assert pacer.reserve(3, 20.0) == 20.0


def test_forget_before_keeps_memory_flat_without_changing_any_booking() -> None:
    pacer = Pacer(Limits())
    now = 0.0
    for chat in range(10_000):
        now += 0.05
        pacer.reserve(chat, now)
        if chat % 100 == 0:
            pacer.forget_before(now)
        assert len(pacer._next_chat) <= 125
    recent = pacer.chat_ready(9_999)
    pacer.forget_before(now)
    assert pacer.chat_ready(9_999) == recent > now  # a chat that must still wait keeps its booking
    assert len(pacer._next_chat) <= 22  # only chats that still have to wait (the last ~1.05 s) are remembered
    pacer.hold_chat(-42, now + 600)
    pacer.forget_before(now + 5)
    assert pacer.chat_ready(-42) == now + 600  # a chat on hold is kept
    assert pacer.chat_ready(9_999) == 0.0  # a forgotten chat may get a message at once
    assert pacer.reserve(9_999, now + 5) == now + 5


@pytest.mark.parametrize(("attempts", "seconds"), [
    (0, 1.0), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 256.0), (10, 300.0), (11, 300.0), (60, 300.0),
])
def test_backoff_doubles_up_to_the_cap(attempts: int, seconds: float) -> None:
    wait = backoff(attempts)
    assert wait == seconds and isinstance(wait, float)


@pytest.mark.parametrize(("attempts", "base", "cap", "seconds"), [
    (1, 0.5, 10.0, 0.5), (3, 0.5, 10.0, 2.0), (6, 0.5, 10.0, 10.0), (-3, 2.0, 10.0, 2.0),
])
def test_backoff_base_and_cap(attempts: int, base: float, cap: float, seconds: float) -> None:
    assert backoff(attempts, base, cap) == seconds


def test_backoff_stays_at_the_cap_after_very_many_attempts() -> None:
    assert backoff(1100) == 300.0


def _window_max(times: list[float], window: float = 1.0) -> int:
    """The most sends in any window of `window` seconds (closed on the left, open on the right)."""
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


@pytest.mark.parametrize("caught_up", [0, 5])
def test_after_a_stall_at_most_catch_up_slots_are_made_up(caught_up: int) -> None:
    rate = 300.0
    pacer = Pacer(Limits(per_second=rate, catch_up=caught_up))
    interval = 1 / (rate * 0.95)
    before = [pacer.reserve(chat, 0.0) for chat in range(1, 11)]
    stall_end = before[-1] + 0.5  # the loop was busy for half a second
    after = [pacer.reserve(chat, stall_end) for chat in range(11, 11 + caught_up + 3)]
    # The first sends after the stall go at once, as many as may be caught up, then the even rhythm resumes.
    assert after[:caught_up + 1] == pytest.approx([stall_end] * (caught_up + 1))
    assert after[caught_up + 1] - after[caught_up] == pytest.approx(interval)
    assert _window_max(before + after) <= rate


def _leave_all(pacer: Pacer, wakes: list[float]) -> list[float]:
    """Each send, in the order they wake, asks depart() until it may leave, as the senders do; when they left.
    The clock never runs back: a send that woke while another still waited asks after that one left."""
    left: list[float] = []
    for wake in wakes:
        now = max(wake, left[-1]) if left else wake
        while (wait := pacer.depart(now)) > 0:
            now += wait
        left.append(now)
    return left


@pytest.mark.parametrize("rate", [30.0, 100.0, 300.0])
def test_sends_that_leave_on_their_booked_times_never_wait_for_the_window(rate: float) -> None:
    pacer = Pacer(Limits(per_second=rate))
    booked = [pacer.reserve(chat, 0.0) for chat in range(1, int(rate * 3))]
    assert _leave_all(pacer, booked) == booked


@pytest.mark.parametrize("rate", [30.0, 100.0])
@pytest.mark.parametrize("late", [0.06, 0.3, 0.9])
def test_sends_that_wake_late_and_leave_together_still_keep_the_limit(rate: float, late: float) -> None:
    pacer = Pacer(Limits(per_second=rate))
    booked = [pacer.reserve(chat, 0.0) for chat in range(1, int(rate * 4))]
    # Every other second's sends wake `late` seconds late (a busy loop), so they leave bunched with the next ones.
    wakes = sorted(at + late if int(at) % 2 == 0 else at for at in booked)
    left = _leave_all(pacer, wakes)
    assert most_in_one_second(left) <= math.ceil(rate * 0.95)
    assert most_in_one_second(wakes) > rate  # without the window these would have been refused
    assert left == sorted(left) and all(gone >= wake for gone, wake in zip(left, wakes, strict=True))


def test_depart_counts_only_sends_that_leave_and_names_the_wait() -> None:
    pacer = Pacer(Limits(per_second=2, margin=1.0))
    assert pacer.depart(10.0) == 0.0 and pacer.depart(10.2) == 0.0
    assert pacer.depart(10.5) == pytest.approx(0.5)  # the one from 10.0 leaves the window at 11.0
    assert pacer.depart(10.9) == pytest.approx(0.1)  # asking again counted nothing
    assert pacer.depart(11.0) == 0.0
    assert pacer.depart(11.1) == pytest.approx(0.1)


def _spacing(pacer: Pacer, now: float) -> float:
    """The gap between two sends booked now to fresh chats."""
    first, second = pacer.reserve(-10**9 - int(now * 1000), now), pacer.reserve(10**9 + int(now * 1000), now)
    return second - first


def test_a_429_eases_the_rate_off_once_per_hold_and_the_hold_comes_first() -> None:
    pacer = Pacer(Limits(per_second=100))
    assert pacer.rate == pytest.approx(95.0)
    pacer.too_many(10.0, 1.0)
    pacer.too_many(10.2, 1.0)  # another send of the same burst: the same slowdown, not a second one
    assert pacer.rate == pytest.approx(95.0 / 1.15)
    assert pacer.reserve(1, 10.3) == pytest.approx(11.2)  # nothing before the later hold ends
    assert _spacing(pacer, 12.0) == pytest.approx(1.15 / 95.0)
    pacer.too_many(12.5, 1.0)  # a new burst after the hold: slower again
    assert pacer.rate == pytest.approx(95.0 / 1.15 ** 2)


def test_easing_off_stops_at_half_the_rate_and_comes_back_step_by_step_when_calm() -> None:
    pacer = Pacer(Limits(per_second=100))
    for second in range(20):
        pacer.too_many(float(second * 2), 1.0)
    assert pacer.rate == pytest.approx(47.5)
    calm_from = 39.0 + 30.0  # the last hold ended at 39 s; each quiet half-minute gives back one step
    assert _spacing(pacer, calm_from - 0.1) == pytest.approx(1 / 47.5)
    assert _spacing(pacer, calm_from) == pytest.approx(2.0 / 1.15 / 95)
    assert _spacing(pacer, calm_from + 30.0 * 10) == pytest.approx(1 / 95)
    assert pacer.rate == pytest.approx(95.0)


def test_the_departure_window_narrows_while_eased_off() -> None:
    pacer = Pacer(Limits(per_second=100))
    pacer.too_many(0.0, 1.0)
    left = _leave_all(pacer, [2.0] * 200)  # all woke at once
    assert most_in_one_second(left) == math.ceil(95 / 1.15)


def test_a_send_booked_before_a_429_waits_out_the_hold_before_it_leaves() -> None:
    pacer = Pacer(Limits(per_second=100))
    booked = pacer.reserve(1, 10.0)  # booked, then asleep until its slot, when the 429 comes
    pacer.too_many(10.0, 2.0)
    assert pacer.depart(booked) == pytest.approx(2.0)
    assert pacer.depart(11.5) == pytest.approx(0.5)
    assert pacer.depart(12.0) == 0.0
