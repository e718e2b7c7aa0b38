"""Screenshot names: numbered, never overwriting, and a failed write leaves no empty file."""
from __future__ import annotations

import numpy as np
import pytest

from player.ui.screenshots import ShotNames


def test_numbered_never_overwriting_and_a_failed_write_gives_its_name_back(tmp_path):
    shots = ShotNames(str(tmp_path))
    (tmp_path / "a4kplay-0001.png").write_bytes(b"keep me")
    first = shots.save(np.zeros((4, 6, 3), np.uint8))
    assert first.name == "a4kplay-0002.png" and first.stat().st_size > 0
    with pytest.raises(Exception):
        shots.save(np.zeros((4, 6), np.uint8))          # not an RGB picture: the write fails
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a4kplay-0001.png",
                                                         "a4kplay-0002.png"]
    assert (tmp_path / "a4kplay-0001.png").read_bytes() == b"keep me"
