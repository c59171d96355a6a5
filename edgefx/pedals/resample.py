"""Band-limited 2^k oversampling: the polyphase filter cascade the C core applies.

Oversampling by ``L = 2^S`` runs as S two-times stages. Stage j converts between ``2^j`` and
``2^(j+1)`` times the audio rate ``fs``; the same linear-phase low-pass (Kaiser window, unity DC
gain) interpolates on the way up and decimates on the way down.

* Stage 0 does the real work: pass-band to ``PASS_EDGE * fs``, stop-band from ``fs/2`` with at
  least ``STOP_DB`` of attenuation. Stopping at exactly fs/2 (not a half-band's 0.55 fs) matters:
  it keeps the input's images out of the nonlinearity on the way up and leaves nothing that can
  fold into the audio band on the way down.
* Stages j >= 1 only need to keep ``[0, fs/2]`` and remove what would fold onto it, so their
  transition bands are wide; they are half-band filters (every other tap zero) and short.

Every stage length N_j satisfies ``N_j = 1 (mod 2^(j+1))``: its round trip delays the signal by
``(N_j - 1) / 2^(j+1)`` audio samples, an integer, so the whole chain's latency is a whole number of
audio samples that `Resampler.delay` reports and the renderer removes (the output lines up
with the input sample for sample, which a causal model trained on it needs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import signal

from ..errors import ConfigError

PASS_EDGE = 0.42  # stage-0 pass-band edge, fraction of fs (18.5 kHz at 44.1 kHz)
STOP_DB = 130.0  # stop-band attenuation of every stage, dB
MAX_OVERSAMPLE = 128
VALID_OVERSAMPLE = tuple(2**k for k in range(8))  # 1 .. 128


@dataclass(frozen=True)
class Resampler:
    """The filter cascade for one oversampling factor (independent of the audio rate)."""

    factor: int
    taps: tuple[int, ...]
    coef: np.ndarray  # all stages' coefficients, concatenated in stage order

    @property
    def delay(self) -> int:
        """Round-trip latency in audio-rate samples."""
        return sum((n - 1) // 2 ** (j + 1) for j, n in enumerate(self.taps))


def _length(numtaps: int, modulus: int) -> int:
    """Smallest N >= numtaps with N = 1 (mod modulus) (odd, integer round-trip delay)."""
    return numtaps + (1 - numtaps) % modulus


def stage_filter(j: int) -> np.ndarray:
    """Low-pass for stage j at rate 2^(j+1) fs; frequencies below are in units of fs."""
    nyq = 2.0**j  # Nyquist of the stage's high rate, in fs
    if j == 0:
        f_pass, f_stop = PASS_EDGE, 0.5
    else:
        f_pass, f_stop = 0.5, nyq - 0.5  # symmetric about nyq/2: a half-band filter
    width = (f_stop - f_pass) / nyq
    numtaps, beta = signal.kaiserord(STOP_DB, width)
    n = _length(max(numtaps, 3), 2 ** (j + 1))
    cutoff = 0.5 * (f_pass + f_stop) / nyq
    return signal.firwin(n, cutoff, window=("kaiser", beta), scale=True)


@cache
def resampler(factor: int) -> Resampler:
    """The cascade for an oversampling factor (a power of two, 1..128)."""
    if factor not in VALID_OVERSAMPLE:
        raise ConfigError(
            f"oversample={factor!r}: must be a power of two from 1 to {MAX_OVERSAMPLE} "
            f"({', '.join(map(str, VALID_OVERSAMPLE))})"
        )
    stages = [stage_filter(j) for j in range(int(factor).bit_length() - 1)]
    taps = tuple(len(h) for h in stages)
    coef = np.ascontiguousarray(np.concatenate(stages) if stages else np.zeros(0), dtype=np.float64)
    coef.setflags(write=False)
    return Resampler(factor=factor, taps=taps, coef=coef)
