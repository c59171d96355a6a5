"""2x oversampling baselines (edgefx.antialias.oversample)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from edgefx.antialias.evaluate import evaluate_aliasing
from edgefx.antialias.oversample import (
    FrequencyDomainOversampled,
    OversampledRecurrent,
    OversampledTCN,
    oversample2x,
)
from edgefx.errors import ConfigError
from edgefx.models import RecurrentModel, StreamingModel, build_model, tcn_preset

torch.set_num_threads(1)
RATE = 44100


def sine(f0: float, level: float, seconds: float = 0.3) -> torch.Tensor:
    t = torch.arange(int(seconds * RATE), dtype=torch.float64) / RATE
    return (level * torch.sin(2 * np.pi * f0 * t))[None, :]


def models() -> list[StreamingModel]:
    torch.manual_seed(0)
    return [RecurrentModel("lstm", 8).double(), RecurrentModel("gru", 4).double(),
            build_model(tcn_preset("nano")).double()]


@pytest.mark.parametrize("model", models(), ids=["lstm", "gru", "tcn"])
def test_clean_tone_matches_original(model):
    x = sine(200.0, 0.01)
    y = model.process(x)
    y2 = oversample2x(model).process(x)
    s = slice(5000, -500)  # past the start-up transient, away from the zero-padded end
    err = float(((y - y2)[:, s] ** 2).sum() / (y[:, s] ** 2).sum())
    assert err < 1e-8


def test_blocks_equal_one_shot_and_latency():
    m = models()[0]
    os2 = OversampledRecurrent(m, compensate=False)
    x = sine(300.0, 0.5, 0.1)
    assert torch.allclose(os2.process(x), os2.process(x, block=777), atol=1e-12)
    assert os2.latency == 127
    aligned = OversampledRecurrent(m).process(x)
    delayed = os2.process(x)
    assert torch.allclose(aligned[:, : -os2.latency], delayed[:, os2.latency :], atol=1e-12)


def test_delay_line_recurrence():
    """h[n] = cell(x2[n], h[n-2]) checked against a per-sample loop with a 2-deep state history."""
    m = models()[0]
    os2 = OversampledRecurrent(m)
    x2 = torch.randn(2, 40, dtype=torch.float64) * 0.3
    y_fast, _ = os2._inner_step(x2, os2._inner_initial(2))
    hist = [m.initial_state(2), m.initial_state(2)]  # states at n-2, n-1
    ys = []
    for n in range(x2.shape[1]):
        y, s = m.step(x2[:, n : n + 1], hist[0])
        ys.append(y)
        hist = [hist[1], s]
    assert torch.allclose(y_fast, torch.cat(ys, dim=1), atol=1e-12)


def test_tcn_dilations_doubled():
    m = models()[2]
    os2 = OversampledTCN(m)
    assert [layer.dilation for layer in os2.inner.all_layers()] == [2 * layer.dilation for layer in m.all_layers()]


@pytest.mark.parametrize("resampling", ["fir", "dft"])
def test_less_aliasing_on_hard_driven_high_tone(resampling):
    torch.manual_seed(0)
    m = RecurrentModel("lstm", 8)
    with torch.no_grad():
        m.rnn.weight_ih_l0.mul_(100.0)
        m.head.weight.mul_(3.0)
    kw = {"midi": [96, 103], "levels": (-6.0,)}
    base = evaluate_aliasing(m, RATE, **kw)["summary"]["nmr_s_db_mean"]
    wrapped = oversample2x(m, compensate=False) if resampling == "fir" else FrequencyDomainOversampled(m)
    os2 = evaluate_aliasing(wrapped, RATE, **kw)["summary"]["nmr_s_db_mean"]
    assert os2 < base - 3.0, (base, os2)


@pytest.mark.parametrize("model", models(), ids=["lstm", "gru", "tcn"])
def test_frequency_domain_resampling_matches_the_fir_on_a_clean_tone(model):
    """The paper's DFT resampling around the same inner 2x model: on a quiet tone of whole periods
    (nothing near Nyquist, no wrap-around jump) it agrees with the FIR pair, and needs no delay."""
    x = sine(210.0, 0.01, 0.2)  # 42 whole periods
    fir = oversample2x(model).process(x)
    fft = FrequencyDomainOversampled(model).process(x)
    assert fft.shape == x.shape and fft.dtype == x.dtype
    s = slice(3000, -500)
    err = float(((fft - fir)[:, s] ** 2).sum() / (fir[:, s] ** 2).sum())
    assert err < 1e-8, err
    assert torch.allclose(FrequencyDomainOversampled(model).process(x[0]), fft[0], atol=1e-12)  # [L] input


def test_frequency_domain_resampling_round_trip_is_exact():
    """Up then down with no model in between gives back a band-limited signal of any length."""
    class Identity(FrequencyDomainOversampled):
        def __init__(self):
            super().__init__(models()[0])
            self.fir._inner_step = lambda x2, state: (x2, state)

    for n in (1001, 1000):
        x = torch.randn(2, n, dtype=torch.float64)
        assert torch.allclose(Identity().process(x), x, atol=1e-12)


def test_unsupported_model():
    class Other(StreamingModel):
        arch = "other"

    with pytest.raises(ConfigError):
        oversample2x(Other())
    with pytest.raises(ConfigError):
        OversampledTCN(models()[0])
