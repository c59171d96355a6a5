"""Band-limiting of distorted tones (edgefx.antialias.bandlimit) and the tone generators."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from edgefx.antialias.bandlimit import bandlimit, chebyshev_window, window_offset_gain
from edgefx.errors import SignalError
from edgefx.signals.tones import midi_to_hz, random_tones, tone_set

RATE = 44100


def _harmonic_signal(f0, amps, phases, dc=0.0, length=int(1.2 * RATE), rate=RATE):
    n = np.arange(length)
    y = np.full(length, dc, dtype=np.float64)
    for m, (a, p) in enumerate(zip(amps, phases, strict=True), start=1):
        y += a * np.cos(2 * np.pi * m * f0 * n / rate + p)
    return y


def _err_db(est, ref):
    return 10 * np.log10(max(np.sum((est - ref) ** 2) / np.sum(ref**2), 1e-300))


def test_offset_gain_matches_direct_sum():
    n = 4410
    w = chebyshev_window(n)
    d = np.array([-0.5, -0.37, -0.01, 0.0, 0.2, 0.4999, 0.5])
    direct = np.array([np.sum(w * np.exp(2j * np.pi * dd * np.arange(n) / n)) for dd in d])
    got = window_offset_gain(torch.tensor(d), n).numpy()
    np.testing.assert_allclose(got, direct, rtol=1e-13)


@pytest.mark.parametrize(
    "f0, decay, limit_db",
    [
        (2394.3, False, -105.0),  # off-bin fundamental, 9 harmonics, flat random amplitudes
        (440.0, False, -100.0),
        # 801 harmonics: each estimate picks up the 120 dB sidelobes of ~1600 other components, so
        # the method itself stops near -94 dB here (a limit of the 120 dB window, not of the code).
        (27.5, True, -90.0),
    ],
)
def test_recovers_known_harmonic_signal(f0, decay, limit_db):
    rng = np.random.default_rng(1)
    m_count = int(np.floor(RATE / (2 * f0)))
    amps = rng.uniform(0.05, 1.0, m_count)
    if decay:
        amps = amps / np.arange(1, m_count + 1)
    phases = rng.uniform(0, 2 * np.pi, m_count)
    y = _harmonic_signal(f0, amps, phases, dc=0.05)
    res = bandlimit(y, f0, RATE)
    assert isinstance(res.harmonic, np.ndarray)
    assert res.harmonic.shape == (1, RATE)
    assert int(res.n_harmonics[0]) == m_count
    last = y[-RATE:]
    assert _err_db(res.harmonic[0], last) < limit_db
    assert _err_db(res.harmonic[0] + res.alias[0], last) < -250  # alias is exactly the remainder
    # Complex amplitudes: 2 C_m = a_m e^{j(φ_m + 2π f_m n0 / Fs)} with n0 the first analysed sample.
    n0 = len(y) - RATE
    expected = amps * np.exp(1j * (phases + 2 * np.pi * np.arange(1, m_count + 1) * f0 * n0 / RATE))
    c = 2 * res.amplitudes[0, :m_count]
    assert np.max(np.abs(c - expected)) < 1e-4 * np.max(amps)
    assert res.dc[0] == pytest.approx(0.05, abs=1e-5 * np.max(amps))  # sidelobe floor, -120 dB


def test_isolates_injected_alias():
    f0 = 1000.0
    rng = np.random.default_rng(2)
    amps = rng.uniform(0.1, 1.0, 22) / np.arange(1, 23)
    phases = rng.uniform(0, 2 * np.pi, 22)
    y_h = _harmonic_signal(f0, amps, phases)
    n = np.arange(len(y_h))
    # two non-harmonic components, like the folded images of harmonics above Nyquist
    injected = 0.01 * np.sin(2 * np.pi * 1234.5 * n / RATE + 0.3) + 0.003 * np.cos(2 * np.pi * 15321.7 * n / RATE)
    res = bandlimit(y_h + injected, f0, RATE)
    assert _err_db(res.alias[0], injected[-RATE:]) < -60
    assert _err_db(res.harmonic[0], y_h[-RATE:]) < -90


def test_dc_only_and_dc_plus_tone():
    y = np.full(RATE + 100, -0.25)
    res = bandlimit(y, 440.0, RATE)
    assert res.dc[0] == pytest.approx(-0.25, abs=1e-12)
    # the DC main lobe leaks into each harmonic bin at the window's -120 dB sidelobe level
    assert np.max(np.abs(res.amplitudes)) < 0.25 * 2e-6
    assert np.max(np.abs(res.alias)) < 0.25 * 1e-4
    y2 = y + 0.5 * np.sin(2 * np.pi * 440.0 * np.arange(len(y)) / RATE)
    res2 = bandlimit(y2, 440.0, RATE)
    assert res2.dc[0] == pytest.approx(-0.25, abs=1e-6)
    assert abs(res2.amplitudes[0, 0]) == pytest.approx(0.25, rel=1e-5)


def test_nyquist_harmonic_is_not_doubled():
    f0 = RATE / 4  # M = 2, the second harmonic sits exactly on Nyquist
    n = np.arange(int(1.2 * RATE))
    y = 0.6 * np.cos(2 * np.pi * f0 * n / RATE + 0.4) + 0.3 * np.cos(np.pi * n + 0.2)
    res = bandlimit(y, f0, RATE)
    assert int(res.n_harmonics[0]) == 2
    assert res.freqs[0, 1] == pytest.approx(RATE / 2)
    assert _err_db(res.harmonic[0], y[-RATE:]) < -100
    # a doubled Nyquist harmonic would leave an alias of 0.3 cos(0.2) ≈ 0.29; we leave only the
    # window's sidelobe floor
    assert np.max(np.abs(res.alias)) < 1e-5


def test_errors_are_specific():
    y = np.zeros(RATE)
    with pytest.raises(SignalError, match="Nyquist"):
        bandlimit(y, RATE / 2, RATE)
    with pytest.raises(SignalError, match="Nyquist"):
        bandlimit(y, 30000.0, RATE)
    with pytest.raises(SignalError, match="positive"):
        bandlimit(y, 0.0, RATE)
    with pytest.raises(SignalError, match=r"has 44099 samples.*last N = 44100"):
        bandlimit(y[:-1], 440.0, RATE)
    with pytest.raises(SignalError, match="even"):
        bandlimit(y, 440.0, RATE, n_analysis=4411)
    with pytest.raises(SignalError, match="2 signals but 3"):
        bandlimit(np.zeros((2, RATE)), [100.0, 200.0, 300.0], RATE)


def test_batch_of_mixed_f0_equals_per_tone():
    f0s = [27.5, 2394.3, RATE / 4, 440.0, 12543.85, 97.0]
    t = np.arange(int(1.1 * RATE)) / RATE
    rng = np.random.default_rng(3)
    ys = np.stack(
        [np.tanh(4 * rng.uniform(0.2, 1) * np.sin(2 * np.pi * f * t + rng.uniform(0, 6))) + 0.01 for f in f0s]
    )
    # f0 must be float64: a float32 2394.3 is off by 5e-5 Hz, enough to smear the harmonics
    batch = bandlimit(torch.tensor(ys), torch.tensor(f0s, dtype=torch.float64), RATE)
    assert isinstance(batch.harmonic, torch.Tensor)
    m_max = int(np.floor(RATE / 2 / 27.5))
    assert batch.amplitudes.shape == (len(f0s), m_max)
    for i, f in enumerate(f0s):
        single = bandlimit(ys[i], f, RATE)
        m = int(single.n_harmonics[0])
        assert int(batch.n_harmonics[i]) == m
        assert bool(batch.mask[i, :m].all()) and not bool(batch.mask[i, m:].any())
        np.testing.assert_allclose(batch.harmonic[i].numpy(), single.harmonic[0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(batch.amplitudes[i, :m].numpy(), single.amplitudes[0, :m], atol=1e-13)
        assert np.all(batch.amplitudes[i, m:].numpy() == 0)


def test_gradient_flows_through_torch_path():
    y = torch.tensor(np.tanh(3 * np.sin(2 * np.pi * 1000 * np.arange(8000) / 8000)), requires_grad=True)
    res = bandlimit(y, 1000.0, 8000)
    (res.alias**2).sum().backward()
    assert y.grad is not None and torch.isfinite(y.grad).all()


def test_custom_analysis_length_and_rate():
    rate, n_an = 48000, 9600  # 5 Hz bins
    f0 = 1234.0
    amps = [0.5, 0.2, 0.1]
    y = _harmonic_signal(f0, amps, [0.1, 0.2, 0.3], length=12000, rate=rate)
    res = bandlimit(y, f0, rate, n_analysis=n_an)
    assert res.harmonic.shape == (1, n_an)
    assert _err_db(res.harmonic[0], y[-n_an:]) < -100


# --- tone generators -------------------------------------------------------------------------


def test_midi_to_hz():
    assert midi_to_hz(69) == pytest.approx(440.0)
    assert midi_to_hz(21) == pytest.approx(27.5)
    np.testing.assert_allclose(midi_to_hz(np.array([57, 81])), [220.0, 880.0])
    assert torch.allclose(midi_to_hz(torch.tensor([69.0, 108.0])), torch.tensor([440.0, 4186.009]), atol=1e-3)


@pytest.mark.parametrize("kind", ["torch", "numpy"])
def test_random_tones(kind):
    gen = torch.Generator().manual_seed(7) if kind == "torch" else np.random.default_rng(7)
    x, f0, amp = random_tones(64, RATE, 0.05, gen)
    x, f0, amp = (np.asarray(v) for v in (x, f0, amp))
    assert x.shape == (64, round(0.05 * RATE)) and x.dtype == np.float64
    assert np.all((f0 >= 27.5 - 1e-9) & (f0 <= midi_to_hz(127) + 1e-9))
    assert np.all((amp >= 0) & (amp <= 1))
    np.testing.assert_allclose(np.max(np.abs(x), axis=1), amp, rtol=0.05, atol=0.01)  # peak ≈ A
    gen2 = torch.Generator().manual_seed(7) if kind == "torch" else np.random.default_rng(7)
    np.testing.assert_array_equal(np.asarray(random_tones(64, RATE, 0.05, gen2)[0]), x)
    with pytest.raises(SignalError, match="Nyquist"):
        random_tones(4, 16000, 0.1, gen)


@pytest.mark.parametrize("kind", ["torch", "numpy"])
def test_random_tones_log_uniform_levels(kind):
    """amp_db_range draws levels uniformly in dB; pitches and phases are those of the default draw."""
    def draw(**kw):
        gen = torch.Generator().manual_seed(7) if kind == "torch" else np.random.default_rng(7)
        return [np.asarray(v) for v in random_tones(400, RATE, 0.02, gen, **kw)]

    x0, f0, amp0 = draw()
    x, f, amp = draw(amp_db_range=(-40.0, 0.0))
    np.testing.assert_array_equal(f, f0)
    np.testing.assert_allclose(x / amp[:, None], x0 / amp0[:, None], rtol=1e-9, atol=1e-12)
    level = 20 * np.log10(amp)
    assert level.min() >= -40.0 and level.max() <= 0.0
    # a quarter of the tones per 10 dB, within sampling error; the default draw has 3 % below -30 dBFS
    quarters = np.histogram(level, bins=[-40, -30, -20, -10, 0])[0]
    assert np.all(np.abs(quarters - 100) < 30), quarters
    assert np.mean(20 * np.log10(amp0) < -30) < 0.06
    with pytest.raises(SignalError, match="amp_db_range"):
        draw(amp_db_range=(-10.0, 3.0))


def test_tone_set():
    tones, meta = tone_set(RATE, duration_s=0.1)
    assert tones.shape == (88 * 3, round(0.1 * RATE)) and tones.dtype == np.float32
    assert meta[0] == {"midi": 21, "f0": pytest.approx(27.5), "level_db": -36.0}
    assert meta[-1]["midi"] == 108 and meta[-1]["level_db"] == -6.0
    peaks = np.max(np.abs(tones), axis=1)
    np.testing.assert_allclose(peaks, [10 ** (m["level_db"] / 20) for m in meta], rtol=0.02)
    assert np.all(tones[:, 0] == 0)  # zero phase
    with pytest.raises(SignalError, match="Nyquist"):
        tone_set(8000)
