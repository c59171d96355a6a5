"""Synthetic DI guitar/bass and the standard capture signal."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from scipy.signal import lfilter

from edgefx.errors import ConfigError, SignalError
from edgefx.signals.capture import (
    BLIP_AMPLITUDE,
    CaptureLayout,
    capture_layout,
    capture_signal,
)
from edgefx.signals.guitar import (
    BASS_RANGE,
    GUITAR_RANGE,
    bass_notes,
    bass_phrase,
    guitar_notes,
    guitar_phrase,
    midi_to_hz,
    pickup_filter,
    pluck,
    string_response,
)


def _f0(y: np.ndarray, rate: int, f_expected: float) -> float:
    """Spectral peak near the expected f0: Hann window, 16x zero padding, parabolic interpolation
    on the log magnitude (error << 0.1 cent for a 1.5 s note)."""
    y = y[int(0.05 * rate) :]
    nfft = 1 << int(np.ceil(np.log2(y.size * 16)))
    spec = np.abs(np.fft.rfft(y * np.hanning(y.size), nfft))
    f = np.fft.rfftfreq(nfft, 1 / rate)
    band = (f > f_expected * 0.94) & (f < f_expected * 1.06)
    i = int(np.argmax(np.where(band, spec, 0.0)))
    a, b, c = np.log(spec[i - 1 : i + 2])
    return (i + 0.5 * (a - c) / (a - 2 * b + c)) * rate / nfft


def _rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.asarray(x, np.float64) ** 2)))


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("midi", [28, 40, 45, 57, 64, 76, 88])
def test_pluck_pitch_within_a_cent(rate: int, midi: int) -> None:
    y = pluck(midi, 1.5, rate, rng=np.random.default_rng(midi))
    cents = 1200 * np.log2(_f0(y, rate, midi_to_hz(midi)) / midi_to_hz(midi))
    assert abs(cents) < 1.0, cents


def test_frequency_domain_string_equals_time_domain_recursion() -> None:
    """The exponentially windowed evaluation must equal running H(z) as a recursion."""
    rate, f0, n = 48000, 523.0, 6000
    rng = np.random.default_rng(1)
    ex = rng.uniform(-1, 1, 90)
    t60, b = 1.2, 0.3
    y = string_response(ex, f0, rate, n, t60=t60, loss_b=b)
    # Same parameters as string_response derives them.
    period = rate / f0
    L = int(np.floor(period - 0.5))
    d = period - L
    w0 = 2 * np.pi * f0 / rate
    c = np.sin(w0 * (1 - d) / 2) / np.sin(w0 * (1 + d) / 2)
    g0 = min(10 ** (-3 * period / (rate * t60)) / ((1 - b) + b * np.cos(w0)), 0.9995)
    # H = (1 + c z^-1) / ((1 + c z^-1) - g0 [b/2 z^-(L-1) + (1-b) z^-L + b/2 z^-(L+1)] (c + z^-1))
    loop = np.zeros(L + 3)
    loop[L - 1 : L + 2] = g0 * np.array([b / 2, 1 - b, b / 2])
    loop = np.convolve(loop, [c, 1.0])[: L + 3]
    a = np.zeros(L + 3)
    a[:2] = [1.0, c]
    a -= loop
    ref = lfilter([1.0, c], a, np.concatenate([ex, np.zeros(n - ex.size)]))
    # Only the tail past N samples aliases back, attenuated by r^-N = 1e-6.
    assert np.max(np.abs(y - ref)) < 1e-6 * np.max(np.abs(ref))


def _decay_time(y: np.ndarray, rate: int, drop_db: float = 40.0) -> float:
    """Seconds until the 10 ms RMS envelope falls ``drop_db`` below its maximum."""
    hop = rate // 100
    env = np.sqrt(np.mean(y[: y.size // hop * hop].reshape(-1, hop) ** 2, axis=1))
    env_db = 20 * np.log10(env / env.max() + 1e-12)
    k0 = int(np.argmax(env_db))
    below = np.flatnonzero(env_db[k0:] < -drop_db)
    return (k0 + (below[0] if below.size else env_db.size)) / 100.0


def test_palm_mute_decays_faster_and_darker() -> None:
    rate = 48000
    open_ = pluck(45, 2.0, rate, velocity=0.8, rng=np.random.default_rng(3))
    muted = pluck(45, 2.0, rate, velocity=0.8, muted=True, rng=np.random.default_rng(3))
    assert _decay_time(muted, rate) < 0.35 < 1.0 < _decay_time(open_, rate)

    def centroid(y: np.ndarray) -> float:
        s = np.abs(np.fft.rfft(pickup_filter(y, rate)[: rate // 10])) ** 2
        f = np.fft.rfftfreq(rate // 10, 1 / rate)
        return float(np.sum(f * s) / np.sum(s))

    assert centroid(muted) < 0.8 * centroid(open_)


def test_low_notes_ring_longer_than_high_notes() -> None:
    rate = 48000
    low = pluck(40, 4.0, rate, rng=np.random.default_rng(0))
    high = pluck(84, 4.0, rate, rng=np.random.default_rng(0))
    assert _decay_time(high, rate) < _decay_time(low, rate)


def test_velocity_sets_level_and_brightness() -> None:
    rate = 48000
    soft = pluck(52, 0.5, rate, velocity=0.3, rng=np.random.default_rng(5))
    hard = pluck(52, 0.5, rate, velocity=1.0, rng=np.random.default_rng(5))
    assert _rms_db(hard) > _rms_db(soft) + 6


def test_phrases_are_deterministic_and_seeded() -> None:
    a = guitar_phrase(4.0, 44100, seed=3)
    b = guitar_phrase(4.0, 44100, seed=3)
    c = guitar_phrase(4.0, 44100, seed=4)
    assert a.dtype == np.float32 and a.shape == (4 * 44100,)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)
    assert np.array_equal(bass_phrase(3.0, 48000, seed=1), bass_phrase(3.0, 48000, seed=1))


@pytest.mark.parametrize("style", ["mixed", "chords", "lead", "palm_mute"])
def test_guitar_levels_are_di_like(style: str) -> None:
    x = guitar_phrase(12.0, 48000, seed=2, style=style)
    assert np.all(np.isfinite(x))
    assert 20 * np.log10(np.max(np.abs(x))) == pytest.approx(-4.0, abs=0.01)
    assert -25.0 < _rms_db(x) < -17.0


def test_bass_level_and_custom_peak() -> None:
    x = bass_phrase(10.0, 48000, seed=2)
    assert 20 * np.log10(np.max(np.abs(x))) == pytest.approx(-4.0, abs=0.01)
    assert -24.0 < _rms_db(x) < -17.0
    y = guitar_phrase(5.0, 48000, seed=2, level_db=-10.0)
    assert 20 * np.log10(np.max(np.abs(y))) == pytest.approx(-10.0, abs=0.01)


def test_note_ranges_and_playing_features() -> None:
    for seed in range(5):
        notes = [n for n in guitar_notes(30.0, seed, "mixed") if n.velocity > 0]
        assert all(GUITAR_RANGE[0] <= n.midi <= GUITAR_RANGE[1] for n in notes)
        bass = [n for n in bass_notes(30.0, seed) if n.velocity > 0]
        assert all(BASS_RANGE[0] <= n.midi <= BASS_RANGE[1] for n in bass)
    chords = guitar_notes(30.0, 1, "chords")
    # Strums: notes a few ms apart on successive strings, both directions.
    starts = np.array([n.start_s for n in chords if n.velocity > 0])
    gaps = np.diff(np.sort(starts))
    assert np.any((gaps > 0.003) & (gaps < 0.016))
    ups = downs = 0
    for i in range(len(chords) - 1):
        a, b = chords[i], chords[i + 1]
        if a.velocity > 0 and b.velocity > 0 and 0.003 < b.start_s - a.start_s < 0.016:
            ups += b.string < a.string
            downs += b.string > a.string
    assert ups > 0 and downs > 0
    assert any(n.velocity == 0 for n in guitar_notes(60.0, 1, "chords"))  # rests
    assert any(n.muted for n in guitar_notes(10.0, 1, "palm_mute"))
    assert any(n.vibrato > 0 for n in guitar_notes(20.0, 1, "lead"))


def test_bad_style_and_duration() -> None:
    with pytest.raises(SignalError, match="style"):
        guitar_phrase(1.0, 48000, style="banjo")
    with pytest.raises(SignalError, match="duration"):
        guitar_phrase(0.0, 48000)


def test_synthesis_is_fast() -> None:
    t0 = time.process_time()
    guitar_phrase(30.0, 48000, seed=0)
    assert time.process_time() - t0 < 3.0  # about 0.5 s of CPU; 3 min takes a few seconds


# ---------------------------------------------------------------------------------------------
# Capture signal
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [44100, 48000])
def test_capture_layout_is_consistent(rate: int) -> None:
    x, lay = capture_signal(rate, 20.0, seed=0)
    assert x.dtype == np.float32 and x.ndim == 1 and x.size == lay.length == 20 * rate
    assert np.all(np.isfinite(x)) and np.max(np.abs(x)) < 1.0
    # Segments tile the signal.
    assert lay.segments[0][1] == 0 and lay.segments[-1][2] == x.size
    for (_, _, e), (_, s, _) in zip(lay.segments[:-1], lay.segments[1:], strict=True):
        assert e == s
    assert all(e > s for _, s, e in lay.segments)
    # Splits: inside the signal, no overlap between or within them.
    ranges = sorted((s, e, k) for k, v in lay.splits.items() for s, e in v)
    assert {k for *_, k in ranges} == {"train", "val", "test"}
    for (_s0, e0, _), (s1, _, _) in zip(ranges[:-1], ranges[1:], strict=True):
        assert e0 <= s1
    assert ranges[0][0] >= 0 and ranges[-1][1] <= x.size
    # Validation copies identical and not silent; the second copy is in no split.
    (a0, a1), (b0, b1) = lay.validation
    assert a1 - a0 == b1 - b0 > rate
    assert np.array_equal(x[a0:a1], x[b0:b1]) and np.std(x[a0:a1]) > 0.01
    assert all(e <= b0 or s >= b1 for s, e, _ in ranges)
    # Blips: known positions, amplitude 0.5, silence around them; 3 at the start, 3 at the end.
    assert len(lay.start_blips) == 3 and len(lay.end_blips) == 3
    for p in lay.blips:
        assert x[p] == pytest.approx(BLIP_AMPLITUDE)
        around = np.concatenate([x[p - rate // 10 : p], x[p + 1 : p + rate // 10]])
        assert np.max(np.abs(around)) == 0.0
    assert lay.start_blips[0] == round(0.30 * rate)


def test_capture_layout_scales_with_rate_in_seconds() -> None:
    a, b = capture_layout(44100, 60.0), capture_layout(48000, 60.0)
    for (na, sa, ea), (nb, sb, eb) in zip(a.segments, b.segments, strict=True):
        assert na == nb
        assert sa / 44100 == pytest.approx(sb / 48000, abs=1e-4)
        assert ea / 44100 == pytest.approx(eb / 48000, abs=1e-4)
    full = capture_layout(48000, 180.0)
    secs = {n: (e - s) / 48000 for n, s, e in full.segments}
    assert secs["val_a"] == pytest.approx(9.9) and secs["test"] == pytest.approx(14.4)
    assert secs["train_di"] > 0.6 * 180  # most of the signal is DI phrases


def test_capture_signal_determinism_and_layout_json_round_trip() -> None:
    x1, lay1 = capture_signal(48000, 20.0, seed=1)
    x2, _ = capture_signal(48000, 20.0, seed=1)
    x3, _ = capture_signal(48000, 20.0, seed=2)
    assert np.array_equal(x1, x2) and not np.array_equal(x1, x3)
    d = json.loads(json.dumps(lay1.to_dict()))
    back = CaptureLayout.from_dict(d)
    assert back == lay1 and back.seed == 1 and back.duration_s == 20.0
    with pytest.raises(ConfigError, match="rate"):
        CaptureLayout.from_dict({k: v for k, v in d.items() if k != "rate"})


def test_capture_signal_too_short_or_bad_rate() -> None:
    with pytest.raises(SignalError, match="too short"):
        capture_signal(48000, 10.0)
    with pytest.raises(SignalError, match="rate"):
        capture_signal(8000, 30.0)
