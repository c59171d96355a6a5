"""Interchange formats: the bundle's model as an ONNX graph and as TFLite flatbuffers.

Both exports are streaming graphs with the model's state as explicit inputs and outputs, so a
host runs them block by block exactly like the generated C:

    y, state_out = graph(x, state)            x, y: [1, T]; state: what `model.initial_state(1)` holds

Each export checks itself against PyTorch on a fixed check signal (`check_signal`), run through
the exported graph in blocks of irregular sizes (`check_blocks`) so that carrying the state is
part of what is checked, and records the figures in the bundle manifest under ``artifacts``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from ..models import StreamingModel
from ..threads import torch_threads

CHECK_SECONDS = 1.0
CHECK_SEED = 1234


def check_signal(sample_rate: int, seconds: float = CHECK_SECONDS, seed: int = CHECK_SEED) -> np.ndarray:
    """A deterministic guitar-like test signal: decaying plucked tones, a sweep and a little noise.

    Level changes and silence matter here: a graph that mishandles its state shows up most
    clearly when a loud passage is followed by a quiet one.
    """
    rng = np.random.default_rng(seed)
    n = int(round(seconds * sample_rate))
    t = np.arange(n) / sample_rate
    sweep = 0.3 * np.sin(2 * np.pi * (80 * t + 0.5 * (2000 - 80) * t**2 / max(seconds, 1e-9)))
    plucks = np.zeros(n)
    for start in np.linspace(0, n, 5, endpoint=False).astype(int):
        f0 = rng.uniform(82.0, 660.0)
        tt = t[: n - start]
        plucks[start:] += 0.6 * np.exp(-6.0 * tt) * np.sin(2 * np.pi * f0 * tt)
    x = sweep * (t < 0.5 * seconds) + plucks + 0.01 * rng.standard_normal(n)
    return np.clip(x, -1.0, 1.0).astype(np.float32)


def check_blocks(n: int, seed: int = CHECK_SEED, largest: int = 700) -> list[int]:
    """Irregular block sizes (1 … ``largest``) covering ``n`` samples, reproducibly."""
    rng = np.random.default_rng(seed)
    sizes, total = [], 0
    while total < n:
        size = int(min(rng.integers(1, largest + 1), n - total))
        sizes.append(size)
        total += size
    return sizes


def run_in_blocks(process: Callable[[np.ndarray], np.ndarray], x: np.ndarray, sizes: list[int]) -> np.ndarray:
    """Feed ``x`` to a stateful ``process`` in consecutive blocks of ``sizes`` and join the outputs."""
    out, start = [], 0
    for size in sizes:
        out.append(process(x[start : start + size]))
        start += size
    return np.concatenate(out) if out else np.zeros(0, np.float32)


@torch.no_grad()
def torch_reference(model: StreamingModel, x: np.ndarray) -> np.ndarray:
    """PyTorch's output over the whole of ``x`` in one call, from rest (the reference of every check)."""
    with torch_threads(1):  # see edgefx.threads
        y = model.float().eval().process(torch.from_numpy(np.asarray(x, np.float32)))
    return y.numpy().astype(np.float32)


def max_abs_error(reference: np.ndarray, y: np.ndarray) -> float:
    """Largest absolute sample difference."""
    return float(np.max(np.abs(np.asarray(y, np.float64) - np.asarray(reference, np.float64))))
