"""Media the subtitle tests make themselves: ASS/SRT files, MKVs muxed with ffmpeg (with a
font attachment), a renamed font (so that only the attachment can provide it) and PGS
streams written by a minimal encoder of our own (ffmpeg cannot encode PGS)."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

SERIF = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
TEST_FAMILY = "Ztestfont Xy"          # same length as "DejaVu Serif": patched in place

STYLE_FORMAT = ("Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, "
                "OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, "
                "Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, "
                "MarginV, Encoding")


def ass_text(font: str = "DejaVu Sans", lines=None, matrix: str | None = "TV.601",
             extra_styles: str = "") -> str:
    lines = lines or [("0:00:00.50", "0:00:02.00", "First line"),
                      ("0:00:02.50", "0:00:04.00", "{\\pos(160,60)}Second")]
    head = ["[Script Info]", "ScriptType: v4.00+", "PlayResX: 320", "PlayResY: 240"]
    if matrix:
        head.append(f"YCbCr Matrix: {matrix}")
    body = head + ["", "[V4+ Styles]", STYLE_FORMAT,
                   f"Style: Default,{font},24,&H0000FFFF,&H000000FF,&H00000000,&H80000000,"
                   "0,0,0,0,100,100,0,0,1,2,0,2,10,10,10,1"]
    if extra_styles:
        body.append(extra_styles)
    body += ["", "[Events]",
             "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text"]
    body += [f"Dialogue: 0,{a},{b},Default,,0,0,0,,{t}" for a, b, t in lines]
    return "\n".join(body) + "\n"


SRT = """1
00:00:00,500 --> 00:00:02,000
Hello world

