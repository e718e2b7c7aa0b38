"""The handlers of our actions, one function per row of config/actions.py's table.

Each handler takes the player and the parsed Action and changes state only through the
player's own methods, so a key, a profiles.yaml binding, an IPC ``script-message a4kplay``
and the governor all take this one path. ``HANDLERS`` must name every row of the table and
nothing else (checked at import): a new action is one row there and one function here.
"""
from __future__ import annotations

import time

from player.config.actions import ACTIONS
from player.ui.hud import SHOW_SECONDS

COMPARE_MODES = ("off", "split", "flip")


def _profile(p, a):
    p.select_profile(str(a.arg))


def _cycle_profile(p, a):
    names = p.config.profile_names
    p.select_profile(names[(names.index(p.profile) + 1) % len(names)]
                     if p.profile in names else names[0])


def _compare_cycle(p, a):
    p.compare = COMPARE_MODES[(COMPARE_MODES.index(p.compare) + 1) % len(COMPARE_MODES)]
    p.flip_show_baseline = False
    p.notify(f"compare: {p.compare}")
    p.redraw = True


def _flip(p, a):
    if p.compare != "flip":
        p.notify("flip works in flip compare (c twice)")
        return
    p.flip_show_baseline = not p.flip_show_baseline
    p.notify("showing " + ("baseline" if p.flip_show_baseline else p.tier))
    p.redraw = True


def _divider(p, a):
    p.split = min(1.0, max(0.0, p.split + float(a.arg)))
    p.redraw = True


def _screenshot(p, a):
    p.notify("saved " + str(p.screenshot(mode=a.arg or "subtitles")))


def _screenshot_both(p, a):
    p.notify("saved " + ", ".join(map(str, p.screenshot_both())))


def _edit_config(p, a):
    p.edit_config()


def _overlay_show(p, a):
    p.overlay_until = time.monotonic() + SHOW_SECONDS
    p.redraw = True


def _overlay_toggle(p, a):
    p.overlay_on = not p.overlay_on
    p.redraw = True


def _auto_toggle(p, a):
    if p.governor is None:
        p.notify("auto quality: this profile is not on the ladder")
        return
    p.governor.enabled = not p.governor.enabled
    p.notify("auto quality: " + ("on" if p.governor.enabled else "off"))


def _show_progress(p, a):
    p.show_progress()


def _sub_visibility(p, a):
    p.set_sub_visibility(not p.sub_visible)


def _reload(p, a):
    p.reload()


def _compare(p, a):
    mode = a.arg or "toggle"
    if mode == "toggle":
        mode = "off" if p.compare != "off" else "split"
    p.compare = mode
    p.flip_show_baseline = False
    p.notify(f"compare: {p.compare}")
    p.redraw = True


def _osc_visibility(p, a):
    p.osc.set_visibility(a.arg or "auto")


def _menu(p, a):
    p.osc.open_menu(a.arg or "audio")


HANDLERS = {
    "profile": _profile, "cycle-profile": _cycle_profile, "compare-cycle": _compare_cycle,
    "flip": _flip, "divider": _divider, "screenshot": _screenshot,
    "screenshot-both": _screenshot_both, "edit-config": _edit_config,
    "overlay-show": _overlay_show, "overlay-toggle": _overlay_toggle,
    "auto-toggle": _auto_toggle, "show-progress": _show_progress,
    "sub-visibility": _sub_visibility, "reload": _reload, "compare": _compare,
    "osc-visibility": _osc_visibility, "menu": _menu,
}
if set(HANDLERS) != set(ACTIONS):   # a row without a handler, or a handler without a row
    raise ImportError("playback/commands.py and config/actions.py disagree: "
                      f"{sorted(set(HANDLERS) ^ set(ACTIONS))}")


def run(player, action) -> None:
    HANDLERS[action.name](player, action)
