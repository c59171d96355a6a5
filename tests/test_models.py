"""Models: streaming equivalence, state, config round trip, receptive field, MACs, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from edgefx.errors import ConfigError
from edgefx.models import RECURRENT_PRESETS, build_model, model_from_args, tcn_preset

SMALL_TCN = {
    "arch": "tcn",
    "head_scale": 0.02,
    "layers": [
        {"input_size": 1, "channels": 3, "head_size": 2, "kernel_size": 3, "dilations": [1, 2, 4],
         "gated": False, "head_bias": False},
        {"input_size": 3, "channels": 2, "head_size": 1, "kernel_size": 2, "dilations": [1, 8],
         "gated": True, "head_bias": True},
    ],
}

MODELS = {
    "lstm8": lambda: model_from_args("lstm", hidden=8),
    "gru5": lambda: model_from_args("gru", hidden=5),
    "tcn-nano": lambda: model_from_args("tcn", preset="nano"),
    "tcn-nano-gated": lambda: model_from_args("tcn", preset="nano", gated=True),
    "tcn-small-mixed": lambda: build_model(SMALL_TCN),
}


def _signal(n: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return 0.5 * torch.randn(2, n, generator=g)


@pytest.mark.parametrize("name", list(MODELS))
def test_streaming_equivalence(name):
    torch.manual_seed(0)
    model = MODELS[name]().double()
    n = 1500
    x = _signal(n).double()
    whole = model.process(x)
    rng = np.random.default_rng(1)
    sizes = [1, 1, 2, 1, 17, 1, 64, 1, 300]
    blocks, i = [], 0
    model.reset()
    with torch.no_grad():
        while i < n:
            size = sizes[len(blocks)] if len(blocks) < len(sizes) else int(rng.integers(1, 700))
            blocks.append(model(x[:, i : i + size]))
            i += size
    assert torch.max(torch.abs(torch.cat(blocks, -1) - whole)) <= 1e-6
    # the explicit-state step is the same function
    y1, s1 = model.step(x[:, :700], model.initial_state(2))
    y2, _ = model.step(x[:, 700:1000], s1)
    assert torch.max(torch.abs(torch.cat([y1, y2], -1) - whole[:, :1000])) <= 1e-6


@pytest.mark.parametrize("name", ["lstm8", "gru5", "tcn-small-mixed"])
def test_reset_returns_to_rest(name):
    torch.manual_seed(0)
    model = MODELS[name]()
    x = _signal(400)
    with torch.no_grad():
        first = model(x)
        model(x)  # state now differs from rest
        model.reset()
        again = model(x)
    assert torch.equal(first, again)
    # a 1-D input is one batch item
    assert model.process(x[0]).shape == (400,)


@pytest.mark.parametrize("name", list(MODELS))
def test_config_round_trip(name):
    torch.manual_seed(0)
    model = MODELS[name]()
    clone = build_model(model.config())
    assert clone.config() == model.config()
    clone.load_state_dict(model.state_dict())
    x = _signal(500)
    assert torch.equal(model.process(x), clone.process(x))
    assert clone.num_params == model.num_params and clone.receptive_field == model.receptive_field


def test_receptive_field_is_measured_support():
    torch.manual_seed(0)
    model = build_model(SMALL_TCN).double()
    rf = model.receptive_field
    assert rf == 1 + 2 * (1 + 2 + 4) + 1 * (1 + 8)
    n, t0 = 200, 50
    x = 0.3 * torch.randn(1, n, dtype=torch.float64)
    x2 = x.clone()
    x2[0, t0] += 0.5
    diff = (model.process(x2) - model.process(x))[0].abs()
    changed = torch.nonzero(diff > 1e-12).flatten()
    assert changed.min() == t0  # causal: nothing before t0 moves
    assert changed.max() == t0 + rf - 1  # the last output that still sees x[t0]
    nano = model_from_args("tcn", preset="nano")
    assert nano.receptive_field == 1 + 2 * (sum(tcn_preset("nano")["layers"][0]["dilations"])
                                            + sum(tcn_preset("nano")["layers"][1]["dilations"]))


def test_recurrent_receptive_field_and_macs():
    lstm = model_from_args("lstm", hidden=16)
    gru = model_from_args("gru", hidden=16)
    assert lstm.receptive_field == 1
    # gates × H × (H + 1 input) + the H-wide head
    assert lstm.macs_per_sample() == 4 * 16 * 17 + 16
    assert gru.macs_per_sample() == 3 * 16 * 17 + 16
    # MACs grow with the parameters they multiply: about one MAC per weight
    assert 0.8 < lstm.macs_per_sample() / lstm.num_params < 1.1
    assert model_from_args("lstm", preset="nano").hidden == RECURRENT_PRESETS["nano"]


def test_tcn_macs_formula():
    model = build_model(SMALL_TCN)
    # array 1: rechannel 1·3; 3 layers × (3·3·3 conv + 3 mixer + 3·3 1x1); head 3·2
    a1 = 3 + 3 * (27 + 3 + 9) + 6
    # array 2 (gated, width 4): rechannel 3·2; 2 layers × (4·2·2 conv + 4 mixer + 2·2 1x1); head 2·1
    a2 = 6 + 2 * (16 + 4 + 4) + 2
    assert model.macs_per_sample() == a1 + a2 + 1
    feather, nano = model_from_args("tcn", preset="feather"), model_from_args("tcn", preset="nano")
    assert feather.macs_per_sample() > nano.macs_per_sample()


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"arch": "transformer"}, "transformer"),
        ({"arch": "tcn", "preset": "huge"}, "huge"),
        ({"arch": "lstm", "preset": "huge"}, "huge"),
        ({"arch": "lstm", "hidden": 0}, "hidden"),
        ({"arch": "gru", "hidden": 4096}, "hidden"),
        ({"arch": "tcn", "hidden": 8}, "--hidden"),
    ],
)
def test_bad_model_arguments(kwargs, needle):
    with pytest.raises(ConfigError, match=needle):
        model_from_args(**kwargs)


def test_bad_configs():
    with pytest.raises(ConfigError, match="arch"):
        build_model({"arch": None})
    with pytest.raises(ConfigError, match="layers"):
        build_model({"arch": "tcn"})
    bad = {**SMALL_TCN, "layers": [dict(SMALL_TCN["layers"][0], channels=5), SMALL_TCN["layers"][1]]}
    with pytest.raises(ConfigError, match="input_size"):
        build_model(bad)
    missing = {**SMALL_TCN, "layers": [{k: v for k, v in SMALL_TCN["layers"][0].items() if k != "dilations"}]}
    with pytest.raises(ConfigError, match="dilations"):
        build_model(missing)
