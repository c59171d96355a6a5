"""Signal-level anti-aliasing tools: band-limiting of distorted tones, NMR, metrics, pre-emphasis.

See ``specs/antialiasing.md`` (shared specs) for the method; each module documents its formulas.

The package re-exports the functions `bandlimit` and `nmr`, which share their modules' names: so
``edgefx.antialias.nmr`` is the *function*. Reach module-level helpers with
``from edgefx.antialias.nmr import nmr_constants`` (works), not ``import edgefx.antialias.nmr as m``.
"""

from .bandlimit import BandlimitResult, bandlimit
from .filters import LowpassPreemphasis, lowpass_preemphasis
from .metrics import aliasing_metrics, esr, mrstft_distance
from .nmr import nmr, nmr_db

__all__ = [
    "BandlimitResult",
    "LowpassPreemphasis",
    "aliasing_metrics",
    "bandlimit",
    "esr",
    "lowpass_preemphasis",
    "mrstft_distance",
    "nmr",
    "nmr_db",
]
