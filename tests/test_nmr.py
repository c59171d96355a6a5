"""Noise-to-mask ratio (edgefx.antialias.nmr)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from edgefx.antialias.nmr import band_edges, level_scale, nmr, nmr_constants, nmr_db
from edgefx.errors import SignalError


def _tone(f, rate, length, amp=0.5, phase=0.0):
    return amp * np.sin(2 * np.pi * f * np.arange(length) / rate + phase)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_against_itself_is_at_the_floor(rate):
    x = np.stack([_tone(1000, rate, rate), np.tanh(4 * _tone(220, rate, rate))])
    v = nmr_db(x, x, rate)
    assert v.shape == (2,)
    assert torch.all(v < -100)


def test_monotonic_in_white_noise_level():
    rate = 44100
    x = _tone(1000, rate, rate, amp=0.5)
    noise = np.random.default_rng(0).standard_normal(rate)
    noise *= np.sqrt(np.mean(x**2) / np.mean(noise**2))
    snrs = [60, 40, 20, 0]
    vals = [float(nmr_db(x + noise * 10 ** (-s / 20), x, rate)) for s in snrs]
    assert all(b > a for a, b in zip(vals, vals[1:], strict=False))
    # noise well below the masker: the noise pattern scales with noise power, so 20 dB steps
    np.testing.assert_allclose(np.diff(vals), 20.0, atol=1.0)


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("phase", [0.0, 0.7, 1.9])
def test_listening_level_puts_a_full_scale_1019_5_hz_sine_at_92_db(rate, phase):
    # By hand: a sine of amplitude A under a symmetric Hann window of N points (Σw = (N − 1)/2)
    # peaks in the DFT at A/2 · (N − 1)/2 · g_p, with g_p the window's scalloping at the tone's
    # offset from the nearest bin. G_L = 10^(92/20) / (g_p (N − 1)/4) therefore puts the largest bin
    # of a full-scale 1019.5 Hz tone at 92 dB (BS.1387's listening level), whatever the phase. The
    # level acts on the [-1, 1] signal directly: the reference code's round(2^63 x) · G_L(A_max = 2^63)
    # is the same scaling for float64 input (rounding only touches |x| < 2^-63).
    n = np.arange(2048)
    hann = 0.5 * (1 - np.cos(2 * np.pi * n / 2047))
    x = np.sin(2 * np.pi * 1019.5 * n / rate + phase)
    peak = np.abs(np.fft.rfft(level_scale(rate) * x * hann)).max()
    assert 20 * np.log10(peak) == pytest.approx(92.0, abs=1e-3)
    # and the level is linear in amplitude: a -6 dBFS tone reads 86 dB
    peak6 = np.abs(np.fft.rfft(level_scale(rate) * 10 ** (-6 / 20) * x * hann)).max()
    assert 20 * np.log10(peak6) == pytest.approx(86.0, abs=1e-3)


def test_band_edges_follow_bs1387():
    fl, fc, fu = band_edges()
    assert len(fl) == 109
    # a few entries of the BS.1387 critical-band table (Hz, rounded to 1 mHz)
    for got, want in [
        (fl[0], 80.0),
        (fl[1], 103.445),
        (fc[0], 91.708),
        (fl[31], 1016.797),
        (fc[50], 2183.564),
        (fl[108], 17385.420),
        (fu[108], 18000.0),
    ]:
        assert got == pytest.approx(want, rel=1e-5)
    np.testing.assert_allclose(fu[:-1], fl[1:])


def test_bands_above_nyquist_are_dropped_and_constants_cached():
    assert nmr_constants(44100).band_matrix.shape == (109, 1025)
    assert nmr_constants(48000).band_matrix.shape == (109, 1025)
    k32 = nmr_constants(32000)
    assert k32.band_matrix.shape[0] < 109
    assert float(k32.fc.max()) < 16000 + 1000
    assert nmr_constants(44100) is nmr_constants(44100)
    x = _tone(1000, 32000, 8192)
    assert torch.isfinite(nmr(x + 1e-3, x, 32000))


def _hand_nmr_one_frame(test, ref, rate):
    """BS.1387 / Kabal NMR for one 2048-sample frame, written out step by step with loops."""
    nf = 2048
    # listening level: Kabal's peak factor of the Hann window at 1019.5 Hz
    fn = 1019.5 / rate
    k = math.floor(fn * nf)
    dist = min((k + 1) / nf - fn, fn - k / nf) * (nf - 1)
    gp = math.sin(math.pi * dist) / (math.pi * dist * (1 - dist**2))
    gl = 10 ** (92 / 20) / (gp * (nf - 1) / 4)
    hann = np.array([0.5 * (1 - math.cos(2 * math.pi * n / (nf - 1))) for n in range(nf)])

    def weighted(sig):
        spec = np.fft.rfft(gl * sig[:nf] * hann)
        out = np.zeros(nf // 2 + 1)
        for b in range(1, nf // 2 + 1):
            f = b * rate / nf / 1000
            a = -2.184 * f**-0.8 + 6.5 * math.exp(-0.6 * (f - 3.3) ** 2) - 0.001 * f**3.6
            out[b] = abs(spec[b]) * 10 ** (a / 20)
        return out

    xt, xr = weighted(test), weighted(ref)
    z_lo, z_hi = 7 * math.asinh(80 / 650), 7 * math.asinh(18000 / 650)
    nc = math.ceil((z_hi - z_lo) / 0.25)
    df = rate / nf
    noise, excit, fcs = np.zeros(nc), np.zeros(nc), np.zeros(nc)
    for c in range(nc):
        zl = z_lo + 0.25 * c
        zu = min(zl + 0.25, z_hi)
        fl, fu = 650 * math.sinh(zl / 7), 650 * math.sinh(zu / 7)
        fcs[c] = 650 * math.sinh((zl + zu) / 14)
        for b in range(nf // 2 + 1):
            u = max(0.0, min(fu, (b + 0.5) * df) - max(fl, (b - 0.5) * df)) / df
            noise[c] += u * (xt[b] - xr[b]) ** 2
            excit[c] += u * xr[b] ** 2
    noise = np.maximum(noise, 1e-12)
    excit = np.maximum(excit, 1e-12) + 10 ** (0.1456 * (fcs / 1000) ** -0.8)

    def spread(e):  # Kabal, PQ_SpreadCB, literally
        al = 10 ** (-2.7 * 0.25)
        aucee, ene, es = np.zeros(nc), np.zeros(nc), np.zeros(nc)
        for m in range(nc):
            auc = 10 ** ((-2.4 - 23 / fcs[m]) * 0.25)
            auce = auc * e[m] ** (0.2 * 0.25)
            gil = (1 - al ** (m + 1)) / (1 - al)
            giu = (1 - auce ** (nc - m)) / (1 - auce)
            aucee[m] = auce**0.4
            ene[m] = (e[m] / (gil + giu - 1)) ** 0.4
        es[nc - 1] = ene[nc - 1]
        for m in range(nc - 2, -1, -1):
            es[m] = al**0.4 * es[m + 1] + ene[m]
        for m in range(nc - 1):
            r = ene[m]
            for i in range(m + 1, nc):
                r *= aucee[m]
                es[i] += r
        return es ** (1 / 0.4)

    es = spread(excit) / spread(np.ones(nc))
    offset_db = np.array([3.0 if c <= 48 else 0.25 * c * 0.25 for c in range(nc)])
    mask = es * 10 ** (-offset_db / 10)
    return float(np.mean(noise / mask))


@pytest.mark.parametrize("rate", [44100, 48000])
def test_matches_hand_computation(rate):
    ref = _tone(1000, rate, 2048, amp=0.5, phase=0.3)
    rng = np.random.default_rng(5)
    test = ref + _tone(3100, rate, 2048, amp=0.01) + 1e-4 * rng.standard_normal(2048)
    want = _hand_nmr_one_frame(test, ref, rate)
    got = float(nmr(test, ref, rate))
    assert got == pytest.approx(want, rel=1e-9)


def test_gradients_flow_and_match_finite_differences():
    rate = 44100
    rng = np.random.default_rng(6)
    ref = torch.tensor(np.stack([np.tanh(3 * _tone(440, rate, 4096)), _tone(2000, rate, 4096)]))
    x0 = ref + 1e-2 * torch.tensor(rng.standard_normal((2, 4096)))
    x = x0.clone().requires_grad_(True)
    r = ref.clone().requires_grad_(True)
    val = nmr(x, r, rate).sum()
    val.backward()
    assert torch.isfinite(x.grad).all() and torch.isfinite(r.grad).all()
    assert x.grad.abs().max() > 0 and r.grad.abs().max() > 0
    v = torch.tensor(rng.standard_normal((2, 4096)))
    eps = 1e-6
    with torch.no_grad():
        fd = (nmr(x0 + eps * v, ref, rate).sum() - nmr(x0 - eps * v, ref, rate).sum()) / (2 * eps)
    assert float((x.grad * v).sum()) == pytest.approx(float(fd), rel=1e-5)


def test_gradient_finite_for_identical_and_silent_signals():
    rate = 44100
    z = torch.zeros(1, 4096, dtype=torch.float64, requires_grad=True)
    nmr(z, torch.zeros(1, 4096, dtype=torch.float64), rate).sum().backward()
    assert torch.isfinite(z.grad).all()
    s = torch.tensor(_tone(500, rate, 4096))[None].requires_grad_(True)
    nmr(s, s.detach(), rate).sum().backward()
    assert torch.isfinite(s.grad).all()


def test_shapes_and_errors():
    rate = 44100
    x = _tone(1000, rate, 5000)
    assert nmr(x, x, rate).shape == ()
    assert nmr(np.stack([[x, x]] * 3), np.stack([[x, x]] * 3), rate).shape == (3, 2)
    with pytest.raises(SignalError, match="2048 samples"):
        nmr(x[:2000], x[:2000], rate)
    with pytest.raises(SignalError, match="same shape"):
        nmr(x, x[:-1], rate)
