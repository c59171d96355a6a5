"""Sine-tone test signals for aliasing work (spec `antialiasing.md` §1).

Two kinds of tone:

* `random_tones` — the fine-tuning data: x[n] = A sin(2π f0 n / Fs + φ) with A ~ U(0, 1) (linear),
  φ ~ U(0, 2π) and f0 = 440 · 2^((l − 69) / 12) for a continuous MIDI note l ~ U(l_lo, l_hi).
* `tone_set` — the evaluation set: MIDI notes 21…108 at −36, −18 and −6 dBFS (peak amplitude).
  Every tone has **zero phase** (x[0] = 0, a plain sine), so the set is deterministic and the same on
  every machine; the metrics look at the last second only, where the start phase does not matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import torch

from ..errors import SignalError

__all__ = ["midi_to_hz", "random_tones", "tone_set"]


def midi_to_hz(midi):
    """f0 = 440 · 2^((midi − 69) / 12); accepts a float, a numpy array or a torch tensor."""
    if isinstance(midi, torch.Tensor):
        return 440.0 * torch.pow(2.0, (midi - 69.0) / 12.0)
    if np.ndim(midi) == 0:
        return float(440.0 * 2.0 ** ((float(midi) - 69.0) / 12.0))
    return 440.0 * np.power(2.0, (np.asarray(midi, dtype=np.float64) - 69.0) / 12.0)


def _n_samples(rate: int, duration_s: float) -> int:
    if rate <= 0:
        raise SignalError(f"sample rate must be positive, got {rate}")
    n = int(round(duration_s * rate))
    if n <= 0:
        raise SignalError(f"tone duration {duration_s} s at {rate} Hz gives no samples")
    return n


def _check_below_nyquist(f0_max: float, rate: int, what: str) -> None:
    if f0_max >= rate / 2:
        raise SignalError(
            f"{what}: f0 = {f0_max:.2f} Hz is at or above Nyquist ({rate / 2:.1f} Hz at {rate} Hz); "
            "lower the MIDI range or raise the sample rate"
        )


def random_tones(
    n: int,
    rate: int,
    duration_s: float,
    generator: torch.Generator | np.random.Generator,
    midi_range: tuple[float, float] = (21.0, 127.0),
    *,
    dtype=None,
    amp_db_range: tuple[float, float] | None = None,
):
    """Draw ``n`` random sine tones; returns ``(x [n, L], f0 [n], amp [n])``.

    Amplitudes are A ~ U(0, 1) (the paper's), or with ``amp_db_range=(lo, hi)`` log-uniform:
    A = 10^(d / 20), d ~ U(lo, hi) dBFS, as many quiet tones per decade as loud ones. The same
    random numbers are drawn either way, so the pitches and phases do not change with it.

    With a ``torch.Generator`` the results are torch tensors (default float64, the precision the
    paper trains in); with a ``numpy.random.Generator`` they are numpy arrays (default float64).
    L = round(duration_s · rate). Raises `SignalError` if the top of ``midi_range`` reaches Nyquist.
    """
    if n <= 0:
        raise SignalError(f"number of tones must be positive, got {n}")
    lo, hi = float(midi_range[0]), float(midi_range[1])
    if not hi >= lo:
        raise SignalError(f"midi_range must be (low, high) with low <= high, got {midi_range}")
    length = _n_samples(rate, duration_s)
    _check_below_nyquist(midi_to_hz(hi), rate, "random_tones")
    if amp_db_range is not None:
        a_lo, a_hi = float(amp_db_range[0]), float(amp_db_range[1])
        if not a_lo <= a_hi <= 0.0:
            raise SignalError(f"amp_db_range must be (low, high) dBFS with low <= high <= 0, got {amp_db_range}")

    def amplitude(u):  # u ~ U(0, 1), torch or numpy
        if amp_db_range is None:
            return u
        return 10.0 ** ((a_lo + (a_hi - a_lo) * u) / 20.0)

    if isinstance(generator, torch.Generator):
        dt = torch.float64 if dtype is None else dtype
        g = generator
        u = torch.rand(n, 3, generator=g, dtype=torch.float64)
        midi = lo + (hi - lo) * u[:, 0]
        f0 = midi_to_hz(midi)
        amp = amplitude(u[:, 1])
        phase = 2.0 * torch.pi * u[:, 2]
        t = torch.arange(length, dtype=torch.float64) / rate
        x = amp[:, None] * torch.sin(2.0 * torch.pi * f0[:, None] * t[None, :] + phase[:, None])
        return x.to(dt), f0, amp
    if isinstance(generator, np.random.Generator):
        dt = np.float64 if dtype is None else dtype
        midi = generator.uniform(lo, hi, size=n)
        f0 = midi_to_hz(midi)
        amp = amplitude(generator.uniform(0.0, 1.0, size=n))
        phase = generator.uniform(0.0, 2.0 * np.pi, size=n)
        t = np.arange(length, dtype=np.float64) / rate
        x = amp[:, None] * np.sin(2.0 * np.pi * f0[:, None] * t[None, :] + phase[:, None])
        return x.astype(dt), f0, amp
    raise SignalError(f"generator must be a torch.Generator or numpy.random.Generator, got {type(generator).__name__}")


def tone_set(
    rate: int,
    duration_s: float = 1.2,
    midi: Iterable[int] = range(21, 109),
    levels_db: Sequence[float] = (-36.0, -18.0, -6.0),
) -> tuple[np.ndarray, list[dict]]:
    """The evaluation tone set; returns ``(tones [n, L] float32, meta)``.

    Ordered note-major (all levels of note 21, then of note 22, …), so f0 never decreases down the
    rows. Each tone is 10^(level/20) · sin(2π f0 n / Fs) — zero phase, peak amplitude at the level.
    ``meta[i]`` is ``{"midi": int, "f0": float, "level_db": float}``. The default 1.2 s leaves 0.2 s
    for a model's transient before the last second (N = Fs samples) the metrics analyse.
    """
    notes = list(midi)
    levels = [float(v) for v in levels_db]
    if not notes or not levels:
        raise SignalError("tone_set needs at least one MIDI note and one level")
    length = _n_samples(rate, duration_s)
    f0s = np.array([midi_to_hz(m) for m in notes], dtype=np.float64)
    _check_below_nyquist(float(f0s.max()), rate, "tone_set")
    t = np.arange(length, dtype=np.float64) / rate
    tones = np.empty((len(notes) * len(levels), length), dtype=np.float32)
    meta: list[dict] = []
    row = 0
    for note, f0 in zip(notes, f0s, strict=True):
        s = np.sin(2.0 * np.pi * f0 * t)
        for level in levels:
            tones[row] = (10.0 ** (level / 20.0)) * s
            meta.append({"midi": int(note), "f0": float(f0), "level_db": level})
            row += 1
    return tones, meta
