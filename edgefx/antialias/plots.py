"""Aliasing figures (matplotlib, Agg backend; files only, no windows).

(a) `plot_tone_spectrum`: Chebyshev-windowed spectrum (last 1 s) of each model's output for one
    sine tone (the paper's Fig. 2/3 use 2394.3 Hz at −6 dBFS), harmonics m·f0 marked with crosses;
    everything not on a cross is aliasing (or noise).
(b) `plot_nmr_vs_f0`: per-tone NMR-S (dB) against f0, one line per input level and model, with the
    −10 dB line (an approximate threshold of aliasing audibility, Lehtonen et al. 2012).
(c) `plot_sweep_spectrogram`: spectrogram of the output for a log sine sweep 20 Hz → 0.99·Nyquist;
    harmonics are curves rising with the sweep, aliases are curves folding back down.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..audio import db
from ..signals.tones import midi_to_hz
from .bandlimit import bandlimit, chebyshev_window
from .evaluate import run_model

PAPER_TONE_HZ = 2394.3  # the tone of the paper's spectra (close to MIDI 98.5)
AUDIBILITY_DB = -10.0


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def sine(f0: float, rate: int, level_db: float = -6.0, duration_s: float = 1.2) -> np.ndarray:
    t = np.arange(int(round(duration_s * rate))) / rate
    return (10 ** (level_db / 20) * np.sin(2 * np.pi * f0 * t)).astype(np.float32)


def log_sweep(rate: int, duration_s: float = 4.0, f_lo: float = 20.0, level_db: float = -6.0) -> np.ndarray:
    """Exponential sweep x(t) = A sin(2π f_lo T/ln(f_hi/f_lo) (e^{t ln(f_hi/f_lo)/T} − 1)), f_hi = 0.99·Fs/2."""
    f_hi = 0.99 * rate / 2
    t = np.arange(int(round(duration_s * rate))) / rate
    k = np.log(f_hi / f_lo)
    phase = 2 * np.pi * f_lo * duration_s / k * (np.exp(t * k / duration_s) - 1)
    return (10 ** (level_db / 20) * np.sin(phase)).astype(np.float32)


def plot_tone_spectrum(
    models: Mapping[str, Any], rate: int, path: str | Path, *, f0: float = PAPER_TONE_HZ, level_db: float = -6.0
) -> Path:
    """Figure (a): output spectra of ``models`` (label → model/engine) for one tone."""
    plt = _pyplot()
    x = sine(f0, rate, level_db)
    n = rate if rate % 2 == 0 else rate - 1
    w = chebyshev_window(n)
    fig, axes = plt.subplots(len(models), 1, figsize=(9, 2.8 * len(models)), sharex=True, squeeze=False)
    for ax, (label, model) in zip(axes[:, 0], models.items(), strict=True):
        y = run_model(model, x[None, :])[0]
        seg = y[-n:]
        spec = np.abs(np.fft.rfft(seg * w)) / w.sum() * 2
        freqs = np.arange(spec.size) * rate / n
        bl = bandlimit(y[None, :], [f0], rate, n)
        hf = bl.freqs[0][bl.mask[0]]
        ha = np.abs(bl.amplitudes[0][bl.mask[0]]) * 2
        ax.plot(freqs, 20 * np.log10(np.maximum(spec, 1e-12)), lw=0.6, color="C0")
        ax.plot(hf, 20 * np.log10(np.maximum(ha, 1e-12)), "x", color="C3", ms=5, label="harmonics m·f0")
        ax.set_ylim(-160, 10)
        ax.set_ylabel("dB")
        ax.set_title(f"{label}: {f0:g} Hz at {level_db:g} dBFS", fontsize=10)
        ax.legend(loc="upper right", fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("frequency (Hz)")
    axes[-1, 0].set_xlim(0, rate / 2)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_nmr_vs_f0(results: Mapping[str, dict], path: str | Path) -> Path:
    """Figure (b): NMR-S per tone against f0, per level, for each ``evaluate_aliasing`` result."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    styles = ["-", "--", ":", "-."]
    for i, (label, res) in enumerate(results.items()):
        pt = res["per_tone"]
        f0 = np.asarray(pt["f0"])
        lv = np.asarray(pt["level_db"])
        v = np.asarray(pt["nmr_s_db"])
        for j, level in enumerate(sorted(set(lv.tolist()))):
            sel = lv == level
            ax.semilogx(f0[sel], v[sel], styles[i % len(styles)], color=f"C{j}", lw=1.2,
                        label=f"{label}, {level:g} dBFS")
    ax.axhline(AUDIBILITY_DB, color="k", lw=0.8, ls="--", label="−10 dB (audibility)")
    ax.set_xlabel("f0 (Hz)")
    ax.set_ylabel("NMR-S (dB)")
    ax.set_xlim(midi_to_hz(20.5), None)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_sweep_spectrogram(
    models: Mapping[str, Any], rate: int, path: str | Path, *, duration_s: float = 4.0, level_db: float = -6.0
) -> Path:
    """Figure (c): spectrogram of each model's output for a log sine sweep 20 Hz → Nyquist."""
    plt = _pyplot()
    x = log_sweep(rate, duration_s, level_db=level_db)
    fig, axes = plt.subplots(1, len(models), figsize=(5.5 * len(models), 4.2), squeeze=False, sharey=True)
    for ax, (label, model) in zip(axes[0], models.items(), strict=True):
        y = run_model(model, x[None, :])[0]
        nfft = 2048
        win = np.hanning(nfft)
        frames = np.lib.stride_tricks.sliding_window_view(y, nfft)[::512] * win
        s = np.abs(np.fft.rfft(frames, axis=-1)) ** 2
        s_db = db(s / (np.sum(win) / 2) ** 2)
        t = (np.arange(s.shape[0]) * 512 + nfft / 2) / rate
        f = np.arange(s.shape[1]) * rate / nfft
        mesh = ax.pcolormesh(t, f, s_db.T, shading="auto", vmin=-120, vmax=0, cmap="magma")
        ax.set_title(f"{label}: log sweep, {level_db:g} dBFS", fontsize=10)
        ax.set_xlabel("time (s)")
    axes[0, 0].set_ylabel("frequency (Hz)")
    fig.colorbar(mesh, ax=axes[0].tolist(), label="dB")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def aliasing_plots(
    models: Mapping[str, Any], results: Mapping[str, dict], rate: int, out_dir: str | Path, prefix: str = "aliasing_"
) -> list[Path]:
    """All three figures into ``out_dir``: ``<prefix>spectrum.png``, ``nmr_vs_f0.png``, ``sweep.png``.
    The spectrum figure is skipped when its tone is at/above Nyquist."""
    out = Path(out_dir)
    paths = []
    if PAPER_TONE_HZ < rate / 2:
        paths.append(plot_tone_spectrum(models, rate, out / f"{prefix}spectrum.png"))
    paths.append(plot_nmr_vs_f0(results, out / f"{prefix}nmr_vs_f0.png"))
    paths.append(plot_sweep_spectrogram(models, rate, out / f"{prefix}sweep.png"))
    return paths
