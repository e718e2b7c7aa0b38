"""bench --pace: each frame starts on its tick; an overrun starts the next at once and does
not make the clock hurry (pure, with a fake clock)."""
from player.tools.bench import Pacer


class Clock:
    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.slept.append(round(s, 6))
        self.now += s


def test_frames_start_on_ticks():
    c = Clock()
    p = Pacer(25.0, clock=c, sleep=c.sleep)
    p.wait()                    # the first frame starts at once
    c.now += 0.01               # a 10 ms frame
    p.wait()
    c.now += 0.01
    p.wait()
    assert c.slept == [0.03, 0.03] and abs(c.now - 100.08) < 1e-9


def test_an_overrun_starts_the_next_frame_at_once_without_catching_up():
    c = Clock()
    p = Pacer(10.0, clock=c, sleep=c.sleep)
    p.wait()
    c.now += 0.25               # a frame that took two and a half intervals
    p.wait()
    assert c.slept == []
    c.now += 0.01
    p.wait()                    # the next tick is one interval after the late start
    assert c.slept == [0.09]


def test_no_pace_never_waits():
    c = Clock()
    p = Pacer(None, clock=c, sleep=c.sleep)
    for _ in range(3):
        p.wait()
    assert c.slept == []
