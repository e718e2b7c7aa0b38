"""Train one learned-upscaler size and save its weights for export.

One run = fixed seed, fixed schedule, fixed thread count: rerunning the same command
reproduces the quality (float summation order still depends on the thread count, so a
different --threads gives a slightly different, equally good, model). The schedule is a
main cosine cycle and the size's warm restarts (`RESTARTS`, or `--cycle`), each of which
may change the loss or the data mix, or widen the blocks (`Cycle`). Writes into --run-dir:
log.csv (step, Charbonnier loss, lr, seconds), loss.png, checkpoint.pt (resumable with --resume: a
resumed run draws exactly the batches an uninterrupted one would) and eval.md (held-out
PSNR tables); and the weights to --weights (.npz). --init starts from saved weights instead
and runs only the given --cycle cycles (a further cycle after a shipped schedule).
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from player.base.paths import SHADERS
from training.curve import draw_loss_curve
from training.data import DEFAULT_CACHE, PairSampler, corpus_split, render_clipart
from training.evaluate import evaluate, format_table, val_real_images
from training.model import BT601, LearnedUpscaler, from_arrays, to_arrays

# name: (channels, blocks, dynamic, steps, data, luma) of the shipped weights (channels:
# the stored width; a widen cycle in RESTARTS expands each block's inside).
# data "clean": the v1 learned tier's pairs (clean renders, area 2x; training/data.py);
# data "real": realistic scenes and degradations (training/realdata.py, issue 15).
SIZES = {
    "learned_s": (4, 5, False, 10000, "clean", False),
    "learned_m": (4, 7, False, 30000, "real", False),
    "learned_l": (8, 6, False, 8000, "real", False),
}
# Base learning rate of a size's main cycle (--lr overrides; others 5e-4). Learned-M's
# 30000 + 10000 steps at 1e-3: val-real 43.77 dB, clean 39.95 (numpy); the same schedule at
# 5e-4 43.62 / 39.36; the old 12000 + 6000 at 5e-4 43.45 / 39.09.
MAIN_LR = {"learned_m": 1e-3}
DEFAULT_LR = 5e-4
CLEAN_SHARE = 0.25  # --data real: share of clean v1 pairs in each batch


@dataclass(frozen=True)
class Cycle:
    """One cosine cycle of the schedule (base rate lr, cosine to 2 %). The loss is the run's
    Charbonnier unless logmse; grad and l2 add terms; None / 0 keep the run's setting."""
    steps: int
    lr: float
    clean_share: float | None = None  # --data real: share of clean pairs (None: the run's)
    grad: float = 0.0                 # weight of an L1 on the Sobel gradient of luma
    l2: float = 0.0                   # weight of a mean squared error (what PSNR measures) term
    area: float = 0.0                 # share of crops whose LR is re-made as the area-down of HR
    logmse: bool = False              # mean over crops of log(MSE + 1e-6): -mean PSNR, up to
                                      # scale; weighs each crop by 1 / its error
    imgmse: bool = False              # each crop's MSE over its whole source image's MSE
                                      # (ImageErrors): the gradient of the mean per-image dB
    widen: int = 0                    # at the cycle's start, make blocks expanded ones of
                                      # this many channels (LearnedUpscaler.widen)
    blocks: tuple[int, ...] = ()      # which blocks widen (0-based; () = all of them)
    fresh: bool = False               # start the cycle with a new Adam (no moments carried
                                      # over): what a run from --init weights does

    def __post_init__(self):
        if self.logmse and self.imgmse:
            raise ValueError("logmse and imgmse are two losses: choose one per cycle")
        if self.blocks and not self.widen:
            raise ValueError("blocks names the blocks a widen cycle widens: give widen=N too")


