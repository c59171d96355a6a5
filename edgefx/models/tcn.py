"""A causal dilated-convolution network in the style of the NAM WaveNet presets.

Layer arrays run in sequence. Inside an array, with z the residual stream and c = x the
conditioning input:

    z  <- R z                                  (1x1 "rechannel", no bias)
    for each layer (kernel k, dilation d):
        a   = conv_d(z) + M c                  (causal dilated conv with bias; 1x1 input mixer)
        u   = tanh(a)          or  tanh(a_1) ⊙ σ(a_2)   (gated option)
        z   = z + P u                          (1x1 with bias, residual)
        acc = acc + u                          (head accumulator)
    acc <- H acc                               (1x1 head rechannel; feeds the next array's acc)

    y = head_scale · acc                       (after the last array, acc has one channel)

Streaming state: each layer keeps the last (k-1)·d samples of its input z (a ring buffer in C),
zero at rest. The first array's accumulator starts at zero, later arrays start from the previous
array's head output.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from ..errors import ConfigError
from .base import State, StreamingModel

_LITE_DILATIONS = ([1, 2, 4, 8, 16, 32, 64], [128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512])
_FULL_DILATIONS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]


def _preset(channels: tuple[int, int], heads: tuple[int, int], dilations: tuple[list, list]) -> dict:
    arrays = []
    for i in range(2):
        arrays.append(
            {
                "input_size": 1 if i == 0 else channels[0],
                "channels": channels[i],
                "head_size": heads[i],
                "kernel_size": 3,
                "dilations": list(dilations[i]),
                "gated": False,
                "head_bias": i == 1,
            }
        )
    return {"arch": "tcn", "layers": arrays, "head_scale": 0.02}


# The NAM WaveNet presets' shapes: nano and feather use the "lite" dilation pattern.
TCN_PRESETS: dict[str, dict] = {
    "nano": _preset((4, 2), (2, 1), _LITE_DILATIONS),
    "feather": _preset((8, 4), (4, 1), _LITE_DILATIONS),
    "lite": _preset((12, 6), (6, 1), _LITE_DILATIONS),
    "standard": _preset((16, 8), (8, 1), (_FULL_DILATIONS, _FULL_DILATIONS)),
}


def tcn_preset(name: str, gated: bool = False) -> dict:
    if name not in TCN_PRESETS:
        raise ConfigError(f"unknown TCN preset {name!r}; choose one of {sorted(TCN_PRESETS)}")
    cfg = copy.deepcopy(TCN_PRESETS[name])
    for arr in cfg["layers"]:
        arr["gated"] = bool(gated)
    cfg["preset"] = name
    return cfg


class TCNLayer(nn.Module):
    def __init__(self, channels: int, kernel_size: int, dilation: int, gated: bool) -> None:
        super().__init__()
        width = 2 * channels if gated else channels
        self.channels, self.kernel_size, self.dilation, self.gated = channels, kernel_size, dilation, gated
        self.conv = nn.Conv1d(channels, width, kernel_size, dilation=dilation, bias=True)
        self.mixin = nn.Conv1d(1, width, 1, bias=False)
        self.out = nn.Conv1d(channels, channels, 1, bias=True)

    @property
    def history(self) -> int:
        return (self.kernel_size - 1) * self.dilation

    def activation(self, a: torch.Tensor) -> torch.Tensor:
        if self.gated:
            return torch.tanh(a[:, : self.channels]) * torch.sigmoid(a[:, self.channels :])
        return torch.tanh(a)


class TCNLayerArray(nn.Module):
    def __init__(self, spec: dict) -> None:
        super().__init__()
        self.spec = dict(spec)
        ch = int(spec["channels"])
        self.rechannel = nn.Conv1d(int(spec["input_size"]), ch, 1, bias=False)
        self.layers = nn.ModuleList(
            TCNLayer(ch, int(spec["kernel_size"]), int(d), bool(spec["gated"])) for d in spec["dilations"]
        )
        self.head_rechannel = nn.Conv1d(ch, int(spec["head_size"]), 1, bias=bool(spec["head_bias"]))


class TCNModel(StreamingModel):
    """Causal dilated conv stacks with a head (NAM WaveNet-like); streaming via per-layer history."""

    arch = "tcn"

    def __init__(self, layers: list[dict], head_scale: float = 0.02, preset: str | None = None) -> None:
        super().__init__()
        _validate(layers)
        self.preset = preset
        self.head_scale = float(head_scale)
        self.arrays = nn.ModuleList(TCNLayerArray(spec) for spec in layers)

    def config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {
            "arch": "tcn",
            "layers": [dict(a.spec, dilations=list(a.spec["dilations"])) for a in self.arrays],
            "head_scale": self.head_scale,
        }
        if self.preset:
            cfg["preset"] = self.preset
        return cfg

    def all_layers(self) -> list[TCNLayer]:
        return [layer for arr in self.arrays for layer in arr.layers]

    def initial_state(self, batch: int = 1) -> State:
        p = self._ref_param()
        return tuple(
            torch.zeros(batch, layer.channels, layer.history, dtype=p.dtype, device=p.device)
            for layer in self.all_layers()
        )

    def step(self, x: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        c = x.unsqueeze(1)  # (batch, 1, time)
        z = c
        acc = None
        new_state = []
        i = 0
        for arr in self.arrays:
            z = arr.rechannel(z)
            for layer in arr.layers:
                full = torch.cat([state[i], z], dim=-1)
                new_state.append(full[..., full.shape[-1] - layer.history :])
                u = layer.activation(layer.conv(full) + layer.mixin(c))
                z = z + layer.out(u)
                acc = u if acc is None else acc + u
                i += 1
            acc = arr.head_rechannel(acc)
        return self.head_scale * acc.squeeze(1), tuple(new_state)

    @property
    def receptive_field(self) -> int:
        return 1 + sum(layer.history for layer in self.all_layers())

    def macs_per_sample(self) -> int:
        macs = 0
        for arr in self.arrays:
            ch, k = arr.spec["channels"], arr.spec["kernel_size"]
            width = 2 * ch if arr.spec["gated"] else ch
            macs += arr.spec["input_size"] * ch  # rechannel
            n = len(arr.layers)
            macs += n * (width * ch * k + width + ch * ch)  # dilated conv, mixer, 1x1
            macs += ch * arr.spec["head_size"]
        return macs + 1


def _validate(layers: list[dict]) -> None:
    if not layers:
        raise ConfigError("a TCN needs at least one layer array")
    required = {"input_size", "channels", "head_size", "kernel_size", "dilations", "gated", "head_bias"}
    for i, spec in enumerate(layers):
        missing = required - set(spec)
        if missing:
            raise ConfigError(f"TCN layer array {i}: missing {sorted(missing)}")
        if i > 0 and spec["input_size"] != layers[i - 1]["channels"]:
            raise ConfigError(f"TCN layer array {i}: input_size must equal the previous array's channels")
        if i > 0 and layers[i - 1]["head_size"] != spec["channels"]:
            raise ConfigError(f"TCN layer array {i}: channels must equal the previous array's head_size")
        if any(int(d) < 1 for d in spec["dilations"]) or int(spec["kernel_size"]) < 1:
            raise ConfigError(f"TCN layer array {i}: kernel size and dilations must be >= 1")
    if layers[0]["input_size"] != 1 or layers[-1]["head_size"] != 1:
        raise ConfigError("a TCN takes one input channel and its last head has one channel")
