"""Aliasing and similarity metrics on sine-tone outputs and on guitar audio (spec §5).

Per tone, with ỹ the band-limited (harmonic-only) version of a signal (see `bandlimit`) over the
last N samples, and C_m its harmonic amplitudes:

* ESR(a, b) = Σ (a − b)² / Σ b²            (error-to-signal ratio, b is the reference)
* ESR-S = ESR(y, ỹ),   NMR-S = NMR(y, ỹ)     — how much aliasing y itself carries
* ESR-T = ESR(y, ỹ_T), NMR-T = NMR(y, ỹ_T), HESR-T = ESR(|C|, |C_T|) — against the band-limited
  teacher output (how far fine-tuning moved the model); HESR looks at harmonic magnitudes only.
* ESR-R = ESR(y, y_R), NMR-R = NMR(y, y_R), HESR-R = ESR(|C|, |C_R|) — against an alias-free
  reference output y_R (e.g. a reference pedal run with heavy oversampling), last N samples.

Summaries over tones are given three ways, because they differ by tens of dB on aliasing data
(a few badly aliased top notes dominate any linear mean):

* ``<m>_db_mean`` = (1/n) Σ_i 10 log10(m_i)                 — mean of dB over all n tones;
* ``<m>_mean_db`` = 10 log10((1/n) Σ_i m_i)                 — dB of the mean over all tones;
* ``<m>_paper_db`` = (1/G) Σ_g 10 log10((1/n_g) Σ_{i∈g} m_i) — per input level g (G levels, n_g
  tones each) the dB of the mean over its tones, then the arithmetic mean of those G dB values.

The third is our reading of the paper's Table 1 ("the arithmetic mean over all input f0 and
amplitude"): the authors' public training code validates at one input level and logs 10 log10 of
the mean over the tones; averaging three such figures (−36/−18/−6 dBFS) reproduces the paper's
teacher ESR-S within 0.2 dB, while NMR-S lands a few dB high (benchmarks/results/antialias_calib.md;
the evaluation script behind Table 1 itself is not public).
Without per-tone levels all tones form one group and ``<m>_paper_db`` equals ``<m>_mean_db``.
dB values use `edgefx.audio.db`, i.e. floored at −200 dB (a metric that is exactly 0, such as
HESR-T of the teacher against itself, reads −200 dB rather than −∞).
"""

from __future__ import annotations

import numpy as np
import torch

from ..audio import db
from ..errors import SignalError
from .bandlimit import bandlimit
from .nmr import nmr

__all__ = ["aliasing_metrics", "esr", "level_average_db", "mrstft_distance", "summarise"]


def esr(y, ref, eps: float = 0.0):
    """Error-to-signal ratio Σ(y − ref)² / (Σ ref² + eps) over the last axis (per item).

    Works on numpy arrays (returns numpy / float) and torch tensors (returns a tensor, keeps the
    graph). Shapes must match.
    """
    if isinstance(y, torch.Tensor) or isinstance(ref, torch.Tensor):
        yt = torch.as_tensor(y)
        rt = torch.as_tensor(ref, dtype=yt.dtype, device=yt.device)
        if yt.shape != rt.shape:
            raise SignalError(f"ESR needs equal shapes, got {tuple(yt.shape)} and {tuple(rt.shape)}")
        return torch.sum((yt - rt) ** 2, dim=-1) / (torch.sum(rt**2, dim=-1) + eps)
    ya = np.asarray(y, dtype=np.float64)
    ra = np.asarray(ref, dtype=np.float64)
    if ya.shape != ra.shape:
        raise SignalError(f"ESR needs equal shapes, got {ya.shape} and {ra.shape}")
    return np.sum((ya - ra) ** 2, axis=-1) / (np.sum(ra**2, axis=-1) + eps)


def summarise(values: np.ndarray) -> tuple[float, float]:
    """(mean of per-item dB, dB of the mean) of linear per-item values."""
    v = np.asarray(values, dtype=np.float64)
    return float(np.mean(db(v))), float(db(np.mean(v)))


