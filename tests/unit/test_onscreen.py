"""What is on screen and until when (playback/onscreen.py), with a clock of our own."""
from player.playback.onscreen import OnScreen
from player.ui.hud import MESSAGE_SECONDS


class Clock:
    now = 1000.0

    def __call__(self):
        return self.now


def test_messages_leave_after_their_time_and_ask_for_one_more_draw():
    c = Clock()
    s = OnScreen(c)
    s.say("one")
    c.now += 1.0
    s.say("two")
    assert s.live_messages() == ["one", "two"] and not s.expired()
    c.now += MESSAGE_SECONDS - 0.5             # "one" is due, "two" not yet
    assert s.expired() and s.live_messages() == ["two"]
    c.now += 1.0
    assert s.expired() and s.live_messages() == [] and not s.expired()


def test_the_panel_for_a_while_and_toggled():
    c = Clock()
    s = OnScreen(c)
    assert not s.panel_shown()
    s.show_panel(3.0)
    assert s.panel_shown()
    c.now += 3.0
    assert not s.panel_shown() and s.expired() and s.panel_until == 0.0 and not s.expired()
    s.show_panel(None)
    c.now += 100.0
    assert s.panel_shown()                     # toggled on stays on
    s.show_panel(None)
    assert not s.panel_shown()


def test_the_progress_line_shows_for_a_message_time():
    c = Clock()
    s = OnScreen(c)
    assert not s.progress_shown()
    s.show_progress()
    assert s.progress_shown() and not s.expired()
    c.now += MESSAGE_SECONDS
    assert not s.progress_shown() and s.expired() and s.progress_until == 0.0
