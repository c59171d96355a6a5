"""Training data: an (input, target) pair of aligned mono signals with train/val/test splits.

Three sources, exactly one per call:

* a built-in pedal: the standard capture signal (`edgefx.signals.capture`) rendered through it,
  using the signal's own splits (train = sweeps, noise and DI phrases; val; held-out test);
* an input/target WAV pair: same rate, same length; split by time 80 / 10 / 10 %;
* a prepared re-amp capture folder (`edgefx capture prepare`): its aligned pair and splits.

``source`` records what the data was (pedal and knobs, or file names) and the sha256 of the
float32 samples of x and y, so a bundle says exactly what it was trained on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..capture import Splits, time_splits
from ..errors import AudioFileError, CaptureError, ConfigError
from ..hashing import sha256_array

SPLIT_NAMES = ("train", "val", "test")
DEFAULT_DURATION_S = 180.0


@dataclass
class TrainingData:
    """Aligned input ``x`` and target ``y`` (float32, same length) with sample-range splits."""

    x: np.ndarray
    y: np.ndarray
    rate: int
    splits: Splits
    source: dict[str, Any]

    def regions(self, split: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """The (input, target) pieces of a split, in order."""
        return [(self.x[s:e], self.y[s:e]) for s, e in self.splits[split]]

    def seconds(self, split: str) -> float:
        return sum(e - s for s, e in self.splits[split]) / self.rate

    def describe(self) -> str:
        parts = ", ".join(f"{k} {self.seconds(k):.1f} s" for k in SPLIT_NAMES)
        return f"{len(self.x) / self.rate:.1f} s at {self.rate} Hz ({parts})"


def _check(x: np.ndarray, y: np.ndarray, rate: int, splits: Splits, what: str) -> None:
    if x.shape != y.shape or x.ndim != 1:
        raise CaptureError(f"{what}: input has {x.size} samples but target has {y.size}")
    for name in SPLIT_NAMES:
        ranges = splits.get(name)
        if not ranges:
            raise CaptureError(f"{what}: no {name!r} split")
        for s, e in ranges:
            if not 0 <= s < e <= x.size:
                raise CaptureError(f"{what}: {name} range {s}..{e} lies outside the {x.size} samples")
    min_len = rate // 10
    if sum(e - s for s, e in splits["train"]) < min_len:
        raise CaptureError(f"{what}: the train split is shorter than 0.1 s; give more audio")
    if not np.all(np.isfinite(y)):
        raise AudioFileError(f"{what}: the target holds NaN or Inf samples")


def load_training_data(
    pedal: str | None = None,
    knobs: dict[str, float] | None = None,
    input: str | Path | None = None,
    target: str | Path | None = None,
    capture: str | Path | None = None,
    rate: int | None = None,
    duration_s: float | None = None,
    signal_seed: int = 0,
) -> TrainingData:
    """Load data from exactly one source (see the module docstring).

    ``rate``: for a pedal the render rate (default 48000); for files the rate they must have
    (None accepts the files' own rate). ``duration_s``: length of the capture signal for a pedal
    (default 180 s); for files, the first ``duration_s`` seconds only (None = all).
    """
    given = [n for n, v in (("pedal", pedal), ("input/target", input or target), ("capture", capture)) if v]
    if len(given) != 1:
        raise ConfigError(
            "give exactly one data source: a built-in pedal, an input/target WAV pair, or a capture folder"
            + (f" (got {' and '.join(given)})" if given else "")
        )
    if knobs and not pedal:
        raise ConfigError("knobs apply to a built-in pedal only")
    if pedal:
        return _from_pedal(pedal, dict(knobs or {}), int(rate or 48000), duration_s, signal_seed)
    if capture:
        return _from_capture(Path(capture), rate, duration_s)
    if not (input and target):
        raise ConfigError("an input WAV needs a target WAV (and vice versa): give both --input and --target")
    return _from_wavs(Path(input), Path(target), rate, duration_s)


def _hashes(x: np.ndarray, y: np.ndarray) -> dict[str, str]:
    return {"x_sha256": sha256_array(x), "y_sha256": sha256_array(y)}


def _from_pedal(name: str, knobs: dict[str, float], rate: int, duration_s: float | None, seed: int) -> TrainingData:
    from ..pedals import get_pedal
    from ..signals.capture import capture_signal

    pedal = get_pedal(name, **knobs)  # unknown pedal or knob -> ConfigError, before any rendering
    x, layout = capture_signal(rate=rate, duration_s=float(duration_s or DEFAULT_DURATION_S), seed=seed)
    y = np.asarray(pedal.process(x, rate), dtype=np.float32)
    splits = {k: [(int(s), int(e)) for s, e in v] for k, v in layout.splits.items() if k in SPLIT_NAMES}
    source = {
        "kind": "pedal",
        "pedal": name,
        "knobs": knobs,
        "signal": {"name": "capture_signal", "duration_s": layout.duration_s, "seed": layout.seed},
        **_hashes(x, y),
    }
    data = TrainingData(x, y, rate, splits, source)
    _check(x, y, rate, splits, f"pedal {name!r}")
    return data


def _from_wavs(inp: Path, tgt: Path, rate: int | None, duration_s: float | None) -> TrainingData:
    from ..audio import read_wav

    x, rx = read_wav(inp, expected_rate=rate)
    y, ry = read_wav(tgt, expected_rate=rate)
    if rx != ry:
        raise AudioFileError(f"{inp} is {rx} Hz but {tgt} is {ry} Hz; the pair must share one sample rate")
    if x.size != y.size:
        raise CaptureError(
            f"{inp} has {x.size} samples but {tgt} has {y.size}; an input/target pair must be aligned and "
            "of equal length (use `edgefx capture prepare` to align a re-amp recording)"
        )
    if duration_s:
        n = min(x.size, int(round(duration_s * rx)))
        x, y = x[:n], y[:n]
    splits = time_splits(x.size)
    source = {"kind": "wav", "input": str(inp), "target": str(tgt), "split": "time 80/10/10", **_hashes(x, y)}
    data = TrainingData(x, y, rx, splits, source)
    _check(x, y, rx, splits, f"{inp} + {tgt}")
    return data


def _from_capture(folder: Path, rate: int | None, duration_s: float | None) -> TrainingData:
    from ..capture import load_capture

    if not folder.exists():
        raise CaptureError(f"{folder}: no such capture folder")
    x, y, r, splits = load_capture(folder)
    if rate is not None and r != rate:
        raise AudioFileError(f"{folder}: the capture is at {r} Hz, expected {rate} Hz")
    splits = {k: [(int(s), int(e)) for s, e in v] for k, v in splits.items() if k in SPLIT_NAMES}
    source = {"kind": "capture", "folder": str(folder), **_hashes(x, y)}
    if duration_s:
        source["note"] = "duration applies to generated signals only; the whole capture is used"
    data = TrainingData(np.asarray(x, np.float32), np.asarray(y, np.float32), r, splits, source)
    _check(data.x, data.y, r, splits, str(folder))
    return data