def level_average_db(values, levels=None) -> float:
    """The paper's Table-1 averaging of linear per-tone ``values``: (1/G) Σ_g 10 log10(mean_{i∈g} v_i).

    ``levels`` labels each tone with its group (the input level in dBFS); tones with equal labels
    are averaged linearly and converted to dB, then the G group figures are averaged in dB. With
    ``levels=None`` all tones are one group (the result is the dB of the mean).
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    if levels is None:
        return float(db(np.mean(v)))
    g = np.asarray(levels).reshape(-1)
    if g.size != v.size:
        raise SignalError(f"{v.size} values but {g.size} levels")
    return float(np.mean([db(np.mean(v[g == level])) for level in np.unique(g)]))


def _harmonic_esr(amps: torch.Tensor, amps_ref: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    a = amps.abs() * mask
    b = amps_ref.abs() * mask
    return torch.sum((a - b) ** 2, dim=-1) / torch.sum(b**2, dim=-1)


def _as_tensor_2d(x, name: str, n: int | None = None) -> torch.Tensor:
    t = x.detach() if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
    if t.ndim == 3 and t.shape[1] == 1:
        t = t[:, 0, :]
    if t.ndim == 1:
        t = t[None, :]
    if t.ndim != 2:
        raise SignalError(f"{name} must be [n, L], got shape {tuple(t.shape)}")
    if n is not None and t.shape[0] != n:
        raise SignalError(f"{name} has {t.shape[0]} tones but outputs have {n}")
    return t.to(torch.float64)


def aliasing_metrics(
    outputs,
    f0,
    rate: int,
    teacher=None,
    reference=None,
    *,
    n_analysis: int | None = None,
    chunk: int = 32,
    levels=None,
) -> dict:
    """Aliasing metrics of model outputs for sine-tone inputs of fundamental ``f0``.

    Args:
        outputs: [n, L] outputs y of the model under test (numpy or torch).
        f0: [n] input sine frequencies, Hz.
        rate: sample rate, Hz.
        teacher: optional [n, L] teacher outputs for the -T metrics (band-limited here).
        reference: optional [n, L] alias-free reference outputs for the -R metrics.
        n_analysis: samples analysed at the end of each tone (default ``rate``, i.e. the last 1 s).
        chunk: tones processed together (bounds memory; results do not depend on it).
        levels: optional [n] input level (dBFS) of each tone, the groups of ``m_paper_db``.

    Returns a dict of numpy arrays / floats: ``f0``; for each metric m in ``esr_s, nmr_s`` (+
    ``esr_t, nmr_t, hesr_t`` with a teacher, + ``esr_r, nmr_r, hesr_r`` with a reference):
    ``m`` (linear, per tone), ``m_db`` (per tone), ``m_db_mean`` (mean of per-tone dB),
    ``m_mean_db`` (dB of the mean of the linear values) and ``m_paper_db`` (per level the dB of
    the mean, then the mean over levels; see the module docstring and `level_average_db`).
    """
    y = _as_tensor_2d(outputs, "outputs")
    n = y.shape[0]
    f = torch.as_tensor(
        np.asarray(f0.detach().cpu() if isinstance(f0, torch.Tensor) else f0, dtype=np.float64)
    ).reshape(-1)
    if f.numel() != n:
        raise SignalError(f"outputs has {n} tones but f0 has {f.numel()} frequencies")
    if levels is not None and np.asarray(levels).size != n:
        raise SignalError(f"outputs has {n} tones but levels has {np.asarray(levels).size} entries")
    t = _as_tensor_2d(teacher, "teacher", n) if teacher is not None else None
    r = _as_tensor_2d(reference, "reference", n) if reference is not None else None
    n_an = int(rate if n_analysis is None else n_analysis)

    names = ["esr_s", "nmr_s"]
    if t is not None:
        names += ["esr_t", "nmr_t", "hesr_t"]
    if r is not None:
        names += ["esr_r", "nmr_r", "hesr_r"]
    per: dict[str, list[np.ndarray]] = {k: [] for k in names}

    with torch.no_grad():
        for start in range(0, n, max(1, int(chunk))):
            sl = slice(start, start + max(1, int(chunk)))
            fy = f[sl]
            by = bandlimit(y[sl], fy, rate, n_an)
            per["esr_s"].append(esr(by.signal, by.harmonic).numpy())
            per["nmr_s"].append(nmr(by.signal, by.harmonic, rate).numpy())
            if t is not None:
                bt = bandlimit(t[sl], fy, rate, n_an)
                per["esr_t"].append(esr(by.signal, bt.harmonic).numpy())
                per["nmr_t"].append(nmr(by.signal, bt.harmonic, rate).numpy())
                per["hesr_t"].append(_harmonic_esr(by.amplitudes, bt.amplitudes, by.mask).numpy())
            if r is not None:
                br = bandlimit(r[sl], fy, rate, n_an)
                per["esr_r"].append(esr(by.signal, br.signal).numpy())
                per["nmr_r"].append(nmr(by.signal, br.signal, rate).numpy())
                per["hesr_r"].append(_harmonic_esr(by.amplitudes, br.amplitudes, by.mask).numpy())

    out: dict = {"f0": f.numpy(), "n_tones": n}
    for k in names:
        v = np.concatenate(per[k])
        out[k] = v
        out[f"{k}_db"] = db(v)
        out[f"{k}_db_mean"], out[f"{k}_mean_db"] = summarise(v)
        out[f"{k}_paper_db"] = level_average_db(v, levels)
    return out


def mrstft_distance(y, ref, rate: int, *, mel: bool = True) -> float:
    """Multi-resolution STFT distance between audio ``y`` and ``ref`` ([L] or [B, L]).

    auraloss's MultiResolutionSTFTLoss at FFT sizes 1024/2048/4096 (Hann, window = FFT size, hop =
    FFT/4), spectral convergence + log-magnitude terms; with ``mel`` (default) on 128-band mel
    spectrograms, the closest auraloss setting to the paper's MRSL (multi-resolution spectral loss on
    log-magnitude mel spectrograms). auraloss's default 512-point resolution is not used: 128 mel
    bands leave some of its filters empty. Lower is better; 0 for identical signals.
    """
    from auraloss.freq import MultiResolutionSTFTLoss  # imported lazily: heavy, only needed here

    a = _as_tensor_2d(y, "y").to(torch.float32)
    b = _as_tensor_2d(ref, "ref", a.shape[0]).to(torch.float32)
    if a.shape != b.shape:
        raise SignalError(f"MRSTFT distance needs equal shapes, got {tuple(a.shape)} and {tuple(b.shape)}")
    sizes = [1024, 2048, 4096]
    kwargs = {"sample_rate": float(rate), "scale": "mel", "n_bins": 128} if mel else {}
    loss = MultiResolutionSTFTLoss(fft_sizes=sizes, hop_sizes=[s // 4 for s in sizes], win_lengths=sizes, **kwargs)
    with torch.no_grad():
        return float(loss(a[:, None, :], b[:, None, :]))
