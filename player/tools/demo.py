"""`a4kplay demo`: the built-in clip (generated on first use, cached), played as any file."""
from __future__ import annotations

from player.tools.play import add_play_options, play


def add_arguments(p) -> None:
    add_play_options(p)


def run(args) -> int:
    from player.playback.mpv_errors import import_mpv
    import_mpv()                        # libmpv missing: say so before generating media
    from player.media.demo import demo_clip
    return play(args, [str(demo_clip())])
