"""training/train.py's restart cycles: the imgmse loss's per-image errors (ImageErrors: each
whole image's MSE under the current model, the floor, the per-crop weights), the cycle
options, and a widen cycle's resume. Skips without torch."""
from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from training import infer_numpy  # noqa: E402
from training.model import BT601, LearnedUpscaler, to_arrays  # noqa: E402
from training.train import ImageErrors, parse_cycle  # noqa: E402


def _numpy_weights(model) -> dict:
    arrays = to_arrays(model)
    arrays["config"] = json.loads(str(arrays["config"]))
    return arrays


def test_image_errors_are_each_whole_images_mse_under_the_model():
    torch.manual_seed(0)
    model = LearnedUpscaler(4, 2, False, False)
    weights = _numpy_weights(model)
    rng = np.random.default_rng(1)
    lr8 = (rng.random((12, 14, 3)) * 255).astype(np.uint8)
    hr8 = (rng.random((24, 28, 3)) * 255).astype(np.uint8)
    lrf = rng.random((10, 9, 3)).astype(np.float32)
    images = [(lr8, hr8), (lrf, infer_numpy.upscale(weights, lrf, clamp=False))]
    errors = ImageErrors(images, every=5)
    assert errors.due(0)
    errors.refresh(model, lum=True, step=0)
    assert not errors.due(4) and errors.due(5)
    out = infer_numpy.upscale(weights, lr8.astype(np.float32) / 255, clamp=False)
    want = float(np.mean(((out - hr8 / 255.0) @ BT601) ** 2))
    assert errors.mse[0] == pytest.approx(want, rel=1e-4)
    # the second image's HR is the model's own output: its error is at the floor
    assert errors.mse[1] == ImageErrors.FLOOR
    w = errors.weights(np.array([1, 0, 0]))
    assert w.tolist() == pytest.approx([1 / ImageErrors.FLOOR, 1 / want, 1 / want], rel=1e-4)


def test_imgmse_cycle_option_parses():
    c = parse_cycle("8000:2e-4:imgmse=1")
    assert c.imgmse and not c.logmse and c.steps == 8000 and c.lr == 2e-4
    with pytest.raises(argparse.ArgumentTypeError, match="choose one per cycle"):
        parse_cycle("8000:2e-4:logmse=1:imgmse=1")


def test_widen_cycle_option_parses():
    c = parse_cycle("20000:5e-4:imgmse=1:widen=8")
    assert c.widen == 8 and c.imgmse and c.steps == 20000 and c.blocks == ()
    assert parse_cycle("100:1e-4").widen == 0
    assert parse_cycle("100:1e-4:widen=8:blocks=0,2,4").blocks == (0, 2, 4)
    with pytest.raises(argparse.ArgumentTypeError, match="give widen=N too"):
        parse_cycle("100:1e-4:blocks=1")
    assert parse_cycle("100:1e-4:fresh=1").fresh and not parse_cycle("100:1e-4").fresh


def test_a_run_interrupted_after_widening_resumes_to_the_same_weights(tmp_path, monkeypatch):
    """The checkpoint after a widen cycle began holds expanded blocks: --resume rebuilds
    that shape (and its optimizer) and ends where the uninterrupted run ends."""
    from training import train
    from training.data import corpus_split
    if not corpus_split()[0]:
        pytest.skip("the shared corpus is not here")

    def run(name, *extra):
        d = tmp_path / name
        train.main(["--size", "learned_s", "--data", "clean", "--clipart", "0", "--threads",
                    "1", "--batch", "2", "--lr-size", "16", "--steps", "6", "--cycle",
                    "8:1e-4:widen=8:blocks=1,3", "--ckpt-every", "9", "--run-dir", str(d),
                    "--weights", str(d / "w.npz"), "--data-dir", str(tmp_path / "none"),
                    *extra])
        return d / "w.npz"

    whole = run("whole")
    real_save = torch.save

    def save_then_stop(obj, path):
        real_save(obj, path)
        if obj["step"] == 9:
            raise SystemExit("interrupted")
    monkeypatch.setattr(torch, "save", save_then_stop)
    with pytest.raises(SystemExit):
        run("split")
    monkeypatch.setattr(torch, "save", real_save)
    saved = torch.load(tmp_path / "split" / "checkpoint.pt", weights_only=False)["model"]
    assert [f"blocks.{i}.proj.weight" in saved for i in range(5)] == [False, True, False,
                                                                      True, False]
    split = run("split", "--resume")
    a, b = np.load(whole), np.load(split)
    assert json.loads(str(a["config"]))["expanded"] == [1, 3]
    assert a.files == b.files and all(np.array_equal(a[k], b[k]) for k in a.files)


