"""The latency and throughput floors of the fast LSTM kernel on this CPU.

    .venv/bin/python firmware/bench/latency.py [--pin CORE] [--hidden 8,12,16,24,32,40]

Builds `edgefx_latency.c` with the host engine's flags and prints what it measures (latency and
throughput per vector of lanes), then per LSTM size the latency floor (the chain one sample cannot
overlap, in the kernels' summation order and in the shortest order any kernel could choose), the
MAC floor, the throughput floor (the sample's multiply-adds and fast cells at perfect overlap) in ms
per second of 48 kHz audio, and the L1 gemv floor (the multiply-adds with their weight loads) as a
multiple of the MAC floor. The "mix" line compares the probe's mixes with their parts timed apart
and added: equal figures mean activations and multiply-adds share the pipes. The definitions are
in `edgefx.bench.floors`; `benchmarks/results/cpu.md` has the kernels' measured times beside the
same floors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from edgefx.bench.floors import expected_lanes, lstm_floors, lstm_macs, mix_apart_ns  # noqa: E402
from edgefx.codegen.build import host_simd_flags  # noqa: E402

RATE = 48000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pin", type=int, default=None, metavar="CORE", help="run on this core (taskset)")
    p.add_argument("--hidden", default="8,12,16,24,32,40")
    args = p.parse_args(argv)
    flags = list(host_simd_flags())
    hidden = [int(v) for v in args.hidden.split(",")]
    floors = lstm_floors(flags, hidden, pin=args.pin, sample_rate=RATE)
    probe = floors[hidden[0]]["probe"]
    extra = f" + {' '.join(flags)}" if flags else ""
    print(f"per vector of {expected_lanes(flags)} lanes (host flags{extra}): "
          + ", ".join(f"{k} {v:.2f} ns" for k, v in probe.items() if k != "lanes" and not k.startswith("mix_")))
    mixes = sorted(int(k[4:]) for k in probe if k.startswith("mix_"))
    print("mix, one vector of fast cells + R x 8 multiply-adds, per iteration: together vs apart and added: "
          + ", ".join(f"R={r} {probe[f'mix_{r}']:.1f} vs {mix_apart_ns(probe, r):.1f} ns" for r in mixes))
    print("| LSTM | MACs/sample | latency floor, ms per audio-s | at any summation order | MAC floor, ms per audio-s "
          "| throughput floor, ms per audio-s | throughput floor / MAC floor | L1 gemv floor / MAC floor |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for h in hidden:
        f = floors[h]
        print(f"| LSTM-{h} | {lstm_macs(h)} | {f['latency_floor_ms']:.2f} | {f['any_order_latency_floor_ms']:.2f} "
              f"| {f['mac_floor_ms']:.2f} "
              f"| {f['throughput_floor_ms']:.2f} | {f['throughput_floor_ms'] / f['mac_floor_ms']:.2f} "
              f"| {f['gemv_floor_ms'] / f['mac_floor_ms']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
