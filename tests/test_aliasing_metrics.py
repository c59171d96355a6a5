"""Aliasing metrics (edgefx.antialias.metrics) and the loss's low-pass pre-emphasis."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.signal import freqz, resample_poly

from edgefx.antialias import aliasing_metrics, esr, lowpass_preemphasis, mrstft_distance
from edgefx.antialias.metrics import level_average_db, summarise
from edgefx.errors import ConfigError, SignalError

RATE = 44100


def _sines(f0, amp, seconds):
    t = np.arange(int(seconds * RATE)) / RATE
    return amp * np.sin(2 * np.pi * np.asarray(f0)[:, None] * t)


def test_tanh_at_1x_aliases_far_more_than_16x_oversampled():
    f0 = np.array([1000.0, 2500.0, 4186.01])
    x = _sines(f0, 0.5, 1.4)
    y_1x = np.tanh(10 * x)
    y_os = resample_poly(np.tanh(10 * resample_poly(x, 16, 1, axis=1)), 1, 16, axis=1)
    # drop the last 0.1 s: resample_poly's filter tail at the end of the signal is not a tone
    keep = int(1.3 * RATE)
    m1 = aliasing_metrics(y_1x[:, :keep], f0, RATE)
    mo = aliasing_metrics(y_os[:, :keep], f0, RATE)
    assert np.all(m1["nmr_s_db"] > mo["nmr_s_db"] + 20)
    assert m1["nmr_s_db"][2] > 20  # a hard-clipped 4 kHz tone at 1x is badly aliased
    assert m1["nmr_s_db_mean"] > mo["nmr_s_db_mean"] + 30
    assert np.all(m1["esr_s_db"] > mo["esr_s_db"] + 5)


def test_pure_sine_is_at_the_floor():
    f0 = np.array([440.0, 2394.3, 8000.0])
    out = aliasing_metrics(_sines(f0, 0.7, 1.1), f0, RATE)
    assert np.all(out["esr_s_db"] < -100)
    # the window's -120 dB sidelobes leave a residual that is tiny in energy but lands in bands
    # with almost no masker, so the NMR floor is higher than the ESR floor (about -70 dB)
    assert np.all(out["nmr_s_db"] < -60)
    assert set(out) >= {"f0", "esr_s", "esr_s_db", "esr_s_db_mean", "esr_s_mean_db", "nmr_s_db_mean"}
    assert "esr_t" not in out and "nmr_r" not in out


def test_teacher_and_reference_metrics():
    f0 = np.array([300.0, 1500.0, 3000.0, 6000.0])
    x = _sines(f0, 0.5, 1.2)
    teacher = np.tanh(8 * x)
    student = np.tanh(6 * x)
    reference = resample_poly(np.tanh(8 * resample_poly(x, 8, 1, axis=1)), 1, 8, axis=1)
    # keep clear of the resampling tail
    keep = int(1.1 * RATE)
    teacher, student, reference = teacher[:, :keep], student[:, :keep], reference[:, :keep]

    same = aliasing_metrics(teacher, f0, RATE, teacher=teacher, reference=reference)
    np.testing.assert_allclose(same["esr_t"], same["esr_s"], rtol=1e-12)
    np.testing.assert_allclose(same["nmr_t"], same["nmr_s"], rtol=1e-12)
    assert np.all(same["hesr_t"] == 0) and np.all(same["hesr_t_db"] == -200)
    assert np.all(np.isfinite(same["hesr_r_db"])) and np.all(same["hesr_r_db"] < -20)

    other = aliasing_metrics(torch.tensor(student), torch.tensor(f0), RATE, teacher=teacher, chunk=3)
    assert np.all(other["hesr_t"] > 1e-4)  # the softer curve has smaller upper harmonics
    assert np.all(other["esr_t"] > other["esr_s"])
    # chunking does not change anything
    again = aliasing_metrics(student, f0, RATE, teacher=teacher, chunk=100)
    np.testing.assert_allclose(other["nmr_t"], again["nmr_t"], rtol=1e-12)
    # summaries: mean of dB ≤ dB of mean (Jensen), and both match a direct computation
    for key in ("esr_s", "nmr_s", "esr_t", "nmr_t", "hesr_t"):
        assert other[f"{key}_db_mean"] <= other[f"{key}_mean_db"] + 1e-9
        assert other[f"{key}_db_mean"] == pytest.approx(np.mean(10 * np.log10(other[key])))
        assert other[f"{key}_mean_db"] == pytest.approx(10 * np.log10(np.mean(other[key])))


def test_paper_averaging_by_hand():
    # per level: dB of the mean over that level's tones; then the arithmetic mean of those dB values
    # level -36: mean(0.01, 0.19) = 0.1 -> -10 dB; level -6: mean(5, 15) = 10 -> +10 dB; mean: 0 dB
    values = np.array([0.01, 5.0, 0.19, 15.0])
    levels = [-36.0, -6.0, -36.0, -6.0]  # interleaved on purpose: grouping is by label, not position
    assert level_average_db(values, levels) == pytest.approx(0.0, abs=1e-12)
    # the other two averagings of the same numbers differ: dB of mean(all) = 10 log10(5.05) ≈ 7.03,
    # mean of dB = (−20 − 7.21 + 6.99 + 11.76)/4 ≈ −2.12
    assert summarise(values)[1] == pytest.approx(10 * np.log10(5.05))
    assert summarise(values)[0] == pytest.approx(np.mean(10 * np.log10(values)))
    # one level (or no labels): the paper's averaging is the dB of the mean
    assert level_average_db(values) == pytest.approx(10 * np.log10(5.05))
    assert level_average_db(values, [0, 0, 0, 0]) == pytest.approx(10 * np.log10(5.05))
    # three levels with unequal counts: each level counts once, whatever its number of tones
    v3 = np.array([1.0, 1.0, 1.0, 100.0, 1e-3])
    assert level_average_db(v3, [1, 1, 1, 2, 3]) == pytest.approx((0.0 + 20.0 - 30.0) / 3)
    with pytest.raises(SignalError, match="levels"):
        level_average_db(values, [-36.0, -6.0])


def test_paper_averaging_in_aliasing_metrics():
    f0 = np.array([1000.0, 2500.0, 1000.0, 2500.0])
    amp = np.array([0.05, 0.05, 0.5, 0.5])
    y = np.tanh(10 * amp[:, None] * _sines(f0, 1.0, 1.1))
    levels = 20 * np.log10(amp)
    out = aliasing_metrics(y, f0, RATE, teacher=y, levels=levels)
    for key in ("esr_s", "nmr_s", "esr_t", "nmr_t"):
        v = out[key]
        want = np.mean([10 * np.log10(v[:2].mean()), 10 * np.log10(v[2:].mean())])
        assert out[f"{key}_paper_db"] == pytest.approx(want)
    # without levels the tones form one group
    one = aliasing_metrics(y, f0, RATE)
    assert one["nmr_s_paper_db"] == pytest.approx(one["nmr_s_mean_db"])
    with pytest.raises(SignalError, match="levels"):
        aliasing_metrics(y, f0, RATE, levels=levels[:3])


def test_input_errors():
    f0 = np.array([440.0, 880.0])
    y = _sines(f0, 0.5, 1.1)
    with pytest.raises(SignalError, match="f0 has 3"):
        aliasing_metrics(y, [440.0, 880.0, 100.0], RATE)
    with pytest.raises(SignalError, match="teacher has 1 tones"):
        aliasing_metrics(y, f0, RATE, teacher=y[:1])


def test_esr_numpy_and_torch():
    ref = np.array([[1.0, -1.0, 2.0], [0.5, 0.5, 0.5]])
    y = ref * 1.1
    e = esr(y, ref)
    np.testing.assert_allclose(e, [0.01, 0.01])
    et = esr(torch.tensor(y, requires_grad=True), torch.tensor(ref))
    assert isinstance(et, torch.Tensor) and et.requires_grad
    np.testing.assert_allclose(et.detach().numpy(), e)
    assert summarise(np.array([0.1, 0.001])) == pytest.approx((-20.0, 10 * np.log10(0.0505)))
    with pytest.raises(SignalError):
        esr(y, ref[:, :2])


def test_mrstft_distance():
    rng = np.random.default_rng(0)
    g = np.tanh(3 * rng.standard_normal(RATE // 2) * 0.3)
    assert mrstft_distance(g, g, RATE) == pytest.approx(0.0, abs=1e-6)
    near = mrstft_distance(g, g + 1e-3 * rng.standard_normal(g.size), RATE)
    far = mrstft_distance(g, 0.5 * g + 0.1 * rng.standard_normal(g.size), RATE)
    assert 0 < near < far
    assert mrstft_distance(g, g * 0.9, RATE, mel=False) > 0


@pytest.mark.parametrize("rate", [44100, 48000])
def test_lowpass_preemphasis_response(rate):
    lp = lowpass_preemphasis(rate)
    taps = lp.taps.numpy().ravel()
    assert taps.size % 2 == 1
    np.testing.assert_allclose(taps, taps[::-1])  # linear phase
    w, h = freqz(taps, worN=16384, fs=rate)
    mag = 20 * np.log10(np.abs(h) + 1e-300)
    assert np.max(np.abs(mag[w <= 12000])) < 0.01
    assert np.max(mag[w >= 16000]) <= -80
    # centred application: a 1 kHz sine comes out unchanged (away from the edges), 18 kHz vanishes
    n = np.arange(4000)
    x = torch.tensor(np.stack([np.sin(2 * np.pi * 1000 * n / rate), np.sin(2 * np.pi * 18000 * n / rate)]))
    y = lp(x)
    assert y.shape == x.shape and y.dtype == x.dtype
    mid = slice(200, -200)
    np.testing.assert_allclose(y[0, mid].numpy(), x[0, mid].numpy(), atol=2e-3)
    assert float(y[1, mid].abs().max()) < 1e-3
    assert lp(x[:, None, :].float()).shape == (2, 1, 4000)


def test_lowpass_preemphasis_rejects_low_rates():
    with pytest.raises(ConfigError, match="Nyquist"):
        lowpass_preemphasis(24000)


def test_above_nyquist_share_of_linear_and_clipping_references():
    from edgefx.antialias.evaluate import above_nyquist_share

    notes, levels = [45, 69, 93], [-36.0, -6.0]
    linear = above_nyquist_share(lambda x, rate: 0.5 * x, RATE, midi=notes, levels=levels)
    assert max(linear["per_tone"]["share_db"]) < -100  # a sine has nothing above Nyquist

    def clipper(x, rate):  # linear below 0.5 in: the -36 dBFS tones stay clean, the -6 dBFS ones clip hard
        return np.clip(x, -0.25, 0.25)

    clipped = above_nyquist_share(clipper, RATE, midi=notes, levels=levels)
    share = np.asarray(clipped["per_tone"]["share_db"])
    loud = np.asarray(clipped["per_tone"]["level_db"]) == -6.0
    assert share[~loud].max() < -100 and share[loud].min() > -80 and share[loud].max() > -45
    # a square wave's share above 22.05 kHz grows with f0 (fewer of its 1/k^2 harmonics fit below)
    assert np.all(np.diff(share[loud]) > 0)
    s = clipped["summary"]
    assert s["share_paper_db"] == pytest.approx(level_average_db(10 ** (share / 10), clipped["per_tone"]["level_db"]))
    assert s["share_mean_db"] > s["share_db_mean"]


def test_above_nyquist_share_grows_with_drive_and_tone():
    """The share follows the circuits: more drive clips harder and a brighter tone passes more of the
    clipper's harmonics, so each puts more of the teachers' pedals' output above 22.05 kHz."""
    from edgefx.antialias.evaluate import above_nyquist_share, pedal_reference, reference_oversample

    def share(pedal, level=-6.0, **knobs):
        # a quarter of the alias-free reference's factor inside the 4x render
        ref = pedal_reference(pedal, knobs, oversample=reference_oversample(pedal, knobs) // 4)
        return above_nyquist_share(ref, RATE, midi=[57, 81], levels=[level])["summary"]["share_paper_db"]

    fuzz = [share("fuzz", drive=0.0), share("fuzz", drive=1.0, tone=0.0), share("fuzz", drive=1.0, tone=1.0)]
    assert np.all(np.diff(fuzz) > 10), fuzz
    assert share("distortion", drive=1.0) > share("distortion", drive=0.0) + 20
    assert fuzz[-1] > -45  # the bright fuzz at full drive: a teacher that fits it has plenty to fold back
    # a boost in front makes the distortion clip the quiet tones too (the op-amp's bandwidth at full
    # gain leaves high notes at -36 dBFS nearly clean)
    assert share("distortion", -36.0, drive=1.0, boost=1.0) > share("distortion", -36.0, drive=1.0) + 15


@pytest.mark.parametrize("pedal, knobs, factor", [("distortion", {}, 32), ("fuzz", {}, 64),
                                                  ("fuzz", {"boost": 0.5}, 128)])
def test_pedal_reference_renders_at_32x_or_the_pedals_own_heavier_factor(pedal, knobs, factor):
    """A boost doubles the pedal's own factor, and the reference follows it."""
    from edgefx.antialias.evaluate import pedal_reference
    from edgefx.pedals import get_pedal

    knobs = {"drive": 1.0, **knobs}
    x = 0.5 * np.sin(2 * np.pi * 3000.0 * np.arange(RATE // 20) / RATE)
    y = pedal_reference(pedal, knobs)(x, RATE)[0]
    assert np.array_equal(y, get_pedal(pedal, oversample=factor, **knobs).process(x.astype(np.float32), RATE))
    other = get_pedal(pedal, oversample=factor // 2, **knobs).process(x.astype(np.float32), RATE)
    assert not np.array_equal(y, other)


def test_above_nyquist_share_rejects_bad_arguments():
    from edgefx.antialias.evaluate import above_nyquist_share

    with pytest.raises(ConfigError, match="factor"):
        above_nyquist_share(lambda x, rate: x, RATE, factor=1)
    with pytest.raises(ConfigError, match="analysed_s"):
        above_nyquist_share(lambda x, rate: x, RATE, duration_s=0.5, analysed_s=0.5)
