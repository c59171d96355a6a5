"""The C engines: the bundle's generated C compiled for the host and called through cffi.

    open_engine("c", bundle)        exact activations (matches PyTorch to ~1e-6)
    open_engine("c-fast", bundle)   fast activations

The bundle's ``c/`` folder is used when present (its files are hash-checked by Bundle.load).
Without it the C is generated into a temporary folder, leaving the bundle untouched (run
``edgefx export BUNDLE --format c`` to store it). Builds are cached (see edgefx.codegen.build).
Options: ``march_native=True`` (faster, this machine only), ``avx2`` (None: -mavx2 when the CPU
has it, bit-identical to the SSE2 build; False: SSE2 only), ``cache_dir``. ``engine.flags`` lists
the extra compiler flags used.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from ..bundle import Bundle
from ..codegen import GeneratedC, generate_for_bundle, host_model
from ..errors import BundleError


class CEngine:
    """A generated C model on the host; ``process`` keeps the state across calls."""

    def __init__(self, bundle: Bundle, *, fast: bool = False, march_native: bool = False, avx2: bool | None = None,
                 cache_dir=None) -> None:
        self.name = "c-fast" if fast else "c"
        self.note = ""
        self._tmp: tempfile.TemporaryDirectory | None = None
        gen = _stored(bundle)
        if gen is None or (fast and not gen.fast):
            self._tmp = tempfile.TemporaryDirectory(prefix="edgefx-c-")
            gen = generate_for_bundle(bundle, Path(self._tmp.name) / "c")
            self.note = f"{bundle.path}: no generated C stored; generated a temporary copy (edgefx export --format c)"
        self.generated = gen
        self.model = host_model(gen, fast=fast, march_native=march_native, avx2=avx2, cache_dir=cache_dir)
        self.flags: list[str] = list(self.model.flags)

    def reset(self) -> None:
        self.model.reset()

    def process(self, x: np.ndarray) -> np.ndarray:
        return self.model.process(x)

    def time_blocks(self, x: np.ndarray, block: int, repeats: int = 1) -> list[float]:
        """Seconds per pass of ``x`` in blocks of ``block`` with the block loop in C (benchmarks)."""
        return self.model.time_blocks(x, block, repeats)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def _stored(bundle: Bundle) -> GeneratedC | None:
    """The bundle's recorded c/ generation, or None when there is none."""
    rec = (bundle.manifest.get("artifacts") or {}).get("c")
    if not rec:
        return None
    try:
        c_dir = bundle.path / "c"
        sources = [s.removeprefix("c/") for s in rec["sources"]]
        files = [f.removeprefix("c/") for f in rec["files"]]
        missing = [f for f in files if not (c_dir / f).is_file()]
        if missing:
            raise BundleError(f"{bundle.path}: generated C files missing: {', '.join(missing)} (re-run export)")
        eps = dict(rec["entry_points"])
        return GeneratedC(
            prefix=rec["prefix"],
            directory=c_dir,
            arch=rec.get("arch", ""),
            files=files,
            sources=sources,
            header=rec["header"].removeprefix("c/"),
            state_bytes=int(rec["state_bytes"]),
            weight_bytes=int(rec.get("weight_bytes", 0)),
            macs_per_sample=int(rec.get("macs_per_sample", 0)),
            fast="process_fast" in eps,
            entry_points=eps,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise BundleError(f"{bundle.path}: manifest artifacts.c is malformed ({exc}); re-run export") from None


def open_exact(bundle: Bundle, **options) -> CEngine:
    return CEngine(bundle, fast=False, **options)


def open_fast(bundle: Bundle, **options) -> CEngine:
    return CEngine(bundle, fast=True, **options)