2
00:00:02,500 --> 00:00:04,000
Second line
"""


def ffmpeg(*args) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *map(str, args)], check=True,
                   capture_output=True, timeout=120)


def mux(out: Path, subs: list[Path], attachments=(), codec_copy=True) -> Path:
    """A 5 s 320x240 video with the subtitle files as streams 1.., and attachments
    [(path, mimetype)]."""
    args = ["-f", "lavfi", "-i", "color=c=gray:s=320x240:d=5:r=10"]
    for s in subs:
        args += ["-i", s]
    args += ["-map", "0"] + sum((["-map", str(i + 1)] for i in range(len(subs))), [])
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-c:s", "copy"]
    for n, (path, mime) in enumerate(attachments):
        args += ["-attach", path, f"-metadata:s:t:{n}", f"mimetype={mime}"]
    ffmpeg(*args, out)
    return out


def renamed_font(dst: Path) -> Path:
    """DejaVu Serif with its family name patched to TEST_FAMILY (in both the Mac ASCII and
    the Windows UTF-16BE name records; the lengths match, so no table moves)."""
    data = SERIF.read_bytes()
    old, new = "DejaVu Serif", TEST_FAMILY
    data = data.replace(old.encode("ascii"), new.encode("ascii"))
    data = data.replace(old.encode("utf-16-be"), new.encode("utf-16-be"))
    dst.write_bytes(data)
    return dst


# -- a minimal PGS encoder (test helper) ----------------------------------------------

def _seg(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + len(body).to_bytes(2, "big") + body


def rle(indices: np.ndarray) -> bytes:
    out = bytearray()
    for row in indices:
        x, w = 0, len(row)
        while x < w:
            c = int(row[x])
            n = 1
            while x + n < w and row[x + n] == c and n < 16383:
                n += 1
            if c != 0 and n < 3:
                out += bytes([c]) * n
            elif c == 0:
                out += bytes([0, n]) if n < 64 else bytes([0, 0x40 | (n >> 8), n & 255])
            else:
                out += bytes([0, 0x80 | n, c]) if n < 64 else \
                    bytes([0, 0xC0 | (n >> 8), n & 255, c])
            x += n
        out += b"\x00\x00"
    return bytes(out)


def display_set(canvas=(1920, 1080), objects=(), palette=None, number=0, epoch=True) -> list:
    """Segments of one display set. objects: [(x, y, indices array)];
    palette: {index: (Y, Cr, Cb, A)}. Empty objects: a clearing set."""
    w, h = canvas
    pcs = w.to_bytes(2, "big") + h.to_bytes(2, "big") + b"\x10" + number.to_bytes(2, "big")
    pcs += bytes([0x80 if epoch else 0x00, 0, 0, len(objects)])
    for oid, (x, y, _) in enumerate(objects):
        pcs += oid.to_bytes(2, "big") + b"\x00\x00" + x.to_bytes(2, "big") + y.to_bytes(2, "big")
    segs = [_seg(0x16, pcs)]
    if objects:
        wds = bytes([len(objects)])
        for oid, (x, y, ind) in enumerate(objects):
            wds += bytes([oid]) + x.to_bytes(2, "big") + y.to_bytes(2, "big") + \
                ind.shape[1].to_bytes(2, "big") + ind.shape[0].to_bytes(2, "big")
        segs.append(_seg(0x17, wds))
        pds = b"\x00\x00" + b"".join(bytes([i, *v]) for i, v in (palette or {}).items())
        segs.append(_seg(0x14, pds))
        for oid, (x, y, ind) in enumerate(objects):
            data = rle(ind)
            body = oid.to_bytes(2, "big") + b"\x00" + b"\xc0" + (len(data) + 4).to_bytes(3, "big")
            body += ind.shape[1].to_bytes(2, "big") + ind.shape[0].to_bytes(2, "big") + data
            segs.append(_seg(0x15, body))
    segs.append(_seg(0x80, b""))
    return segs


def sup(sets: list[tuple[float, list[bytes]]]) -> bytes:
    """A .sup file: every segment prefixed with "PG", pts and dts (90 kHz)."""
    out = bytearray()
    for t, segs in sets:
        pts = int(round(t * 90000))
        for s in segs:
            out += b"PG" + pts.to_bytes(4, "big") + pts.to_bytes(4, "big") + s
    return bytes(out)


# -- helpers to drive the facade ----------------------------------------------------------

FRAME = (1280, 960)
RECT = (0, 0, 1280, 960)
VIDEO = (320, 240)


def loaded(subs, timeout: float = 30.0):
    """Pump the facade until its worker has read the whole track (not a timing check)."""
    end = time.monotonic() + timeout
    while not subs.done and time.monotonic() < end:
        subs.frame(FRAME, RECT, VIDEO)
        time.sleep(0.005)
    assert subs.done, "the demux worker did not finish"
    return subs


def composite(images, size, background=0.5) -> np.ndarray:
    """libass images blended in order over grey, float RGB (the reference picture)."""
    w, h = size
    out = np.full((h, w, 3), background, np.float64)
    for im in images:
        ih, iw = im.alpha.shape
        x0, y0 = max(0, im.x), max(0, im.y)
        x1, y1 = min(w, im.x + iw), min(h, im.y + ih)
        if x1 <= x0 or y1 <= y0:
            continue
        a = im.alpha[y0 - im.y:y1 - im.y, x0 - im.x:x1 - im.x].astype(np.float64) / 255.0
        a = a[:, :, None] * (im.color[3] / 255.0)
        col = np.array(im.color[:3], np.float64) / 255.0
        out[y0:y1, x0:x1] = out[y0:y1, x0:x1] * (1 - a) + col * a
    return out


@pytest.fixture(scope="session")
def media(tmp_path_factory):
    """The files most tests share."""
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is needed to make test media")
    d = tmp_path_factory.mktemp("subs")
    font = renamed_font(d / "ztest.ttf")
    (d / "styled.ass").write_text(ass_text(font=TEST_FAMILY), encoding="utf-8")
    (d / "plain.ass").write_text(ass_text(font="DejaVu Sans"), encoding="utf-8")
    (d / "clip.srt").write_text(SRT, encoding="utf-8")
    files = {
        "dir": d,
        "font": font,
        "styled_mkv": mux(d / "styled.mkv", [d / "styled.ass", d / "clip.srt"],
                          [(font, "application/x-truetype-font")]),
        "nofont_mkv": mux(d / "nofont.mkv", [d / "styled.ass"]),
        "srt": d / "clip.srt",
        "plain_ass": d / "plain.ass",
    }
    return files
