"""What every reference pedal shares: knobs, input checks, and the oversampled render.

A pedal is three parts:

* ``pre(x, rate)``: the linear input network (coupling cap, gain stage EQ, drive gain), run at
  the audio rate with `scipy.signal.lfilter` because a linear filter does not alias;
* the nonlinear core (`CoreParams`), run in C at ``oversample`` times the audio rate between the
  band-limited interpolator and decimator of `resample`;
* ``post(y, rate)``: the linear output network (tone control, output coupling cap), again at the
  audio rate, followed by the level knob as a plain gain.

Each ``process`` call starts from the circuit's rest state, and the same input gives the same
bits (no threads, no randomness, no fused multiply-adds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy import signal

from ..errors import ConfigError
from . import _native
from .resample import resampler

MIN_RATE = 16_000
MAX_RATE = 192_000
VT = 0.025852  # thermal voltage at 300 K, volts


@dataclass(frozen=True)
class Knob:
    """One knob: a float in [min, max] with a default and a one-line help text."""

    name: str
    default: float
    help: str
    min: float = 0.0
    max: float = 1.0

    def describe(self) -> dict:
        return {"default": self.default, "min": self.min, "max": self.max, "help": self.help}


BOOST_DB = 20.0  # full boost; with the doubled factor a full-scale 5 kHz stays below -90 dB (tests/test_pedals.py)


# A clean booster in front of the pedal (off by default): players stack one before a distortion for
# high gain, and it makes the pedal clip hard even on quiet notes. Every built-in pedal lists it.
BOOST_KNOB = Knob("boost", 0.0, f"clean boost in front of the pedal, 0..{BOOST_DB:g} dB (0 = none; doubles the "
                  "default oversampling, as the harder clipping needs it)")


@dataclass(frozen=True)
class CoreParams:
    """Physical constants of the C core (see ``csrc/pedals.c`` for the equations).

    Diode clipper: a series resistor ``r`` into capacitor ``c`` to ground, shunted by a
    positive-going diode (saturation current ``isp``, ideality ``np_``) and a negative-going
    one (``isn``, ``nn``); ``nseries_*`` diodes in series act as one with n times the ideality.
    """

    r: float
    c: float
    isp: float = 2.52e-9  # 1N4148-like silicon
    np_: float = 1.752
    isn: float = 2.52e-9
    nn: float = 1.752
    rail: float = 0.0  # op-amp output swing before the clipper, volts (0: no rail stage)
    bias: float = 0.0  # static bias added to the clipper input, volts
    bias_per_env: float = 0.0  # bias shift per volt of signal envelope
    attack_s: float = 0.002  # envelope attack time constant
    release_s: float = 0.1  # envelope release time constant
    max_step: float = 0.1  # Newton step clamp, volts

    def pack(self, rate_os: float) -> np.ndarray:
        """The parameter vector of ``ef_render`` for an oversampled rate."""
        h = 1.0 / rate_os
        return np.array(
            [
                self.rail,
                -np.expm1(-h / self.attack_s),
                -np.expm1(-h / self.release_s),
                self.bias,
                self.bias_per_env,
                h / (2.0 * self.r * self.c),
                h * self.isp / (2.0 * self.c),
                self.np_ * VT,
                h * self.isn / (2.0 * self.c),
                self.nn * VT,
                self.max_step,
            ],
            dtype=np.float64,
        )


def run_core(u: np.ndarray, params: CoreParams, rate: int, oversample: int) -> np.ndarray:
    """Run the nonlinear core on audio-rate ``u`` at ``oversample`` x; float64, latency removed."""
    rs = resampler(oversample)
    lib, ffi = _native.lib(), _native.ffi()
    n = len(u)
    # Feed `delay` zeros after the signal so the tail comes out, then drop the leading latency.
    x = np.zeros(n + rs.delay, dtype=np.float64)
    x[:n] = u
    y = np.empty_like(x)
    p = params.pack(float(rate) * oversample)
    taps = np.array(rs.taps if rs.taps else [0], dtype=np.intc)
    coef = rs.coef if len(rs.coef) else np.zeros(1)
    rc = lib.ef_render(
        ffi.cast("const double *", ffi.from_buffer(p)),
        len(rs.taps),
        ffi.cast("const int *", ffi.from_buffer(taps)),
        ffi.cast("const double *", ffi.from_buffer(coef)),
        ffi.cast("const double *", ffi.from_buffer(x)),
        ffi.cast("double *", ffi.from_buffer(y)),
        len(x),
    )
    if rc == -1:
        raise MemoryError("pedal core: out of memory")
    if rc != 0:
        raise RuntimeError(f"pedal core rejected its arguments (code {rc})")
    return y[rs.delay :]


def one_pole(kind: str, fc: float, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """First-order RC low- or high-pass (bilinear, pre-warped at fc), as (b, a)."""
    fc = min(fc, 0.45 * rate)
    wc = 2.0 * rate * np.tan(np.pi * fc / rate)
    if kind == "low":
        num, den = [wc], [1.0, wc]
    else:
        num, den = [1.0, 0.0], [1.0, wc]
    return signal.bilinear(num, den, rate)


def apply(ba: tuple[np.ndarray, np.ndarray], x: np.ndarray) -> np.ndarray:
    return signal.lfilter(ba[0], ba[1], x)


class Pedal:
    """Base class: subclasses set the class attributes and implement pre / core / post."""

    name: ClassVar[str]
    description: ClassVar[str]
    knobs: ClassVar[tuple[Knob, ...]]
    default_oversample: ClassVar[int] = 8
    level_gain: ClassVar[float] = 2.0  # output gain at level = 1

    def __init__(self, oversample: int | None = None, **knobs: float) -> None:
        valid = {k.name: k for k in self.knobs}
        self.settings: dict[str, float] = {k.name: k.default for k in self.knobs}
        for key, value in knobs.items():
            if key not in valid:
                raise ConfigError(f"pedal {self.name!r}: unknown knob {key!r}; valid knobs: {', '.join(valid)}")
            knob = valid[key]
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise ConfigError(f"pedal {self.name!r}: knob {key}={value!r} is not a number") from None
            if not (knob.min <= v <= knob.max):  # also rejects NaN
                raise ConfigError(f"pedal {self.name!r}: knob {key}={value!r} is out of range [{knob.min}, {knob.max}]")
            self.settings[key] = v
        default = self.default_oversample * (2 if self.settings.get("boost", 0.0) > 0 else 1)
        factor = default if oversample is None else oversample
        try:
            ok = not isinstance(factor, bool) and float(factor).is_integer()
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ConfigError(f"oversample={oversample!r}: must be a whole power of two")
        self.oversample = int(factor)
        resampler(self.oversample)  # validates the factor

    @classmethod
    def describe(cls) -> dict:
        return {
            "name": cls.name,
            "description": cls.description,
            "knobs": {k.name: k.describe() for k in cls.knobs},
            "oversample": cls.default_oversample,
        }

    def __repr__(self) -> str:
        knobs = ", ".join(f"{k}={v:g}" for k, v in self.settings.items())
        return f"<pedal {self.name} {knobs} oversample={self.oversample}>"

    # -- the circuit, per subclass ---------------------------------------------------------
    def pre(self, x: np.ndarray, rate: int) -> np.ndarray:
        raise NotImplementedError

    def core(self) -> CoreParams:
        raise NotImplementedError

    def post(self, y: np.ndarray, rate: int) -> np.ndarray:
        raise NotImplementedError

    # -- rendering --------------------------------------------------------------------------
    def process(self, x: np.ndarray, rate: int) -> np.ndarray:
        """Run mono audio ``x`` (float, nominally within [-1, 1]) at ``rate``; float32, same length."""
        x = np.asarray(x)
        if x.ndim != 1:
            raise ConfigError(f"pedal {self.name!r}: expected mono 1-D audio, got shape {x.shape}")
        if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
            raise ConfigError(f"pedal {self.name!r}: expected real audio samples, got {x.dtype}")
        if isinstance(rate, bool) or int(rate) != rate or not (MIN_RATE <= int(rate) <= MAX_RATE):
            raise ConfigError(
                f"pedal {self.name!r}: sample rate {rate!r} not supported "
                f"(use a whole number of Hz from {MIN_RATE} to {MAX_RATE})"
            )
        rate = int(rate)
        xd = x.astype(np.float64)
        if not np.all(np.isfinite(xd)):
            raise ConfigError(f"pedal {self.name!r}: the input holds NaN or Inf samples")
        if len(xd) == 0:
            return np.zeros(0, dtype=np.float32)
        boost = self.settings.get("boost", 0.0)
        if boost:  # skipped at 0, so an unboosted render keeps its exact bits
            xd = xd * 10.0 ** (BOOST_DB * boost / 20.0)
        u = self.pre(xd, rate)
        v = run_core(u, self.core(), rate, self.oversample)
        y = self.post(v, rate) * (self.level_gain * self.settings["level"])
        return y.astype(np.float32)
