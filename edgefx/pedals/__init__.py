"""Built-in reference pedals: analog-style effects rendered alias-free.

They stand in for a real pedal when none is at hand and are the embedded default for training.
Each is a circuit model (see the module docstrings for the equations) whose nonlinear part runs
in C at 8-16x the audio rate between long Kaiser polyphase resamplers (>= 130 dB stop-band), so
44.1/48 kHz renders are free of aliasing to well below -90 dB.

    >>> from edgefx.pedals import get_pedal, render
    >>> y = get_pedal("overdrive", drive=0.7).process(x, 48000)
    >>> y = render("fuzz", x, 44100, {"tone": 0.3}, oversample=32)   # heavier reference mode
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import ConfigError
from .base import Knob, Pedal
from .distortion import Distortion
from .fuzz import Fuzz
from .overdrive import Overdrive

PEDALS: dict[str, type[Pedal]] = {cls.name: cls for cls in (Overdrive, Fuzz, Distortion)}

__all__ = ["PEDALS", "Knob", "Pedal", "get_pedal", "list_pedals", "render"]


def list_pedals() -> list[dict]:
    """Every pedal as ``{"name", "description", "knobs": {knob: {default, min, max, help}}, "oversample"}``."""
    return [cls.describe() for cls in PEDALS.values()]


def get_pedal(name: str, oversample: int | None = None, **knobs: float) -> Pedal:
    """A pedal by name with knob settings; unknown names/knobs and bad values raise `ConfigError`."""
    cls = PEDALS.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ConfigError(f"unknown pedal {name!r}; available pedals: {', '.join(PEDALS)}")
    return cls(oversample=oversample, **knobs)


def render(
    name: str,
    x: np.ndarray,
    rate: int,
    knobs: Mapping[str, float] | None = None,
    oversample: int | None = None,
) -> np.ndarray:
    """Run mono ``x`` through pedal ``name``; float32, same length. ``oversample`` overrides the
    pedal's default factor (a power of two up to 128; e.g. 32 for an alias-free reference)."""
    return get_pedal(name, oversample=oversample, **dict(knobs or {})).process(x, rate)
