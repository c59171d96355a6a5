"""Instructions per sample of generated models, counted with valgrind's callgrind (deterministic).

    .venv/bin/python firmware/bench/instructions.py [--models lstm16,lstm32,gru16,tcn-nano] [--block 48]

Each model (random init, seed 0, the benchmark's shapes) is generated, built with the host flags
(-O3 -std=c99 -ffp-contract=off) into `edgefx_bench_main.c`, and run under callgrind with
collection switched on only inside the block loop (`edgefx_bench_process_blocks`). Prints
instructions per sample for the exact and fast variants. ``--no-simd`` builds the portable C99
path instead (what Cortex-M compiles).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from edgefx.bench.cpu import parse_model
from edgefx.codegen import generate
from edgefx.codegen.build import AVX2_FLAGS
from edgefx.toolchains import get_toolchain

HERE = Path(__file__).resolve().parent
DEFAULT = "lstm16,lstm32,gru16,tcn-nano,tcn-feather"


def build(key: str, root: Path, extra: tuple[str, ...] = ()) -> Path:
    """Generate model ``key`` under ``root`` and link it with the bench main; returns the program."""
    torch.manual_seed(0)
    spec = parse_model(key)
    gen = generate(spec.build().eval(), f"bench-{key}", 48000, root / key)
    exe = root / f"{key}.bin"
    tc = get_toolchain("host")
    cmd = [tc.cc, *tc.flags, *extra, f"-I{gen.directory}", f"-I{HERE}",
           f'-DEDGEFX_BENCH_HEADER="{gen.header}"', f"-DEDGEFX_BENCH_PREFIX={gen.prefix}",
           "-o", str(exe), str(HERE / "edgefx_bench_main.c"), str(HERE / "edgefx_bench_driver.c"),
           *[str(gen.directory / s) for s in gen.sources], "-lm"]
    subprocess.run(cmd, check=True)
    return exe


def instructions(exe: Path, samples: int, block: int, fast: bool) -> float:
    """Callgrind instruction count inside the block loop, per sample."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
             "--toggle-collect=edgefx_bench_process_blocks", str(exe), str(samples), str(block), str(int(fast))],
            capture_output=True, text=True, check=True)
        m = re.search(r"Collected\s*:\s*(\d+)", proc.stderr)
        if not m:
            raise RuntimeError(proc.stderr[-2000:])
        return int(m.group(1)) / samples


def wall_ms(exe: Path, block: int, fast: bool, repeats: int) -> float:
    """Median over ``repeats`` runs of the block loop's ms per 48 000 samples (10 s of audio each)."""
    ms = []
    for _ in range(repeats):
        out = subprocess.run([str(exe), "480000", str(block), str(int(fast))], capture_output=True, text=True,
                             check=True).stdout
        ms.append(float(re.search(r"\(([\d.]+) ms per 48000", out).group(1)))
    return statistics.median(ms)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=DEFAULT)
    p.add_argument("--block", type=int, default=48)
    p.add_argument("--samples", type=int, default=9600)
    p.add_argument("--no-simd", action="store_true")
    p.add_argument("--avx2", action="store_true",
                   help="build with -mavx2 -mfma, as the host engine on AVX2 CPUs (only the source's fused "
                        "multiply-adds fuse)")
    p.add_argument("--time", type=int, default=0, metavar="R",
                   help="also run natively R times on 10 s of audio; median ms per audio-second")
    args = p.parse_args(argv)
    extra = ("-DEDGEFX_NO_SIMD",) if args.no_simd else ()
    if args.avx2:
        extra += AVX2_FLAGS
    with tempfile.TemporaryDirectory(prefix="edgefx-ir-") as tmp:
        print(f"| model | exact Ir/sample | fast Ir/sample | exact ms/audio-s | fast ms/audio-s |"
              f"  (block {args.block}{', flags ' + ' '.join(extra) if extra else ''})")
        print("|---|---:|---:|---:|---:|")
        for key in args.models.split(","):
            exe = build(key, Path(tmp), extra)
            ex = instructions(exe, args.samples, args.block, False)
            fa = instructions(exe, args.samples, args.block, True)
            times = [wall_ms(exe, args.block, f, args.time) if args.time else float("nan") for f in (False, True)]
            print(f"| {key} | {ex:.0f} | {fa:.0f} | {times[0]:.2f} | {times[1]:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
