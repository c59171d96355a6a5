"""The latency floor of a recurrent sample: what one LSTM step costs even with unlimited throughput.

    .venv/bin/python firmware/bench/latency.py [--pin CORE] [--hidden 8,12,16,24,32,40]

An LSTM's sample t + 1 needs h_t, so per sample one chain of dependent operations cannot overlap
anything: the gate sums (H dependent fused multiply-adds: the summation order is fixed), the gate
activations, c = f c + i g (a multiply and an add), tanh(c), h = o tanh(c) (a multiply). This builds
`edgefx_latency.c` with the host engine's flags, measures the latency of each of those operations
as a chain of dependent calls (the best of several runs), and prints the floor

    H fma + max(sigmoid, tanh) + mul + add + tanh + mul      per sample

in ns and in ms per second of 48 kHz audio, beside the MAC floor's idea of the same model
(`benchmarks/results/cpu.md` has the measured times). The MAC floor assumes the multiply-adds
overlap perfectly; for small recurrent models this latency floor is the tighter one.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from edgefx.codegen.build import host_simd_flags  # noqa: E402
from edgefx.toolchains import get_toolchain  # noqa: E402

RUNTIME = HERE.parent / "runtime"
RATE = 48000


def measure(flags: list[str], pin: int | None) -> dict[str, float]:
    """Latency in ns of add, mul, fma, tanh_fast and sigmoid_fast, built with the host flags plus ``flags``."""
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "latency"
        tc = get_toolchain("host")
        subprocess.run([tc.cc, *tc.flags, *flags, "-Wall", "-Wextra", "-Werror", f"-I{RUNTIME}", f"-I{HERE}",
                        "-o", str(exe), str(HERE / "edgefx_latency.c"), str(HERE / "edgefx_bench_driver.c"), "-lm"],
                       check=True)
        cmd = (["taskset", "-c", str(pin)] if pin is not None else []) + [str(exe)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def lstm_floor_ns(lat: dict[str, float], hidden: int) -> float:
    """Critical path of one LSTM sample (see the module docstring)."""
    act = max(lat["tanh_fast"], lat["sigmoid_fast"])
    return hidden * lat["fma"] + act + lat["mul"] + lat["add"] + lat["tanh_fast"] + lat["mul"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pin", type=int, default=None, metavar="CORE", help="run on this core (taskset)")
    p.add_argument("--hidden", default="8,12,16,24,32,40")
    args = p.parse_args(argv)
    flags = list(host_simd_flags())
    lat = measure(flags, args.pin)
    extra = f" + {' '.join(flags)}" if flags else ""
    print(f"latency per operation ({int(lat.pop('lanes'))} lanes, host flags{extra}): "
          + ", ".join(f"{k} {v:.2f} ns" for k, v in lat.items()))
    print("| LSTM | latency floor, ns/sample | ms per audio-second (48 kHz) |")
    print("|---|---:|---:|")
    for h in (int(v) for v in args.hidden.split(",")):
        ns = lstm_floor_ns(lat, h)
        print(f"| LSTM-{h} | {ns:.1f} | {ns * RATE / 1e6:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
