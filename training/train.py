"""Train one learned-upscaler size and save its weights for export.

One run = fixed seed, fixed step count, fixed thread count: rerunning the same command
reproduces the quality (float summation order still depends on the thread count, so a
different --threads gives a slightly different, equally good, model). Writes into
--run-dir: log.csv (step, loss, lr, seconds), loss.png, checkpoint.pt (resumable with
--resume) and eval.md (held-out PSNR table); and the weights to --weights (.npz).
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import torch

from training.curve import draw_loss_curve
from training.data import DEFAULT_CACHE, PairSampler, corpus_split, render_clipart
from training.evaluate import evaluate, format_table, val_real_images
from training.model import BT601, LearnedUpscaler, to_arrays

# name: (channels, blocks, dynamic, steps, data, luma) of the shipped weights.
# data "clean": the v1 learned tier's pairs (clean renders, area 2x; training/data.py);
# data "real": realistic scenes and degradations (training/realdata.py, issue 15).
SIZES = {
    "learned_s": (4, 5, False, 10000, "clean", False),
    "learned_m": (4, 7, False, 12000, "real", False),
    "learned_l": (8, 6, False, 8000, "real", False),
}
CLEAN_SHARE = 0.25  # --data real: share of clean v1 pairs in each batch
# A second, shorter cosine cycle after the main one (a warm restart): (steps, base rate).
RESTARTS = {"learned_m": (6000, 2e-4), "learned_l": (3000, 2e-4)}


def charbonnier(pred: torch.Tensor, target: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    return torch.sqrt((pred - target) ** 2 + eps * eps).mean()


def luma(x: torch.Tensor) -> torch.Tensor:
    w = torch.tensor(BT601, dtype=x.dtype).view(1, 3, 1, 1)
    return (x * w).sum(1, keepdim=True)


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
    ap.add_argument("--loss", choices=("luma", "rgb"), help="Charbonnier on BT.601 luma "
                    "(default for --data real) or on RGB (the v1 tier's)")
    ap.add_argument("--steps", type=int, help="default: the size's shipped step count")
    ap.add_argument("--restart-steps", type=int, help="steps of the warm-restart cycle after "
                    "--steps (default: the size's; 0 = none)")
    ap.add_argument("--restart-lr", type=float, help="base rate of the restart cycle")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr-size", type=int, default=48, help="LR crop side in pixels")
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--clipart", type=int, default=400, help="openclipart SVGs to render")
    ap.add_argument("--jpeg-prob", type=float, default=0.0,
                    help="probability of a mild JPEG (q 80-95) on an LR crop")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--run-dir", type=Path, help="default runs/<size>")
    ap.add_argument("--weights", type=Path, help="default shaders/learned/<size>.npz")
    ap.add_argument("--resume", action="store_true")
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


def lr_at(step: int, main_steps: int, base: float, restart: tuple[int, float]) -> float:
    """Main cosine cycle over main_steps, then the restart cycle (if any)."""
    if step < main_steps or not restart[0]:
        return cosine_lr(base, step, main_steps)
    return cosine_lr(restart[1], step - main_steps, restart[0])


def main(argv=None) -> None:
    args = parse_args(argv)
    channels, blocks, dynamic, steps, data, use_luma = SIZES[args.size]
    explicit_steps = args.steps is not None
    args.steps = args.steps or steps
    r_steps, r_lr = RESTARTS.get(args.size, (0, 0.0)) if not explicit_steps else (0, 0.0)
    restart = (args.restart_steps if args.restart_steps is not None else r_steps,
               args.restart_lr or r_lr or args.lr * 0.4)
    total = args.steps + restart[0]
    data = args.data or data
    use_luma = bool(args.luma) if args.luma is not None else use_luma
    loss_kind = args.loss or ("luma" if data == "real" else "rgb")
    channels = args.channels or channels
    blocks = args.blocks if args.blocks is not None else blocks
    dynamic = dynamic or args.dynamic
    run_dir = args.run_dir or Path("runs") / args.size
    weights_path = args.weights or Path("shaders/learned") / f"{args.size}.npz"
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
        if share > 0:
            clipart = render_clipart(args.data_dir / "openclipart", args.clipart)
            clean = PairSampler(train_imgs, clipart, args.lr_size, args.seed + 1)
            sampler = MixedSampler(sampler, clean, share, args.seed)
        print(f"train: {len(hrs)} realistic scenes (training/realdata.py), clean share "
              f"{share}; held out: {', '.join(p.stem for p in held)} + the val-real sources")

    model = LearnedUpscaler(channels, blocks, dynamic, use_luma)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    ckpt_path = run_dir / "checkpoint.pt"
    log_path = run_dir / "log.csv"
    step, elapsed = 0, 0.0
    if args.resume and ckpt_path.exists():
        ck = torch.load(ckpt_path, weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        torch.set_rng_state(ck["torch_rng"])
        step, elapsed = ck["step"], ck["elapsed"]
        # Replay the sampler (cheap next to training) so a resumed run draws exactly the
        # batches an uninterrupted one would, whatever sub-samplers it holds.
        for _ in range(step):
            sampler.batch(args.batch)
        print(f"resumed at step {step}")
    else:
        with open(log_path, "w", newline="") as f:
            csv.writer(f).writerow(["step", "loss", "lr", "seconds"])

    n_params = sum(p.numel() for p in model.parameters())
    print(f"{args.size}: {channels} ch, {blocks} blocks, dynamic={dynamic}, luma={use_luma}, "
          f"{n_params} weights, {args.steps} + {restart[0]} restart steps, {args.threads} threads, data={data}, "
          f"loss={loss_kind}")
    t0 = time.perf_counter() - elapsed
    window: list[float] = []
    model.train()
    while step < total:
        lr_now = lr_at(step, args.steps, args.lr, restart)
        for g in opt.param_groups:
            g["lr"] = lr_now
        lr_np, hr_np = sampler.batch(args.batch)
        pred, target = model(torch.from_numpy(lr_np)), torch.from_numpy(hr_np)
        if loss_kind == "luma":
            pred, target = luma(pred), luma(target)
        loss = charbonnier(pred, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        window.append(loss.item())
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
        f"{args.size}: {args.steps} + {restart[0]} restart steps, {args.threads} threads, {train_secs:.0f} s training, "
        f"data={data}, luma={use_luma}, loss={loss_kind}\n\n"
        f"clean held-out corpus:\n\n{table}\n\nrealistic validation set:\n\n{table_real}\n")
    print(f"trained in {train_secs:.0f} s; weights {weights_path}\n{table}\n{table_real}")


if __name__ == "__main__":
    main()
