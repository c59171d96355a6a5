"""C code generation: a bundle's model as plain C99 plus the edgefx kernels it uses.

    summary = export_c(bundle)          # writes bundle/c/, records artifacts.c in the manifest

The generated folder builds on its own (see its Makefile); `edgefx.engines.c_engine` runs it on
the host through cffi. Layout and API: DESIGN.md, "Real-time C API".
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..antialias.metrics import esr
from ..bundle import Bundle
from ..errors import BundleError, CodegenError
from ..interop import max_abs_error, torch_reference
from ..signals.guitar import guitar_phrase
from ..toolchains import REQUIRED_FLAGS, get_toolchain
from .activations import manifest_figures
from .build import build_shared, host_simd_flags
from .generate import GeneratedC, generate
from .hostlib import HostModel

__all__ = ["GeneratedC", "HostModel", "export_c", "generate", "generate_for_bundle", "host_model"]

ESR_SECONDS = 10.0


def generate_for_bundle(bundle: Bundle, out_dir: str | Path, *, fast_math_variants: bool = True) -> GeneratedC:
    """Generate the bundle's C into ``out_dir`` without touching the bundle."""
    model = bundle.load_model()
    return generate(model, bundle.name, bundle.sample_rate, out_dir, fast_math_variants=fast_math_variants)


def host_model(gen: GeneratedC, *, fast: bool = False, march_native: bool = False, avx2: bool | None = None,
               cache_dir=None) -> HostModel:
    """Build ``gen`` for the host (cached) and load it.

    ``avx2``: None (default) adds -mavx2 -mfma when the CPU has them (`host_simd_flags`;
    bit-identical to the SSE2 build), False forces the baseline build. The model's ``flags`` records the extra flags.
    """
    if fast and not gen.fast:
        raise CodegenError(f"{gen.directory}: generated without the fast-math variant")
    extra = () if march_native else host_simd_flags(avx2)
    lib = build_shared(gen.directory, gen.sources, name=gen.prefix, march_native=march_native,
                       extra_flags=extra, cache_dir=cache_dir)
    model = HostModel(lib, gen.prefix, fast=fast)
    model.flags = [*(("-march=native",) if march_native else ()), *extra]
    return model


def export_c(bundle: Bundle, *, fast_math_variants: bool = True, measure: bool = True) -> dict[str, Any]:
    """Write ``bundle/c/`` and record it under ``artifacts.c``; returns that record.

    With ``measure`` the host build is checked (state size) and used for the fast-vs-exact ESR
    on 10 s of guitar-like audio, and the Cortex-M7 build gives the flash size.
    """
    t0 = time.perf_counter()
    model = bundle.load_model()
    with tempfile.TemporaryDirectory(prefix="edgefx-c-") as tmp:
        gen = generate(model, bundle.name, bundle.sample_rate, Path(tmp) / "c", fast_math_variants=fast_math_variants)
        record: dict[str, Any] = {
            "prefix": gen.prefix,
            "arch": gen.arch,
            "header": f"c/{gen.header}",
            "entry_points": gen.entry_points,
            "sources": [f"c/{s}" for s in gen.sources],
            "files": [f"c/{f}" for f in gen.files],
            "state_bytes": gen.state_bytes,
            "weight_bytes": gen.weight_bytes,
            "macs_per_sample": gen.macs_per_sample,
            "activations": manifest_figures(),
            "compiler_flags": {
                "required": list(REQUIRED_FLAGS),
                "host": list(get_toolchain("host").flags) + ["-fPIC", "-shared", *host_simd_flags()],
                "cortex-m7": list(get_toolchain("cortex-m7").flags),
                "aarch64": list(get_toolchain("aarch64").flags),
                "note": "-ffp-contract=off on every target: only the source's explicit fused multiply-adds "
                        "fuse (fmaf semantics, one instruction on Cortex-M7, AArch64 and x86 with -mfma), "
                        "so boards match the host bit for bit",
            },
        }
        if measure:
            record.update(_measure(gen, model, bundle.sample_rate))
        # all checks passed: replace the bundle's c/ files
        bundle.remove_files("c/")
        for rel in gen.files:
            bundle.add_file(f"c/{rel}", (gen.directory / rel).read_bytes(), kind="c")
    record["generated_seconds"] = round(time.perf_counter() - t0, 2)
    bundle.update("artifacts", {"c": record})
    return record


def _measure(gen: GeneratedC, model, rate: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    exact = host_model(gen)
    if exact.state_bytes != gen.state_bytes:
        raise CodegenError(
            f"{gen.prefix}: compiled sizeof(state) = {exact.state_bytes} but the generator computed {gen.state_bytes}"
        )
    x = guitar_phrase(ESR_SECONDS, rate, seed=1)
    y_exact = exact.process(x)
    if not np.isfinite(y_exact).all():
        raise CodegenError(f"{gen.prefix}: the C model produced non-finite output on test audio")
    n_torch = min(len(x), rate)  # one second against PyTorch
    y_torch = torch_reference(model, x[:n_torch])
    out["exact_vs_torch"] = {"seconds": n_torch / rate, "max_abs_err": max_abs_error(y_torch, y_exact[:n_torch])}
    if gen.fast:
        y_fast = host_model(gen, fast=True).process(x)
        out["fast_math_esr_vs_exact"] = float(esr(y_fast, y_exact))
        out["fast_math_max_abs_vs_exact"] = max_abs_error(y_exact, y_fast)
        out["fast_math_esr_signal"] = f"{ESR_SECONDS:g} s guitar-like audio at {rate} Hz"
    sizes = _flash(gen)
    out["flash_bytes"] = sizes.pop("flash_bytes")
    out["flash"] = sizes
    return out


def _flash(gen: GeneratedC) -> dict[str, Any]:
    from .sizes import cortex_m7_sizes

    try:
        return cortex_m7_sizes(gen.directory, gen.sources)
    except CodegenError:
        raise
    except OSError as exc:  # pragma: no cover - toolchain vanished mid-run
        raise BundleError(f"cannot measure flash size: {exc}") from None
