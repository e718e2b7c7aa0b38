"""The options the mpv core is created with: ours, the viewer's, what our rendering needs.

One function, ``core_options``, decides them in the order libmpv applies them (each as it
is set): our defaults, then the viewer's mpv.conf (config/mpv_conf.py kept only what libmpv
may apply; handed over as an ``include=`` of a filtered copy), then what our rendering
needs (libmpv renders into our texture, draws no OSD, subtitles or controller), then
``--mpv``; a default that ``--mpv`` names is set only by ``--mpv``. Pure but for the
include file and the watch-later folder it makes.
"""
from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from typing import Mapping

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CoreOptions:
    options: dict            # python-mpv keyword spelling (underscores)
    sub_visibility: bool     # the viewer's sub-visibility: our flag's start
    scratch: str | None      # a folder of ours holding the include file (removed on close)


def watch_later_dir(env: Mapping[str, str] | None = None) -> str:
    """Where resume positions are kept unless --mpv watch-later-directory says otherwise."""
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "a4kplay", "watch_later")


def core_options(options: Mapping[str, str] | None, setup, *, audio: bool = True,
                 start: float | None = None, paused: bool = False) -> CoreOptions:
    """The core's options for --mpv ``options`` and the viewer's mpv folder ``setup``."""
    scratch = None
    user = {k.replace("-", "_"): v for k, v in (options or {}).items()}
    defaults = {"hwdec": "no", "input_default_bindings": "yes", "sub_auto": "fuzzy",
                "keep_open": "no", "watch_later_directory": watch_later_dir()}
    conf_hwdec = setup.top_value("hwdec") if setup is not None else None
    if ("hwdec" not in user and "gpu_hwdec_interop" not in user
            and conf_hwdec in (None, "no")):
        # software decoding: no hardware interop to probe (the probe prints a
        # misleading "Cannot load libcuda.so.1" on machines without NVIDIA drivers)
        defaults["gpu_hwdec_interop"] = "no"
    opts = {k: v for k, v in defaults.items() if k not in user}
    opts["config"] = "no"          # never libmpv's own reading: mpv_conf.py's
    if setup is not None and setup.folder:
        opts["config_dir"] = setup.folder      # mpv's ~~/ is the viewer's folder
    if setup is not None and setup.include_text:
        scratch = tempfile.mkdtemp(prefix="a4kplay-mpv-")
        conf = os.path.join(scratch, "mpv.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(setup.include_text)
        opts["include"] = conf
    if setup is not None and setup.input_conf:
        opts["input_conf"] = setup.input_conf
    forced = {"vo": "libmpv", "dither_depth": "no", "osc": "no",
              "input_vo_keyboard": "no", "idle": "yes", "audio_display": "no",
              "osd_level": "0", "load_scripts": "no", "load_stats_overlay": "no",
              # subtitles are ours, drawn at output resolution (player/subs); libmpv
              # would draw them into the native-size frame, under the shaders
              "sub_visibility": "no"}
    opts.update({k: v for k, v in forced.items() if k not in user})
    if not audio:
        user.setdefault("audio", "no")
    if paused:
        user.setdefault("pause", "yes")
    if start is not None:
        user.setdefault("start", str(start))
    opts.update(user)
    # the user's sub-visibility (--mpv, else mpv.conf) is our flag's start; libmpv's
    # stays off
    asked = user.get("sub_visibility", setup.top_value("sub-visibility") if setup else None)
    sub_visibility = str(asked or "yes") not in ("no", "false")
    opts["sub_visibility"] = "no"
    # libmpv 0.35 does not create the watch-later folder: --mpv's, mpv.conf's or ours
    later = user.get("watch_later_directory") or (
        setup.top_value("watch-later-directory") if setup is not None else None) \
        or opts["watch_later_directory"]
    if later.startswith("~~/") and setup is not None and setup.folder:
        later = os.path.join(setup.folder, later[3:])
    _make_folder(later)
    return CoreOptions(opts, sub_visibility, scratch)


def _make_folder(path: str) -> None:
    try:
        os.makedirs(os.path.expanduser(path), exist_ok=True)
    except OSError as e:   # resume will not work; playing does
        log.warning("cannot make the watch-later folder %s: %s", path, e)
