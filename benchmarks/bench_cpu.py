"""CPU budget of every benchmark model on every engine; writes benchmarks/results/cpu.{md,json,png}.

    .venv/bin/python benchmarks/bench_cpu.py [--seconds 10] [--repeats 5] [--pin CORE] [--out DIR]

A thin wrapper around `edgefx.bench.run_cpu_bench` (the same code as `edgefx bench`), with the
full model and engine lists and the results folder beside this script as defaults.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from edgefx.bench import DEFAULT_ENGINES, DEFAULT_MODELS, render_markdown, run_cpu_bench, write_outputs

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=",".join(DEFAULT_MODELS))
    p.add_argument("--engines", default=",".join(DEFAULT_ENGINES))
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--block", type=int, default=48)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--max-pass-seconds", type=float, default=20.0, metavar="S")
    p.add_argument("--pin", type=int, default=None, metavar="CORE")
    p.add_argument("--out", default=str(RESULTS), metavar="DIR")
    args = p.parse_args(argv)
    result = run_cpu_bench(
        args.models.split(","),
        args.engines.split(","),
        seconds=args.seconds,
        block=args.block,
        repeats=args.repeats,
        pin=args.pin,
        max_pass_seconds=args.max_pass_seconds,
    )
    paths = write_outputs(result, args.out, stem="cpu")
    print(render_markdown(result))
    print("wrote " + ", ".join(str(p) for p in paths.values()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