def test_init_continues_from_saved_widened_weights(tmp_path):
    """--init loads a saved model, expanded blocks included, and runs only the --cycle cycles
    from it: with a zero learning rate the weights come back unchanged; a shape other than
    the size's is refused."""
    from training import train
    from training.data import corpus_split
    from training.model import from_arrays
    if not corpus_split()[0]:
        pytest.skip("the shared corpus is not here")
    torch.manual_seed(3)
    model = LearnedUpscaler(4, 5, False, False)
    torch.nn.init.normal_(model.tail.weight, std=0.05)
    model.widen(8, seed=2, blocks=(0, 3))
    saved = tmp_path / "start.npz"
    np.savez(saved, **to_arrays(model))
    again = from_arrays(np.load(saved))
    assert again.config == model.config
    x = torch.rand(1, 3, 9, 11)
    assert torch.equal(again(x), model(x))

    def run(start, *cycle):
        out = tmp_path / "out.npz"
        train.main(["--size", "learned_s", "--data", "clean", "--clipart", "0", "--threads",
                    "1", "--batch", "2", "--lr-size", "16", "--init", str(start),
                    *(a for c in cycle for a in ("--cycle", c)), "--run-dir",
                    str(tmp_path / "run"), "--weights", str(out), "--data-dir",
                    str(tmp_path / "none")])
        return np.load(out)

    a, b = np.load(saved), run(saved, "3:0")
    assert a.files == b.files and all(np.array_equal(a[k], b[k]) for k in a.files)
    moved = run(saved, "3:1e-3")
    assert not np.array_equal(moved["blocks.0.proj.weight"], a["blocks.0.proj.weight"])
    with pytest.raises(SystemExit, match="give one or more --cycle"):
        train.main(["--size", "learned_s", "--init", str(saved)])
    other = tmp_path / "other.npz"
    np.savez(other, **to_arrays(LearnedUpscaler(8, 5, False, False)))
    with pytest.raises(SystemExit, match="this run asks for"):
        run(other, "3:1e-3")


def test_a_fresh_cycle_starts_a_new_optimizer(tmp_path):
    """fresh=1 drops Adam's moments at the cycle's start (what an --init run does), so the
    same schedule without it ends on other weights; with it, the run is still repeatable."""
    from training import train
    from training.data import corpus_split
    if not corpus_split()[0]:
        pytest.skip("the shared corpus is not here")

    def run(name, cycle):
        out = tmp_path / f"{name}.npz"
        train.main(["--size", "learned_s", "--data", "clean", "--clipart", "0", "--threads",
                    "1", "--batch", "2", "--lr-size", "16", "--steps", "4", "--cycle", cycle,
                    "--run-dir", str(tmp_path / name), "--weights", str(out),
                    "--data-dir", str(tmp_path / "none")])
        return np.load(out)

    carried, fresh, again = (run("carried", "4:1e-3"), run("fresh", "4:1e-3:fresh=1"),
                             run("again", "4:1e-3:fresh=1"))
    assert all(np.array_equal(fresh[k], again[k]) for k in fresh.files)
    assert not np.array_equal(carried["tail.weight"], fresh["tail.weight"])
