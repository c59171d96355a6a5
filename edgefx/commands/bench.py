"""`edgefx bench`: CPU time per audio-second of each model on each engine, on one core.

Every engine gets the same audio in the same blocks with one thread; figures are medians of
repeats (min beside them), compared with real time and, for the generated C, with the MAC floor
(the model's multiply-adds at the measured single-core peak with the same compiler flags).
Weights are random-init: the cost per sample depends on the model's shape, not its weights.
"""

from __future__ import annotations

import argparse

from ..engines import ENGINES
from ..errors import ConfigError
from ._common import add_json_flag, emit

DEFAULT_MODELS = "lstm8,lstm12,lstm16,lstm24,lstm32,lstm40,gru16,tcn-nano,tcn-feather,tcn-standard"
DEFAULT_ENGINES = "c,c-fast,torch,onnx,tflite"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench", help="CPU budget: time per audio-second per model and engine", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--models", default=DEFAULT_MODELS, help=f"comma-separated (default: {DEFAULT_MODELS})")
    p.add_argument("--engines", default=DEFAULT_ENGINES, help=f"comma-separated (default: {DEFAULT_ENGINES})")
    p.add_argument("--seconds", type=float, default=10.0, help="seconds of 48 kHz audio per repeat (default: 10)")
    p.add_argument("--block", type=int, default=48, help="block size in samples (default: 48)")
    p.add_argument("--repeats", type=int, default=5, help="timed repeats; the median is reported (default: 5)")
    p.add_argument("--max-pass-seconds", type=float, default=20.0, metavar="S",
                   help="time engines slower than this per pass on a shorter prefix (>= 1 s; noted; default: 20)")
    p.add_argument("--pin", type=int, default=None, metavar="CORE", help="pin the process to one CPU core")
    p.add_argument("--no-native", action="store_true", help="skip the -march=native peak (context only)")
    p.add_argument("--out", default=None, metavar="DIR", help="write cpu.md, cpu.json and cpu.png into DIR")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..bench.cpu import parse_list, render_markdown, run_cpu_bench, write_outputs

    engines = parse_list(args.engines, [])
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        raise ConfigError(f"unknown engine {', '.join(unknown)}; choose from {', '.join(ENGINES)}")
    result = run_cpu_bench(
        parse_list(args.models, []),
        engines,
        seconds=args.seconds,
        block=args.block,
        repeats=args.repeats,
        pin=args.pin,
        max_pass_seconds=args.max_pass_seconds,
        measure_native=not args.no_native,
        show_progress=not args.json,
    )
    if args.out:
        result["outputs"] = {k: str(v) for k, v in write_outputs(result, args.out).items()}
    emit(result, args.json, render_markdown)
    return 0
