"""Differentiable noise-to-mask ratio (NMR) after ITU-R BS.1387 as explained by Kabal (spec §3).

All arithmetic is float64 torch. For a test signal ŝ and a reference s (the masker):

1. STFT: symmetric Hann window of n_fft = 2048, hop 1024, no centring;
   T = 1 + floor((L − 2048) / 1024) frames.
2. Listening level: both signals are scaled by G_L = 10^(L_p/20) / (g_p · (n_fft − 1)/4) with
   L_p = 92 dB SPL, so a full-scale 1019.5 Hz sine peaks at 92 dB in its largest bin. g_p is
   Kabal's peak factor of the Hann window for that tone (it falls between bins):
   δ = distance of f/Fs to the nearest bin in units of 1/n_fft · (n_fft − 1),
   g_p = sin(πδ) / (πδ (1 − δ²)).
3. Outer/middle ear, f in kHz: A(f) = −2.184 f^−0.8 + 6.5 e^{−0.6 (f − 3.3)²} − 0.001 f^3.6 dB,
   applied to magnitudes as W(f) = 10^{A/20}; W(0) = 0.
4. Critical bands: 0.25 Bark apart from 80 Hz to 18 kHz on BS.1387's Bark scale z = 7 asinh(f/650):
   z_L = z(80), z_U = z(18000), C = ceil((z_U − z_L)/0.25) = 109; band i spans
   [z_L + i/4, min(z_L + (i+1)/4, z_U)] with its centre at the mid-point in z. BS.1387 tabulates
   the edges to 1 mHz; the formula matches that table within 5e-6 relative except for four table
   entries that look like typos (e.g. an upper edge of 4643.482 Hz where the next band starts at
   4616.482 Hz; largest gap 0.6 %), so we use the formula. Bands whose lower edge is at or above
   Nyquist are dropped (only matters below 36 kHz).
   U[c, k] = max(0, min(f_u, (k + ½)Δf) − max(f_l, (k − ½)Δf)) / Δf  (bin k's overlap with band c).
5. Noise pattern  P_N[c, t] = max(Σ_k U[c,k] (W_k|Ŝ_k,t| − W_k|S_k,t|)², 1e−12).
   Reference pattern E[c, t] = max(Σ_k U[c,k] (W_k|S_k,t|)², 1e−12) + E_int[c],
   internal noise E_int = 10^{0.1456 f_c^−0.8} (f_c in kHz).
6. Spreading (Kabal's recursive form of BS.1387, power-law addition with e = 0.4):
   lower slope a_L = 10^{−2.7 dz}; upper slope a_U[c] = 10^{(−2.4 − 23/f_c) dz} · E[c]^{0.2 dz}
   (f_c in Hz, as in BS.1387's 24 + 230 Hz/f_c dB/Bark).
   Each band's energy is first normalised by the total gain of its own spreading function,
   Ê[c] = E[c] / (g_L[c] + g_U[c] − 1), g_L = (1 − a_L^{c+1})/(1 − a_L),
   g_U = (1 − a_U^{C−c})/(1 − a_U); then
   E_s[i] = ( Σ_{c ≥ i} (a_L^{c−i} Ê[c])^e + Σ_{c < i} (a_U[c]^{i−c} Ê[c])^e )^{1/e} / B_s[i],
   where B_s is the same computed with E = 1 in every band.
7. Mask M[c, t] = g[c] · E_s[c, t] with the offset g = 10^{−3/10} for bands c ≤ 48 (12 Bark) and
   10^{−(c/16)/10} above. NMR = (1/(C·T)) Σ_{c,t} P_N / M (linear); 10·log10 for dB.

The lower sum of step 6 is a product with a constant [C, C] matrix; the upper one (whose decay
depends on the source band's level) is accumulated over the band offset i − c. The constant parts
are cached per (rate, n_fft).

Against the authors' public NMR (a-carson/dafx25_antialiasing_neural, nmr.py), checked on the same
inputs (tanh-distorted tones and the two Broadcast teachers over the whole tone set): it rounds
2^63·x to an integer and then scales by G_L computed with A_max = 2^63, which for float64 input is
our G_L·x (the rounding only touches |x| < 2^-63); its steps 3–7 are the same as ours. The one
difference is step 4: it uses the tabulated band edges, typos included (e.g. band 70 ends at
4643.482 Hz while band 71 starts at 4616.482 Hz, so bins in the overlap count twice). That moves a
tone's NMR by at most 0.07 dB, and the tone-set averages by less than 0.001 dB. With the table
swapped in, the two agree to rounding error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from ..errors import SignalError

__all__ = [
    "NMRConstants",
    "band_edges",
    "ear_weights",
    "nmr",
    "nmr_constants",
    "nmr_db",
    "spread_bands",
]

N_FFT = 2048
HOP = 1024
LISTENING_LEVEL_DB = 92.0
TEST_TONE_HZ = 1019.5
BAND_STEP_BARK = 0.25
BAND_LOW_HZ = 80.0
BAND_HIGH_HZ = 18000.0
E_MIN = 1e-12
SPREAD_EXPONENT = 0.4


def hz_to_bark(f):
    """BS.1387 Bark scale z = 7 asinh(f / 650)."""
    return 7.0 * np.arcsinh(np.asarray(f, dtype=np.float64) / 650.0)


def bark_to_hz(z):
    """Inverse of `hz_to_bark`: f = 650 sinh(z / 7)."""
    return 650.0 * np.sinh(np.asarray(z, dtype=np.float64) / 7.0)


def band_edges(
    low_hz: float = BAND_LOW_HZ, high_hz: float = BAND_HIGH_HZ, step_bark: float = BAND_STEP_BARK
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(f_lower, f_centre, f_upper) of the critical bands, Hz (109 bands for the defaults)."""
    z_lo, z_hi = float(hz_to_bark(low_hz)), float(hz_to_bark(high_hz))
    count = int(math.ceil((z_hi - z_lo) / step_bark - 1e-12))
    zl = z_lo + step_bark * np.arange(count)
    zu = np.minimum(zl + step_bark, z_hi)
    return bark_to_hz(zl), bark_to_hz(0.5 * (zl + zu)), bark_to_hz(zu)


