"""How large the kiosk's picture goes out: smaller while sending cannot keep up with the camera,
larger again once there is room, never changing back and forth, and each size even."""

from __future__ import annotations

import pytest

from kiosk.video.load import (
    DOWN_AT,
    HOLD,
    RETRY_AFTER,
    UP_AFTER,
    UP_AT,
    WARM_UP,
    SendSize,
    scaled,
)

PERIOD = 1 / 30


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _frames(
    size: SendSize, clock: Clock, busy: float, seconds: float, encode: float | None = None
) -> None:
    """`seconds` of frames at 30 fps, each keeping the chain busy `busy` of a period, `encode`
    of it in the encoder."""
    for _ in range(round(seconds * 30)):
        clock.now += PERIOD
        size.record(busy * PERIOD, None if encode is None else encode * PERIOD)


def _warmed_up(busy: float = 0.4) -> tuple[SendSize, Clock]:
    clock = Clock()
    size = SendSize(1280, 720, 30, clock=clock)
    _frames(size, clock, busy, WARM_UP + 1)
    return size, clock


def test_a_machine_with_room_keeps_the_full_size() -> None:
    size, clock = _warmed_up()
    _frames(size, clock, 0.5, 30, encode=0.3)
    assert size.size == (1280, 720)
    assert size.steps == []
    assert size.busy == pytest.approx(0.5)
    assert size.encode_share == pytest.approx(0.3)


def test_the_start_of_sending_is_not_judged() -> None:
    clock = Clock()
    size = SendSize(1280, 720, 30, clock=clock)
    # Connecting and the first key frames: slow, but no reason to send a smaller picture.
    _frames(size, clock, 3.0, WARM_UP - 0.1)
    assert size.busy is None
    _frames(size, clock, 0.4, 2)
    assert size.size == (1280, 720)


def test_an_overloaded_machine_steps_down_until_it_keeps_up() -> None:
    size, clock = _warmed_up()
    _frames(size, clock, 0.95, 0.5)
    assert size.size == (1280, 720)  # the smoothed figure has not crossed DOWN_AT yet
    _frames(size, clock, 0.95, 1.0)
    assert size.size == (960, 540)
    # Still overloaded at the new size: the next step waits for HOLD.
    stepped_at = size.steps[0][0]
    _frames(size, clock, 0.95, stepped_at + HOLD - 0.1 - clock.now)
    assert size.size == (960, 540)
    _frames(size, clock, 0.95, 1.0)
    assert size.size == (640, 360)
    # There is no smaller size.
    _frames(size, clock, 0.95, 5)
    assert size.size == (640, 360)
    assert [s for _, s in size.steps] == [(960, 540), (640, 360)]


def test_it_steps_up_when_the_encoders_share_grown_to_the_larger_size_still_fits() -> None:
    size, clock = _warmed_up()
    _frames(size, clock, 0.95, 1.5)
    assert size.size == (960, 540)
    # At 960×540: 45 % busy, 25 % of it encoding. At 1280×720 the encoding would take 44 %,
    # so 64 % in all: under UP_AT.
    assert UP_AT > 0.45 + 0.25 * ((1 / 0.75) ** 2 - 1)
    _frames(size, clock, 0.45, UP_AFTER, encode=0.25)
    assert size.size == (960, 540)  # room for UP_AFTER, counted once the figure settled
    _frames(size, clock, 0.45, 3, encode=0.25)
    assert size.size == (1280, 720)


def test_without_the_encoders_figure_all_the_work_is_taken_to_grow() -> None:
    size, clock = _warmed_up()
    _frames(size, clock, 0.95, 1.5)
    assert size.size == (960, 540)
    _frames(size, clock, 0.50, 3 * UP_AFTER)
    assert size.size == (960, 540)  # 0.50 × 1.78 = 89 %: no room
    _frames(size, clock, 0.35, 3 * UP_AFTER)
    assert size.size == (1280, 720)  # 0.35 × 1.78 = 62 %


def test_a_step_up_taken_back_makes_the_next_try_wait_twice_as_long() -> None:
    size, clock = _warmed_up()
    _frames(size, clock, 0.95, 1.5)
    assert size.size == (960, 540)
    # Room judged from 960×540, then the full size turns out to be too much, again and again.
    steps_up = []
    for _ in range(3):
        went_down_at = clock.now
        while size.size != (1280, 720):
            _frames(size, clock, 0.40, 0.1, encode=0.1)
        steps_up.append(clock.now - went_down_at)
        _frames(size, clock, 0.95, HOLD + 0.5)
        assert size.size == (960, 540)
        assert clock.now - size.steps[-2][0] < RETRY_AFTER
    assert steps_up[1] > 1.8 * steps_up[0] - 1
    assert steps_up[2] > 1.8 * steps_up[1] - 1


def test_a_short_spike_does_not_step_down() -> None:
    size, clock = _warmed_up()
    # Three frames in a row taking two periods each (a key frame, another program waking).
    for _ in range(3):
        clock.now += PERIOD
        size.record(2 * PERIOD)
    assert size.busy is not None and size.busy < DOWN_AT
    _frames(size, clock, 0.4, 1)
    assert size.size == (1280, 720)


def test_scaled_sizes_are_even() -> None:
    assert scaled(640, 480, 0.75) == (480, 360)
    assert scaled(1280, 720, 0.5) == (640, 360)
    assert scaled(642, 482, 0.75) == (480, 360)
    assert scaled(646, 486, 0.75) == (484, 364)
    assert all(v % 2 == 0 for v in scaled(1278, 718, 0.75))
