"""`edgefx aliasing BUNDLE`: measure a model's aliasing over the sine-tone set, with plots.

MIDI notes 21…108 at −36/−18/−6 dBFS through the model (any engine: torch, c, c-fast, onnx,
tflite), metrics on the last second of each tone: ESR-S and NMR-S (the output against its own
band-limited version); with --teacher also ESR-T, NMR-T, HESR-T against the teacher bundle's
band-limited output; with --reference PEDAL also the -R metrics against the built-in pedal rendered
alias-free (32× oversampling) and the ESR / MR-STFT distance on a synthetic guitar phrase.
Summaries come three ways: the mean over tones of the dB values, the dB of the mean, and the
paper's Table-1 averaging (per input level the dB of the mean over the notes, then the mean of the
level figures: the reading under which the README's calibration matches the paper's ESR-S).

Plots (unless --no-plots): spectrum of a 2394.3 Hz tone at −6 dBFS, NMR-S against f0 per level
with the −10 dB audibility line, and a log-sweep spectrogram; into --plots DIR (default
BUNDLE/plots/aliasing_*.png, then recorded in the bundle's manifest).

Developer option: --notes LO:HI[:STEP] (e.g. 21:108:12) and --levels -6 take a subset of the set.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engines import ENGINES
from ..errors import ConfigError
from ._common import add_json_flag, emit, parse_knobs
from .antialias import parse_levels, parse_notes

LABELS = {"esr_s": "ESR-S", "nmr_s": "NMR-S", "esr_t": "ESR-T", "nmr_t": "NMR-T", "hesr_t": "HESR-T",
          "esr_r": "ESR-R", "nmr_r": "NMR-R", "hesr_r": "HESR-R"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "aliasing",
        help="measure aliasing (NMR-S, ESR-S, ...) over the sine-tone set, with plots",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("bundle", help="model bundle folder")
    p.add_argument("--engine", default="torch", choices=list(ENGINES), help="executor (default: torch)")
    p.add_argument("--teacher", default=None, help="teacher bundle for the -T metrics (e.g. before anti-aliasing)")
    p.add_argument("--reference", default=None, metavar="PEDAL", help="built-in pedal as alias-free reference")
    p.add_argument("--knob", action="append", default=None, metavar="NAME=VALUE", help="reference pedal knob")
    p.add_argument("--block", type=int, default=None, help="run the engine in blocks of N samples")
    p.add_argument("--plots", default=None, metavar="DIR", help="where to write the plots (default BUNDLE/plots)")
    p.add_argument("--no-plots", action="store_true", help="skip the plots")
    p.add_argument("--notes", default=None, help=argparse.SUPPRESS)  # dev: LO:HI[:STEP] subset of MIDI notes
    p.add_argument("--levels", default=None, help=argparse.SUPPRESS)  # dev: e.g. -6 or -36,-6
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..antialias.evaluate import DEFAULT_LEVELS, DEFAULT_MIDI, evaluate_aliasing, evaluate_guitar, pedal_reference
    from ..antialias.finetune import SUPPORTED_ARCHS
    from ..bundle import Bundle
    from ..engines import open_engine

    bundle = Bundle.load(args.bundle)
    if bundle.arch not in SUPPORTED_ARCHS:
        raise ConfigError(f"{bundle.path}: aliasing measurement supports {', '.join(SUPPORTED_ARCHS)} models, "
                          f"not {bundle.arch!r}")
    rate = bundle.sample_rate
    midi = parse_notes(args.notes) or list(DEFAULT_MIDI)
    levels = parse_levels(args.levels) or list(DEFAULT_LEVELS)
    # The torch engine's model is evaluated batched; other engines tone by tone.
    model = bundle.load_model() if args.engine == "torch" else open_engine(args.engine, bundle)
    teacher = None
    if args.teacher:
        tb = Bundle.load(args.teacher)
        if tb.sample_rate != rate:
            raise ConfigError(f"teacher {tb.path} runs at {tb.sample_rate} Hz, the model at {rate} Hz")
        teacher = tb.load_model()
    ref = pedal_reference(args.reference, parse_knobs(args.knob)) if args.reference else None

    res = evaluate_aliasing(model, rate, teacher=teacher, reference_fn=ref, levels=levels, midi=midi,
                            block=args.block)
    result = {
        "bundle": bundle.name,
        "engine": args.engine,
        "sample_rate": rate,
        "tones": res["n_tones"],
        "notes": [min(midi), max(midi)],
        "levels_db": levels,
        "summary": res["summary"],
        "per_tone": res["per_tone"],
    }
    if ref is not None:
        result["guitar"] = {"model": evaluate_guitar(model, rate, ref, block=args.block)}
        if teacher is not None:
            result["guitar"]["teacher"] = evaluate_guitar(teacher, rate, ref)

    if not args.no_plots:
        from ..antialias.plots import aliasing_plots

        models = {f"{bundle.name} ({args.engine})": model}
        results = {bundle.name: res}
        if teacher is not None:
            models = {f"teacher {tb.name}": teacher, **models}
            results = {f"teacher {tb.name}": evaluate_aliasing(teacher, rate, levels=levels, midi=midi), **results}
        out_dir = Path(args.plots) if args.plots else bundle.path / "plots"
        paths = aliasing_plots(models, results, rate, out_dir)
        recorded = []
        for pth in paths:
            try:
                rel = pth.resolve().relative_to(bundle.path.resolve())
            except ValueError:
                continue  # outside the bundle: not part of it
            bundle.add_file(rel.as_posix(), kind="plot")
            recorded.append(rel.as_posix())
        result["plots"] = [str(p) for p in paths]
        result["plots_recorded_in_bundle"] = recorded

    def human(r: dict) -> str:
        s = r["summary"]
        lines = [f"{r['bundle']} ({r['engine']}, {r['sample_rate']} Hz): {r['tones']} tones, "
                 f"MIDI {r['notes'][0]}-{r['notes'][1]} at {', '.join(f'{v:g}' for v in r['levels_db'])} dBFS",
                 f"{'metric':8s} {'mean of dB':>11s} {'dB of mean':>11s} {'paper avg':>10s}"]
        for key, label in LABELS.items():
            if f"{key}_db_mean" in s:
                lines.append(f"{label:8s} {s[f'{key}_db_mean']:11.1f} {s[f'{key}_mean_db']:11.1f} "
                             f"{s[f'{key}_paper_db']:10.1f}")
        for who, g in r.get("guitar", {}).items():
            lines.append(f"guitar ({who}) vs reference: ESR {g['guitar_esr_db']:.1f} dB, "
                         f"MR-STFT {g['guitar_mrstft']:.3f}")
        for pth in r.get("plots", []):
            lines.append(f"plot: {pth}")
        return "\n".join(lines)

    emit(result, args.json, human)
    return 0
