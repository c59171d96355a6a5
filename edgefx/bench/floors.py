"""What the fast LSTM kernel cannot beat on this CPU: its latency floor and its throughput floor.

    probe = run_probe(flags, rounds=[8, 9])          # builds and runs firmware/bench/edgefx_latency.c
    latency_floor_ns(probe, 16), any_order_latency_floor_ns(probe, 16), throughput_floor_ns(probe, 16),
    mac_floor_ns(probe, 16)

The probe times, per vector of the kernels' lane count, the latency of an add, a multiply, a fused
multiply-add, the fast tanh / sigmoid and the two halves of the kernel's fast cell (gate sums to c',
c' to h': `edgefx_lstm_fast_c` / `_h`, the kernel's own code) as chains of dependent calls, their
throughput (8 independent chains), and a mix: one vector of units through the fast cell beside
R rounds of 8 independent multiply-adds, all independent, per iteration.

- **Latency floor** of one sample (sample t + 1 needs h_t, so this chain never overlaps anything):

      H fma + cell_c + cell_h

- **Any-order latency floor**: the same chain with the gate sums in the shortest order there is,
  for a kernel free to choose it (all H products at once, then a tree of adds over them and the
  input's term, which is ready before h is):

      mul + ceil(log2(H + 1)) add + cell_c + cell_h

  No kernel that computes this fast cell's operations runs a sample faster on this CPU (the probe
  times the cell as the kernels inline it); a speed goal below it needs a cheaper cell, not a
  better kernel.

- **Throughput floor**: the mix at the model's ratio of multiply-adds to cells (interpolated
  between the whole numbers of rounds around it), scaled to the sample: the sample's arithmetic
  (multiply-adds, activations and cell update) with no latency, no loads and no head. Where the
  mix timed together is slower than its parts timed apart and added (the cell's long chain and the
  probe's registers can keep the two from overlapping), the parts' sum is the floor: the same
  arithmetic done one part after the other.
- **MAC floor**: the multiply-adds alone at the probe's multiply-add throughput (the CPU benchmark's
  MAC floor, measured by the probe itself so that the two ratios share one yardstick).
- **L1 gemv floor**: the multiply-adds with their weight loads, at the probe's rate for gate sums
  streamed from L1 the way the kernel streams them (an LSTM-32's 33 x 128 weights, 8-vector tiles, no
  activations): what the loads add to the MAC floor on this CPU.

A kernel's time divided by the larger of the two floors says how much is left to gain.
"""

from __future__ import annotations

import functools
import math
import platform
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..codegen.build import cpu_supports_avx2
from ..codegen.generate import FIRMWARE_RUNTIME
from ..codegen.hostlib import FIRMWARE_BENCH
from ..errors import CodegenError


@functools.cache
def lstm_macs(hidden: int) -> int:
    """Multiply-adds per sample of an LSTM-``hidden``, as the model (and the CPU benchmark) counts them."""
    from ..models import build_model

    return build_model({"arch": "lstm", "hidden": hidden}).macs_per_sample()


def mix_rounds(hidden: int, lanes: int) -> float:
    """Rounds of 8 vector multiply-adds per 8-unit slice of an LSTM-``hidden`` sample."""
    return lstm_macs(hidden) * 8 / hidden / lanes / 8


def rounds_for(hidden: Sequence[int], lanes: int) -> list[int]:
    """The whole numbers of rounds the probe must time to interpolate every size in ``hidden``."""
    return sorted({f(mix_rounds(h, lanes)) for h in hidden for f in (math.floor, math.ceil)})


def expected_lanes(flags: Sequence[str]) -> int:
    """The runtime's vector width on a build with ``flags``: AVX 8, SSE2 / AArch64 NEON 4, else scalar."""
    if "-mavx2" in flags or "-march=native" in flags and cpu_supports_avx2():
        return 8
    return 4 if platform.machine() in ("x86_64", "AMD64", "aarch64", "arm64") else 1