# Shorter cosine cycles after the main one (warm restarts), in order. Learned-M's restart
# optimises per-crop log MSE: on val-real +0.24 dB over the same cycle on Charbonnier
# (43.45 vs 43.21, numpy; clean held-out 39.09 vs 38.85), at the old 12000 + 6000 steps.
# Learned-M's second restart, 20000 steps at 5e-4 on imgmse: val-real 43.90, clean 40.71
# (was 43.77 / 39.95; 8000 at 2e-4: 43.83 / 40.40; another 15000 log-MSE: 43.83 / 40.03).
# Learned-L's log-MSE cycle at 12000 steps and 3e-4 (was 3000 at 1e-4): val-real 44.22,
# clean 40.90 (was 43.94 / 40.30, numpy). Its last cycle, 8000 steps on imgmse (the
# per-image normalised MSE): 44.29 / 41.66 (+0.07 / +0.76; GL 44.24 / 41.62).
# Then both widen blocks (expanded blocks, net2net start: same function) and train on
# imgmse: Learned-M's blocks 1, 3, 5, 7 to 8 channels inside, 20000 steps at 5e-4: 44.16 /
# 41.59 (+0.26 / +0.88; all 7 blocks: 44.27 / 41.85 but 1.08x v4 M's cost, over budget);
# Learned-L's 6 blocks to 12, 6000 steps at 3e-4: 44.40 / 42.19 (+0.11 / +0.53).
# Then one more imgmse cycle each with a fresh Adam (run as --init from the shipped
# weights): Learned-M 60000 steps at 4e-4: 44.35 / 42.26 (+0.19 / +0.67); Learned-L 40000
# at 3e-4: 44.80 / 43.51 (+0.40 / +1.32), numpy. Then Learned-M once more, 45000 steps at
# 4e-4: 44.50 / 42.45 (+0.15 / +0.19; the same at 2e-4: 44.45 / 42.34).
RESTARTS = {"learned_m": (Cycle(10000, 2e-4, logmse=True), Cycle(20000, 5e-4, imgmse=True),
                          Cycle(20000, 5e-4, imgmse=True, widen=8, blocks=(0, 2, 4, 6)),
                          Cycle(60000, 4e-4, imgmse=True, fresh=True),
                          Cycle(45000, 4e-4, imgmse=True, fresh=True)),
            "learned_l": (Cycle(3000, 2e-4), Cycle(12000, 3e-4, logmse=True),
                          Cycle(8000, 2e-4, imgmse=True),
                          Cycle(6000, 3e-4, imgmse=True, widen=12),
                          Cycle(40000, 3e-4, imgmse=True, fresh=True))}


def charbonnier(pred: torch.Tensor, target: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    return torch.sqrt((pred - target) ** 2 + eps * eps).mean()


def luma(x: torch.Tensor) -> torch.Tensor:
    w = torch.tensor(BT601, dtype=x.dtype).view(1, 3, 1, 1)
    return (x * w).sum(1, keepdim=True)


_SOBEL = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]) / 4


def sobel(y: torch.Tensor) -> torch.Tensor:
    """Horizontal and vertical Sobel responses (normalised to unit gain) of N x 1 x H x W."""
    k = torch.stack([_SOBEL, _SOBEL.t()]).unsqueeze(1).to(y.dtype)
    return F.conv2d(y, k)


def parse_cycle(text: str) -> Cycle:
    """'STEPS:LR[:OPTION=VALUE...]' with the options of Cycle, e.g. '3000:1e-4:logmse=1'
    (clean=F, grad=F, l2=F, area=F, logmse=1, imgmse=1, widen=N, blocks=I,J,..., fresh=1)."""
    steps, lr, *opts = text.split(":")
    keys = {"clean": ("clean_share", float), "grad": ("grad", float),
            "l2": ("l2", float), "area": ("area", float),
            "logmse": ("logmse", lambda v: bool(int(v))),
            "imgmse": ("imgmse", lambda v: bool(int(v))), "widen": ("widen", int),
            "blocks": ("blocks", lambda v: tuple(int(b) for b in v.split(","))),
            "fresh": ("fresh", lambda v: bool(int(v)))}
    fields = {}
    for opt in opts:
        k, _, v = opt.partition("=")
        if k not in keys:
            raise argparse.ArgumentTypeError(f"--cycle {text}: unknown option {k!r}, "
                                             f"use one of {', '.join(keys)}")
        fields[keys[k][0]] = keys[k][1](v)
    try:
        return Cycle(int(steps), float(lr), **fields)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"--cycle {text}: {e}") from None


