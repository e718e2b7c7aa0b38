"""Live A/B compare's state, changed only through its methods (pure)."""
import pytest

from player.playback.compare import Compare


def test_cycle_goes_off_split_flip_off_and_resets_the_flip_side():
    c = Compare()
    assert c.mode == "off"
    assert c.cycle() == "compare: split"
    assert c.cycle() == "compare: flip"
    assert c.flip("Learned-M") == "showing baseline" and c.show_baseline
    assert c.cycle() == "compare: off" and not c.show_baseline


def test_toggle_and_named_modes():
    c = Compare(on=True)
    assert c.mode == "split"
    assert c.set("toggle") == "compare: off"
    assert c.set("toggle") == "compare: split"
    assert c.set("flip") == "compare: flip"
    with pytest.raises(ValueError):
        c.set("sideways")
    assert c.mode == "flip"


def test_flip_outside_flip_mode_only_says_how():
    c = Compare()
    assert c.flip("Fast") == "flip works in flip compare (c twice)"
    assert not c.show_baseline


def test_divider_is_clamped_and_placed_only_in_split():
    c = Compare()
    assert not c.place(0.3) and c.split == 0.5
    c.set("split")
    c.move(0.7)
    assert c.split == 1.0
    assert c.place(-2.0) and c.split == 0.0