def lstm_floors(flags: Sequence[str], hidden: Sequence[int], *, pin: int | None = None,
                sample_rate: int = 48000) -> dict[int, dict[str, float]]:
    """Per LSTM size: latency (kernel's order and any order), MAC and throughput floors in ms per audio-second,
    and the probe's figures."""
    lanes = expected_lanes(flags)
    probe = run_probe(flags, rounds_for(hidden, lanes), pin=pin)
    if int(probe["lanes"]) != lanes:
        raise CodegenError(f"the latency probe built {int(probe['lanes'])}-lane vectors, expected {lanes}")
    scale = sample_rate / 1e6
    return {h: {"latency_floor_ms": latency_floor_ns(probe, h) * scale, "mac_floor_ms": mac_floor_ns(probe, h) * scale,
                "any_order_latency_floor_ms": any_order_latency_floor_ns(probe, h) * scale,
                "throughput_floor_ms": throughput_floor_ns(probe, h) * scale,
                "gemv_floor_ms": gemv_floor_ns(probe, h) * scale, "probe": probe} for h in hidden}


def run_probe(flags: Sequence[str], rounds: Sequence[int], *, pin: int | None = None, n: int = 5_000_000,
              repeats: int = 7) -> dict[str, float]:
    """Build the probe with the host toolchain plus ``flags`` and run it: {"lanes", op name: ns, "mix_R": ns}."""
    from ..toolchains import get_toolchain

    tc = get_toolchain("host")
    with tempfile.TemporaryDirectory() as tmp:
        exe = Path(tmp) / "latency"
        build = subprocess.run(
            [tc.cc, *tc.flags, *flags, "-Wall", "-Wextra", "-Werror", f"-I{FIRMWARE_RUNTIME}", f"-I{FIRMWARE_BENCH}",
             "-o", str(exe), str(FIRMWARE_BENCH / "edgefx_latency.c"), str(FIRMWARE_BENCH / "edgefx_bench_driver.c"),
             "-lm"],
            capture_output=True, text=True)
        if build.returncode != 0:
            raise CodegenError(f"building the latency probe failed:\n{build.stderr.strip()}")
        cmd = (["taskset", "-c", str(pin)] if pin is not None else []) + [str(exe), str(n), str(repeats)]
        out = subprocess.run(cmd + [str(r) for r in rounds], capture_output=True, text=True, check=True).stdout
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def latency_floor_ns(probe: dict[str, float], hidden: int) -> float:
    """The critical path of one LSTM sample (see the module docstring)."""
    return hidden * probe["fma"] + probe["cell_c_fast"] + probe["cell_h_fast"]


def any_order_latency_floor_ns(probe: dict[str, float], hidden: int) -> float:
    """The critical path with the gate sums as a tree (see the module docstring): what no summation order beats."""
    return probe["mul"] + math.ceil(math.log2(hidden + 1)) * probe["add"] + probe["cell_c_fast"] + probe["cell_h_fast"]


def mac_floor_ns(probe: dict[str, float], hidden: int) -> float:
    """One sample's multiply-adds at the probe's multiply-add throughput."""
    return lstm_macs(hidden) / probe["lanes"] * probe["fma_throughput"]


def gemv_floor_ns(probe: dict[str, float], hidden: int) -> float:
    """One sample's multiply-adds at the probe's rate with weights streamed from L1."""
    return lstm_macs(hidden) / probe["lanes"] * probe["gemv_l1_throughput"]


def throughput_floor_ns(probe: dict[str, float], hidden: int) -> float:
    """The measured mix (or its parts apart, if faster), interpolated at the model's rounds and scaled to the
    whole sample."""
    r = mix_rounds(hidden, int(probe["lanes"]))
    lo, hi = math.floor(r), math.ceil(r)
    t_lo, t_hi = (min(probe[f"mix_{k}"], mix_apart_ns(probe, k)) for k in (lo, hi))
    return (t_lo + (t_hi - t_lo) * (r - lo)) * hidden / 8


def mix_apart_ns(probe: dict[str, float], rounds: int) -> float:
    """One mix iteration's parts timed apart and added (one vector of fast cells + ``rounds`` x 8
    multiply-adds, each at its own throughput): what the mix takes if cells and multiply-adds cannot overlap."""
    return probe["cell_fast_throughput"] + 8 * rounds * probe["fma_throughput"]
