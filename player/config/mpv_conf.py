"""The viewer's own mpv set-up: mpv.conf and input.conf read as mpv reads them, each line
sorted into what libmpv applies, what becomes ours, and what is not applied (and why).

mpv reads ``mpv.conf`` and ``input.conf`` from its config folder ($MPV_HOME, else
~/.config/mpv). a4kplay does the same by default (``--no-config`` reads nothing,
``--mpv-config DIR`` another folder), but libmpv renders only the native-size frame here:
options of mpv's window, renderer, scalers, OSD and scripts would break our picture or do
nothing. So every option line goes one of three ways:

- **applied**: handed to libmpv as written (track and language choice, audio, subtitle
  timing and selection, watch-later, hwdec, cache, demuxer, network, ``[profiles]``);
- **mapped**: becomes one of ours (``glsl-shaders`` -> our chain at output size,
  ``scale`` -> our scaler, ``fullscreen``, ``screenshot-directory``, ``input-conf``);
- **refused**: not applied, with the reason; ``a4kplay doctor`` and the log list them with
  file:line.

The applied lines go to libmpv as one text (``include_text``) in mpv.conf syntax, so mpv's
own parser keeps its semantics (profiles, ``profile=``, ``profile-cond``, quoting). Lines
not applied are kept in that text as comments, so its line numbers stay the file's. A line
mpv could not parse is one message in ``broken``; the rest applies. The file is decoded as
mpv does, UTF-8 (a byte-order mark is skipped); bytes that are not UTF-8 make that line
broken. Pure: no libmpv.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from player.config.mpv_import import (import_input_conf, mpv_config_dir, mpv_key,
                                      resolve_path, split_path_list)

MPV_CONF = "mpv.conf"
INPUT_CONF = "input.conf"
MODE_NAME = "mpv glsl-shaders"   # the profile a glsl-shaders list without a show-text becomes

# our renderer replaces these; the value says what to use instead
_OURS = {
    "vo": "a4kplay renders through libmpv's render API; the window is ours",
    "gpu-api": "the GL context is ours (GLFW)", "gpu-context": "the GL context is ours (GLFW)",
    "wid": "the window is ours", "force-window": "the window is ours",
    "geometry": "use --size WxH", "autofit": "use --size WxH",
    "autofit-larger": "use --size WxH", "autofit-smaller": "use --size WxH",
    "window-scale": "use --size WxH", "border": "the window is ours",
    "ontop": "the window is ours", "title": "a4kplay sets the window title",
    "osc": "a4kplay draws its own controls at output resolution",
    "osd-bar": "our overlay draws mpv's OSD at output resolution",
    "blend-subtitles": "subtitles are drawn by a4kplay at output resolution, after the shaders",
    "dscale": "libmpv renders at the video's own size here; our scaler does the rest",
    "glsl-shader-opts": "set a shader's PARAMs in profiles.yaml (params:)",
    "scripts": "a4kplay runs no mpv scripts", "script": "a4kplay runs no mpv scripts",
    "load-scripts": "a4kplay runs no mpv scripts", "config": "a4kplay reads the config itself",
    "config-dir": "use --mpv-config DIR", "include": "nested includes are not read",
    "screenshot-format": "a4kplay writes PNG screenshots",
    "screenshot-template": "a4kplay names screenshots itself",
}
_OUR_PREFIXES = {
    "opengl-": "the GL context is ours (GLFW)", "vulkan-": "a4kplay renders with OpenGL",
    "d3d11-": "a4kplay renders with OpenGL", "spirv-": "a4kplay renders with OpenGL",
    "osd-": "our overlay draws mpv's OSD at output resolution",
    "osc-": "a4kplay draws its own controls", "script-opts": "a4kplay runs no mpv scripts",
    "screenshot-": "a4kplay writes its own PNG screenshots",
}
# subtitle options our renderer reads (from libmpv's properties); other sub-* styling
# options are not read by it yet
_SUB_READ = {"sub-delay", "sub-speed", "sub-scale", "sub-pos", "sub-visibility",
             "sub-ass-override", "sub-auto", "sub-file", "sub-files", "sub-codepage",
             "sub-ass", "sub-fix-timing", "sub-forced-only", "sub-gray", "sub-paths",
             "sub-file-paths", "sub-fps", "sub-ass-vsfilter-aspect-compat", "sub-create-cc-track",
             "sub-clear-on-seek", "sub-filter-sdh", "sub-filter-regex-enable", "sub-demuxer"}
_SCALERS = {"bilinear": "bilinear", "bicubic": "bicubic", "bicubic_fast": "bicubic",
            "catmull_rom": "bicubic", "mitchell": "bicubic", "hermite": "bicubic",
            "lanczos": "lanczos", "ewa_lanczos": "lanczos", "ewa_lanczossharp": "lanczos",
            "ewa_lanczossoft": "lanczos", "spline36": "lanczos", "spline64": "lanczos",
            "ewa_lanczos4sharpest": "lanczos", "haasnsoft": "lanczos", "sinc": "lanczos",
            "oversample": "bilinear", "nearest": "bilinear", "triangle": "bilinear"}
# mpv's command-line spellings that are not option names (its command line maps them)
CLI_SPELLINGS = {"sub-file": "sub-files-append", "audio-file": "audio-files-append",
                 "external-file": "external-files-append", "glsl-shader": "glsl-shaders-append",
                 "fs": "fullscreen", "sub": "sid", "audio": "aid", "video": "vid",
                 "shuffle": "shuffle", "sub-paths": "sub-file-paths"}
_FLAG_OFF = re.compile(r"no-(.+)")


@dataclass(frozen=True)
class Line:
    where: str          # "PATH:LINE"
    key: str            # as written, without a leading "--"
    value: str | None   # None: a flag written without "="
    section: str = ""   # "" for the top, else the [profile]'s name


@dataclass
class MpvSetup:
    """What the viewer's mpv folder says, sorted (see the module docstring)."""
    folder: str | None = None                 # the folder read (None: nothing read)
    files: list[str] = field(default_factory=list)      # the files found and read
    include_text: str = ""                    # mpv.conf as libmpv gets it ("" = none)
    applied: list[Line] = field(default_factory=list)
    mapped: list[tuple[Line, str]] = field(default_factory=list)     # (line, what it became)
    refused: list[tuple[Line, str]] = field(default_factory=list)    # (line, why)
    broken: list[str] = field(default_factory=list)                  # "PATH:LINE: why"
    input_conf: str | None = None             # the input.conf libmpv reads
    input_keys: frozenset[str] = frozenset()  # keys it binds (mpv's spelling)
    modes: Mapping[tuple[str, ...], str] = field(default_factory=dict)  # shaders -> show-text
    shaders: tuple[str, ...] | None = None    # glsl-shaders= at the top (resolved)
    scaler: str | None = None
    fullscreen: bool | None = None
    screenshot_dir: str | None = None

    def top_value(self, key: str) -> str | None:
        """The value the top of mpv.conf gives an applied option last (None: not given)."""
        values = [ln.value for ln in self.applied if not ln.section and ln.key == key]
        return (values[-1] if values[-1] is not None else "yes") if values else None

    def not_applied(self) -> list[str]:
        """One line each, with file:line: what doctor and the log print."""
        out = [f"{ln.where}: {ln.key}: mapped to {to}" for ln, to in self.mapped]
        out += [f"{ln.where}: {ln.key}: not applied: {why}" for ln, why in self.refused]
        return out + list(self.broken)


