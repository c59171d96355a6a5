"""C identifiers for generated code: the symbol prefix is derived from the bundle name."""

from __future__ import annotations

import re

# C99 keywords and common reserved words a prefix must not collide with (after "edgefx_" none
# can, but sanitize() is also used for user-chosen names).
_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
    "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
    "_Bool", "_Complex", "_Imaginary",
}
MAX_PREFIX = 48


def sanitize(name: str) -> str:
    """Turn any text into a lowercase C identifier: runs of other characters become ``_``."""
    ident = re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()
    if not ident:
        ident = "model"
    if ident[0].isdigit() or ident in _KEYWORDS:
        ident = "m_" + ident
    return ident


def prefix_for(bundle_name: str) -> str:
    """The symbol prefix of a bundle's generated C, e.g. ``overdrive-lstm16`` -> ``edgefx_overdrive_lstm16``."""
    ident = sanitize(bundle_name)
    if not ident.startswith("edgefx_"):
        ident = "edgefx_" + ident
    if len(ident) > MAX_PREFIX:
        ident = ident[:MAX_PREFIX].rstrip("_")
    return ident
