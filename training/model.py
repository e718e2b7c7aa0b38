"""The learned upscaler as a PyTorch module, shaped so every layer is one cheap shader pass.

Design (see docs/training.md): all convolutions run at SOURCE resolution with 4 or 8
channels. A head 3x3 conv reads RGB; each block is a 3x3 conv with pixel attention
(y * sigmoid(conv1x1(y))) and a skip connection, optionally with A2N's dynamic weighting
between the attention branch and a plain branch, made local (per-pixel softmax of a 1x1
conv, no global pooling) so one fragment pass can do it. A tail 3x3 conv predicts 4 luma
residuals, one per 2x2 sub-pixel; depth-to-space puts them on a bilinear 2x base and the
same residual is added to R, G and B.

Padding is replicate ("clamp to edge"), because that is what a GL texture fetch beyond the
border returns; the bilinear base uses align_corners=False, which equals GL_LINEAR at 2x.
`to_arrays` gives the weights as plain numpy arrays in the layout `infer_numpy` and
`export` read, so nothing downstream needs torch.
"""
from __future__ import annotations

import json

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

LEAK = 0.1  # leaky ReLU slope: with only 4 channels a plain ReLU loses dead channels
BT601 = (0.299, 0.587, 0.114)


def _pad(x: torch.Tensor) -> torch.Tensor:
    return F.pad(x, (1, 1, 1, 1), mode="replicate")


def _act(x: torch.Tensor) -> torch.Tensor:
    return F.leaky_relu(x, LEAK)


class Block(nn.Module):
    """One pass: out = x + [w_a * PA(act(conv_a(x))) + w_n * act(conv_n(x))].

    With expand > ch the pass is an inverted bottleneck: the 3x3 conv widens to `expand`
    channels, pixel attention gates them, and a 1x1 `proj` narrows back to ch before the
    skip. The stored feature (what the next pass reads) stays ch wide, so the pass fetches
    what a plain block fetches and pays only arithmetic for the width (docs/training.md)."""

    def __init__(self, ch: int, dynamic: bool, expand: int | None = None):
        super().__init__()
        expand = expand or ch
        if expand != ch and dynamic:
            raise ValueError("an expanded block has no dynamic (A2N) branch weighting")
        self.dynamic = dynamic
        self.conv = nn.Conv2d(ch, expand, 3)
        self.gate = nn.Conv2d(expand, expand, 1)
        self.proj = nn.Conv2d(expand, ch, 1) if expand != ch else None
        if dynamic:
            self.plain = nn.Conv2d(ch, ch, 3)
            self.mix = nn.Conv2d(ch, 2, 1)  # local A2N branch weighting, softmax over 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        px = _pad(x)
        y = _act(self.conv(px))
        att = y * torch.sigmoid(self.gate(y))
        if self.proj is not None:
            return x + self.proj(att)
        if not self.dynamic:
            return x + att
        plain = _act(self.plain(px))
        w = torch.softmax(self.mix(x), dim=1)
        return x + w[:, :1] * att + w[:, 1:] * plain

    @torch.no_grad()
    def widened(self, expand: int, gen: torch.Generator) -> "Block":
        """The same function as an expanded block (net2net): the old conv and gate are the
        first ch of `expand` channels, the new channels get small random weights (so they
        learn), and proj is [identity | 0], so the new channels start with no effect."""
        ch = self.conv.in_channels
        if self.proj is not None or self.dynamic or expand <= ch:
            raise ValueError(f"only a plain block can widen, to more than its {ch} channels")
        new = Block(ch, False, expand)
        extra = expand - ch
        new.conv.weight.copy_(torch.cat([self.conv.weight, 0.1 * torch.randn(
            extra, ch, 3, 3, generator=gen)]))
        new.conv.bias.copy_(torch.cat([self.conv.bias, torch.zeros(extra)]))
        new.gate.weight.zero_()
        new.gate.weight[:ch, :ch] = self.gate.weight
        new.gate.weight[ch:, ch:] = 0.3 * torch.randn(extra, extra, 1, 1, generator=gen)
        new.gate.bias.copy_(torch.cat([self.gate.bias, torch.zeros(extra)]))
        new.proj.weight.zero_()
        new.proj.weight[:, :ch, 0, 0] = torch.eye(ch)
        new.proj.bias.zero_()
        return new


