"""`edgefx pedals`: list the built-in reference pedals and render audio through them."""

from __future__ import annotations

import argparse
import time

import numpy as np

from ..audio import read_wav, write_wav
from ._common import add_json_flag, emit, parse_knobs


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pedals",
        help="built-in reference pedals (overdrive, fuzz, distortion)",
        description="Analog-style reference pedals, rendered alias-free with internal oversampling.",
    )
    sub = parser.add_subparsers(dest="pedals_command", metavar="ACTION")

    p_list = sub.add_parser("list", help="list the pedals and their knobs")
    add_json_flag(p_list)
    p_list.set_defaults(func=cmd_list)

    p_render = sub.add_parser("render", help="run a WAV file through a pedal")
    p_render.add_argument("name", help="pedal name (see `edgefx pedals list`)")
    p_render.add_argument("input", help="input WAV (mono)")
    p_render.add_argument("output", help="output WAV (32-bit float)")
    p_render.add_argument(
        "--knob", action="append", metavar="NAME=VALUE", help="knob setting in 0..1, e.g. drive=0.7; repeatable"
    )
    p_render.add_argument(
        "--oversample", type=int, default=None, help="internal oversampling factor (power of two; default per pedal)"
    )
    add_json_flag(p_render)
    p_render.set_defaults(func=cmd_render)

    parser.set_defaults(func=lambda args: (parser.print_help(), 1)[1])


def _list_text(result: dict) -> str:
    lines = []
    for ped in result["pedals"]:
        lines.append(f"{ped['name']}  (oversample {ped['oversample']}x)  {ped['description']}")
        for knob, info in ped["knobs"].items():
            rng = f"{info['min']:g}..{info['max']:g}"
            lines.append(f"    {knob:<8} default {info['default']:<5g} range {rng:<7} {info['help']}")
    return "\n".join(lines)


def cmd_list(args: argparse.Namespace) -> int:
    from ..pedals import list_pedals

    emit({"pedals": list_pedals()}, args.json, _list_text)
    return 0


def _render_text(r: dict) -> str:
    knobs = ", ".join(f"{k}={v:g}" for k, v in r["knobs"].items())
    return (
        f"{r['pedal']} ({knobs}; {r['oversample']}x): {r['input']} -> {r['output']}\n"
        f"  {r['duration_s']:.2f} s at {r['rate']} Hz, peak {r['peak']:.3f} ({r['peak_dbfs']:.1f} dBFS), "
        f"rendered in {r['render_s']:.2f} s"
    )


def cmd_render(args: argparse.Namespace) -> int:
    from ..pedals import get_pedal

    pedal = get_pedal(args.name, oversample=args.oversample, **parse_knobs(args.knob))
    x, rate = read_wav(args.input)
    t0 = time.perf_counter()
    y = pedal.process(x, rate)
    elapsed = time.perf_counter() - t0
    out = write_wav(args.output, y, rate)
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    result = {
        "pedal": pedal.name,
        "knobs": dict(pedal.settings),
        "oversample": pedal.oversample,
        "input": str(args.input),
        "output": str(out),
        "rate": rate,
        "samples": len(y),
        "duration_s": len(y) / rate,
        "peak": peak,
        "peak_dbfs": float(20.0 * np.log10(max(peak, 1e-12))),
        "render_s": elapsed,
    }
    emit(result, args.json, _render_text)
    return 0
