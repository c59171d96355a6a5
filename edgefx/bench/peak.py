"""Peak single-core float32 multiply-add rate, measured with a small C kernel (`peak_fma.c`).

    peak = measure_peak(PORTABLE_FLAGS)      # what the generated C's own flags can reach
    peak.macs_per_s, peak.gflops             # a MAC counts as 2 flops (one multiply, one add)

The kernel is compiled with gcc into ``$EDGEFX_CACHE/bench/<hash>/`` (default
``~/.cache/edgefx/bench/<hash>/``; the hash covers the source, the flags, the compiler and, for
``-march=native``, the CPU) and loaded with cffi in ABI mode (``ffi.dlopen``). Builds go to a
private temporary file published by an atomic rename, so concurrent runs never load half a file.

Two kernels run (register-only multiply-add chains, and dot products over L1-resident vectors);
the peak is the faster of the two, each timed for at least ``min_seconds`` and taken as the
median of ``repeats``.
"""

from __future__ import annotations

import hashlib
import os
import platform
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cffi

from ..errors import CodegenError

SOURCE = Path(__file__).with_name("peak_fma.c")

# The generated C is built portable (no -march) and without contraction (bit-reproducible), so
# the MAC floor of a C row is computed against these flags unless its engine says otherwise.
PORTABLE_FLAGS: tuple[str, ...] = ("-O3", "-ffp-contract=off")
# For context: what this CPU can do with its full vector width and fused multiply-add.
NATIVE_FLAGS: tuple[str, ...] = ("-O3", "-march=native")
_BUILD_FLAGS = ("-std=gnu99", "-fPIC", "-shared", "-Wall", "-Wextra")

CDEF = """
int ef_peak_lanes(void);
int ef_peak_vector_bytes(void);
double ef_peak_chain(long iters, float a, float b, double *macs);
double ef_peak_dot(long iters, double *macs);
"""

_ffi = cffi.FFI()
_ffi.cdef(CDEF)
_libs: dict[tuple[str, ...], Any] = {}
_lock = threading.Lock()


@dataclass
class PeakResult:
    """A measured peak: multiply-adds per second on one core with ``flags``."""

    flags: list[str]
    macs_per_s: float
    kernel: str  # which kernel reached the peak ("chain" or "dot")
    vector_bytes: int
    kernels: dict[str, float] = field(default_factory=dict)  # kernel -> median MACs/s
    samples: dict[str, list[float]] = field(default_factory=dict)  # kernel -> each repeat's MACs/s

    @property
    def gflops(self) -> float:
        """GFLOP/s counting one multiply-add as two flops."""
        return 2.0 * self.macs_per_s / 1e9

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["gflops"] = self.gflops
        d["gmacs_per_s"] = self.macs_per_s / 1e9
        d["flop_convention"] = "1 MAC = 2 flops"
        return d


