"""What libmpv's render thread and the main thread share (playback/mpv_render.Handover):
pure, so its rules are tested here without GL or libmpv; the threads themselves run in
every media test."""
import threading

from player.playback.mpv_render import Frame, Handover


def frame(box, new=True, target=0):
    size, gen, slot = box.begin()
    return box.publish(Frame(None, slot, target, 1.0, new, gen))


def test_the_render_thread_never_writes_the_shown_or_the_ready_slot():
    box = Handover()
    a = frame(box)
    assert box.take() is a                        # the main thread shows slot a
    b = frame(box)                                # ready, not taken
    _, _, slot = box.begin()
    assert {a.slot, b.slot, slot} == {0, 1, 2}
    c = frame(box)                                # b never taken: dropped
    assert box.take() is c and c.slot != a.slot
    assert box.take() is None


def test_before_any_frame_a_new_size_asks_no_re_render():
    box = Handover()
    box.want((640, 360), 0)
    box.updated()
    assert box.wait() == (True, 0, False)
    assert box.begin()[0] == (640, 360)


def test_wait_returns_the_work_and_clears_it():
    box = Handover()
    box.updated()
    box.swapped()
    box.swapped()
    assert box.wait() == (True, 2, False)
    frame(box)
    box.want((320, 180), 1)                       # after a frame: re-render it
    assert box.wait() == (False, 0, True)
    box.stop()
    assert box.wait() is None


def test_stale_generations():
    box = Handover()
    old = frame(box)
    box.want((320, 180), 1)
    assert old.gen < box.gen
    box.want((320, 180), 1)                       # the same again: nothing changes
    assert box.gen == old.gen + 1


def test_a_re_render_stands_in_for_libmpvs_frame_not_taken_yet():
    """Its swap is owed to libmpv, and --frames counts it: a paused start must not wait for
    a frame libmpv will not send again."""
    box = Handover()
    frame(box, new=True, target=1234)
    box.want((320, 180), 1)
    rr = frame(box, new=False)
    assert rr.new and rr.target_us == 1234 and rr.gen == box.gen
    assert box.take() is rr
    again = frame(box, new=False)                 # a re-render of a frame already taken
    assert not again.new


def test_the_render_thread_waits_until_woken():
    box = Handover()
    got = []
    t = threading.Thread(target=lambda: got.append(box.wait()))
    t.start()
    t.join(0.1)
    assert t.is_alive() and not got
    box.updated()
    t.join(5)
    assert got == [(True, 0, False)]
