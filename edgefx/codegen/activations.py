"""Measured errors of the runtime's activations (firmware/runtime/edgefx_activations.h).

The figures below were measured with `measure()` on `grid()` (every 300th float32 bit pattern
over the whole finite range, both signs, plus +-inf, plus 2 million uniform points on [-10, 10]:
about 16 million arguments) against float64 numpy; tests/test_kernels.py re-measures them.
The activations use only IEEE-exact operations in a fixed order, so the figures hold on every
target built with -ffp-contract=off.
"""

from __future__ import annotations

from typing import Any

import numpy as np

GRID_DESCRIPTION = (
    "every 300th float32 bit pattern over the finite range, both signs, +-inf, "
    "and 2e6 uniform points in [-10, 10]; reference: float64 numpy"
)

# max_ulp: |y - ref| in units of the float32 spacing at ref; max_abs: |y - ref|.
ACTIVATION_ERRORS: dict[str, dict[str, dict[str, float]]] = {
    "exact": {
        "tanh": {"max_ulp": 1.53, "max_abs": 9.1e-08},
        "sigmoid": {"max_ulp": 2.29, "max_abs": 9.0e-08},
    },
    "fast": {
        "tanh": {"max_abs": 1.19e-06},
        "sigmoid": {"max_abs": 6.0e-07},
    },
}

FUNCTIONS = {
    ("exact", "tanh"): "edgefx_tanh_block_f32",
    ("exact", "sigmoid"): "edgefx_sigmoid_block_f32",
    ("fast", "tanh"): "edgefx_tanh_fast_block_f32",
    ("fast", "sigmoid"): "edgefx_sigmoid_fast_block_f32",
}


def grid() -> np.ndarray:
    """The arguments the figures are measured on (float32)."""
    pos = np.arange(0, 0x7F800001, 300, dtype=np.uint32).view(np.float32)
    inf = np.array([np.inf, -np.inf], dtype=np.float32)
    dense = np.linspace(-10, 10, 2_000_001, dtype=np.float32)
    return np.concatenate([pos, -pos, inf, dense])


def reference(kind: str, x: np.ndarray) -> np.ndarray:
    xd = x.astype(np.float64)
    if kind == "tanh":
        return np.tanh(xd)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-xd))


def errors(kind: str, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """max ulp (float32 spacing at the reference, subnormal spacing as the floor) and max abs error."""
    ref = reference(kind, x)
    err = np.abs(y.astype(np.float64) - ref)
    ulp = np.maximum(np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64), 2.0**-149)
    return {"max_ulp": float(np.max(err / ulp)), "max_abs": float(np.max(err))}


def measure(lib: Any, ffi: Any, x: np.ndarray | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """Measure all four functions of a loaded runtime library (see tests/test_kernels.py)."""
    x = grid() if x is None else np.ascontiguousarray(x, dtype=np.float32)
    out: dict[str, dict[str, dict[str, float]]] = {"exact": {}, "fast": {}}
    for (variant, kind), fn in FUNCTIONS.items():
        y = np.empty_like(x)
        getattr(lib, fn)(ffi.from_buffer("float[]", x), ffi.from_buffer("float[]", y, require_writable=True), x.size)
        out[variant][kind] = errors(kind, x, y)
    return out


def manifest_figures() -> dict[str, Any]:
    """What export records under artifacts.c.activations."""
    return {
        "exact": {
            "method": "range-reduced exp (2^k by exponent bits, degree-6 polynomial); tanh: odd polynomial "
            "below 0.625, (1-e)/(1+e) above; sigmoid: 1/(1+e) or e/(1+e), e = exp(-|x|)",
            **ACTIVATION_ERRORS["exact"],
        },
        "fast": {
            "method": "clamped odd rational 7/6 for tanh (minimax on [0, 7], Horner steps as fused "
                      "multiply-adds); sigmoid = 0.5 + 0.5 tanh(x/2); the LSTM cell multiplies the "
                      "rationals' numerators and denominators and divides twice per unit (c and h), the GRU's "
                      "twice (r, then z and n together)",
            **ACTIVATION_ERRORS["fast"],
        },
        "grid": GRID_DESCRIPTION,
        "libm": False,
    }