def _scales(text: str) -> tuple[float, ...]:
    try:
        vals = tuple(float(v) for v in text.split(","))
    except ValueError:
        vals = ()
    if not vals or any(v < 1 for v in vals):
        raise argparse.ArgumentTypeError(f"--clean-scales {text!r}: factors >= 1, comma-separated")
    return vals


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="learned_s")
    ap.add_argument("--channels", type=int, help="override the size's channel count")
    ap.add_argument("--blocks", type=int, help="override the size's block count")
    ap.add_argument("--dynamic", action="store_true", help="A2N local branch weighting")
    ap.add_argument("--luma", type=int, choices=(0, 1), help="luma-only head (1) or RGB (0)")
    ap.add_argument("--data", choices=("clean", "real"), help="default: the size's")
    ap.add_argument("--pool", type=int, default=600, help="realistic scenes (--data real)")
    ap.add_argument("--clean-share", type=float, help="--data real: share of each batch "
                    "drawn from the clean v1 pairs (default: the size's)")
    ap.add_argument("--clean-scales", type=_scales, default=(1.0,), metavar="F,F,...",
                    help="--data real: the clean pairs' HRs also area-down by these factors "
                    "(1 = as rendered; e.g. 1,1.5,2,3: thinner lines, smaller features)")
    ap.add_argument("--loss", choices=("luma", "rgb"), help="Charbonnier on BT.601 luma "
                    "(default for --data real) or on RGB (the v1 tier's)")
    ap.add_argument("--steps", type=int, help="default: the size's shipped step count")
    ap.add_argument("--cycle", type=parse_cycle, action="append", help="a warm-restart "
                    "cycle after the main one, STEPS:LR[:OPTION=VALUE...] with options "
                    "clean, grad, l2, area, logmse, imgmse, widen, blocks, fresh (see Cycle); repeat for "
                    "several (default: the size's RESTARTS, none with --steps; --cycle 0:0 = "
                    "none)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr-size", type=int, default=48, help="LR crop side in pixels")
    ap.add_argument("--lr", type=float, help="base rate of the main cycle (default: the "
                    f"size's MAIN_LR, else {DEFAULT_LR})")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--clipart", type=int, default=400, help="openclipart SVGs to render")
    ap.add_argument("--jpeg-prob", type=float, default=0.0,
                    help="probability of a mild JPEG (q 80-95) on an LR crop")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--run-dir", type=Path, help="default runs/<size>")
    ap.add_argument("--weights", type=Path, help="default player/shipped/shaders/learned/<size>.npz")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--cascade", type=Path, metavar="FIRST_NPZ", help="--data real: train the "
                    "second 2x of a cascade on this first pass's outputs (training/cascade.py)")
    ap.add_argument("--init", type=Path, metavar="NPZ", help="start from these saved weights "
                    "(a fresh optimizer) and run only the --cycle cycles, e.g. a further "
                    "cycle after a shipped model's schedule")
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--ckpt-every", type=int, default=1000)
    return ap.parse_args(argv)


def seed_everything(seed: int, threads: int) -> None:
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.use_deterministic_algorithms(True)


def cosine_lr(base: float, step: int, total: int) -> float:
    """Cosine decay to 2 % of the base rate: a quiet end makes reruns land close together."""
    return base * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * step / total)))


def cycle_at(step: int, cycles: list[Cycle]) -> tuple[Cycle, int]:
    """The cycle a global step falls in and the step within it."""
    for c in cycles:
        if step < c.steps:
            return c, step
        step -= c.steps
    return cycles[-1], cycles[-1].steps


def describe(cycles: list[Cycle]) -> str:
    """'12000 + 6000 (lr=0.0002)': the step counts, and what each restart sets."""
    parts = [str(cycles[0].steps)]
    for c in cycles[1:]:
        opts = ", ".join(f"{k}={v}" for k, v in vars(c).items()
                         if k != "steps" and v not in (None, 0, ()))
        parts.append(f"{c.steps} ({opts})")
    return " + ".join(parts)


def _generators(obj) -> list[np.random.Generator]:
    """The numpy generators a sampler (and the samplers it holds) draws from, in a fixed order."""
    out = []
    for _, v in sorted(vars(obj).items()):
        if isinstance(v, np.random.Generator):
            out.append(v)
        elif hasattr(v, "batch") and hasattr(v, "__dict__"):
            out.extend(_generators(v))
    return out


class AreaLR:
    """Re-makes a share of each batch's LR crops as the area (2x2 box) down of their HR crop,
    the kernel every quality figure here is measured with. Draws nothing while the share is 0."""

    def __init__(self, inner, seed: int):
        self.inner = inner
        self.rng = np.random.default_rng([seed, 11])
        self.area_share = 0.0

    def images(self):
        return self.inner.images()

    def batch(self, size: int):
        return self.batch_ids(size)[:2]

    def batch_ids(self, size: int):
        lr, hr, ids = self.inner.batch_ids(size)
        if self.area_share > 0:
            pick = self.rng.random(len(lr)) < self.area_share
            h = hr[pick]
            lr[pick] = 0.25 * (h[..., 0::2, 0::2] + h[..., 1::2, 0::2]
                               + h[..., 0::2, 1::2] + h[..., 1::2, 1::2])
        return lr, hr, ids


