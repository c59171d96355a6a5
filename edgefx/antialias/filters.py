"""Low-pass pre-emphasis applied to student output and target before the fine-tuning loss (spec §4).

A linear-phase Kaiser-window FIR: 80 dB stopband attenuation, pass edge 12 kHz, stop edge 16 kHz,
designed for the actual sample rate. ``scipy.signal.kaiserord`` gives the length and β for the
ripple and the transition width (16 − 12 kHz)/(Fs/2); ``firwin`` places the cutoff in the middle
of the transition (14 kHz); the length is then raised, if needed, until the designed stopband
really is 80 dB down (57 → 63 taps at 44.1 kHz, 69 at 48 kHz). The length is forced odd
(type-I filter, integer group delay) so the filter can be applied centred: the output is aligned
with the input (zero phase) and has the same length, the edges being filtered against zeros. The
loss compares two signals filtered the same way, so the edge effect is shared and the alignment
keeps ESR meaningful.

Why a low-pass: aliasing below the fundamental is the audible part, hearing fades above 16 kHz,
and the paper found ignoring the top of the band improved the fine-tuning.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.signal import firwin, freqz, kaiserord

from ..errors import ConfigError

__all__ = ["LowpassPreemphasis", "design_lowpass", "lowpass_preemphasis"]


def design_lowpass(
    rate: float, pass_hz: float = 12000.0, stop_hz: float = 16000.0, attenuation_db: float = 80.0
) -> np.ndarray:
    """Kaiser-window FIR taps (odd length, float64) for the given edges at sample rate ``rate``."""
    nyq = rate / 2.0
    if not 0.0 < pass_hz < stop_hz:
        raise ConfigError(f"low-pass edges must satisfy 0 < pass < stop, got pass={pass_hz}, stop={stop_hz}")
    if stop_hz > nyq:
        raise ConfigError(
            f"low-pass stop edge {stop_hz:g} Hz is above Nyquist ({nyq:g} Hz at {rate:g} Hz); "
            "lower the edges for this sample rate"
        )
    if attenuation_db <= 21.0:
        raise ConfigError(f"attenuation must exceed 21 dB for a Kaiser design, got {attenuation_db}")
    numtaps, beta = kaiserord(attenuation_db, (stop_hz - pass_hz) / nyq)
    numtaps += 1 - numtaps % 2  # odd length: type-I, integer delay (numtaps − 1)/2
    # Kaiser's length formula is an approximation (at 44.1 kHz it lands at 79.7 dB); lengthen by
    # two taps at a time until the stopband really reaches the attenuation asked for.
    for _ in range(32):
        taps = firwin(numtaps, 0.5 * (pass_hz + stop_hz), window=("kaiser", beta), fs=rate)
        _, h = freqz(taps, worN=np.linspace(stop_hz, nyq, 4096), fs=rate)
        if 20.0 * np.log10(np.max(np.abs(h)) + 1e-300) <= -attenuation_db:
            break
        numtaps += 2
    return np.asarray(taps, dtype=np.float64)


class LowpassPreemphasis(torch.nn.Module):
    """Zero-phase FIR low-pass as a module: [L], [B, L] or [B, 1, L] in, same shape and dtype out."""

    def __init__(
        self, rate: float, pass_hz: float = 12000.0, stop_hz: float = 16000.0, attenuation_db: float = 80.0
    ) -> None:
        super().__init__()
        taps = design_lowpass(rate, pass_hz, stop_hz, attenuation_db)
        self.rate = float(rate)
        self.pass_hz = float(pass_hz)
        self.stop_hz = float(stop_hz)
        self.attenuation_db = float(attenuation_db)
        self.numtaps = int(taps.size)
        # conv1d computes a correlation; the taps are symmetric so no flip is needed.
        self.register_buffer("taps", torch.tensor(taps, dtype=torch.float64).view(1, 1, -1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        if x.ndim == 1:
            x3 = x.view(1, 1, -1)
        elif x.ndim == 2:
            x3 = x.unsqueeze(1)
        elif x.ndim == 3 and x.shape[1] == 1:
            x3 = x
        else:
            raise ConfigError(f"low-pass pre-emphasis expects [L], [B, L] or [B, 1, L], got {tuple(shape)}")
        y = torch.nn.functional.conv1d(x3, self.taps.to(x.dtype), padding=self.numtaps // 2)
        return y.reshape(shape)

    def extra_repr(self) -> str:
        return (
            f"rate={self.rate:g}, pass={self.pass_hz:g} Hz, stop={self.stop_hz:g} Hz, "
            f"atten={self.attenuation_db:g} dB, taps={self.numtaps}"
        )


def lowpass_preemphasis(
    rate: float, pass_hz: float = 12000.0, stop_hz: float = 16000.0, attenuation_db: float = 80.0
) -> LowpassPreemphasis:
    """The loss pre-emphasis (Kaiser FIR, 80 dB, 12 kHz pass / 16 kHz stop) for sample rate ``rate``."""
    return LowpassPreemphasis(rate, pass_hz, stop_hz, attenuation_db)