def option_name(key: str) -> str:
    """A command-line spelling as libmpv's option name (``sub-file`` -> ``sub-files-append``);
    other names as they are."""
    key = key[2:] if key.startswith("--") else key
    return CLI_SPELLINGS.get(key, key)


def command_line_options(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """``--mpv KEY=VALUE`` pairs as libmpv options: mpv's command-line spellings mapped as
    its command line maps them (``sub-file=a.ass`` twice -> ``sub-files=a.ass:b.ass``),
    later values of other keys winning."""
    out: dict[str, str] = {}
    for key, value in pairs:
        name = option_name(key.strip())
        if name.endswith("-append"):
            base = name[:-len("-append")]
            item = value.replace("\\", "\\\\").replace(":", "\\:")
            out[base] = f"{out[base]}:{item}" if out.get(base) else item
        else:
            out[name] = value
    return out


_LIST_SUFFIXES = ("-append", "-add", "-set", "-pre", "-clr", "-remove", "-toggle", "-del")


def base_option(key: str, value: str | None) -> str | None:
    """The option a line sets, as libmpv's ``option-info/NAME`` knows it (``no-foo`` ->
    ``foo``, ``alang-append`` -> ``alang``); None for profile keywords (``profile-cond``)."""
    name = option_name(key)
    if name.startswith("profile-"):
        return None
    if value is None and name.startswith("no-"):
        name = name[3:]
    for suffix in _LIST_SUFFIXES:
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name


def mark_unknown(setup: MpvSetup, known) -> list[str]:
    """Lines libmpv does not know (``known(name)`` False): they became no-ops when libmpv
    read the file; recorded in ``broken`` as mpv would say them. The new lines."""
    new = []
    for line in setup.applied:
        name = base_option(line.key, line.value)
        if name is not None and not known(name):
            new.append(f"{line.where}: {line.key}: libmpv knows no such option")
    setup.broken.extend(new)
    return new


def refusal(key: str) -> str | None:
    """Why an option is not handed to libmpv, or None when it is."""
    if key in _OURS:
        return _OURS[key]
    for prefix, why in _OUR_PREFIXES.items():
        if key.startswith(prefix):
            return why
    if key.startswith("sub-") and key not in _SUB_READ and not key.startswith("sub-ass-"):
        return "a4kplay's subtitle renderer does not read this styling option yet"
    return None


def config_folder(choice: str | None, no_config: bool,
                  env: Mapping[str, str] | None = None) -> Path | None:
    """The folder to read: None with --no-config, ``choice`` when given, else mpv's own."""
    if no_config:
        return None
    return Path(choice).expanduser() if choice else mpv_config_dir(env)


def read_setup(folder: Path | None, home: Path | None = None) -> MpvSetup:
    """Read mpv.conf and input.conf of ``folder`` (missing files are fine: nothing to
    apply). OSError never escapes: an unreadable file is one broken line."""
    setup = MpvSetup()
    if folder is None or not folder.is_dir():
        return setup
    home = Path(os.path.expanduser("~")) if home is None else home
    setup.folder = str(folder)
    conf = folder / MPV_CONF
    if conf.is_file():
        text = _read(conf, setup)
        if text is not None:
            setup.files.append(str(conf))
            _sort_conf(text, str(conf), folder, home, setup)
    inp = Path(setup.input_conf) if setup.input_conf else folder / INPUT_CONF
    if inp.is_file():
        text = _read(inp, setup)
        if text is not None:
            setup.files.append(str(inp))
            setup.input_conf = str(inp)
            _sort_input(text, str(inp), folder, home, setup)
    elif setup.input_conf:
        setup.broken.append(f"{setup.input_conf}: input-conf names a file that does not exist")
        setup.input_conf = None
    return setup


def applied_to(config, setup: MpvSetup, explicit: bool):
    """``config`` as the viewer's mpv set-up changes it: keys their input.conf binds are
    theirs (our default on the same key goes), mpv.conf's screenshot-directory (unless
    profiles.yaml names a folder), and its glsl-shaders as the profile to start with unless
    ``explicit`` (--profile or --shader chose)."""
    import dataclasses
    from types import MappingProxyType

    from player.config.keymap import normalize_key
    from player.config.profiles import DEFAULT_SCREENSHOT_DIR, Profile
    theirs = set()
    for key in setup.input_keys:
        try:
            theirs.add(normalize_key(key))
        except ValueError:
            continue
    changes = {"bindings": MappingProxyType({k: a for k, a in config.bindings.items()
                                             if k not in theirs})}
    if setup.screenshot_dir and config.screenshot_dir == str(
            Path(DEFAULT_SCREENSHOT_DIR).expanduser()):
        changes["screenshot_dir"] = setup.screenshot_dir
    if setup.shaders and not explicit:
        prof = Profile(name=MODE_NAME, shaders=setup.shaders,
                       scaler=setup.scaler or config.profile(config.default).scaler)
        changes["profiles"] = MappingProxyType({**config.profiles, prof.name: prof})
        changes["default"] = prof.name
    return dataclasses.replace(config, **changes)


def _read(path: Path, setup: MpvSetup) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as e:
        setup.broken.append(f"{path}: cannot read it ({e.strerror or e})")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.decode("utf-8", "replace")


_SECTION = re.compile(r"\[(.*)\]\s*(#.*)?")


def parse_line(text: str) -> tuple[str, str | None] | None:
    """(key, value) of one mpv.conf option line, None for a blank or comment line;
    ValueError saying why mpv would reject it. Quoting as mpv's: "..." or '...' (no
    escapes) or %N%N-bytes; after a value only a comment may follow."""
    s = text.strip()
    if not s or s.startswith("#"):
        return None
    if s.startswith("--"):
        s = s[2:]
    m = re.match(r"([A-Za-z0-9][A-Za-z0-9_\-/]*)\s*", s)
    if not m:
        raise ValueError(f"not an option line: {text.strip()!r}")
    key, rest = m.group(1), s[m.end():]
    if not rest or rest.startswith("#"):
        return key, None
    if not rest.startswith("="):
        raise ValueError(f"expected '=' after {key!r}")
    rest = rest[1:].lstrip()
    if rest[:1] in ('"', "'"):
        end = rest.find(rest[0], 1)
        if end < 0:
            raise ValueError(f"{key}: unterminated quote")
        value, tail = rest[1:end], rest[end + 1:]
    elif rest.startswith("%"):
        m2 = re.match(r"%(\d+)%", rest)
        if not m2:
            raise ValueError(f"{key}: broken %N% quoting")
        n = int(m2.group(1))
        value, tail = rest[m2.end():m2.end() + n], rest[m2.end() + n:]
        if len(value) < n:
            raise ValueError(f"{key}: %{n}% asks for more characters than the line has")
    else:
        value, _, tail = rest.partition("#")
        value, tail = value.rstrip(), ("#" + tail if tail else "")
    tail = tail.strip()
    if tail and not tail.startswith("#"):
        raise ValueError(f"{key}: unexpected text after the value: {tail!r}")
    return key, value


def _sort_conf(text: str, path: str, folder: Path, home: Path, setup: MpvSetup) -> None:
    out: list[str] = []
    section = ""
    for number, raw in enumerate(text.splitlines(), 1):
        where = f"{path}:{number}"
        if "\ufffd" in raw:
            setup.broken.append(f"{where}: not UTF-8 (mpv reads its config as UTF-8)")
            out.append("# " + raw)
            continue
        m = _SECTION.fullmatch(raw.strip())
        if m:
            section = m.group(1).strip()
            section = "" if section == "default" else section   # mpv's name for the top
            out.append(raw)
            continue
        try:
            parsed = parse_line(raw)
        except ValueError as e:
            setup.broken.append(f"{where}: {e}")
            out.append("# " + raw)
            continue
        if parsed is None:
            out.append(raw)
            continue
        key, value = parsed
        line = Line(where, key, value, section)
        kept = _sort_option(line, folder, home, setup)
        out.append(raw if kept else "# a4kplay: not applied: " + raw.strip())
    setup.include_text = "\n".join(out) + "\n" if setup.applied else ""


def _sort_option(line: Line, folder: Path, home: Path, setup: MpvSetup) -> bool:
    """Sort one option; True when libmpv gets it as written."""
    name = option_name(line.key)
    off = _FLAG_OFF.fullmatch(name)
    base = off.group(1) if off and line.value is None else name
    if base in ("glsl-shaders", "glsl-shaders-append", "glsl-shaders-set"):
        if line.section:
            setup.refused.append((line, "shader lists in [profiles] are not applied; put the "
                                        "chain in profiles.yaml or bind it in input.conf"))
            return False
        items = split_path_list(line.value or "") if base != "glsl-shaders-append" \
            else [line.value or ""]
        paths = tuple(resolve_path(i, folder, home)[0] for i in items if i.strip())
        setup.shaders = (setup.shaders or ()) + paths if base == "glsl-shaders-append" \
            else paths
        setup.mapped.append((line, f"our chain at output size ({len(setup.shaders)} shaders)"))
        return False
    if base == "scale" and not line.section:
        ours = _SCALERS.get((line.value or "").strip())
        if ours is None:
            setup.refused.append((line, f"no scaler of ours like {line.value!r}"))
        else:
            setup.scaler = ours
            setup.mapped.append((line, f"our {ours} scaler"))
        return False
    if base == "fullscreen" and not line.section:
        setup.fullscreen = not off and (line.value or "yes") in ("yes", "")
        setup.mapped.append((line, "our window's fullscreen"))
        return False
    if base == "screenshot-directory" and not line.section:
        setup.screenshot_dir = resolve_path(line.value or "", folder, home)[0]
        setup.mapped.append((line, "our screenshot folder"))
        return False
    if base == "input-conf" and not line.section:
        setup.input_conf = resolve_path(line.value or "", folder, home)[0]
        setup.mapped.append((line, "the input.conf a4kplay hands libmpv"))
        return False
    why = refusal(base)
    if why:
        setup.refused.append((line, why))
        return False
    setup.applied.append(line)
    return True


def _sort_input(text: str, path: str, folder: Path, home: Path, setup: MpvSetup) -> None:
    """The keys input.conf binds (they win over our default keys) and the names its
    show-text gives each glsl-shaders list (the overlay names the mode so)."""
    keys = set()
    for number, raw in enumerate(text.splitlines(), 1):
        s = raw.strip().lstrip("\ufeff")
        if not s or s.startswith("#"):
            continue
        if "\ufffd" in raw:
            setup.broken.append(f"{path}:{number}: not UTF-8 (mpv reads input.conf as UTF-8)")
            continue
        parts = s.split(None, 1)
        if len(parts) == 2 and not parts[1].startswith("{"):
            keys.add(mpv_key(parts[0]))
    setup.input_keys = frozenset(keys)
    result = import_input_conf(text, path, folder, home)
    setup.modes = {tuple(p.shaders): p.name for p in result.profiles if p.shaders}
