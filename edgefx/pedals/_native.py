"""Build and load the C core (`csrc/pedals.c`) with cffi in ABI mode.

The shared library is compiled with the system gcc on first use into
``$EDGEFX_CACHE/pedals/<hash>/`` (default ``~/.cache/edgefx/pedals/<hash>/``), where the hash
covers the C source and the compiler flags, so an edited source never loads a stale build. Two
processes building at once (pytest-xdist) each compile into a private temporary file and
publish it with an atomic rename; an fcntl lock keeps them from doing the work twice.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import threading
from pathlib import Path

import cffi

from ..errors import CodegenError

SOURCE = Path(__file__).with_name("csrc") / "pedals.c"

# -ffp-contract=off: no fused multiply-adds, so the same source gives the same bits on any CPU.
CFLAGS = ["-std=c99", "-O3", "-fPIC", "-shared", "-ffp-contract=off", "-Wall", "-Wextra"]

CDEF = """
int ef_render(const double *params, int n_stages, const int *taps, const double *coef,
              const double *x, double *y, long n);
"""

_ffi = cffi.FFI()
_ffi.cdef(CDEF)
_lib = None
_lock = threading.Lock()


def cache_dir() -> Path:
    """Root of the build cache: ``$EDGEFX_CACHE`` or ``~/.cache/edgefx``, plus ``pedals``."""
    root = os.environ.get("EDGEFX_CACHE")
    base = Path(root) if root else Path.home() / ".cache" / "edgefx"
    return base / "pedals"


def _build(src: bytes, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".build-", suffix=".so", dir=target.parent)
    os.close(fd)
    src_copy = target.with_name("pedals.c")
    try:
        if not src_copy.exists():
            tmp_src = target.with_name(f".pedals-{os.getpid()}.c")
            tmp_src.write_bytes(src)
            os.replace(tmp_src, src_copy)
        cmd = ["gcc", *CFLAGS, "-o", tmp, str(src_copy), "-lm"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CodegenError(f"could not run gcc for the pedal core: {exc}") from None
        if proc.returncode != 0:
            raise CodegenError(f"gcc failed building {SOURCE} (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
        os.replace(tmp, target)  # atomic publish: readers see the old state or the whole file
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def library_path() -> Path:
    """Path of the compiled core, building it first if needed."""
    src = SOURCE.read_bytes()
    digest = hashlib.sha256(src + " ".join(CFLAGS).encode()).hexdigest()[:16]
    target = cache_dir() / digest / "libedgefx_pedals.so"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.with_name(".lock")
    with open(lock_path, "a+") as lock_file:
        try:
            import fcntl

            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        except ImportError:  # not POSIX: the atomic rename alone keeps builds consistent
            pass
        if not target.exists():
            _build(src, target)
    return target


def lib():
    """The loaded cffi library (built on first use)."""
    global _lib
    with _lock:
        if _lib is None:
            path = library_path()
            try:
                _lib = _ffi.dlopen(str(path))
            except OSError as exc:
                raise CodegenError(f"cannot load the pedal core {path}: {exc}") from None
        return _lib


def ffi() -> cffi.FFI:
    return _ffi
