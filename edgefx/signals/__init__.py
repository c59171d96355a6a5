"""Test and capture signals: synthetic DI guitar/bass phrases and the standard capture input.

`edgefx.signals.guitar` synthesises plucked-string DI phrases; `edgefx.signals.capture` builds
the capture signal users re-amp through their device (blips, sweeps, noise, DI phrases and a
repeated validation segment) with its documented `CaptureLayout`.
"""

from .capture import CaptureLayout, capture_layout, capture_signal
from .guitar import bass_phrase, guitar_phrase

__all__ = ["CaptureLayout", "bass_phrase", "capture_layout", "capture_signal", "guitar_phrase"]
