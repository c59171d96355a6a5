"""The standard capture input signal: what a user plays through (re-amps into) a pedal or amp.

The layout is defined in seconds and converted to samples for the rate (44.1 or 48 kHz, or any
rate >= 16 kHz), so the same layout, and the same splits, hold at every rate. For a total length
``duration_s = D`` (default 180 s; at least ~18.8 s) the segments are, in order (times for D = 180):

| segment        | length                   | D = 180: start..end s | content                                   |
|----------------|--------------------------|-----------------------|-------------------------------------------|
| blips_start    | 1.5 s                    |   0.00 ..   1.50      | silence with 3 single-sample impulses of  |
|                |                          |                       | 0.5 at 0.30, 0.65, 1.10 s (unequal gaps:  |
|                |                          |                       | the train gives one unambiguous latency)  |
| silence        | 0.5 s                    |   1.50 ..   2.00      | the re-amp chain's noise floor            |
| sweep_lo       | clip(0.025 D, 1, 5) s    |   2.00 ..   6.50      | log sine sweep 20 Hz..min(20 kHz, 0.45 fs)|
|                |                          |                       | at -20 dBFS peak                          |
| sweep_hi       | same                     |   6.75 ..  11.25      | the same sweep at -6 dBFS                 |
| noise_white_lo | clip(0.015 D, 0.5, 3) s  |  11.50 ..  14.20      | white noise, -30 dBFS RMS (3.5 sigma clip)|
| noise_white_hi | same                     |  14.45 ..  17.15      | white noise, -18 dBFS RMS                 |
| noise_pink_lo  | same                     |  17.40 ..  20.10      | pink noise, -30 dBFS RMS                  |
| noise_pink_hi  | same                     |  20.35 ..  23.05      | pink noise, -18 dBFS RMS                  |
| val_a          | clip(0.055 D, 2, 10) s   |  23.55 ..  33.45      | validation DI guitar (mixed, -4 dBFS pk)  |
| train_di       | the rest                 |  33.70 .. 152.95      | DI guitar (~2/3) and bass chunks of 4-20 s|
|                |                          |                       | at -3..-14 dBFS peak, all guitar styles   |
| test           | clip(0.08 D, 2, 15) s    | 153.20 .. 167.60      | held-out DI: guitar, then bass            |
| val_b          | = val_a                  | 168.10 .. 178.00      | identical copy of val_a (repeatability)   |
| blips_end      | 1.5 s                    | 178.50 .. 180.00      | the blip train again (drift, DAW tails)   |

Segments called ``gap`` (silence, 0.25 or 0.5 s) separate the others; all segments together tile
the signal. The D = 20 s version keeps every segment at its minimum length (3.25 s of train_di).

Splits (sample ranges in this signal): ``train`` = sweeps + noise (with their gaps) and
``train_di``; ``val`` = ``val_a``; ``test`` = ``test``. ``val_b`` belongs to no split: it is
only compared with ``val_a`` in the re-amped output. The signal is exactly
``round(D * rate)`` samples long, so a file's length gives back D, and with the seed (default 0,
stored in the layout and the ``.json`` sidecar) the signal can be regenerated bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..errors import ConfigError, SignalError
from .guitar import bass_phrase, guitar_phrase

LAYOUT_VERSION = 1
BLIP_OFFSETS_S = (0.30, 0.65, 1.10)  # within blips_start / blips_end
BLIP_REGION_S = 1.5
BLIP_AMPLITUDE = 0.5
MIN_TRAIN_DI_S = 2.0


@dataclass
class CaptureLayout:
    """Where everything is in a capture signal, in samples at ``rate``."""

    rate: int
    duration_s: float
    seed: int
    length: int
    segments: list[tuple[str, int, int]]
    splits: dict[str, list[tuple[int, int]]]
    blips: list[int]
    version: int = LAYOUT_VERSION
    extra: dict = field(default_factory=dict)

    def segment(self, name: str) -> tuple[int, int]:
        """(start, end) of the first segment called ``name``."""
        for seg, s, e in self.segments:
            if seg == name:
                return s, e
        raise KeyError(name)

    @property
    def validation(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The two copies of the validation segment (val_a, val_b)."""
        return self.segment("val_a"), self.segment("val_b")

    @property
    def start_blips(self) -> list[int]:
        s, e = self.segment("blips_start")
        return [p for p in self.blips if s <= p < e]

    @property
    def end_blips(self) -> list[int]:
        s, e = self.segment("blips_end")
        return [p for p in self.blips if s <= p < e]

    def to_dict(self) -> dict:
        return {
            "version": self.version,
            "rate": self.rate,
            "duration_s": self.duration_s,
            "seed": self.seed,
            "length": self.length,
            "segments": [[n, int(s), int(e)] for n, s, e in self.segments],
            "splits": {k: [[int(s), int(e)] for s, e in v] for k, v in self.splits.items()},
            "blips": [int(p) for p in self.blips],
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, d: dict) -> CaptureLayout:
        """Inverse of `to_dict`; a malformed dict raises `ConfigError` naming the field."""
        if not isinstance(d, dict):
            raise ConfigError("capture layout: expected a JSON object")
        try:
            version = int(d.get("version", LAYOUT_VERSION))
            if version > LAYOUT_VERSION:
                raise ConfigError(f"capture layout: version {version} is newer than this edgefx reads")
            segments = [(str(n), int(s), int(e)) for n, s, e in d["segments"]]
            splits = {str(k): [(int(s), int(e)) for s, e in v] for k, v in d["splits"].items()}
            return cls(
                rate=int(d["rate"]),
                duration_s=float(d["duration_s"]),
                seed=int(d["seed"]),
                length=int(d["length"]),
                segments=segments,
                splits=splits,
                blips=[int(p) for p in d["blips"]],
                version=version,
                extra=dict(d.get("extra", {})),
            )
        except KeyError as exc:
            raise ConfigError(f"capture layout: missing field {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"capture layout: malformed field ({exc})") from None


def _plan(duration_s: float) -> list[tuple[str, float]]:
    """(segment name, length in seconds) for a total of ``duration_s``."""
    d = float(duration_s)
    sweep = float(np.clip(0.025 * d, 1.0, 5.0))
    noise = float(np.clip(0.015 * d, 0.5, 3.0))
    val = float(np.clip(0.055 * d, 2.0, 10.0))
    test = float(np.clip(0.08 * d, 2.0, 15.0))
    head = [
        ("blips_start", BLIP_REGION_S),
        ("silence", 0.5),
        ("sweep_lo", sweep),
        ("gap", 0.25),
        ("sweep_hi", sweep),
        ("gap", 0.25),
        ("noise_white_lo", noise),
        ("gap", 0.25),
        ("noise_white_hi", noise),
        ("gap", 0.25),
        ("noise_pink_lo", noise),
        ("gap", 0.25),
        ("noise_pink_hi", noise),
        ("gap", 0.5),
        ("val_a", val),
        ("gap", 0.25),
    ]
    tail = [
        ("gap", 0.25),
        ("test", test),
        ("gap", 0.5),
        ("val_b", val),
        ("gap", 0.5),
        ("blips_end", BLIP_REGION_S),
    ]
    fixed = sum(t for _, t in head) + sum(t for _, t in tail)
    train = d - fixed
    if train < MIN_TRAIN_DI_S:
        raise SignalError(
            f"capture signal of {d:g} s is too short: the fixed parts take {fixed:.2f} s; "
            f"use at least {fixed + MIN_TRAIN_DI_S:.1f} s"
        )
    return head + [("train_di", train)] + tail


def capture_layout(rate: int = 48000, duration_s: float = 180.0, seed: int = 0) -> CaptureLayout:
    """The layout of `capture_signal` (cheap: no audio is made)."""
    if rate < 16000:
        raise SignalError(f"capture signal needs a sample rate of at least 16000 Hz, got {rate}")
    plan = _plan(duration_s)
    length = int(round(duration_s * rate))
    segments: list[tuple[str, int, int]] = []
    t = 0.0
    for name, secs in plan:
        s, e = int(round(t * rate)), int(round((t + secs) * rate))
        segments.append((name, s, e))
        t += secs
    name, s, _ = segments[-1]
    segments[-1] = (name, s, length)  # float rounding must not leave a gap at the end
    seg = {n: (s, e) for n, s, e in segments}
    splits = {
        "train": [(seg["sweep_lo"][0], seg["noise_pink_hi"][1]), seg["train_di"]],
        "val": [seg["val_a"]],
        "test": [seg["test"]],
    }
    blips = [seg["blips_start"][0] + int(round(o * rate)) for o in BLIP_OFFSETS_S]
    blips += [seg["blips_end"][0] + int(round(o * rate)) for o in BLIP_OFFSETS_S]
    return CaptureLayout(int(rate), float(duration_s), int(seed), length, segments, splits, blips)


def _fade(x: np.ndarray, rate: int, secs: float = 0.01) -> np.ndarray:
    n = min(int(secs * rate), x.size // 2)
    if n > 0:
        ramp = np.sin(np.linspace(0, np.pi / 2, n)) ** 2
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


def log_sweep(n: int, rate: int, f1: float = 20.0, f2: float | None = None, peak_db: float = -6.0) -> np.ndarray:
    """Exponential sine sweep (Farina): x(t) = A sin(2 pi f1 T / ln(f2/f1) (e^{t ln(f2/f1) / T} - 1))."""
    f2 = min(20000.0, 0.45 * rate) if f2 is None else f2
    t = np.arange(n) / rate
    dur = n / rate
    k = np.log(f2 / f1)
    x = np.sin(2 * np.pi * f1 * dur / k * (np.exp(t * k / dur) - 1.0))
    return _fade(x * 10 ** (peak_db / 20), rate, 0.02)


def noise_burst(n: int, rate: int, rng: np.random.Generator, rms_db: float, pink: bool) -> np.ndarray:
    """Gaussian white or pink (1/f power, via spectral shaping) noise clipped at 3.5 sigma, at
    ``rms_db`` dBFS RMS."""
    x = rng.standard_normal(n)
    if pink:
        spec = np.fft.rfft(x)
        f = np.fft.rfftfreq(n, 1 / rate)
        shape = 1.0 / np.sqrt(np.maximum(f, 20.0))
        shape[f < 10.0] = 0.0
        x = np.fft.irfft(spec * shape, n)
    x = x / max(float(np.std(x)), 1e-12)
    x = np.clip(x, -3.5, 3.5)
    x *= 10 ** (rms_db / 20) / max(float(np.sqrt(np.mean(x**2))), 1e-12)
    return _fade(x, rate)


def _train_di(n: int, rate: int, seed: int) -> np.ndarray:
    """Chunks of guitar (about 2/3) and bass DI, 4-20 s each, at varied peak levels."""
    rng = np.random.default_rng([seed, 3])
    levels = (-4.0, -6.0, -3.0, -9.0, -14.0, -5.0)
    styles = ("mixed", "chords", "lead", "palm_mute")
    out = np.zeros(n)
    pos, i = 0, 0
    while pos < n:
        m = int(rng.uniform(4.0, 20.0) * rate)
        if n - pos - m < 3 * rate:  # do not leave a sliver at the end
            m = n - pos
        chunk_seed = 1000 * seed + 17 * i + 1
        lvl = levels[i % len(levels)]
        if rng.random() < 0.34:
            x = bass_phrase(m / rate, rate, seed=chunk_seed, level_db=lvl)
        else:
            style = styles[int(rng.integers(len(styles)))]
            x = guitar_phrase(m / rate, rate, seed=chunk_seed, style=style, level_db=lvl)
        out[pos : pos + m] = _fade(x[:m].astype(np.float64), rate, 0.005)
        pos += m
        i += 1
    return out


@lru_cache(maxsize=4)
def _capture_cached(rate: int, duration_s: float, seed: int) -> tuple[np.ndarray, CaptureLayout]:
    layout = capture_layout(rate, duration_s, seed)
    x = np.zeros(layout.length)
    rng = np.random.default_rng([seed, 1])
    seg = {}
    for name, s, e in layout.segments:
        seg.setdefault(name, (s, e))
    for p in layout.blips:
        x[p] = BLIP_AMPLITUDE
    noise_spec = {
        "noise_white_lo": (-30.0, False),
        "noise_white_hi": (-18.0, False),
        "noise_pink_lo": (-30.0, True),
        "noise_pink_hi": (-18.0, True),
    }
    for name, s, e in layout.segments:
        n = e - s
        if name == "sweep_lo":
            x[s:e] = log_sweep(n, rate, peak_db=-20.0)
        elif name == "sweep_hi":
            x[s:e] = log_sweep(n, rate, peak_db=-6.0)
        elif name in noise_spec:
            lvl, pink = noise_spec[name]
            x[s:e] = noise_burst(n, rate, rng, lvl, pink)
        elif name == "val_a":
            v = guitar_phrase(n / rate, rate, seed=10_000 + seed, style="mixed", level_db=-4.0)
            x[s:e] = _fade(v[:n].astype(np.float64), rate, 0.005)
        elif name == "train_di":
            x[s:e] = _train_di(n, rate, seed)
        elif name == "test":
            half = n // 2
            g = guitar_phrase(half / rate, rate, seed=20_000 + seed, style="mixed", level_db=-4.0)
            b = bass_phrase((n - half) / rate, rate, seed=30_000 + seed, level_db=-5.0)
            x[s : s + half] = _fade(g[:half].astype(np.float64), rate, 0.005)
            x[s + half : e] = _fade(b[: n - half].astype(np.float64), rate, 0.005)
    a0, a1 = seg["val_a"]
    b0, b1 = seg["val_b"]
    x[b0:b1] = x[a0:a1]
    out = x.astype(np.float32)
    out.flags.writeable = False
    return out, layout


def capture_signal(rate: int = 48000, duration_s: float = 180.0, seed: int = 0) -> tuple[np.ndarray, CaptureLayout]:
    """The standard capture input (float32 mono) and its `CaptureLayout`; see the module docstring.

    Deterministic for (rate, duration_s, seed); the last few results are cached in memory.
    """
    x, layout = _capture_cached(int(rate), float(duration_s), int(seed))
    return x.copy(), CaptureLayout.from_dict(layout.to_dict())
