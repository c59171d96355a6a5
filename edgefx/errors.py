"""User-facing errors.

Every problem a user can cause (a bad file, an unknown name, a wrong setting) is raised as an
`EdgefxError` subclass with a message naming the file or thing and the problem. The CLI prints
the message and exits non-zero instead of showing a traceback.
"""

from __future__ import annotations


class EdgefxError(Exception):
    """Base class of errors whose message is meant for the user."""

    exit_code = 2


class AudioFileError(EdgefxError):
    """A WAV file is unreadable, empty, non-finite, or of the wrong rate or channel count."""


class CaptureError(EdgefxError):
    """A capture pair cannot be used: misaligned, ambiguous, mismatched or clipped."""


class BundleError(EdgefxError):
    """A model bundle is missing, corrupted, or does not match its manifest."""


class ConfigError(EdgefxError):
    """An unknown pedal, knob, architecture, preset, engine or format, or an out-of-range setting."""


class SignalError(EdgefxError):
    """A requested test signal cannot be made (e.g. a tone at or above Nyquist, or too short)."""


class CodegenError(EdgefxError):
    """Code generation or compilation failed; the message carries the compiler diagnostics."""
