"""`a4kplay doctor`: what this installation is made of, what it reads, what is missing.

What people paste into a bug report: the versions of a4kplay, Python, libmpv (and the
FFmpeg it was built with), libass, python-mpv, PyAV, GLFW and PyOpenGL; the GL renderer and
version of a hidden context; which profiles.yaml is read and whether it is valid; the mpv
config folder read (mpv.conf, input.conf) with every line that is not applied as in mpv,
by file:line; and, for each part that is missing or too old, the package that brings it.
Each probe is fenced: one that fails is reported as a line and the others still run, so
doctor itself never ends in a traceback. Exit status 1 when something required is missing.
"""
from __future__ import annotations

import importlib.metadata
import platform
import sys

MIN_LIBMPV = (0, 34)     # the render API features we use (render.h 0.34+)
# part -> (Debian/Ubuntu, Fedora, Arch) package that brings it
PACKAGES = {
    "libmpv": ("libmpv2 (libmpv1 on Debian 11 / Ubuntu 22.04)", "mpv-libs", "mpv"),
    "libass": ("libass9", "libass", "libass"),
    "OpenGL": ("libgl1 libglx-mesa0 libgl1-mesa-dri", "mesa-libGL mesa-dri-drivers", "mesa"),
    "OSMesa": ("libosmesa6", "mesa-libOSMesa", "mesa"),
    "ffmpeg": ("ffmpeg", "ffmpeg (RPM Fusion)", "ffmpeg"),
}


def add_arguments(p) -> None:
    p.add_argument("--no-config", action="store_true",
                   help="as play --no-config: report no mpv config folder")
    p.add_argument("--mpv-config", metavar="DIR", help="the mpv config folder to check")
    p.add_argument("--config", metavar="PATH", help="profiles.yaml to check")
    p.add_argument("--no-gl", action="store_true", help="skip the GL context probe")


def run(args) -> int:
    report = Report()
    report.section("a4kplay")
    report.probe("a4kplay", lambda: _dist_version("a4kplay"))
    report.probe("python", lambda: f"{platform.python_version()} ({sys.executable})")
    report.probe("system", lambda: f"{platform.system()} {platform.release()} "
                                   f"{platform.machine()}")
    report.section("libraries")
    report.probe("libmpv", _libmpv, required="libmpv")
    report.probe("libass", _libass, required="libass")
    report.probe("python-mpv", lambda: _dist_version("python-mpv"))
    report.probe("PyAV", _pyav)
    report.probe("GLFW", _glfw)
    report.probe("PyOpenGL", lambda: _dist_version("PyOpenGL"))
    report.probe("ray (export --cluster)", _optional_ray)
    if not args.no_gl:
        report.section("OpenGL")
        report.probe("GL", _gl, required="OpenGL")
    report.section("configuration")
    report.probe("profiles.yaml", lambda: _profiles(args.config))
    _mpv_folder(report, args)
    report.print()
    return 1 if report.missing else 0


class Report:
    def __init__(self):
        self.lines: list[str] = []
        self.missing: list[str] = []

    def section(self, title: str) -> None:
        self.lines.append(f"\n{title}:" if self.lines else f"{title}:")

    def probe(self, name: str, fn, required: str | None = None) -> None:
        try:
            value = fn()
        except Exception as e:   # each probe fenced: one line, the rest still runs
            value = f"MISSING: {_short(e)}"
            if required:
                deb, fed, arch = PACKAGES[required]
                self.missing.append(f"{name}: install it: Debian/Ubuntu: apt install {deb}; "
                                    f"Fedora: dnf install {fed}; Arch: pacman -S {arch}")
        self.lines.append(f"  {name + ':':<24} {value}")

    def add(self, text: str) -> None:
        self.lines.append(text)

    def print(self) -> None:
        print("\n".join(self.lines))
        if self.missing:
            print("\nmissing:")
            for m in self.missing:
                print(f"  {m}")


def _short(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}".rstrip(": ")