class ImageErrors:
    """The current model's MSE over each whole training image (luma or RGB, as the loss),
    refreshed every `every` steps of an imgmse cycle. Dividing a crop's squared error by its
    source image's MSE makes the batch loss an estimate of the gradient of the mean over
    images of log MSE, i.e. of mean per-image PSNR, the figure every table here reports.
    Per-crop log MSE weighs a crop by one over its *own* error instead, which underweights
    the few hard crops (sharp line art) that make most of a sharp frame's error."""

    FLOOR = 1e-6  # the same 60 dB floor as logmse's epsilon

    def __init__(self, images, every: int = 2000):
        self.images, self.every = images, every
        self.mse: np.ndarray | None = None
        self.at = -1

    def refresh(self, model, lum: bool, step: int) -> None:
        out = np.empty(len(self.images), np.float64)
        model.eval()
        with torch.no_grad():
            for i, (lr, hr) in enumerate(self.images):
                scale = 255.0 if lr.dtype == np.uint8 else 1.0
                x = torch.from_numpy(np.ascontiguousarray(lr.transpose(2, 0, 1))[None]
                                     .astype(np.float32) / scale)
                t = torch.from_numpy(np.ascontiguousarray(hr.transpose(2, 0, 1))[None]
                                     .astype(np.float32) / scale)
                p = model(x.contiguous(memory_format=torch.channels_last))
                if lum:
                    p, t = luma(p), luma(t)
                out[i] = float(((p - t) ** 2).mean())
        model.train()
        self.mse = np.maximum(out, self.FLOOR)
        self.at = step

    def due(self, step: int) -> bool:
        return self.mse is None or step - self.at >= self.every

    def weights(self, ids: np.ndarray) -> torch.Tensor:
        return torch.from_numpy((1.0 / self.mse[ids]).astype(np.float32))


def widen(model, expand: int, seed: int, blocks: tuple[int, ...], lr: float):
    """Widen the model's blocks in place (LearnedUpscaler.widen) and return a new Adam over
    its new parameters: the shapes changed, so the old optimizer state cannot carry over."""
    model.widen(expand, seed, blocks)
    model.to(memory_format=torch.channels_last)
    return torch.optim.Adam(model.parameters(), lr=lr)


def init_model(path: Path, channels: int, blocks: int, dynamic: bool, use_luma: bool):
    """The model saved at `path` (training.model.from_arrays), refused unless it has the
    shape the run asks for: a mismatch would train a different model under the size's name."""
    try:
        with np.load(path) as arrays:
            model = from_arrays(arrays)
    except (OSError, ValueError, KeyError) as e:
        raise SystemExit(f"--init {path}: not a saved model ({e})") from None
    have = (model.config["channels"], model.config["blocks"], model.config["dynamic"],
            bool(model.config.get("luma")))
    if have != (channels, blocks, dynamic, use_luma):
        raise SystemExit(f"--init {path}: channels, blocks, dynamic, luma are {have}; this "
                         f"run asks for {(channels, blocks, dynamic, use_luma)}")
    return model


def draw(sampler, cycle: Cycle, batch: int, default_share: float):
    """One batch under the cycle's settings, whichever samplers wrap which."""
    s = sampler
    while True:
        if hasattr(s, "area_share"):
            s.area_share = cycle.area
        if hasattr(s, "share"):
            s.share = default_share if cycle.clean_share is None else cycle.clean_share
        if not hasattr(s, "inner"):
            break
        s = s.inner
    return sampler.batch_ids(batch)


