"""A generated model compiled for the host, driven through cffi (ABI mode, no copies)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CodegenError

FIRMWARE_BENCH = Path(__file__).resolve().parents[2] / "firmware" / "bench"
BENCH_CDEF = """
typedef void (*edgefx_bench_process_fn)(void *state, const float *in, float *out, size_t n);
double edgefx_bench_process_blocks(edgefx_bench_process_fn process, void *state, const float *in, float *out,
                                   size_t n, size_t block);
"""
_driver: dict[str, Any] = {}
_driver_lock = threading.Lock()


def bench_driver(cache_dir: str | Path | None = None) -> tuple[Any, Any]:
    """(ffi, lib) of the host-only block-loop driver (firmware/bench/edgefx_bench_driver.c).

    Built once with the host flags (cached like the models) into its own library; it calls a
    model's process function through a pointer, one call per block, and times the loop in C.
    """
    import cffi

    from .build import build_shared

    key = str(cache_dir)
    with _driver_lock:
        if key not in _driver:
            if not (FIRMWARE_BENCH / "edgefx_bench_driver.c").is_file():
                raise CodegenError(f"the bench driver is missing ({FIRMWARE_BENCH}); run from a source checkout")
            lib_path = build_shared(FIRMWARE_BENCH, ["edgefx_bench_driver.c"], name="edgefx_bench",
                                    cache_dir=cache_dir)
            ffi = cffi.FFI()
            ffi.cdef(BENCH_CDEF)
            _driver[key] = (ffi, ffi.dlopen(str(lib_path)))
        return _driver[key]


class HostModel:
    """The C model in a shared library: ``process`` on float32 numpy arrays, state carried."""

    def __init__(self, lib_path: str | Path, prefix: str, *, fast: bool = False) -> None:
        import cffi

        self.prefix = prefix
        self.fast = fast
        self.flags: list[str] = []  # extra build flags (set by `edgefx.codegen.host_model`)
        self.ffi = cffi.FFI()
        decl = [
            f"void {prefix}_init(void *s);",
            f"void {prefix}_reset(void *s);",
            f"void {prefix}_process(void *s, const float *in, float *out, size_t n);",
            f"size_t {prefix}_state_size(void);",
        ]
        if fast:
            decl.append(f"void {prefix}_process_fast(void *s, const float *in, float *out, size_t n);")
        self.ffi.cdef("\n".join(decl))
        try:
            self.lib = self.ffi.dlopen(str(lib_path))
            self._process = getattr(self.lib, f"{prefix}_process_fast" if fast else f"{prefix}_process")
            self._reset = getattr(self.lib, f"{prefix}_reset")
            self.state_bytes = int(getattr(self.lib, f"{prefix}_state_size")())
        except (OSError, AttributeError) as exc:
            raise CodegenError(f"{lib_path}: cannot load the model's entry points ({exc})") from None
        self._state = self.ffi.new("char[]", max(self.state_bytes, 1))  # malloc: 16-byte aligned
        getattr(self.lib, f"{prefix}_init")(self._state)

    def reset(self) -> None:
        self._reset(self._state)

    def process(self, x: np.ndarray) -> np.ndarray:
        """Process a block (any length); the state carries over to the next call."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        if x.ndim != 1:
            raise ValueError(f"expected a 1-D float32 signal, got shape {x.shape}")
        y = np.empty_like(x)
        if x.size:
            self._process(
                self._state,
                self.ffi.from_buffer("float[]", x),
                self.ffi.from_buffer("float[]", y, require_writable=True),
                x.size,
            )
        return y

    def time_blocks(self, x: np.ndarray, block: int, repeats: int = 1) -> list[float]:
        """Seconds of each of ``repeats`` passes of ``x`` through the model in blocks of ``block``,
        the block loop running in C (`bench_driver`); the state is reset before each pass."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        y = np.empty_like(x)
        ffi, lib = bench_driver()
        fn = ffi.cast("edgefx_bench_process_fn", self._process)
        xin = ffi.cast("const float *", ffi.from_buffer("float[]", x))
        yout = ffi.cast("float *", ffi.from_buffer("float[]", y, require_writable=True))
        state = ffi.cast("void *", self._state)
        out = []
        for _ in range(max(1, repeats)):
            self.reset()
            out.append(float(lib.edgefx_bench_process_blocks(fn, state, xin, yout, x.size, max(1, int(block)))))
        return out

    def output_blocks(self, x: np.ndarray, block: int) -> np.ndarray:
        """The output of one reset pass in blocks of ``block`` through the C block loop (for checks)."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        y = np.empty_like(x)
        ffi, lib = bench_driver()
        self.reset()
        lib.edgefx_bench_process_blocks(ffi.cast("edgefx_bench_process_fn", self._process),
                                        ffi.cast("void *", self._state),
                                        ffi.cast("const float *", ffi.from_buffer("float[]", x)),
                                        ffi.cast("float *", ffi.from_buffer("float[]", y, require_writable=True)),
                                        x.size, max(1, int(block)))
        return y
