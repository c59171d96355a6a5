"""Host builds of generated C: a shared library per (sources, flags, compiler), cached.

The cache lives in ``$EDGEFX_CACHE`` or ``~/.cache/edgefx/build``, one folder per content hash.
A library is written to a temporary name and renamed into place, so parallel processes
(pytest-xdist workers) building the same thing never see a half-written file.
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..toolchains import get_toolchain

PIC_FLAGS = ("-fPIC", "-shared")

# x86 hosts with AVX2 and FMA3: 8-wide vectors and one-instruction fused multiply-adds where the
# source asks for them (-ffp-contract=off stays, so the compiler fuses nothing else). The kernels
# vectorise across independent outputs, so the bits equal the SSE2 and plain C builds
# (tests/test_c_equivalence.py proves it on every test model before this is the default). Without
# -mfma an x86 build calls the C library's fmaf for each fused operation: same bits, much slower.
AVX2_FLAGS: tuple[str, ...] = ("-mavx2", "-mfma")
_avx2_cache: list[bool] = []


def cpu_supports_avx2() -> bool:
    """True on an x86-64 CPU whose /proc/cpuinfo flags list avx2 and fma (False elsewhere or when
    unreadable)."""
    if not _avx2_cache:
        ok = False
        if platform.machine().lower() in ("x86_64", "amd64"):
            try:
                for line in Path("/proc/cpuinfo").read_text().splitlines():
                    if line.startswith("flags"):
                        ok = {"avx2", "fma"} <= set(line.split(":", 1)[1].split())
                        break
            except OSError:
                ok = False
        _avx2_cache.append(ok)
    return _avx2_cache[0]


def host_simd_flags(avx2: bool | None = None) -> tuple[str, ...]:
    """Extra flags of the host engine's build: ``AVX2_FLAGS`` (AVX2 + FMA3) when ``avx2`` (default:
    when the CPU supports both and ``EDGEFX_NO_AVX2`` is unset), else none (SSE2, the x86-64
    baseline; the fused multiply-adds are then fmaf calls)."""
    if avx2 is None:
        avx2 = cpu_supports_avx2() and not os.environ.get("EDGEFX_NO_AVX2")
    return AVX2_FLAGS if avx2 else ()


def cache_root(cache_dir: str | Path | None = None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get("EDGEFX_CACHE")
    return Path(env) / "build" if env else Path.home() / ".cache" / "edgefx" / "build"


def _digest(c_dir: Path, sources: Sequence[str], flags: Sequence[str], compiler: str) -> str:
    h = hashlib.sha256()
    h.update(compiler.encode())
    h.update("\0".join(flags).encode())
    h.update("\0".join(sources).encode())
    for f in sorted(p for p in c_dir.rglob("*") if p.suffix in (".c", ".h") and p.is_file()):
        h.update(str(f.relative_to(c_dir)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:24]


def build_shared(
    c_dir: str | Path,
    sources: Sequence[str],
    *,
    name: str = "model",
    march_native: bool = False,
    extra_flags: Sequence[str] = (),
    cache_dir: str | Path | None = None,
) -> Path:
    """Compile ``sources`` (relative to ``c_dir``) into a cached shared library; return its path.

    Flags: the host toolchain's (-O3, -std=c99, -ffp-contract=off) plus -fPIC -shared;
    ``march_native`` adds -march=native (faster, still no FMA contraction beyond the source's
    explicit fused multiply-adds, but then the library is only for this machine). A compiler
    failure raises `CodegenError` with the diagnostics.
    """
    tc = get_toolchain("host")
    c_dir = Path(c_dir).resolve()
    flags = (*tc.flags, *PIC_FLAGS, *(("-march=native",) if march_native else ()), *extra_flags)
    key = _digest(c_dir, sources, flags, tc.version())
    out_dir = cache_root(cache_dir) / key
    lib = out_dir / f"lib{name}.so"
    if lib.is_file():
        return lib
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".lib{name}.", suffix=".so")
    os.close(fd)
    try:
        tc.compile(
            [c_dir / s for s in sources],
            tmp,
            cwd=c_dir,
            extra_flags=(*PIC_FLAGS, *(("-march=native",) if march_native else ()), *extra_flags),
            libs=("-lm",),  # fmaf, where the target has no fused multiply-add instruction
        )
        os.replace(tmp, lib)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return lib
