"""A generated model compiled for the host, driven through cffi (ABI mode, no copies)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import CodegenError


class HostModel:
    """The C model in a shared library: ``process`` on float32 numpy arrays, state carried."""

    def __init__(self, lib_path: str | Path, prefix: str, *, fast: bool = False) -> None:
        import cffi

        self.prefix = prefix
        self.fast = fast
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

    def process_into(self, x: np.ndarray, y: np.ndarray) -> None:
        """Process ``x`` into the preallocated ``y`` (both float32, contiguous, same length)."""
        self._process(
            self._state, self.ffi.from_buffer("float[]", x), self.ffi.from_buffer("float[]", y, require_writable=True),
            x.size,
        )