def _dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _libmpv() -> str:
    from player.playback.mpv_errors import import_mpv
    mpv = import_mpv()
    player = mpv.MPV(vo="null", ao="null", config="no", idle="yes", load_scripts="no")
    try:
        version = str(player.mpv_version)
        ffmpeg = str(player.ffmpeg_version or "?")
    finally:
        player.terminate()
    numbers = tuple(int(x) for x in version.split()[1].lstrip("v").split(".")[:2]
                    if x.isdigit()) if len(version.split()) > 1 else ()
    too_old = f" (too old: {'.'.join(map(str, MIN_LIBMPV))} or newer needed)" \
        if numbers and numbers < MIN_LIBMPV else ""
    return f"{version}, FFmpeg {ffmpeg}{too_old}"


def _libass() -> str:
    from player.subs import libass
    v = libass.version()
    return f"{v >> 28:x}.{(v >> 20) & 0xff:x}.{(v >> 12) & 0xff:x} (0x{v:08x})"


def _pyav() -> str:
    import av
    libs = getattr(av, "library_versions", {}) or {}
    avcodec = libs.get("libavcodec")
    return av.__version__ + (f" (libavcodec {'.'.join(map(str, avcodec))})" if avcodec else "")


def _glfw() -> str:
    import glfw
    return f"{_dist_version('glfw')} (library {glfw.get_version_string().decode()})"


def _optional_ray() -> str:
    v = _dist_version("ray")
    return v if v != "not installed" else "not installed (pip install 'a4kplay[cluster]')"


def _gl() -> str:
    from player.gl.window import setup_platform
    setup_platform(headless=True)
    from player.gl import gpu
    from player.render import offscreen
    win = offscreen.context()
    from OpenGL import GL
    version = GL.glGetString(GL.GL_VERSION).decode()
    handle = win.native_display()
    interop = (f"{handle[0]} display handed to libmpv (hwdec interop: VAAPI/VDPAU/NVDEC "
               "where the driver has it)" if handle else
               "no display handle (headless): hwdec copies frames back")
    return f"{gpu.renderer()}, OpenGL {version} ({win.platform} window); {interop}"


def _profiles(path: str | None) -> str:
    from player.config.profiles import find_config, load_config
    chosen = path or find_config()
    try:
        c = load_config(chosen)
    except Exception as e:
        return f"{chosen}: INVALID: {e} (a4kplay profiles --check says more)"
    return f"{c.path} ({len(c.profiles)} profiles, default {c.default})"


def _mpv_folder(report: Report, args) -> None:
    from player.config.mpv_conf import config_folder, read_setup
    folder = config_folder(args.mpv_config, args.no_config)
    if folder is None:
        report.add("  mpv config:              not read (--no-config)")
        return
    setup = read_setup(folder)
    if setup.folder is None:
        report.add(f"  mpv config:              {folder} (no such folder: nothing to apply)")
        return
    files = ", ".join(setup.files) or "no mpv.conf or input.conf in it"
    report.add(f"  mpv config:              {setup.folder} ({files})")
    report.add(f"  mpv.conf applied:        {len(setup.applied)} option lines")
    if setup.input_conf:
        report.add(f"  input.conf:              {len(setup.input_keys)} keys, "
                   f"{len(setup.modes)} glsl-shaders modes (they play in our chain)")
    try:   # names libmpv does not know became no-ops when it read the file: say which
        from player.config.mpv_conf import mark_unknown
        from player.playback.mpv_errors import import_mpv
        core = import_mpv().MPV(vo="null", ao="null", config="no", idle="yes")
        try:
            mark_unknown(setup, lambda name: _knows(core, name))
        finally:
            core.terminate()
    except Exception as e:   # libmpv missing: said above, under libraries
        report.add(f"  (option names not checked: {_short(e)})")
    skipped = setup.not_applied()
    if skipped:
        report.add("  not applied as in mpv:")
        report.lines.extend(f"    {line}" for line in skipped)


def _knows(core, name: str) -> bool:
    try:
        return core._get_property(f"option-info/{name}") is not None
    except (AttributeError, RuntimeError, SystemError, ValueError):
        return False
