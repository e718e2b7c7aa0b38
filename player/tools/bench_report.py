"""`a4kplay bench`: the tables on stdout, the plot and the JSON file."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

from player.base.errors import A4kError, MediaError


def format_run(run: dict) -> str:
    i, o = run["input"], run["output"]
    return (f"{run['profile']} {i[0]}x{i[1]}->{o[0]}x{o[1]}: {run['ms']['median']:.1f} ms "
            f"(min {run['ms']['min']:.1f}, max {run['ms']['max']:.1f}), "
            f"{run['fetches_per_pixel']:.1f} fetches/px" + _vs(run))


def _vs(run: dict) -> str:
    v = run.get("vs_baseline")
    if not v:
        return ""
    return (f", {v['median']:.2f}x {v['profile']} per round "
            f"({v['min']:.2f}-{v['max']:.2f}, {v['rounds']} rounds)")


def format_tables(result: dict) -> str:
    lines = [f"machine:  {result['machine']}", f"renderer: {result['renderer']}", ""]
    if result["runs"]:
        lines.append(f"{'profile':<12} {'input':>9} {'output':>9} {'frames':>6} "
                     f"{'median ms':>9} {'min':>8} {'max':>8} {'cpu ms':>7} {'fetch/px':>8}")
        for r in result["runs"]:
            lines.append(f"{r['profile']:<12} {'x'.join(map(str, r['input'])):>9} "
                         f"{'x'.join(map(str, r['output'])):>9} {r['frames']:>6} "
                         f"{r['ms']['median']:>9.1f} {r['ms']['min']:>8.1f} "
                         f"{r['ms']['max']:>8.1f} {r.get('_cpu_ms', 0):>7.2f} "
                         f"{r['fetches_per_pixel']:>8.1f}")
        for r in result["runs"]:
            lines.append("")
            lines.append(f"{r['profile']} {'x'.join(map(str, r['input']))} -> "
                         f"{'x'.join(map(str, r['output']))}, per pass (GPU timestamps, median):")
            plan = {d: (w, h, f) for d, w, h, f in r.get("_plan", [])}
            for p in r["passes"]:
                w, h, f = plan.get(p["desc"], (0, 0, 0))
                lines.append(f"  {p['ms']:>9.2f} ms  {w:>5}x{h:<5} {f:>3} fetches/px  {p['desc']}")
            for w in r.get("_warnings", []):
                lines.append(f"  warning: {w}")
        paired = [r for r in result["runs"] if r.get("vs_baseline")]
        if paired:
            base = paired[0]["vs_baseline"]["profile"]
            lines += ["", f"interleaved, time over {base}'s in the same round "
                      f"(median, min, max over rounds):",
                      f"{'profile':<12} {'input':>9} {'output':>9} {'ratio':>6} {'min':>6} "
                      f"{'max':>6}"]
            for r in paired:
                v = r["vs_baseline"]
                lines.append(f"{r['profile']:<12} {'x'.join(map(str, r['input'])):>9} "
                             f"{'x'.join(map(str, r['output'])):>9} {v['median']:>6.2f} "
                             f"{v['min']:>6.2f} {v['max']:>6.2f}")
    if result.get("vs_mpv"):
        lines += ["", f"{'chain':<12} {'input':>9} {'output':>9} {'ours ms':>8} {'mpv ms':>8} "
                  f"{'ratio':>6}"]
        for v in result["vs_mpv"]:
            ratio = "-" if v["ratio"] is None else f"{v['ratio']:.2f}"
            lines.append(f"{v.get('profile', ''):<12} {'x'.join(map(str, v['input'])):>9} "
                         f"{'x'.join(map(str, v['output'])):>9} {v['ours_ms']:>8.1f} "
                         f"{v['mpv_ms']:>8.1f} {ratio:>6}")
            for m in v.get("mpv_messages", []):
                lines.append(f"  mpv: {m}")
    if result.get("cpu_overhead"):
        lines += ["", "CPU time of our play loop per frame (main thread, without libmpv's "
                  "render, the swap and waiting):",
                  f"{'chain':<12} {'input':>9} {'output':>9} {'no-op ms':>9} {'llvmpipe ms':>12}"]
        for e in result["cpu_overhead"]:
            lines.append(f"{e['profile']:<12} {'x'.join(map(str, e['input'])):>9} "
                         f"{'x'.join(map(str, e['output'])):>9} {_ms(e['noop_ms']):>9} "
                         f"{_ms(e['llvmpipe_ms']):>12}")
        lines.append("CPU overhead per frame (worst chain, no-op driver): "
                     f"{_ms(result.get('cpu_overhead_ms'))} ms")
    return "\n".join(lines)


def _ms(v) -> str:
    return "-" if v is None else f"{v:.2f}"


def plot(results: Sequence[dict], path: str) -> None:
    """A PNG of ms per frame per chain, one panel per resolution: our chain's GL time (the
    bench runs), our player and mpv on the same clip (--vs-mpv), side by side."""
    from PIL import Image, ImageDraw, ImageFont
    bars: dict[tuple, dict[str, dict[str, float]]] = {}
    for result in results:
        for r in result.get("runs", []):
            key = (tuple(r["input"]), tuple(r["output"]))
            bars.setdefault(key, {}).setdefault(r["profile"], {})["chain"] = r["ms"]["median"]
        for v in result.get("vs_mpv", []):
            key = (tuple(v["input"]), tuple(v["output"]))
            entry = bars.setdefault(key, {}).setdefault(v.get("profile", "?"), {})
            entry["player"], entry["mpv"] = v["ours_ms"], v["mpv_ms"]
    if not bars:
        raise A4kError("nothing to plot: no runs and no vs-mpv results")
    series = (("chain", "ours: chain GL time (bench)", (70, 110, 200)),
              ("player", "ours: player, whole frames (vs-mpv)", (90, 170, 120)),
              ("mpv", "mpv command line (vs-mpv)", (220, 120, 60)))
    try:
        font = ImageFont.load_default(size=15)
        small = ImageFont.load_default(size=12)
    except TypeError:  # Pillow without FreeType: the bitmap font
        font = small = ImageFont.load_default()
    panel_w, panel_h, top, bottom, left = 520, 380, 70, 60, 60
    img = Image.new("RGB", (left + panel_w * len(bars) + 20, top + panel_h + bottom + 30),
                    "white")
    d = ImageDraw.Draw(img)
    d.text((left, 10), "ms per frame (lower is better), llvmpipe", fill="black", font=font)
    for k, (_, label, colour) in enumerate(series):
        x = left + k * 270
        d.rectangle((x, 38, x + 14, 52), fill=colour)
        d.text((x + 20, 37), label, fill="black", font=small)
    for p_i, ((i, o), chains) in enumerate(sorted(bars.items())):
        x0, y0 = left + p_i * panel_w, top + 20
        peak = max(v for c in chains.values() for v in c.values() if v is not None) or 1.0
        scale = (panel_h - 40) / peak
        d.text((x0 + 10, y0 - 18), f"{i[0]}x{i[1]} -> {o[0]}x{o[1]}", fill="black", font=font)
        base = y0 + panel_h - 20
        d.line((x0, base, x0 + panel_w - 30, base), fill="black")
        slot = (panel_w - 40) / max(1, len(chains))
        for c_i, (name, vals) in enumerate(chains.items()):
            cx = x0 + 10 + c_i * slot
            bw = (slot - 14) / 3
            for s_i, (key, _, colour) in enumerate(series):
                v = vals.get(key)
                if v is None:
                    continue
                bx = cx + s_i * bw
                d.rectangle((bx, base - max(1, v * scale), bx + bw - 2, base), fill=colour)
                d.text((bx, base - max(1, v * scale) - 14), f"{v:.0f}", fill="black",
                       font=small)
            d.text((cx, base + 6), name, fill="black", font=small)
    img.save(path)


def public(result: dict) -> dict:
    """The result as written to JSON: runs carry exactly the documented keys."""
    out = {k: v for k, v in result.items() if k != "runs"}
    out["runs"] = [{k: v for k, v in r.items() if not k.startswith("_")} for r in result["runs"]]
    return {"machine": out.pop("machine"), "renderer": out.pop("renderer"),
            "runs": out.pop("runs"), **out}


def write_json(path: str, result: dict) -> None:
    p = Path(path)
    if not p.parent.is_dir():
        raise MediaError("the JSON file's directory does not exist", path=str(p))
    tmp = p.with_name(f".{p.name}.part")
    tmp.write_text(json.dumps(public(result), indent=2) + "\n")
    os.replace(tmp, p)
