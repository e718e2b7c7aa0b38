"""Loss-curve PNG drawn with Pillow (matplotlib is not a dependency of this project)."""
from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw


def draw_loss_curve(steps: list[int], losses: list[float], path: Path, title: str,
                    size: tuple[int, int] = (720, 420)) -> None:
    """Log-scale loss against step, with a moving average so the trend is readable."""
    w, h = size
    left, right, top, bottom = 70, 20, 36, 40
    img = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(img)
    d.text((left, 10), title, fill="black")
    if len(steps) < 2:
        img.save(path)
        return
    window = max(1, len(losses) // 50)
    smooth = [sum(losses[max(0, i - window + 1):i + 1]) / len(losses[max(0, i - window + 1):i + 1])
              for i in range(len(losses))]
    logs = [math.log10(max(v, 1e-9)) for v in losses]
    lo, hi = min(logs), max(logs)
    hi = hi if hi > lo else lo + 1
    s0, s1 = steps[0], steps[-1]

    def xy(s, v):
        x = left + (s - s0) / max(1, s1 - s0) * (w - left - right)
        y = top + (hi - math.log10(max(v, 1e-9))) / (hi - lo) * (h - top - bottom)
        return x, y

    d.rectangle([left, top, w - right, h - bottom], outline="black")
    for frac in (0.0, 0.5, 1.0):
        v = 10 ** (hi - frac * (hi - lo))
        y = top + frac * (h - top - bottom)
        d.text((4, y - 6), f"{v:.4f}", fill="black")
    d.text((left, h - bottom + 8), str(s0), fill="black")
    d.text((w - right - 50, h - bottom + 8), f"step {s1}", fill="black")
    d.line([xy(s, v) for s, v in zip(steps, losses)], fill=(180, 200, 230), width=1)
    d.line([xy(s, v) for s, v in zip(steps, smooth)], fill=(20, 60, 160), width=2)
    img.save(path)
