"""Overdrive: gain stage into the classic RC + anti-parallel diode clipper.

Circuit (input volts = sample value):

    x --[HPF 120 Hz]--[gain G(drive), low-passed at f_p(drive)]-- u --R--+-- v --[tone LPF]--[level]--> y
                                                                         |
                                                            C  ||  D1 (fwd)  ||  D2 (rev)
                                                                         |
                                                                        GND

The clipper obeys   C dv/dt = (u - v)/R - 2 Is sinh(v / (n Vt)),
solved at the oversampled rate by the trapezoidal rule: each step solves the monotonic equation
    v1 + (h/2) (v1/(RC) + (2 Is/C) sinh(v1/(n Vt))) = p
by Newton's method from a linear prediction (clamped steps; see csrc/pedals.c).

The gain stage is a non-inverting op-amp whose feedback capacitor rolls the gain off at
f_p = GBW / G, like a Tube Screamer's 51 pF: more drive, more gain, less treble into the
diodes. Drive spans 0..36 dB; the default (0.5, 18 dB) overdrives a guitar-level signal
moderately, so a small LSTM can still learn it.
"""

from __future__ import annotations

import numpy as np

from .base import BOOST_KNOB, CoreParams, Knob, Pedal, apply, one_pole


class Overdrive(Pedal):
    name = "overdrive"
    description = "diode-clipper overdrive: drive into an RC + anti-parallel 1N4148 clipper, tone low-pass"
    knobs = (
        Knob("drive", 0.5, "pre-gain into the diodes, 0..36 dB"),
        Knob("tone", 0.5, "post low-pass corner, 800 Hz (0) .. 18 kHz (1), log"),
        Knob("level", 0.5, "output gain (plain multiplier, 0.5 = unity-ish)"),
        BOOST_KNOB,
    )
    default_oversample = 16  # 8x leaves max-drive aliases near -70 dB; 16x measures below -110 dB
    level_gain = 2.4  # the clipped swing is about +-0.7 V; level 0.5 maps it to about +-0.85

    GAIN_DB = 36.0
    GBW = 60e3  # effective gain-bandwidth of the drive stage, Hz
    HPF = 120.0

    def gain(self) -> float:
        return 10.0 ** (self.GAIN_DB * self.settings["drive"] / 20.0)

    def pre(self, x: np.ndarray, rate: int) -> np.ndarray:
        g = self.gain()
        u = apply(one_pole("high", self.HPF, rate), x)
        if g > 1.0:
            u = apply(one_pole("low", self.GBW / g, rate), u)
        return g * u

    def core(self) -> CoreParams:
        return CoreParams(r=2.2e3, c=22e-9)  # corner 3.3 kHz: smooth enough to oversample cleanly

    def tone_hz(self) -> float:
        return 800.0 * (18000.0 / 800.0) ** self.settings["tone"]

    def post(self, y: np.ndarray, rate: int) -> np.ndarray:
        return apply(one_pole("low", self.tone_hz(), rate), y)
