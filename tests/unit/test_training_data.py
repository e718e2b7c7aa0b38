"""The realistic training data (training/degrade.py, training/realdata.py): degradations are
deterministic under a seed and do what they say, scenes are reproducible, validation
sources are kept apart from training, and the licence list names every source.
Pure numpy + PyAV (a main dependency); the luma-head check skips without torch."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from training import data, degrade, realdata

ROOT = Path(__file__).resolve().parents[2]


def art(h: int = 64, w: int = 80, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([0.5 + 0.4 * np.sin(xx / 7), 0.5 + 0.3 * np.cos(yy / 5),
                    0.4 + 0.2 * (xx / w)], -1).astype(np.float32)
    img[(xx - 40) ** 2 + (yy - 30) ** 2 < 200] = (0.1, 0.1, 0.15)
    return np.clip(img + 0.02 * rng.standard_normal(img.shape).astype(np.float32), 0, 1)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_realistic_hr_and_lr_are_deterministic_under_a_seed(seed):
    img = art()
    a, sa = degrade.realistic_hr(img, np.random.default_rng(seed))
    b, sb = degrade.realistic_hr(img, np.random.default_rng(seed))
    assert sa == sb and np.array_equal(a, b)
    la, ta = degrade.make_lr(a, np.random.default_rng(seed + 10), extra_prob=1.0)
    lb, tb = degrade.make_lr(a, np.random.default_rng(seed + 10), extra_prob=1.0)
    assert ta == tb and np.array_equal(la, lb)
    assert la.shape == (32, 40, 3) and la.dtype == np.float32
    assert 0.0 <= la.min() and la.max() <= 1.0


def test_different_seeds_give_different_mixes():
    img = art()
    mixes = {tuple(degrade.realistic_hr(img, np.random.default_rng(s))[1]) for s in range(12)}
    assert len(mixes) >= 6


@pytest.mark.parametrize("codec,frames", [("h264", 1), ("h264", 3), ("hevc", 1)])
def test_compression_is_deterministic_and_lossy_but_close(codec, frames):
    img = art(72, 90)
    a = degrade.encode(img, codec, 24, frames, np.random.default_rng(3))
    b = degrade.encode(img, codec, 24, frames, np.random.default_rng(3))
    assert a.shape == img.shape and np.array_equal(a, b)
    err = np.abs(a - img).mean()
    assert 0.0 < err < 0.05


def test_chroma420_keeps_luma_and_halves_chroma_detail():
    img = art()
    out = degrade.chroma420(img)
    np.testing.assert_allclose(out @ degrade.BT601, img @ degrade.BT601, atol=1e-5)
    stripes = np.zeros((16, 16, 3), np.float32)
    stripes[:, ::2] = (1.0, 0.0, 0.0)
    stripes[:, 1::2] = (0.0, 0.0, 1.0)
    cb = degrade._rgb_to_ycbcr(degrade.chroma420(stripes))[..., 1]
    assert np.ptp(cb[4:-4, 4:-4]) < 1e-5  # 1-px chroma alternation averaged away


def test_downscale_kernels_and_area_convention():
    img = art()
    np.testing.assert_array_equal(degrade.downscale2(img, "area"), data.area_down2(img))
    for k in ("bicubic", "bilinear"):
        lr = degrade.downscale2(img, k)
        assert lr.shape == (32, 40, 3)
        assert np.abs(lr - data.area_down2(img)).mean() < 0.03


def test_soft_master_and_blur_lower_detail_grain_adds_it():
    img = art()
    def detail(x):
        return np.abs(np.diff(x @ degrade.BT601, axis=1)).mean()
    assert detail(degrade.soft_master(img, 1.8)) < detail(img)
    assert detail(degrade.gaussian_blur(img, 0.7)) < detail(img)
    g = degrade.grain(img, np.random.default_rng(1), 3.0)
    assert detail(g) > detail(img)
    np.testing.assert_array_equal(g, degrade.grain(img, np.random.default_rng(1), 3.0))


def test_backgrounds_are_deterministic_and_varied():
    kinds = set()
    for s in range(16):
        a, ka = realdata.background(np.random.default_rng(s), 40, 56)
        b, kb = realdata.background(np.random.default_rng(s), 40, 56)
        assert ka == kb and np.array_equal(a, b) and a.shape == (40, 56, 3)
        kinds.add(ka)
    assert kinds >= {"gradient", "painted", "textured", "cel"}


def _png(path: Path, rgba: np.ndarray) -> Path:
    Image.fromarray(rgba).save(path)
    return path


def test_scenes_and_pool_are_deterministic(tmp_path):
    rng = np.random.default_rng(0)
    layer = np.zeros((60, 70, 4), np.uint8)
    layer[10:50, 10:60] = (200, 40, 40, 255)
    layer[20:40, 20:50, 3] = 0
    opaque = (rng.random((90, 120, 4)) * 255).astype(np.uint8)
    opaque[..., 3] = 255
    src = realdata.Sources([_png(tmp_path / "l.png", layer)], [_png(tmp_path / "o.png", opaque)], [])
    assert len(src.layers) == 1 and len(src.opaque) == 1
    p1 = realdata.build_pool(src, 5, seed=4, size_range=(64, 96))
    p2 = realdata.build_pool(src, 5, seed=4, size_range=(64, 96))
    for a, b in zip(p1[0] + [v for vs in p1[1] for v in vs], p2[0] + [v for vs in p2[1] for v in vs]):
        assert np.array_equal(a, b)
    assert p1[2] == p2[2]
    hr, lrs = p1[0][0], p1[1][0]
    assert all(lr.shape[:2] == (hr.shape[0] // 2, hr.shape[1] // 2) for lr in lrs)
    s1 = realdata.RealPairSampler(p1[0], p1[1], 16, seed=9).batch(4)
    s2 = realdata.RealPairSampler(p1[0], p1[1], 16, seed=9).batch(4)
    assert s1[0].shape == (4, 3, 16, 16) and s1[1].shape == (4, 3, 32, 32)
    assert np.array_equal(s1[0], s2[0]) and np.array_equal(s1[1], s2[1])


def _found_in(crop: np.ndarray, image: np.ndarray) -> bool:
    """Whether an (augmented) C x n x n crop is a window of the H x W x C image."""
    c = crop.transpose(1, 2, 0)
    n = c.shape[0]
    for k in range(8):
        w = np.rot90(c, -(k & 3))
        w = w[:, ::-1] if k & 4 else w
        windows = np.lib.stride_tricks.sliding_window_view(image, (n, n), (0, 1))
        if np.any(np.all(np.abs(windows - w.transpose(2, 0, 1)[None, None]) < 1e-6,
                         axis=(2, 3, 4))):
            return True
    return False


def test_crops_name_the_image_they_come_from(tmp_path):
    """imgmse divides a crop's error by its source image's: the ids must name that image."""
    rng = np.random.default_rng(3)
    hrs = [(rng.random((40 + 8 * i, 48, 3)) * 255).astype(np.uint8) for i in range(3)]
    lrs = [[(rng.random((h.shape[0] // 2, 24, 3)) * 255).astype(np.uint8) for _ in range(2)]
           for h in hrs]
    real = realdata.RealPairSampler(hrs, lrs, 8, seed=5)
    imgs = real.images()
    assert len(imgs) == 6 and imgs[3][1] is hrs[1] and imgs[3][0] is lrs[1][1]
    lr, hr, ids = real.batch_ids(12)
    assert len(set(ids.tolist())) > 2
    for k, i in enumerate(ids):
        assert _found_in(lr[k] * 255, imgs[i][0].astype(np.float32))
        assert _found_in(hr[k] * 255, imgs[i][1].astype(np.float32))
    again = realdata.RealPairSampler(hrs, lrs, 8, seed=5).batch(12)
    assert np.array_equal(again[0], lr) and np.array_equal(again[1], hr)

    paths = [_png(tmp_path / f"c{i}.png", (art(40, 48, i) * 255).astype(np.uint8))
             for i in range(2)]
    clean = data.PairSampler(paths[:1], paths[1:], 8, seed=2, min_std=0.0)
    mixed = realdata.MixedSampler(realdata.RealPairSampler(hrs, lrs, 8, seed=5), clean, 0.5, 1)
    all_imgs = mixed.images()
    assert len(all_imgs) == 8
    lr, hr, ids = mixed.batch_ids(16)
    assert (ids >= 6).any() and (ids < 6).any()
    for k, i in enumerate(ids):
        scale = 255.0 if all_imgs[i][0].dtype == np.uint8 else 1.0
        assert _found_in(hr[k] * scale, all_imgs[i][1].astype(np.float32))


def test_validation_sources_are_kept_apart_from_training():
    assert not set(realdata.TRAIN_SIF) & set(realdata.VAL_SIF)
    # the corpus image held out from training is rendered only for validation
    assert "backdrop" in realdata.VAL_SIF
    train, held = data.corpus_split()
    assert not {p.name for p in train} & {p.name for p in held}
    if not data.CLIPART_SVG.is_dir():
        pytest.skip("openclipart-svg not installed")
    tr = {p.name for p in data.select_svgs(400)}
    va = {p.name for p in realdata.val_svgs()}
    assert len(va) == 40 and not tr & va


def test_licence_list_names_every_source():
    doc = (ROOT / "docs" / "training.md").read_text()
    listed = set()
    for what, files, licence in realdata.SOURCES:
        assert licence and licence in doc, licence
        for f in files:
            assert f in doc, f"{f} ({what}) is not named in docs/training.md"
            listed.add(f)
    assert set(realdata.TRAIN_SIF) | set(realdata.VAL_SIF) <= listed
    corpus = sorted(data.CORPUS_HR.glob("*.png"))
    for p in corpus:  # every corpus image the training or validation reads
        assert p.stem.rsplit("_", 1)[0] in listed, p.name


def test_luma_head_folds_into_an_rgb_head():
    torch = pytest.importorskip("torch")
    from training import infer_numpy
    from training.model import LearnedUpscaler, from_arrays, to_arrays
    torch.manual_seed(0)
    model = LearnedUpscaler(4, 2, False, luma=True)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 0.3)
    arrays = to_arrays(model)
    assert arrays["head.weight"].shape == (4, 3, 3, 3) and "head.weight_y" not in arrays
    img = art(19, 23)
    with torch.no_grad():
        want = model(torch.from_numpy(img.transpose(2, 0, 1))[None])[0].numpy()
    loaded = dict(arrays, config=json.loads(str(arrays["config"])))
    got = infer_numpy.upscale(loaded, img, clamp=False)
    np.testing.assert_allclose(got, want.transpose(1, 2, 0), atol=2e-5)
    again = from_arrays(arrays)
    with torch.no_grad():
        x = torch.from_numpy(img.transpose(2, 0, 1))[None]
        np.testing.assert_allclose(again(x).numpy(), model(x).numpy(), atol=1e-6)


def test_clean_scales_add_area_down_copies_as_pairs(tmp_path):
    """--clean-scales: each clean image also as its area-down by each factor, paired with
    its own area-down 2x; (1.0,) is the sampler as before (same pairs, same draws)."""
    from player.media.metrics import area_downscale
    img = art(96, 120, 1)
    paths = [_png(tmp_path / "c.png", (img * 255).astype(np.uint8))]
    plain = data.PairSampler(paths, [], 8, seed=2)
    same = data.PairSampler(paths, [], 8, seed=2, scales=(1.0,))
    assert all(np.array_equal(a, b) for a, b in zip(plain.batch(6), same.batch(6)))
    multi = data.PairSampler(paths, [], 8, seed=2, scales=(1.0, 1.5, 3.0))
    pairs = multi.images()
    assert [p[1].shape[:2] for p in pairs] == [(96, 120), (64, 80), (32, 40)]
    hr15 = area_downscale(data.load_rgb(paths[0]), 1.5).astype(np.float32)
    assert np.allclose(pairs[1][1], hr15, atol=1e-6)
    assert np.allclose(pairs[1][0], data.area_down2(pairs[1][1]), atol=1e-6)
    lr, hr, ids = multi.batch_ids(24)
    assert set(ids.tolist()) <= {0, 1, 2} and len(set(ids.tolist())) > 1