def cache_dir() -> Path:
    """Root of the benchmark build cache: ``$EDGEFX_CACHE`` or ``~/.cache/edgefx``, plus ``bench``."""
    root = os.environ.get("EDGEFX_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "edgefx") / "bench"


def _compiler_id() -> str:
    try:
        return subprocess.run(["gcc", "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CodegenError(f"gcc is needed for the peak-rate kernel but could not be run: {exc}") from None


def _cpu_id() -> str:
    """The CPU model, so a -march=native build is never reused on another machine's cache."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "flags", "Features")):
                return line
    except OSError:
        pass
    return platform.processor() or platform.machine()


def library_path(flags: tuple[str, ...] | list[str]) -> Path:
    """Path of the kernel built with ``flags``, compiling it first if needed."""
    flags = tuple(flags)
    key = SOURCE.read_bytes() + " ".join(flags + _BUILD_FLAGS).encode() + _compiler_id().encode()
    if any(f.startswith(("-march=native", "-mcpu=native", "-mtune=native")) for f in flags):
        key += _cpu_id().encode()
    target = cache_dir() / hashlib.sha256(key).hexdigest()[:16] / "libedgefx_peak.so"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".build-", suffix=".so", dir=target.parent)
    os.close(fd)
    try:
        cmd = ["gcc", *flags, *_BUILD_FLAGS, "-o", tmp, str(SOURCE)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CodegenError(f"could not run gcc for the peak-rate kernel: {exc}") from None
        if proc.returncode != 0:
            raise CodegenError(f"gcc failed building {SOURCE} (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
        os.replace(tmp, target)  # atomic publish
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def load(flags: tuple[str, ...] | list[str]) -> Any:
    """The cffi library object for the kernel built with ``flags`` (cached per process)."""
    flags = tuple(flags)
    with _lock:
        if flags not in _libs:
            _libs[flags] = _ffi.dlopen(str(library_path(flags)))
        return _libs[flags]


def _timed(run, iters: int) -> tuple[float, float]:
    """(seconds, MACs) of one kernel call."""
    macs = _ffi.new("double *")
    t0 = time.perf_counter()
    run(iters, macs)
    dt = time.perf_counter() - t0
    return dt, float(macs[0])


def _calibrate(run, min_seconds: float) -> int:
    """Iterations for one call to last at least ``min_seconds`` (doubling, then scaling up)."""
    iters = 1024
    while True:
        dt, _ = _timed(run, iters)
        if dt >= min_seconds:
            return iters
        if dt > min_seconds / 20:
            return int(iters * min_seconds / dt * 1.1) + 1
        iters *= 4


def measure_peak(
    flags: tuple[str, ...] | list[str] = PORTABLE_FLAGS, min_seconds: float = 0.2, repeats: int = 5
) -> PeakResult:
    """Median multiply-add rate of each kernel built with ``flags``; the peak is the faster one."""
    lib = load(flags)
    kernels = {
        "chain": lambda iters, macs: lib.ef_peak_chain(iters, 0.999, 1e-3, macs),
        "dot": lambda iters, macs: lib.ef_peak_dot(iters, macs),
    }
    medians: dict[str, float] = {}
    samples: dict[str, list[float]] = {}
    for name, run in kernels.items():
        iters = _calibrate(run, min_seconds)
        rates = []
        for _ in range(max(1, repeats)):
            dt, macs = _timed(run, iters)
            rates.append(macs / dt)
        samples[name] = rates
        medians[name] = statistics.median(rates)
    best = max(medians, key=medians.__getitem__)
    return PeakResult(
        flags=list(flags),
        macs_per_s=medians[best],
        kernel=best,
        vector_bytes=int(lib.ef_peak_vector_bytes()),
        kernels=medians,
        samples=samples,
    )


def perf_flags(flags: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The flags of a compile line that change generated arithmetic code (-O, -m, -f...math/contract).

    Used to build the peak kernel the same way an engine builds its C, without its warnings,
    include paths or output options.
    """
    keep = []
    for f in flags:
        if f.startswith("-O") or f.startswith("-m") or f.startswith(("-ffp-contract", "-ffast-math")):
            keep.append(f)
        elif f.startswith("-f") and ("math" in f or f.startswith(("-funroll", "-ftree-vectorize", "-fno-tree"))):
            keep.append(f)
    return tuple(keep)


class PeakSampler:
    """Short peak measurements to interleave with other timings (same load, same moment).

    On a shared machine the rate one core delivers drifts with other processes' load; a floor
    taken from a peak measured minutes apart would mix that drift into the ratio. The benchmark
    calls `sample` once per repeat, round-robin with the engines, and uses the median.
    """

    def __init__(self, flags: tuple[str, ...] | list[str] = PORTABLE_FLAGS, min_seconds: float = 0.1) -> None:
        lib = load(flags)
        self.flags = list(flags)
        self._kernels = {
            "chain": lambda iters, macs: lib.ef_peak_chain(iters, 0.999, 1e-3, macs),
            "dot": lambda iters, macs: lib.ef_peak_dot(iters, macs),
        }
        self._iters = {name: _calibrate(run, min_seconds) for name, run in self._kernels.items()}
        self.samples: list[float] = []

    def sample(self) -> float:
        """One measurement: the faster kernel's MACs/s; also appended to ``samples``."""
        rates = []
        for name, run in self._kernels.items():
            dt, macs = _timed(run, self._iters[name])
            rates.append(macs / dt)
        self.samples.append(max(rates))
        return self.samples[-1]

    def median(self) -> float:
        return statistics.median(self.samples)
