"""Distortion: op-amp gain stage, rail saturation and hard-ish diode clipping, Big-Muff tone.

Circuit (input volts = sample value), after the RAT / Big Muff family:

    x --[HPF 60 Hz]--[op-amp gain G(drive), GBW-limited low-pass]-- u
    u --> Vr tanh(u / Vr)   (op-amp output swing, Vr = 4.5 V on a 9 V supply)
      --R 1k--+-- v --[tone stack]--[level]--> y
              |
       C || 1N914 || 1N914 (anti-parallel)
              |
             GND

    C dv/dt = (Vr tanh(u/Vr) - v)/R - 2 Is sinh(v / (n Vt))

With a 1 kOhm series resistor the diodes clip much harder than the overdrive's. The tone stack
is the Big Muff's passive blend of a low-pass and a high-pass,

    H(s) = (1 - t) wl / (s + wl) + t s / (s + wh),      wl = 2 pi 500 Hz, wh = 2 pi 1.3 kHz,

a mid-scooped curve that tilts from dark (t = 0) to bright (t = 1); it is linear, so it runs
at the audio rate after decimation (bilinear transform).
"""

from __future__ import annotations

import numpy as np
from scipy import signal

from .base import BOOST_KNOB, CoreParams, Knob, Pedal, apply, one_pole


def muff_tone(t: float, rate: int, fl: float = 500.0, fh: float = 1300.0) -> tuple[np.ndarray, np.ndarray]:
    """Big-Muff tone stack as a digital (b, a): blend t of a high-pass with (1 - t) of a low-pass."""
    wl = 2.0 * rate * np.tan(np.pi * fl / rate)
    wh = 2.0 * rate * np.tan(np.pi * fh / rate)
    # (1-t) wl (s + wh) + t s (s + wl)  over  (s + wl)(s + wh)
    num = np.polyadd(np.polymul([(1.0 - t) * wl], [1.0, wh]), np.polymul([t, 0.0], [1.0, wl]))
    den = np.polymul([1.0, wl], [1.0, wh])
    return signal.bilinear(num, den, rate)


class Distortion(Pedal):
    name = "distortion"
    description = "distortion: op-amp gain into hard 1N914 clipping, Big-Muff tone stack"
    knobs = (
        Knob("drive", 0.5, "op-amp gain, 6..46 dB (bandwidth shrinks as gain grows)"),
        Knob("tone", 0.5, "Big-Muff tone: 0 dark (low-pass) .. 1 bright (high-pass)"),
        Knob("level", 0.5, "output gain (plain multiplier)"),
        BOOST_KNOB,
    )
    default_oversample = 16  # 8x leaves aliases near -72 dB; 16x about -100 dB
    level_gain = 3.0  # the tone stack's mid scoop costs about 8 dB

    GAIN_DB = (6.0, 46.0)
    GBW = 80e3  # op-amp gain-bandwidth as seen in the circuit, Hz

    def gain(self) -> float:
        lo, hi = self.GAIN_DB
        return 10.0 ** ((lo + (hi - lo) * self.settings["drive"]) / 20.0)

    def pre(self, x: np.ndarray, rate: int) -> np.ndarray:
        g = self.gain()
        u = apply(one_pole("high", 60.0, rate), x)
        u = apply(one_pole("low", self.GBW / g, rate), u)
        return g * u

    def core(self) -> CoreParams:
        return CoreParams(r=1e3, c=22e-9, rail=4.5)

    def post(self, y: np.ndarray, rate: int) -> np.ndarray:
        return apply(muff_tone(self.settings["tone"], rate), y)
