"""The play command's run of one Player: the loop until quit, then what the command line
reports (statistics, the screenshot at exit, entries that could not be played) and its exit
code. Start-up errors propagate as A4kError (one message, exit 1, cli.py's boundary).
"""
from __future__ import annotations

import sys
from pathlib import Path

from player.base.errors import MediaError
from player.config.profiles import Config
from player.playback.loop import Player, PlayOptions
from player.playback.mpv_errors import QuitWhileOpening

# the exit screenshot waits this long at most for the subtitle track to be read (a stream)
SCREENSHOT_SUBTITLE_WAIT_S = 10.0


def play(opts: PlayOptions, config: Config) -> int:
    """Play the playlist; 0, or 1 when some entries could not be played (each said)."""
    try:
        player = Player(opts, config)
    except QuitWhileOpening:  # quit before the first frame of a slow start: as asked
        if opts.screenshot:
            raise MediaError("quit before a frame was shown, so no screenshot was written",
                             path=opts.screenshot) from None
        return 0
    try:
        code = player.run()
        if opts.stats:
            player.write_stats(opts.stats)
        # nothing shown because the playlist ended on its own, not because the user quit
        # first (q before the first frame of a slow start is not a broken file)
        if player.presented == 0 and player.video.ended and not player.video.quit_asked:
            raise MediaError("libmpv could not decode any video frame from this file",
                             path=opts.paths[0])
        if opts.screenshot:
            if player.presented == 0 and player._last is None:
                raise MediaError("no frame was presented, so no screenshot was written",
                                 path=opts.screenshot)
            player.subtitles.settle(SCREENSHOT_SUBTITLE_WAIT_S)
            player.screenshot(opts.screenshot)
        failures = player.video.failures
        if failures:
            print(f"a4kplay: {len(failures)} of {len(opts.paths)} files could not be played: "
                  + "; ".join(f"{Path(f).name}: {w}" for f, w in failures), file=sys.stderr)
            code = code or 1
        return code
    finally:
        player.close()
