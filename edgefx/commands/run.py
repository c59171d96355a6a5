"""`edgefx run BUNDLE IN.wav OUT.wav [--engine NAME]`: process audio with a bundle."""

from __future__ import annotations

import argparse
import time

from ..engines import ENGINES
from ._common import add_json_flag, emit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="process a WAV file with a model bundle", description=__doc__)
    p.add_argument("bundle", help="model bundle folder (export/NAME)")
    p.add_argument("input", help="input WAV (mono, the bundle's sample rate)")
    p.add_argument("output", help="output WAV (32-bit float)")
    p.add_argument("--engine", default="torch", choices=list(ENGINES), help="executor (default: torch)")
    p.add_argument("--block", type=int, default=None, help="process in blocks of N samples (default: whole file)")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..audio import read_wav, write_wav
    from ..bundle import Bundle
    from ..engines import open_engine, run_blocks

    bundle = Bundle.load(args.bundle)
    x, rate = read_wav(args.input, expected_rate=bundle.sample_rate)
    engine = open_engine(args.engine, bundle)
    t0 = time.perf_counter()
    y = run_blocks(engine, x, args.block)
    seconds = time.perf_counter() - t0
    write_wav(args.output, y, rate)
    audio_s = len(x) / rate
    result = {
        "bundle": bundle.name,
        "engine": args.engine,
        "input": args.input,
        "output": args.output,
        "audio_seconds": round(audio_s, 3),
        "wall_seconds": round(seconds, 4),
        "realtime_factor": round(audio_s / seconds, 1) if seconds > 0 else None,
        "peak": float(abs(y).max()) if len(y) else 0.0,
    }
    emit(result, args.json, lambda r: (
        f"{r['engine']}: {r['input']} -> {r['output']}  ({r['audio_seconds']} s audio in "
        f"{r['wall_seconds']} s, {r['realtime_factor']}x real time, peak {r['peak']:.3f})"
    ))
    return 0
