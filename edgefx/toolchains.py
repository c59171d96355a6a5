"""C toolchains edgefx builds with: the host compiler and the cross compilers of the boards.

    tc = get_toolchain("cortex-m7")
    tc.available()                              # compiler on PATH?
    tc.compile(["a.c", "b.c"], "a.o", cwd=d)    # raises CodegenError with the diagnostics

Every build uses ``REQUIRED_FLAGS``. ``-ffp-contract=off`` matters most: with contraction a
compiler may fuse ``a * b + c`` into one FMA (one rounding instead of two) on targets that have
it (aarch64, x86 with -march=native, Cortex-M7 VFMA), and the board output would then differ in
the last bit from the host build of the same C. Board builds later reuse these definitions.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .errors import CodegenError, ConfigError

REQUIRED_FLAGS: tuple[str, ...] = ("-std=c99", "-ffp-contract=off")
WARNING_FLAGS: tuple[str, ...] = ("-Wall", "-Wextra", "-Werror", "-pedantic")
CORTEX_M7_FLAGS: tuple[str, ...] = ("-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard", "-mthumb")


@dataclass(frozen=True)
class Toolchain:
    """A C compiler and the flags of one target."""

    name: str
    cc: str
    target_flags: tuple[str, ...] = ()
    opt_flags: tuple[str, ...] = ("-O2",)
    size: str | None = None               # binutils `size` for this target
    runner: tuple[str, ...] = ()          # how to run a linked program (e.g. qemu-user)
    description: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def flags(self) -> tuple[str, ...]:
        """Target, optimisation and required flags (no warnings)."""
        return self.target_flags + self.opt_flags + REQUIRED_FLAGS

    def available(self) -> bool:
        return shutil.which(self.cc) is not None

    def require(self) -> str:
        path = shutil.which(self.cc)
        if path is None:
            raise CodegenError(f"toolchain {self.name!r}: compiler {self.cc!r} not found on PATH")
        return path

    def version(self) -> str:
        return _version(self.require())

    def compile(
        self,
        sources: Sequence[str | Path],
        output: str | Path | None,
        *,
        cwd: str | Path | None = None,
        extra_flags: Sequence[str] = (),
        object_only: bool = False,
        opt_flags: Sequence[str] | None = None,
        timeout: float = 300.0,
        libs: Sequence[str] = (),
    ) -> Path:
        """Compile (and link unless ``object_only``) ``sources`` into ``output`` (None with
        ``object_only``: one object per source, named after it, in ``cwd``); ``libs`` (e.g. -lm)
        go after the sources."""
        cc = self.require()
        opt = tuple(opt_flags) if opt_flags is not None else self.opt_flags
        cmd = [cc, *self.target_flags, *opt, *REQUIRED_FLAGS, *extra_flags]
        cmd += ["-c"] if object_only else []
        cmd += (["-o", str(output)] if output is not None else []) + [str(s) for s in sources]
        cmd += [] if object_only else list(libs)
        try:
            proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise CodegenError(f"{self.name}: compiler timed out after {timeout:.0f} s: {' '.join(cmd)}") from None
        if proc.returncode != 0:
            diag = (proc.stderr or proc.stdout).strip()
            raise CodegenError(f"{self.name}: compilation failed ({' '.join(cmd)}):\n{diag}")
        return Path(output) if output is not None else Path(cwd or ".")

    def object_sizes(self, obj: str | Path) -> dict[str, int]:
        """text/data/bss of an object file, from binutils `size` (Berkeley format)."""
        if not self.size or shutil.which(self.size) is None:
            raise CodegenError(f"toolchain {self.name!r}: {self.size or 'size'} not found on PATH")
        proc = subprocess.run([self.size, str(obj)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise CodegenError(f"{self.size} {obj} failed: {proc.stderr.strip()}")
        lines = proc.stdout.strip().splitlines()
        text, data, bss = (int(v) for v in lines[-1].split()[:3])
        return {"text": text, "data": data, "bss": bss}


@cache
def _version(cc_path: str) -> str:
    proc = subprocess.run([cc_path, "--version"], capture_output=True, text=True)
    return (proc.stdout.splitlines() or ["unknown"])[0].strip()


TOOLCHAINS: dict[str, Toolchain] = {
    "host": Toolchain(
        "host", "gcc", (), ("-O3",), size="size", description="native gcc (x86-64 / aarch64 host), portable -O3"
    ),
    "cortex-m7": Toolchain(
        "cortex-m7",
        "arm-none-eabi-gcc",
        CORTEX_M7_FLAGS,
        ("-O2",),
        size="arm-none-eabi-size",
        description="Cortex-M7 with FPv5 double-precision FPU, hard float (STM32H7 / Daisy Seed, QEMU mps2-an500)",
    ),
    "aarch64": Toolchain(
        "aarch64",
        "aarch64-linux-gnu-gcc",
        (),
        ("-O3",),
        size="aarch64-linux-gnu-size",
        runner=("qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"),
        description="aarch64 Linux (Raspberry Pi 4/5); run under qemu-aarch64 on other hosts",
    ),
}


def get_toolchain(name: str) -> Toolchain:
    if name not in TOOLCHAINS:
        raise ConfigError(f"unknown toolchain {name!r}; choose one of {', '.join(TOOLCHAINS)}")
    return TOOLCHAINS[name]
