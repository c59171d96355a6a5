"""WAV input/output with the checks every command relies on.

Audio inside edgefx is float32 mono in [-1, 1] unless stated. Reading validates the file and
raises `AudioFileError` naming the file and the problem; nothing is resampled silently.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from .errors import AudioFileError


def read_wav(
    path: str | Path,
    *,
    expected_rate: int | None = None,
    mono: bool = True,
    allow_multichannel: bool = False,
) -> tuple[np.ndarray, int]:
    """Read a WAV file as float32; returns (samples, rate).

    With ``mono`` the result is 1-D; a multi-channel file is refused unless
    ``allow_multichannel`` (then the first channel is taken). With ``allow_multichannel`` and
    ``mono=False`` the result is (frames, channels). Empty, unreadable or non-finite files and a
    rate other than ``expected_rate`` raise `AudioFileError`.
    """
    p = Path(path)
    if not p.exists():
        raise AudioFileError(f"{p}: no such file")
    if p.is_dir():
        raise AudioFileError(f"{p}: is a directory, expected a WAV file")
    try:
        data, rate = sf.read(str(p), dtype="float32", always_2d=True)
    except Exception as exc:  # soundfile raises several types for malformed files
        raise AudioFileError(f"{p}: not a readable audio file ({exc})") from None
    if data.shape[0] == 0:
        raise AudioFileError(f"{p}: the file holds no samples")
    if not np.all(np.isfinite(data)):
        bad = int(np.count_nonzero(~np.isfinite(data)))
        raise AudioFileError(f"{p}: {bad} samples are NaN or Inf")
    if expected_rate is not None and rate != expected_rate:
        raise AudioFileError(
            f"{p}: sample rate is {rate} Hz, expected {expected_rate} Hz "
            "(resample it first, or pass the matching --rate)"
        )
    channels = data.shape[1]
    if mono:
        if channels > 1 and not allow_multichannel:
            raise AudioFileError(f"{p}: has {channels} channels, expected mono")
        return np.ascontiguousarray(data[:, 0]), int(rate)
    return data, int(rate)


def write_wav(path: str | Path, samples: np.ndarray, rate: int, *, subtype: str = "FLOAT") -> Path:
    """Write float samples to a WAV file (32-bit float by default); creates parent folders."""
    p = Path(path)
    x = np.asarray(samples, dtype=np.float32)
    if not np.all(np.isfinite(x)):
        raise AudioFileError(f"{p}: refusing to write NaN/Inf samples")
    p.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(p), x, int(rate), subtype=subtype)
    return p


def db(x: float | np.ndarray, floor: float = 1e-20) -> float | np.ndarray:
    """Power ratio in decibels: 10 log10(max(x, floor))."""
    return 10.0 * np.log10(np.maximum(x, floor))
