"""`edgefx signal`: write the standard capture input, DI guitar/bass phrases and the tone set."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from ..audio import write_wav
from ..errors import ConfigError
from ._common import add_json_flag, emit


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "signal",
        help="make test signals (the capture input, DI guitar/bass, tones)",
        description="Write the signals edgefx uses: the capture input to re-amp through a device, "
        "synthetic DI guitar and bass phrases, and the sine-tone set for aliasing measurements.",
    )
    sub = parser.add_subparsers(dest="signal_command", metavar="ACTION")

    p_cap = sub.add_parser(
        "capture",
        help="the standard capture input (play it through your device and record the output)",
        description="Writes OUT.wav (32-bit float mono) and OUT.json with the layout (segments, "
        "splits, blip positions, duration and seed, so the signal can be regenerated).",
    )
    p_cap.add_argument("output", help="output WAV")
    p_cap.add_argument("--rate", type=int, default=48000, help="sample rate in Hz (default 48000)")
    p_cap.add_argument("--duration", type=float, default=180.0, help="total length in seconds (default 180)")
    p_cap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    add_json_flag(p_cap)
    p_cap.set_defaults(func=cmd_capture)

    p_gtr = sub.add_parser("guitar", help="a synthetic DI guitar (or bass) phrase")
    p_gtr.add_argument("output", help="output WAV")
    p_gtr.add_argument("--rate", type=int, default=48000, help="sample rate in Hz (default 48000)")
    p_gtr.add_argument("--duration", type=float, default=30.0, help="length in seconds (default 30)")
    p_gtr.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p_gtr.add_argument(
        "--style",
        default="mixed",
        choices=["mixed", "chords", "lead", "palm_mute", "bass"],
        help="playing style; 'bass' makes a bass line (default mixed)",
    )
    p_gtr.add_argument("--level", type=float, default=-4.0, help="peak level in dBFS (default -4)")
    add_json_flag(p_gtr)
    p_gtr.set_defaults(func=cmd_guitar)

    if _has_tone_set():
        p_tones = sub.add_parser(
            "tones",
            help="the sine-tone set (MIDI 21-108 at three levels) as one WAV plus an index",
            description="Writes OUT_DIR/tones.wav (the tones one after another) and OUT_DIR/tones.json "
            "(per tone: midi, f0, level_db and its start/end sample in tones.wav).",
        )
        p_tones.add_argument("out_dir", help="output folder")
        p_tones.add_argument("--rate", type=int, default=48000, help="sample rate in Hz (default 48000)")
        add_json_flag(p_tones)
        p_tones.set_defaults(func=cmd_tones)

    parser.set_defaults(func=lambda args: (parser.print_help(), 1)[1])


def _has_tone_set() -> bool:
    try:
        from ..signals import tones
    except ImportError:
        return False
    return callable(getattr(tones, "tone_set", None))


def _check_rate_duration(rate: int, duration: float) -> None:
    if rate <= 0:
        raise ConfigError(f"--rate must be positive, got {rate}")
    if not duration > 0:
        raise ConfigError(f"--duration must be positive, got {duration}")


def _capture_text(r: dict) -> str:
    lines = [f"wrote {r['output']} ({r['duration_s']:g} s at {r['rate']} Hz, seed {r['seed']}) and {r['layout_file']}"]
    for name, s, e in r["layout"]["segments"]:
        if name != "gap":
            lines.append(f"  {name:<15} {s / r['rate']:8.3f} .. {e / r['rate']:8.3f} s")
    secs = ", ".join(f"{k} {v:.1f} s" for k, v in r["split_seconds"].items())
    lines.append(f"splits: {secs}")
    lines.append("play it through your device, record the output, then run `edgefx capture prepare`")
    return "\n".join(lines)


def cmd_capture(args: argparse.Namespace) -> int:
    from ..signals.capture import capture_signal

    _check_rate_duration(args.rate, args.duration)
    t0 = time.perf_counter()
    x, layout = capture_signal(args.rate, args.duration, args.seed)
    out = Path(args.output)
    write_wav(out, x, args.rate)
    side = out.with_suffix(".json")
    side.write_text(json.dumps({"layout": layout.to_dict()}, indent=2) + "\n")
    result = {
        "output": str(out),
        "layout_file": str(side),
        "rate": args.rate,
        "duration_s": args.duration,
        "seed": args.seed,
        "samples": int(x.size),
        "peak_dbfs": round(float(20 * np.log10(max(float(np.max(np.abs(x))), 1e-12))), 2),
        "split_seconds": {k: round(sum(e - s for s, e in v) / args.rate, 3) for k, v in layout.splits.items()},
        "layout": layout.to_dict(),
        "seconds": round(time.perf_counter() - t0, 3),
    }
    emit(result, args.json, _capture_text)
    return 0


def cmd_guitar(args: argparse.Namespace) -> int:
    from ..signals.guitar import bass_phrase, guitar_phrase

    _check_rate_duration(args.rate, args.duration)
    t0 = time.perf_counter()
    if args.style == "bass":
        x = bass_phrase(args.duration, args.rate, seed=args.seed, level_db=args.level)
    else:
        x = guitar_phrase(args.duration, args.rate, seed=args.seed, style=args.style, level_db=args.level)
    write_wav(args.output, x, args.rate)
    x64 = x.astype(np.float64)
    result = {
        "output": str(args.output),
        "style": args.style,
        "rate": args.rate,
        "duration_s": args.duration,
        "seed": args.seed,
        "peak_dbfs": round(float(20 * np.log10(max(float(np.max(np.abs(x64))), 1e-12))), 2),
        "rms_dbfs": round(float(10 * np.log10(max(float(np.mean(x64**2)), 1e-20))), 2),
        "seconds": round(time.perf_counter() - t0, 3),
    }
    emit(result, args.json)
    return 0


def cmd_tones(args: argparse.Namespace) -> int:
    from ..signals.tones import tone_set

    if args.rate <= 0:
        raise ConfigError(f"--rate must be positive, got {args.rate}")
    tones, meta = tone_set(args.rate)
    out = Path(args.out_dir)
    length = tones.shape[1]
    index = [dict(m, start=i * length, end=(i + 1) * length) for i, m in enumerate(meta)]
    write_wav(out / "tones.wav", tones.reshape(-1), args.rate)
    (out / "tones.json").write_text(json.dumps({"rate": args.rate, "tones": index}, indent=2) + "\n")
    result = {
        "output": str(out / "tones.wav"),
        "index": str(out / "tones.json"),
        "tones": len(meta),
        "samples_per_tone": int(length),
        "rate": args.rate,
    }
    emit(result, args.json)
    return 0
