"""`edgefx capture`: check and align a re-amp recording against the capture input."""

from __future__ import annotations

import argparse

from ._common import add_json_flag, emit


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "capture",
        help="check and align a re-amp capture (input + recorded device output)",
        description="Prepare a capture for training: check rates, channels, clipping and silence, "
        "measure and remove the latency, check polarity and repeatability, and write an aligned "
        "pair with its splits.",
    )
    sub = parser.add_subparsers(dest="capture_command", metavar="ACTION")
    p = sub.add_parser(
        "prepare",
        help="align INPUT and TARGET and write DIR/input.wav, DIR/target.wav, DIR/capture.json",
    )
    p.add_argument("input", help="the signal played into the device (e.g. from `edgefx signal capture`)")
    p.add_argument("target", help="the device's recorded output")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument(
        "--resample",
        action="store_true",
        help="allow differing sample rates: resample the target to the input's rate (or both to --rate)",
    )
    p.add_argument("--rate", type=int, default=None, help="output rate with --resample (default: the input's)")
    p.add_argument(
        "--flip-polarity",
        action="store_true",
        help="flip an inverting device's output (default: keep it; the model learns the inversion)",
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_prepare)
    parser.set_defaults(func=lambda args: (parser.print_help(), 1)[1])


def _prepare_text(r: dict) -> str:
    rate = r["rate"]
    lines = [
        f"aligned {r['input_file']} / {r['target_file']} -> {r['out_dir']}",
        f"  rate       {rate} Hz, {r['length'] / rate:.2f} s",
        f"  latency    {r['latency_samples']} samples ({r['latency_ms']:.3f} ms), by {r['alignment']}",
        f"  polarity   {r['polarity']}" + (" (flipped)" if r["polarity_flipped"] else ""),
    ]
    if r["validation_esr"] is not None:
        lines.append(f"  repeat ESR {r['validation_esr']:.2e} (validation copy 2 vs copy 1)")
    if r["drift_samples"] is not None:
        lines.append(f"  drift      {r['drift_samples']} samples (end blips vs start blips)")
    lines.append("  splits     " + ", ".join(f"{k} {v:.2f} s" for k, v in r["split_seconds"].items()))
    for w in r["warnings"]:
        lines.append(f"warning: {w}")
    for n in r["notes"]:
        lines.append(f"note: {n}")
    return "\n".join(lines)


def cmd_prepare(args: argparse.Namespace) -> int:
    from ..capture import prepare_capture

    report = prepare_capture(
        args.input,
        args.target,
        args.out,
        resample=args.resample,
        rate=args.rate,
        flip_polarity=args.flip_polarity,
    )
    emit(report.to_dict(), args.json, _prepare_text)
    return 0