def ear_weights(rate: float, n_fft: int = N_FFT) -> np.ndarray:
    """Outer/middle-ear magnitude weights W_k = 10^{A(f_k)/20} on the rFFT grid; W_0 = 0."""
    f_khz = np.arange(n_fft // 2 + 1, dtype=np.float64) * (rate / n_fft) / 1000.0
    w = np.zeros_like(f_khz)
    f = f_khz[1:]
    a_db = -2.184 * f**-0.8 + 6.5 * np.exp(-0.6 * (f - 3.3) ** 2) - 0.001 * f**3.6
    w[1:] = 10.0 ** (a_db / 20.0)
    return w


def hann_peak_factor(freq_norm: float, n_fft: int) -> float:
    """Kabal's g_p: largest Hann-windowed DFT bin of a sine relative to its continuous peak."""
    df = 1.0 / n_fft
    k = math.floor(freq_norm / df)
    dist = min((k + 1) * df - freq_norm, freq_norm - k * df)
    dw = dist * (n_fft - 1)
    if dw == 0.0:
        return 1.0
    return math.sin(math.pi * dw) / (math.pi * dw * (1.0 - dw * dw))


def level_scale(rate: float, n_fft: int = N_FFT, level_db: float = LISTENING_LEVEL_DB) -> float:
    """G_L: multiply a [-1, 1] signal by this so a full-scale 1019.5 Hz sine reads ``level_db``."""
    gp = hann_peak_factor(TEST_TONE_HZ / rate, n_fft)
    return 10.0 ** (level_db / 20.0) / (gp * (n_fft - 1) / 4.0)


def _band_matrix(rate: float, n_fft: int, fl: np.ndarray, fu: np.ndarray) -> np.ndarray:
    df = rate / n_fft
    k = np.arange(n_fft // 2 + 1, dtype=np.float64)
    hi = np.minimum(fu[:, None], (k + 0.5)[None, :] * df)
    lo = np.maximum(fl[:, None], (k - 0.5)[None, :] * df)
    return np.maximum(0.0, hi - lo) / df


@dataclass(frozen=True)
class NMRConstants:
    """Everything in the NMR that depends only on (rate, n_fft); float64 CPU tensors."""

    rate: float
    n_fft: int
    window: torch.Tensor  # [n_fft] symmetric Hann
    scale: float  # G_L
    ear: torch.Tensor  # [K] W_k
    band_matrix: torch.Tensor  # [C, K] U
    fc: torch.Tensor  # [C] centre frequencies, Hz
    internal_noise: torch.Tensor  # [C] E_int
    lower_spread: torch.Tensor  # [C, C] a_L^{(c−i)e} for c ≥ i (row c = source band)
    lower_gain: torch.Tensor  # [C] g_L
    upper_base: torch.Tensor  # [C] 10^{(−2.4 − 23/f_c) dz}
    spread_norm: torch.Tensor  # [C] B_s
    mask_gain: torch.Tensor  # [C] g


def _spread(e: torch.Tensor, k: NMRConstants, normalise: bool = True) -> torch.Tensor:
    """Kabal's spreading of band energies e [..., C] (see module docstring, step 6)."""
    c_count = e.shape[-1]
    ex = SPREAD_EXPONENT
    dz = BAND_STEP_BARK
    idx = torch.arange(c_count, dtype=torch.float64, device=e.device)
    a_u = k.upper_base.to(e.device) * e ** (0.2 * dz)
    g_u = (1.0 - a_u ** (c_count - idx)) / (1.0 - a_u)
    e_norm = e / (k.lower_gain.to(e.device) + g_u - 1.0)
    e_pow = e_norm**ex
    lower = e_pow @ k.lower_spread.to(e.device)
    # Upper: Σ_{c<i} e_pow[c] · a_u[c]^{(i−c)e}. The decay depends on the source band, so it is
    # not a first-order recursion in i; walk the offset k = i − c instead (C − 1 cheap steps on
    # [..., C] tensors, far cheaper than a [C, C] matrix of exponentials per frame).
    a_e = a_u**ex
    upper = torch.zeros_like(e_pow)
    term = e_pow
    for off in range(1, c_count):
        term = term[..., :-1] * a_e[..., : c_count - off]  # e_pow[c] a_e[c]^off, c < C − off
        upper[..., off:] += term  # in-place slice add: autograd-safe (upper is not a leaf)
    total = (lower + upper) ** (1.0 / ex)
    if normalise:
        total = total / k.spread_norm.to(e.device)
    return total


def spread_bands(e: torch.Tensor, rate: float, n_fft: int = N_FFT) -> torch.Tensor:
    """Apply the normalised frequency spreading to band energies e [..., C] (public for tests)."""
    return _spread(e.to(torch.float64), nmr_constants(rate, n_fft))


@lru_cache(maxsize=16)
def nmr_constants(rate: float, n_fft: int = N_FFT) -> NMRConstants:
    """Build (once per (rate, n_fft)) the constant matrices of the NMR."""
    rate = float(rate)
    if rate <= 0:
        raise SignalError(f"sample rate must be positive, got {rate}")
    fl, fc, fu = band_edges()
    keep = fl < rate / 2
    fl, fc, fu = fl[keep], fc[keep], fu[keep]
    c_count = fl.size
    dz = BAND_STEP_BARK
    ex = SPREAD_EXPONENT

    n = np.arange(n_fft, dtype=np.float64)
    hann = 0.5 * (1.0 - np.cos(2.0 * np.pi * n / (n_fft - 1)))

    c = np.arange(c_count, dtype=np.float64)
    a_l = 10.0 ** (-2.7 * dz)
    lower_gain = (1.0 - a_l ** (c + 1.0)) / (1.0 - a_l)
    diff = c[:, None] - c[None, :]  # source c (rows) minus target i (columns)
    lower_spread = np.where(diff >= 0, (a_l**ex) ** np.maximum(diff, 0.0), 0.0)
    offset_db = np.where(c <= 12.0 / dz, 3.0, 0.25 * c * dz)

    def t(a: np.ndarray) -> torch.Tensor:
        return torch.tensor(a, dtype=torch.float64)

    partial = NMRConstants(
        rate=rate,
        n_fft=int(n_fft),
        window=t(hann),
        scale=level_scale(rate, n_fft),
        ear=t(ear_weights(rate, n_fft)),
        band_matrix=t(_band_matrix(rate, n_fft, fl, fu)),
        fc=t(fc),
        internal_noise=t(10.0 ** (0.1456 * (fc / 1000.0) ** -0.8)),
        lower_spread=t(lower_spread),
        lower_gain=t(lower_gain),
        upper_base=t(10.0 ** ((-2.4 - 23.0 / fc) * dz)),
        spread_norm=torch.ones(c_count, dtype=torch.float64),
        mask_gain=t(10.0 ** (-offset_db / 10.0)),
    )
    b_s = _spread(torch.ones(c_count, dtype=torch.float64), partial, normalise=False)
    return NMRConstants(**{**partial.__dict__, "spread_norm": b_s})


def _prepare(x, name: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x.to(torch.float64)
    return torch.as_tensor(np.asarray(x, dtype=np.float64))


def _weighted_magnitude(x: torch.Tensor, k: NMRConstants, hop: int) -> torch.Tensor:
    """W_k |STFT(G_L x)| as [..., frames, K]."""
    frames = (x * k.scale).unfold(-1, k.n_fft, hop)  # [..., T, n_fft]
    spec = torch.fft.rfft(frames * k.window.to(x.device), dim=-1)
    return spec.abs() * k.ear.to(x.device)


def nmr(test, reference, rate: float, *, n_fft: int = N_FFT, hop: int = HOP) -> torch.Tensor:
    """Linear NMR of ``test`` against the masker ``reference`` (shape [..., L] → [...]).

    Inputs may be torch tensors or numpy arrays; computed in float64 and differentiable w.r.t.
    either input. Raises `SignalError` for mismatched shapes or signals shorter than ``n_fft``.
    """
    x = _prepare(test, "test")
    r = _prepare(reference, "reference")
    if x.shape != r.shape:
        raise SignalError(f"NMR needs test and reference of the same shape, got {tuple(x.shape)} and {tuple(r.shape)}")
    if x.ndim == 0 or x.shape[-1] < n_fft:
        length = 0 if x.ndim == 0 else x.shape[-1]
        raise SignalError(f"NMR needs at least {n_fft} samples per signal (one STFT frame), got {length}")
    if r.device != x.device:
        r = r.to(x.device)
    k = nmr_constants(float(rate), int(n_fft))
    mag_t = _weighted_magnitude(x, k, hop)
    mag_r = _weighted_magnitude(r, k, hop)
    u_t = k.band_matrix.to(x.device).T  # [K, C]
    noise = torch.clamp((mag_t - mag_r) ** 2 @ u_t, min=E_MIN)
    excitation = torch.clamp(mag_r**2 @ u_t, min=E_MIN) + k.internal_noise.to(x.device)
    mask = _spread(excitation, k) * k.mask_gain.to(x.device)
    return (noise / mask).mean(dim=(-2, -1))


def nmr_db(test, reference, rate: float, *, n_fft: int = N_FFT, hop: int = HOP) -> torch.Tensor:
    """10·log10 of `nmr` (per item)."""
    return 10.0 * torch.log10(nmr(test, reference, rate, n_fft=n_fft, hop=hop))
