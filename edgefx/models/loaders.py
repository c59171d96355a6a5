"""Small loaders for models trained elsewhere, so they can be measured and fine-tuned here.

- GuitarML / Proteus JSON (``model_data`` + ``state_dict`` with ``rec.*`` and ``lin.*``):
  a one-layer LSTM/GRU with a linear head, output = lin(h) + x when ``skip`` is 1.
- Neural Amp Modeler ``.nam`` (JSON) WaveNet: a flat weight list in the order
  [per array: rechannel W, per layer (conv W, conv b, mixer W, 1x1 W, 1x1 b), head rechannel W (b)]
  followed by head_scale; conv weights flattened in (out, in, kernel) order.

Both formats are plain JSON: nothing is unpickled.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from ..errors import ConfigError
from .recurrent import RecurrentModel
from .tcn import TCNModel


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise ConfigError(f"{path}: no such model file")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc})") from None


def load_guitarml_json(path: str | Path) -> RecurrentModel:
    """Load a GuitarML/Proteus-style recurrent model (LSTM or GRU, one layer)."""
    path = Path(path)
    doc = _read_json(path)
    try:
        meta, sd = doc["model_data"], doc["state_dict"]
        cell = str(meta["unit_type"]).lower()
        hidden = int(meta["hidden_size"])
        if int(meta.get("num_layers", 1)) != 1 or int(meta.get("input_size", 1)) != 1:
            raise ConfigError(f"{path}: only one-layer, one-input recurrent models are supported")
        model = RecurrentModel(cell, hidden, skip=bool(int(meta.get("skip", 1))))
        state = {
            "rnn.weight_ih_l0": sd["rec.weight_ih_l0"],
            "rnn.weight_hh_l0": sd["rec.weight_hh_l0"],
            "rnn.bias_ih_l0": sd["rec.bias_ih_l0"],
            "rnn.bias_hh_l0": sd["rec.bias_hh_l0"],
            "head.weight": sd["lin.weight"],
            "head.bias": sd["lin.bias"],
        }
    except KeyError as exc:
        raise ConfigError(f"{path}: not a GuitarML model file (missing {exc})") from None
    try:
        model.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in state.items()})
    except (RuntimeError, ValueError) as exc:
        raise ConfigError(f"{path}: tensor shapes do not match the declared model ({exc})") from None
    return model.eval()


def load_nam(path: str | Path) -> TCNModel:
    """Load a NAM WaveNet (.nam) into a `TCNModel` (tanh or gated layers, no extra head)."""
    path = Path(path)
    doc = _read_json(path)
    if doc.get("architecture") != "WaveNet":
        raise ConfigError(f"{path}: architecture {doc.get('architecture')!r} is not supported (WaveNet only)")
    cfg = doc.get("config", {})
    if cfg.get("head") is not None:
        raise ConfigError(f"{path}: WaveNet models with a post-head are not supported")
    layers = []
    for i, arr in enumerate(cfg.get("layers", [])):
        if str(arr.get("activation", "Tanh")) != "Tanh" or int(arr.get("condition_size", 1)) != 1:
            raise ConfigError(f"{path}: layer array {i}: only Tanh activation and 1 condition channel are supported")
        layers.append({k: arr[k] for k in ("input_size", "channels", "head_size", "kernel_size", "dilations",
                                            "gated", "head_bias")})
    model = TCNModel(layers, head_scale=float(cfg.get("head_scale", 0.02)))
    flat = torch.tensor(doc.get("weights", []), dtype=torch.float32)
    order = []
    for arr in model.arrays:
        order.append(arr.rechannel.weight)
        for layer in arr.layers:
            order += [layer.conv.weight, layer.conv.bias, layer.mixin.weight, layer.out.weight, layer.out.bias]
        order.append(arr.head_rechannel.weight)
        if arr.head_rechannel.bias is not None:
            order.append(arr.head_rechannel.bias)
    expected = sum(p.numel() for p in order) + 1  # + head_scale
    if flat.numel() != expected:
        raise ConfigError(f"{path}: holds {flat.numel()} weights, the declared WaveNet needs {expected}")
    with torch.no_grad():
        i = 0
        for p in order:
            p.copy_(flat[i : i + p.numel()].view_as(p))
            i += p.numel()
    model.head_scale = float(flat[-1])
    return model.eval()
