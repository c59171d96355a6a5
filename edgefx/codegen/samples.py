"""Untrained models with realistic weights, for codegen tests and measurements.

Freshly initialised models are nearly linear on guitar-level input; these helpers scale the
weights so the activations work in their nonlinear range (gate pre-activations of order 1-3,
some tanh saturation), which is where approximations and rounding show.
"""

from __future__ import annotations

import torch

from ..models import RecurrentModel, StreamingModel, TCNModel, build_model, model_from_args, tcn_preset


@torch.no_grad()
def realistic(model: StreamingModel, seed: int = 0) -> StreamingModel:
    """Re-draw ``model``'s weights (seeded) and scale them into a nonlinear regime; returns it."""
    g = torch.Generator().manual_seed(seed)

    def uni(p: torch.Tensor, bound: float) -> None:
        p.copy_((torch.rand(p.shape, generator=g, dtype=p.dtype) * 2 - 1) * bound)

    if isinstance(model, RecurrentModel):
        H = model.hidden
        rnn = model.rnn
        uni(rnn.weight_ih_l0, 8.0)
        uni(rnn.weight_hh_l0, 1.5 / H**0.5)
        uni(rnn.bias_ih_l0, 0.5)
        uni(rnn.bias_hh_l0, 0.5)
        uni(model.head.weight, 1.0 / H**0.5)
        uni(model.head.bias, 0.05)
    elif isinstance(model, TCNModel):
        for arr in model.arrays:
            uni(arr.rechannel.weight, 1.5)
            uni(arr.head_rechannel.weight, 1.0 / arr.spec["channels"] ** 0.5)
            if arr.head_rechannel.bias is not None:
                uni(arr.head_rechannel.bias, 0.05)
            for layer in arr.layers:
                fan = layer.channels * layer.kernel_size
                uni(layer.conv.weight, 2.5 / fan**0.5)
                uni(layer.conv.bias, 0.2)
                uni(layer.mixin.weight, 3.0)
                uni(layer.out.weight, 0.8 / layer.channels**0.5)
                uni(layer.out.bias, 0.05)
        model.head_scale = 0.1
    else:
        for p in model.parameters():
            uni(p, 0.5)
    return model.eval()




def sample_model(spec: str, seed: int = 0) -> StreamingModel:
    """``"lstm16"``, ``"gru8"``, ``"tcn-nano"``, ``"tcn-feather-gated"`` ... with realistic weights."""
    if spec.startswith(("lstm", "gru")):
        arch = "lstm" if spec.startswith("lstm") else "gru"
        return realistic(model_from_args(arch, hidden=int(spec[len(arch) :])), seed)
    if spec.startswith("tcn-"):
        parts = spec.split("-")
        return realistic(build_model(tcn_preset(parts[1], gated="gated" in parts[2:])), seed)
    raise ValueError(f"unknown sample model {spec!r}")
