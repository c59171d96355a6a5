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

It also measures throughput: of the multiply-add (8 independent chains: the MAC floor's rate) and of
the fast activations, alone and mixed. An 8-unit slice of a sample has 5 activation vectors (3
sigmoid, 2 tanh: i, f, o, g~ and tanh(c)) beside MACs x 8 / H multiply-adds; the mix times exactly
that, with every operation independent (no latency, no loads), at the two whole numbers of
8-multiply-add rounds around the model's ratio, interpolated. Scaled by H / 8 it is the
throughput floor of the fast kernel: what one sample's arithmetic costs when it overlaps
perfectly. Printed as a multiple of the MAC floor. The mix takes about as long as the
multiply-adds and the activations timed apart, added: they compete for the same pipes.
"""

from __future__ import annotations

import argparse
import math
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from edgefx.codegen.build import host_simd_flags  # noqa: E402
from edgefx.models import build_model  # noqa: E402
from edgefx.toolchains import get_toolchain  # noqa: E402

RUNTIME = HERE.parent / "runtime"
RATE = 48000


def measure(flags: list[str], pin: int | None, rounds: list[int]) -> dict[str, float]:
    """ns per operation (a vector of lanes) of the latency and throughput probes, and "mix_R" per
    iteration for each R in ``rounds``, built with the host flags plus ``flags``."""
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "latency"
        tc = get_toolchain("host")
        subprocess.run([tc.cc, *tc.flags, *flags, "-Wall", "-Wextra", "-Werror", f"-I{RUNTIME}", f"-I{HERE}",
                        "-o", str(exe), str(HERE / "edgefx_latency.c"), str(HERE / "edgefx_bench_driver.c"), "-lm"],
                       check=True)
        cmd = (["taskset", "-c", str(pin)] if pin is not None else []) + [str(exe), "5000000", "7"]
        out = subprocess.run(cmd + [str(r) for r in rounds], capture_output=True, text=True, check=True).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def lstm_macs(hidden: int) -> int:
    """Multiply-adds per sample of an LSTM-``hidden``, as the model (and the CPU benchmark) counts them."""
    return build_model({"arch": "lstm", "hidden": hidden}).macs_per_sample()


def mix_rounds(hidden: int, lanes: int) -> float:
    """Rounds of 8 vector multiply-adds per 8-unit slice of an LSTM-``hidden`` sample."""
    return lstm_macs(hidden) * 8 / hidden / lanes / 8


def throughput_floor_ns(lat: dict[str, float], hidden: int) -> float:
    """Measured mix, interpolated at the model's rounds and scaled to the whole sample (see above)."""
    r = mix_rounds(hidden, int(lat["lanes"]))
    lo, hi = math.floor(r), math.ceil(r)
    t_lo, t_hi = lat[f"mix_{lo}"], lat[f"mix_{hi}"]
    return (t_lo + (t_hi - t_lo) * (r - lo)) * hidden / 8

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
    hidden = [int(v) for v in args.hidden.split(",")]
    # the runtime's vector width on this build: AVX 8, SSE2 / AArch64 NEON 4, else scalar
    lanes = 8 if "-mavx2" in flags else 4 if platform.machine() in ("x86_64", "AMD64", "aarch64", "arm64") else 1
    rounds = sorted({f(mix_rounds(h, lanes)) for h in hidden for f in (math.floor, math.ceil)})
    lat = measure(flags, args.pin, rounds)
    if int(lat["lanes"]) != lanes:
        raise SystemExit(f"latency probe built {int(lat['lanes'])}-lane vectors, expected {lanes}")
    extra = f" + {' '.join(flags)}" if flags else ""
    print(f"per vector of {lanes} lanes (host flags{extra}): "
          + ", ".join(f"{k} {v:.2f} ns" for k, v in lat.items() if k != "lanes" and not k.startswith("mix_")))
    print("| LSTM | MACs/sample | latency floor, ns/sample | ms per audio-s | MAC floor, ms per audio-s "
          "| throughput floor, ms per audio-s | throughput floor / MAC floor |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for h in hidden:
        ns = lstm_floor_ns(lat, h)
        mac = lstm_macs(h) / lanes * lat["fma_throughput"]
        tput = throughput_floor_ns(lat, h)
        print(f"| LSTM-{h} | {lstm_macs(h)} | {ns:.1f} | {ns * RATE / 1e6:.2f} | {mac * RATE / 1e6:.2f} "
              f"| {tput * RATE / 1e6:.2f} | {tput / mac:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
