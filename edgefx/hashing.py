"""SHA-256 of files and of audio arrays: how bundles and captures identify their data."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_array(x: np.ndarray) -> str:
    """Hash of an array's float32 little-endian bytes (how training data is identified)."""
    return hashlib.sha256(np.ascontiguousarray(np.asarray(x, dtype="<f4")).tobytes()).hexdigest()
