"""The handlers of our actions, one function per row of config/actions.py's table.

Each handler takes the player and the parsed Action and changes state only through the
methods of the player and of its parts (``p.tiers``, ``p.comparing``, ``p.osc``), so a key, a profiles.yaml binding, an IPC ``script-message a4kplay``
and the governor all take this one path. ``HANDLERS`` must name every row of the table and
nothing else (checked at import): a new action is one row there and one function here.
"""
from __future__ import annotations

from player.config.actions import ACTIONS
from player.ui.hud import SHOW_SECONDS

def _profile(p, a):
    p.select_profile(str(a.arg))


def _cycle_profile(p, a):
    names = p.config.profile_names
    p.select_profile(names[(names.index(p.profile) + 1) % len(names)]
                     if p.profile in names else names[0])


def _compare_cycle(p, a):
    p.notify(p.comparing.cycle())
    p.redraw = True


def _flip(p, a):
    p.notify(p.comparing.flip(p.tier))
    p.redraw = True


def _divider(p, a):
    p.comparing.move(float(a.arg))
    p.redraw = True


def _screenshot(p, a):
    p.notify("saved " + str(p.screenshot(mode=a.arg or "subtitles")))


def _screenshot_both(p, a):
    p.notify("saved " + ", ".join(map(str, p.screenshot_both())))


def _edit_config(p, a):
    p.edit_config()


def _overlay_show(p, a):
    p.show_panel(SHOW_SECONDS)


def _overlay_toggle(p, a):
    p.show_panel(None)


def _auto_toggle(p, a):
    p.notify(p.tiers.toggle_auto())


def _show_progress(p, a):
    p.show_progress()


def _sub_visibility(p, a):
    p.set_sub_visibility(not p.sub_visible)


def _reload(p, a):
    p.reload()


def _compare(p, a):
    p.notify(p.comparing.set(a.arg or "toggle"))
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
