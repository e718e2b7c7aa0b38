"""libmpv's vo-passes value read into named GPU times (pure; the live read is in
tests/media/test_frame_timing.py)."""
from player.playback.mpv_render import named_passes


def test_fresh_passes_keep_libmpv_names_and_order_in_ms():
    value = {"fresh": [{"desc": "upload frame", "last": 1500000, "avg": 9, "peak": 9,
                        "count": 3, "samples": [1, 2]},
                       {"desc": "user shader: test luma pass (luma)", "last": 250000}],
             "redraw": [{"desc": "redraw", "last": 99000000}]}
    assert named_passes(value) == [("mpv: upload frame", 1.5),
                                   ("mpv: user shader: test luma pass (luma)", 0.25)]


def test_anything_else_is_no_passes():
    for value in (None, [], {}, {"fresh": None}, {"fresh": [{"desc": "x"}]},
                  {"fresh": [{"desc": "x", "last": "1"}]}, "vo-passes"):
        assert named_passes(value) == []
    assert named_passes({"fresh": [{"last": 2000000}]}) == [("mpv: ?", 2.0)]