class LumaHead(nn.Module):
    """conv3x3 on BT.601 luma only. Saved (to_arrays) as an ordinary RGB head whose weights
    are the luma weights times (0.299, 0.587, 0.114): the same numbers numpy and the shader
    use for an RGB head, so export and inference need no special case."""

    def __init__(self, channels: int):
        super().__init__()
        ref = nn.Conv2d(1, channels, 3)
        self.weight_y = nn.Parameter(ref.weight.detach().clone())
        self.bias = nn.Parameter(ref.bias.detach().clone())
        self.register_buffer("coef", torch.tensor(BT601).view(1, 3, 1, 1), persistent=False)

    @property
    def weight(self) -> torch.Tensor:
        return self.weight_y * self.coef

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight, self.bias)


class LearnedUpscaler(nn.Module):
    """2x upscaler: RGB N x 3 x h x w in [0, 1] -> RGB N x 3 x 2h x 2w (unclamped)."""

    def __init__(self, channels: int = 4, blocks: int = 5, dynamic: bool = False,
                 luma: bool = False, expand: int | None = None):
        super().__init__()
        self.config = dict(channels=channels, blocks=blocks, dynamic=dynamic, leak=LEAK)
        if luma:
            self.config["luma"] = True
        if expand and expand != channels:
            if expand % 4:
                raise ValueError(f"expand must be a multiple of 4 (texel groups), got {expand}")
            self.config["expand"] = expand
        self.head = LumaHead(channels) if luma else nn.Conv2d(3, channels, 3)
        self.blocks = nn.ModuleList(Block(channels, dynamic, expand) for _ in range(blocks))
        self.tail = nn.Conv2d(channels, 4, 3)
        # Start as plain bilinear: a zero residual is a sane first guess and keeps early
        # training from wrecking the base.
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)

    def residual(self, x: torch.Tensor) -> torch.Tensor:
        f = _act(self.head(_pad(x)))
        for b in self.blocks:
            f = b(f)
        return F.pixel_shuffle(self.tail(_pad(f)), 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        base = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        return base + self.residual(x)

    def conv_layers(self) -> int:
        return 2 + len(self.blocks)

    def widen(self, expand: int, seed: int, blocks: tuple[int, ...] = ()) -> None:
        """Make the given blocks (all if none given) expanded ones of `expand` channels,
        keeping the function (Block.widened); the new channels' start is fixed by `seed`."""
        which = tuple(blocks) or tuple(range(len(self.blocks)))
        if not set(which) <= set(range(len(self.blocks))):
            raise ValueError(f"blocks {which}: the model has blocks 0-{len(self.blocks) - 1}")
        gen = torch.Generator().manual_seed(seed)
        self.blocks = nn.ModuleList(b.widened(expand, gen) if i in which else b
                                    for i, b in enumerate(self.blocks))
        self.config["expand"] = expand
        if len(which) < len(self.blocks):
            self.config["expanded"] = sorted(which)


def to_arrays(model: LearnedUpscaler) -> dict[str, np.ndarray]:
    """Weights as float32 numpy arrays keyed by layer, plus a JSON 'config' entry."""
    out = {"config": np.array(json.dumps(model.config))}
    for name, t in model.state_dict().items():
        if name == "head.weight_y":
            name, t = "head.weight", model.head.weight
        out[name] = np.ascontiguousarray(t.detach().cpu().numpy(), dtype=np.float32)
    return out


def from_arrays(arrays) -> LearnedUpscaler:
    """The model to_arrays saved, expanded blocks included (each block's width is read from
    its `proj` weights, as the exporters read it)."""
    cfg = json.loads(str(arrays["config"]))
    luma = bool(cfg.get("luma", False))
    model = LearnedUpscaler(cfg["channels"], cfg["blocks"], cfg["dynamic"], luma)
    for i in range(cfg["blocks"]):
        key = f"blocks.{i}.proj.weight"
        if key in arrays:
            model.blocks[i] = Block(cfg["channels"], False, int(np.shape(arrays[key])[1]))
    model.config.update({k: cfg[k] for k in ("expand", "expanded") if k in cfg})
    state = {}
    for k in model.state_dict():
        if k == "head.weight_y":  # unfold: the R column is the luma weight times 0.299
            state[k] = torch.from_numpy(np.asarray(arrays["head.weight"])[:, :1] / BT601[0])
        else:
            state[k] = torch.from_numpy(np.asarray(arrays[k]))
    model.load_state_dict(state)
    return model
