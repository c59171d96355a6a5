"""Guitar-like test audio for codegen checks (fast-math ESR, equivalence tests)."""

from __future__ import annotations

import numpy as np


def guitar_like(seconds: float, rate: int = 48000, seed: int = 0) -> np.ndarray:
    """A DI-guitar-like float32 signal: `edgefx.signals.guitar.guitar_phrase` when available,
    else plucked harmonic notes with decays plus a little band-limited noise (peak ~0.6)."""
    try:
        from ..signals.guitar import guitar_phrase

        x = np.asarray(guitar_phrase(seconds, rate, seed=seed), dtype=np.float32)
        if x.size >= int(seconds * rate) and np.isfinite(x).all():
            return x
    except Exception:  # noqa: BLE001 - optional module: any failure falls back to the stand-in
        pass
    return _standin(seconds, rate, seed)


def _standin(seconds: float, rate: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    y = np.zeros(n)
    start = 0.0
    while start < seconds:
        f0 = 82.4 * 2 ** (rng.integers(0, 30) / 12)
        dur = rng.uniform(0.15, 0.8)
        i0 = int(start * rate)
        tt = t[i0:] - start
        env = np.exp(-tt * rng.uniform(2.0, 8.0)) * rng.uniform(0.2, 1.0)
        ks = [k for k in range(1, 12) if f0 * k < rate / 2.5]
        note = sum(np.sin(2 * np.pi * f0 * k * tt + rng.uniform(0, 6.28)) / k**1.3 for k in ks)
        y[i0:] += env * note
        start += dur
    noise = np.convolve(rng.standard_normal(n), np.ones(8) / 8, mode="same") * 0.01
    y = y + noise
    return (0.6 * y / np.max(np.abs(y))).astype(np.float32)


def esr(reference: np.ndarray, estimate: np.ndarray) -> float:
    """Error-to-signal ratio sum((e - r)^2) / sum(r^2) (float64)."""
    r = np.asarray(reference, dtype=np.float64)
    e = np.asarray(estimate, dtype=np.float64)
    return float(np.sum((e - r) ** 2) / max(np.sum(r**2), 1e-30))