def main(argv=None) -> None:
    args = parse_args(argv)
    channels, blocks, dynamic, steps, data, use_luma = SIZES[args.size]
    explicit_steps = args.steps is not None
    args.steps = args.steps or steps
    args.lr = args.lr or MAIN_LR.get(args.size, DEFAULT_LR)
    restarts = args.cycle if args.cycle is not None else (
        () if explicit_steps else RESTARTS.get(args.size, ()))
    cycles = [Cycle(args.steps, args.lr)] + [c for c in restarts if c.steps > 0]
    if args.init:
        if not args.cycle or explicit_steps or args.resume:
            raise SystemExit("--init runs the --cycle cycles from saved weights: give one "
                             "or more --cycle, and neither --steps nor --resume")
        cycles = cycles[1:]
    total = sum(c.steps for c in cycles)
    schedule = describe(cycles)
    data = args.data or data
    use_luma = bool(args.luma) if args.luma is not None else use_luma
    loss_kind = args.loss or ("luma" if data == "real" else "rgb")
    channels = args.channels or channels
    blocks = args.blocks if args.blocks is not None else blocks
    dynamic = dynamic or args.dynamic
    for c in cycles:  # refused now, not hours later when the cycle starts
        if any(not 0 <= b < blocks for b in c.blocks):
            raise SystemExit(f"a widen cycle names blocks {c.blocks}; the model has "
                             f"blocks 0-{blocks - 1}")
    run_dir = args.run_dir or Path("runs") / args.size
    weights_path = args.weights or SHADERS / "learned" / f"{args.size}.npz"
    run_dir.mkdir(parents=True, exist_ok=True)
    seed_everything(args.seed, args.threads)

    train_imgs, held = corpus_split()
    if data == "clean":
        clipart = render_clipart(args.data_dir / "openclipart", args.clipart) if args.clipart else []
        sampler = PairSampler(train_imgs, clipart, args.lr_size, args.seed,
                              jpeg_prob=args.jpeg_prob)
        print(f"train: {len(train_imgs)} corpus + {len(clipart)} clipart images; "
              f"held out: {', '.join(p.stem for p in held)}")
    else:
        from training.realdata import MixedSampler, RealPairSampler, load_pool
        hrs, lrs, _ = load_pool(args.data_dir, args.pool, args.seed)
        share = CLEAN_SHARE if args.clean_share is None else args.clean_share
        sampler = RealPairSampler(hrs, lrs, args.lr_size, args.seed)
        if args.cascade:
            from training import cascade
            from training.data import load_rgb
            clipart = render_clipart(args.data_dir / "openclipart", args.clipart)
            clean = [np.round(load_rgb(p) * 255).astype(np.uint8)
                     for p in [*train_imgs, *clipart]] if share > 0 else []
            sampler = cascade.samplers(args.cascade, hrs, clean, args.lr_size, args.seed, share)
        elif share > 0 or any(c.clean_share for c in cycles):
            clipart = render_clipart(args.data_dir / "openclipart", args.clipart)
            clean = PairSampler(train_imgs, clipart, args.lr_size, args.seed + 1,
                                scales=args.clean_scales)
            sampler = MixedSampler(sampler, clean, share, args.seed)
        print(f"train: {len(hrs)} realistic scenes (training/realdata.py), clean share "
              f"{share}; held out: {', '.join(p.stem for p in held)} + the val-real sources")
    default_share = share if data == "real" else 0.0
    if any(c.area for c in cycles):
        sampler = AreaLR(sampler, args.seed)

    # channels_last: oneDNN's convolutions at 4-8 channels run about 1.6x faster on this
    # CPU in that layout (same numbers up to float summation order).
    if args.init:
        model = init_model(args.init, channels, blocks, dynamic, use_luma)
    else:
        model = LearnedUpscaler(channels, blocks, dynamic, use_luma)
    model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    errors = ImageErrors(sampler.images()) if any(c.imgmse for c in cycles) else None
    ckpt_path = run_dir / "checkpoint.pt"
    log_path = run_dir / "log.csv"
    step, elapsed = 0, 0.0
    if args.resume and ckpt_path.exists():
        ck = torch.load(ckpt_path, weights_only=False)
        wide = [i for i in range(blocks) if f"blocks.{i}.proj.weight" in ck["model"]]
        if wide and "expand" not in model.config:
            # saved after a widen cycle began: take the shape it had (weights load below)
            opt = widen(model, ck["model"][f"blocks.{wide[0]}.proj.weight"].shape[1],
                        args.seed, tuple(wide), args.lr)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        torch.set_rng_state(ck["torch_rng"])
        step, elapsed = ck["step"], ck["elapsed"]
        if errors is not None and ck.get("image_mse") is not None:
            errors.mse, errors.at = ck["image_mse"], ck["image_mse_at"]
        # A resumed run draws exactly the batches an uninterrupted one would: the sampler's
        # generator states are in the checkpoint; an older checkpoint without them is
        # replayed (about 10 s per 1000 steps).
        gens = _generators(sampler)
        saved = ck.get("sampler")
        if isinstance(saved, list) and len(saved) == len(gens):
            for g, st in zip(gens, saved):
                g.bit_generator.state = st
        else:
            for i in range(step):
                draw(sampler, cycle_at(i, cycles)[0], args.batch, default_share)
        print(f"resumed at step {step}")
    if not (args.resume and log_path.exists()):   # a fresh run, or a checkpoint copied alone
        with open(log_path, "w", newline="") as f:
            csv.writer(f).writerow(["step", "loss", "lr", "seconds"])

    n_params = sum(p.numel() for p in model.parameters())
    print(f"{args.size}: {channels} ch, {blocks} blocks, dynamic={dynamic}, luma={use_luma}, "
          f"{n_params} weights, {schedule} steps, {args.threads} threads, data={data}, "
          f"loss={loss_kind}")
    t0 = time.perf_counter() - elapsed
    window: list[float] = []
    model.train()
    while step < total:
        cycle, k = cycle_at(step, cycles)
        if cycle.widen and model.config.get("expand") != cycle.widen:
            opt = widen(model, cycle.widen, args.seed, cycle.blocks, args.lr)
            print(f"step {step}: blocks {list(cycle.blocks) or 'all'} widened to "
                  f"{cycle.widen} channels, "
                  f"{sum(p.numel() for p in model.parameters())} weights", flush=True)
        elif cycle.fresh and k == 0 and step > 0:
            opt = torch.optim.Adam(model.parameters(), lr=args.lr)
        lr_now = cosine_lr(cycle.lr, k, cycle.steps)
        for g in opt.param_groups:
            g["lr"] = lr_now
        lr_np, hr_np, ids = draw(sampler, cycle, args.batch, default_share)
        x = torch.from_numpy(lr_np).contiguous(memory_format=torch.channels_last)
        pred, target = model(x), torch.from_numpy(hr_np)
        if loss_kind == "luma":
            pred, target = luma(pred), luma(target)
        charb = charbonnier(pred, target)  # what log.csv records, whatever the cycle optimises
        if cycle.logmse:
            loss = torch.log(((pred - target) ** 2).mean((1, 2, 3)) + 1e-6).mean()
        elif cycle.imgmse:
            if errors.due(step):
                errors.refresh(model, loss_kind == "luma", step)
            loss = (((pred - target) ** 2).mean((1, 2, 3)) * errors.weights(ids)).mean()
        else:
            loss = charb
        if cycle.l2:
            loss = loss + cycle.l2 * ((pred - target) ** 2).mean()
        if cycle.grad:
            gp = sobel(pred if loss_kind == "luma" else luma(pred))
            gt = sobel(target if loss_kind == "luma" else luma(target))
            loss = loss + cycle.grad * (gp - gt).abs().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        window.append(charb.item())
        if step % args.log_every == 0 or step == total:
            secs = time.perf_counter() - t0
            with open(log_path, "a", newline="") as f:
                csv.writer(f).writerow([step, f"{np.mean(window):.6f}", f"{lr_now:.3g}", f"{secs:.1f}"])
            print(f"step {step:6d}  loss {np.mean(window):.5f}  lr {lr_now:.2e}  {secs:7.1f}s",
                  flush=True)
            window = []
        if step % args.ckpt_every == 0 or step == total:
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                        "torch_rng": torch.get_rng_state(),
                        "sampler": [g.bit_generator.state for g in _generators(sampler)],
                        "image_mse": None if errors is None else errors.mse,
                        "image_mse_at": None if errors is None else errors.at,
                        "elapsed": time.perf_counter() - t0}, ckpt_path)

    train_secs = time.perf_counter() - t0
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(weights_path, **to_arrays(model))
    with open(log_path) as f:
        rows = list(csv.DictReader(f))
    draw_loss_curve([int(r["step"]) for r in rows], [float(r["loss"]) for r in rows],
                    run_dir / "loss.png", f"{args.size}: Charbonnier loss (log scale)")
    table = format_table(evaluate([weights_path], held))
    val = val_real_images(args.data_dir)
    table_real = format_table(evaluate([weights_path], val)) if val else "(no val-real set)"
    (run_dir / "eval.md").write_text(
        f"{args.size}: {schedule} steps, {args.threads} threads, {train_secs:.0f} s training, "
        f"data={data}, luma={use_luma}, loss={loss_kind}\n\n"
        f"clean held-out corpus:\n\n{table}\n\nrealistic validation set:\n\n{table_real}\n")
    print(f"trained in {train_secs:.0f} s; weights {weights_path}\n{table}\n{table_real}")


if __name__ == "__main__":
    main()
